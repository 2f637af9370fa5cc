#!/usr/bin/env bash
# Runs the authors' own C# MNIST program (lancopku/meProp, src/csharp/nnmnist) on an MNIST-format
# folder and writes its results as meprop's metrics.csv, so that both implementations can be
# compared on the same data (docs/authors-code.md).
#
# usage: bench/authors-code/run.sh CHECKOUT DATA_DIR [key=value ...]
#   CHECKOUT  a clone of https://github.com/lancopku/meProp (this project holds none of their code)
#   DATA_DIR  train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
#             t10k-labels-idx1-ubyte, plain or .gz
#   keys (meprop's names, mapped onto their Config fields; defaults = the authors-mnist-adam-k20 preset):
#     mode=topk|dense|random (NetType mlptop|mlp|mlprand)  k=20 (TrainTop)  hidden=500 (HiddenSize)
#     layers=2 (hidden layers; their Layers = layers + 1)  batch=10 (MinibatchSize)  epochs=20 (MaxEpoch)
#     evals_per_epoch=8 (IterPerEpoch)  optimizer=adam|adagrad|sgd (OptType)  lr=0.001 (LearningRate;
#     their Adam ignores it and always uses 0.001)  grad_clip=5 (ClipBound)  seed=1 (RandomSeed)
#     limit=0 (first N training images after the dev set; done by truncating the converted data)
#     dev_size=5000 (their code always splits off the first 5,000: any other value is refused)
#     out=DIR (default runs/authors-<mode>-k<k>-<time>)
# Needs mono's C# compiler and runtime and Newtonsoft.Json (Debian: mono-devel,
# libnewtonsoft-json-cil-dev; MEPROP_WITH_MONO=1 packaging/install-deps.sh), and python3.
#
# Output in DIR: metrics.csv (epoch (fractional), train_loss, dev, test; test only where their code
# evaluated it, i.e. when dev improved), summary.json (best dev and the test there), config.json
# (the run in meprop's keys, "implementation": "authors-csharp"), authors-config.json (their JSON),
# authors-log.txt (their log), build.txt (what was compiled and every rewritten line).
set -euo pipefail

die() { echo "run.sh: $*" >&2; exit 2; }
[[ $# -ge 2 ]] || die "usage: run.sh CHECKOUT DATA_DIR [key=value ...]"
checkout=$1 data=$2; shift 2
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
src="$checkout/src/csharp/nnmnist"
[[ -f "$src/Program.cs" && -f "$src/Application/Mnist.cs" ]] ||
    die "$checkout: not a checkout of lancopku/meProp (no src/csharp/nnmnist/Program.cs)"
[[ -d "$data" ]] || die "$data: no such data folder"
command -v mcs >/dev/null || die "mcs not found: install mono-devel (MEPROP_WITH_MONO=1 packaging/install-deps.sh)"
command -v mono >/dev/null || die "mono not found: install mono-devel"
json_dll=$(ls /usr/lib/cli/Newtonsoft.Json*/Newtonsoft.Json.dll /usr/lib/mono/gac/Newtonsoft.Json/*/Newtonsoft.Json.dll 2>/dev/null | head -1 || true)
[[ -n "$json_dll" ]] || die "Newtonsoft.Json.dll not found: install libnewtonsoft-json-cil-dev"

declare -A v=([mode]=topk [k]=20 [hidden]=500 [layers]=2 [batch]=10 [epochs]=20 [evals_per_epoch]=8
              [optimizer]=adam [lr]=0.001 [grad_clip]=5 [seed]=1 [limit]=0 [dev_size]=5000 [out]="")
for kv in "$@"; do
    [[ $kv == *=* ]] || die "$kv: expected key=value"
    key=${kv%%=*} val=${kv#*=}
    [[ -v "v[$key]" ]] || die "key \"$key\": their program has no such setting (known: ${!v[*]})"
    v[$key]=$val
done
int() { [[ ${v[$1]} =~ ^[0-9]+$ ]] || die "key \"$1\": expected a non-negative integer, got \"${v[$1]}\""; }
for key in k hidden layers batch epochs evals_per_epoch seed limit dev_size; do int "$key"; done
[[ ${v[lr]} =~ ^[0-9.eE+-]+$ ]] || die "key \"lr\": expected a number, got \"${v[lr]}\""
[[ ${v[grad_clip]} =~ ^[0-9.eE+-]+$ ]] || die "key \"grad_clip\": expected a number, got \"${v[grad_clip]}\""
[[ ${v[dev_size]} == 5000 ]] || die "key \"dev_size\": their code always takes the first 5000 training images as dev (Mnist.cs), got ${v[dev_size]}"
(( v[evals_per_epoch] >= 1 )) || die "key \"evals_per_epoch\": expected >= 1"
case ${v[mode]} in
    topk) net=mlptop ;; dense) net=mlp ;; random) net=mlprand ;;
    *) die "key \"mode\": their program has dense, topk and random (got \"${v[mode]}\")" ;;
esac
case ${v[optimizer]} in adam|adagrad|sgd) ;; *) die "key \"optimizer\": expected adam, adagrad or sgd" ;; esac
if [[ ${v[optimizer]} == adam && ${v[lr]} != 0.001 && ${v[lr]} != 1e-3 ]]; then
    echo "run.sh: note: their Adam ignores LearningRate (Classifier.cs builds it with lr 0.001); lr=${v[lr]} has no effect" >&2
fi
out=${v[out]:-runs/authors-${v[mode]}-k${v[k]}-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$out"
out=$(cd "$out" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/meprop-authors.XXXXXX")
trap 'rm -rf "$work"' EXIT
cp -r "$src" "$work/src"

# Debian's mcs (mono 6.8) parses C# 7 tuple deconstruction but not a discard inside it:
# "(_, var prob, var loss) = ..." becomes "(var _discarded, var prob, var loss) = ...".
# Syntax only: the same call, the same values; nothing else is touched. Every change is listed.
{
    echo "source: $src ($(git -C "$checkout" rev-parse HEAD 2>/dev/null || echo 'not a git checkout'))"
    echo "compiler: $(mcs --version), Newtonsoft.Json: $json_dll"
    echo "syntax rewrites (C# 7 discards in deconstruction, for mcs):"
} > "$out/build.txt"
rewrites=0
while IFS= read -r -d '' f; do
    if grep -qE '\(_,[[:space:]]*var ' "$f"; then
        cp "$f" "$f.orig"
        sed -i -E 's/\(_,([[:space:]]*)var /(var _discarded,\1var /' "$f"
        n=$( (diff "$f.orig" "$f" || true) | grep -c '^>' || true)
        rewrites=$((rewrites + n))
        { echo "  ${f#"$work/src/"}:"; (diff "$f.orig" "$f" || true) | sed 's/^/    /'; } >> "$out/build.txt"
        rm "$f.orig"
    fi
done < <(find "$work/src" -name '*.cs' -print0)
echo "run.sh: rewrote $rewrites statement(s) for mcs (a C# 7 discard in a deconstruction; syntax only, listed in $out/build.txt)" >&2
mapfile -d '' sources < <(find "$work/src" -name '*.cs' -not -path '*/obj/*' -not -path '*/bin/*' -print0)
if ! mcs -optimize+ -nowarn:0168,0219,0414,0649 -out:"$work/nnmnist.exe" -r:"$json_dll" "${sources[@]}" > "$work/mcs.log" 2>&1; then
    cat "$work/mcs.log" >&2
    die "their program did not compile (the mcs output is above)"
fi
cp "$json_dll" "$work/"

python3 "$here/prepare_data.py" "$data" "$work/data" "${v[dev_size]}" "${v[limit]}"

cat > "$out/authors-config.json" <<JSON
{
  "ClipBound": ${v[grad_clip]},
  "DecayRate": 0.09,
  "Eps": 1E-06,
  "HiddenSize": ${v[hidden]},
  "IterPerEpoch": ${v[evals_per_epoch]},
  "L2RegFactor": 0.0,
  "LabelCount": 10,
  "Layers": $(( v[layers] + 1 )),
  "LearningRate": ${v[lr]},
  "MaxEpoch": ${v[epochs]},
  "MinibatchSize": ${v[batch]},
  "NetType": "$net",
  "OptType": "${v[optimizer]}",
  "Prune": 0.1,
  "RandomSeed": ${v[seed]},
  "TestFile": "$work/data/t10k-images.idx3-ubyte",
  "TestLabelFile": "$work/data/t10k-labels.idx1-ubyte",
  "TrainCycle": 5,
  "TrainFile": "$work/data/train-images.idx3-ubyte",
  "TrainLabelFile": "$work/data/train-labels.idx1-ubyte",
  "TrainTop": ${v[k]}
}
JSON
cat > "$out/config.json" <<JSON
{
  "implementation": "authors-csharp",
  "task": "image", "data": "$(cd "$data" && pwd)", "mode": "${v[mode]}", "k": ${v[k]}, "k_output": 0,
  "hidden": ${v[hidden]}, "layers": ${v[layers]}, "optimizer": "${v[optimizer]}", "lr": ${v[lr]},
  "batch": ${v[batch]}, "epochs": ${v[epochs]}, "evals_per_epoch": ${v[evals_per_epoch]}, "seed": ${v[seed]},
  "limit": ${v[limit]}, "dev_size": ${v[dev_size]}, "loss_reduction": "sum", "grad_clip": ${v[grad_clip]},
  "bias_grad": "dense", "init": "authors-normal", "adagrad_eps": "inside", "device": "cpu", "threads": 1
}
JSON

echo "run.sh: running their program (mode ${v[mode]}, k ${v[k]}, batch ${v[batch]}, ${v[epochs]} epochs, seed ${v[seed]})" >&2
start=$(date +%s)
# Invariant number formatting in their log whatever the user's locale.
if ! (cd "$work" && LC_ALL=C LANG=C mono nnmnist.exe "$out/authors-config.json" > console.txt 2>&1); then
    tail -20 "$work/console.txt" >&2
    die "their program failed (the end of its output is above)"
fi
log=$(ls "$work"/*log-*.txt 2>/dev/null | head -1 || true)
[[ -n "$log" ]] || die "their program wrote no log file"
cp "$log" "$out/authors-log.txt"
python3 "$here/log_to_metrics.py" "$out/authors-log.txt" "${v[evals_per_epoch]}" "$out/metrics.csv" "$out/summary.json"
echo "run.sh: done in $(( $(date +%s) - start )) s -> $out" >&2
