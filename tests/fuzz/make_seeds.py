#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/) in each target's input
framing (see the comment at the top of each <Name>Fuzz.cpp). The CoNLL-U target also reads
tests/data/conllu and tests/data/parse as they are. Deterministic; rerun after changing a framing:
    python3 tests/fuzz/make_seeds.py
"""
import gzip
import io
import json
import os
import struct
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def out(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def part(b):
    return struct.pack("<H", len(b)) + b


def gz(b):
    return gzip.compress(b, compresslevel=6, mtime=0)


# --- idx: flags, maxCount, images part, labels rest -----------------------------------------------
def idx(count, rows, cols, labels=None):
    img = struct.pack(">IIII", 0x803, count, rows, cols) + bytes((i * 37) % 256 for i in range(count * rows * cols))
    labs = labels if labels is not None else [i % 10 for i in range(count)]
    lab = struct.pack(">II", 0x801, len(labs)) + bytes(labs)
    return img, lab


img, lab = idx(3, 4, 4)
out("idx", "raw", b"\0\0" + part(img) + lab)
out("idx", "raw-limit2", b"\0\2" + part(img) + lab)
out("idx", "harness-gzips-both", b"\3\0" + part(img) + lab)
out("idx", "gzip-bytes", b"\0\0" + part(gz(img)) + gz(lab))
out("idx", "gzip-two-members", b"\0\0" + part(gz(img[:10]) + gz(img[10:])) + lab)
img, lab = idx(2, 2, 3)
out("idx", "raw-2x3", b"\0\0" + part(img) + lab)
img, lab = idx(1, 1, 1, [9])
out("idx", "raw-1x1", b"\1\0" + part(img) + lab)
img, lab = idx(2, 3, 3, [3, 11])
out("idx", "bad-label", b"\0\0" + part(img) + lab)
out("idx", "truncated-gzip", b"\0\0" + part(gz(img)[:-6]) + gz(lab))

# --- config: JSON text (or @preset), "%%", --set lines --------------------------------------------
out("config", "defaults", "")
out("config", "image-json", json.dumps({"task": "image", "hidden": 100, "layers": 3, "k": 10, "mode": "topk", "lr": 0.01}))
out("config", "preset-and-sets", "@image\n%%\nk=30\nmode=unified\nlr=0.0005\nupdate=touched\nseed=7")
out("config", "pos", json.dumps({"task": "pos", "optimizer": "adagrad", "k_output": 3}) + "\n%%\ndevice=cpu\ndropout=0.5")
out("config", "parse", json.dumps({"task": "parse", "hidden": 200, "k": 20, "grad_clip": 5.0}) + "\n%%\nthreads=2\nlimit=10")
out("config", "paper-preset", "@table1-mnist-adam-k20\n%%\nepochs=1")
out("config", "sets-only", "\n%%\nhidden=64\nk=64\nmode=dense\nbatch=1\nepochs=2\ndata=/tmp/x")
out("config", "bad-types", json.dumps({"hidden": "many", "k": 1.5, "lr": -1, "mode": "best"}))
out("config", "nested", '{"task": {"a": [1, 2, {"b": null}]}, "k": 1e400}')

# --- bundle: mode byte; even = a .zip as is, odd = entries the harness zips -----------------------
config = {"task": "image", "mode": "topk", "k": 20, "hidden": 500, "layers": 2, "epochs": 2, "optimizer": "adam",
          "lr": 0.001, "batch": 10}
metrics = ("epoch,train_loss,dev,test,fp_s,bp_linear_s,bp_overall_s,update_s,train_s,eval_s,backprop_ratio\n"
           "1,0.5,85.1,84.2,1.2,0.3,0.5,0.8,3.1,0.4,0.041\n"
           "2,0.4,86.3,85.0,1.1,0.3,0.5,0.8,3.0,0.4,0.04\n")
metrics_extra = metrics.replace("backprop_ratio\n", "backprop_ratio,dev_las,test_las\n", 1).replace("0.041\n", "0.041,70,69\n").replace("0.04\n", "0.04,71,70\n")
summary = {"task": "image", "mode": "topk", "k": 20, "best_epoch": 2, "dev_metric": 86.3, "test_metric": 85.0}
run = {"format": "meprop-workbench-run", "version": 1, "name": "run topk", "config": config, "group": "compare",
       "group_id": 2, "state": "finished", "error": "", "elapsed_s": 7.5,
       "start": {"task": "image", "metric": "accuracy", "epochs": 2, "train_examples": 55000, "batches_per_epoch": 5500,
                 "layers": [{"name": "hidden1", "width": 500, "k": 20}, {"name": "output", "width": 10, "k": 10}]},
       "epochs": [{"epoch": 1, "train_loss": 0.5, "dev": 85.1, "test": 84.2, "fp_s": 1.2, "bp_linear_s": 0.3,
                   "bp_overall_s": 0.5, "update_s": 0.8, "train_s": 3.1, "eval_s": 0.4, "best": False,
                   "backprop_ratio": [0.04, 1.0], "extra": {}},
                  {"epoch": 2, "train_loss": 0.4, "dev": 86.3, "test": 85.0, "fp_s": 1.1, "bp_linear_s": 0.3,
                   "bp_overall_s": 0.5, "update_s": 0.8, "train_s": 3.0, "eval_s": 0.4, "best": True,
                   "backprop_ratio": [0.04, 1.0], "extra": {"dev_las": 70}}],
       "batch_loss": [[1, 2.3], [2, 1.9], [3, 1.5]], "ratio": [[[1, 0.04], [2, 0.04]], [[1, 1.0]]],
       "summary": summary, "warnings": ["loss diverged"]}
manifest1 = {"format": "meprop-workbench-bundle", "version": 1, "runs": [""]}
manifest2 = {"format": "meprop-workbench-bundle", "version": 1, "runs": ["runs/01/", "runs/02/"]}


def zipped(entries):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return b.getvalue()


def entries(pairs):
    b = b""
    for name, data in pairs:
        if isinstance(data, str):
            data = data.encode()
        b += bytes([len(name)]) + name.encode() + part(data)
    return b + b"\0"


j = lambda o: json.dumps(o, indent=1)
one = [("manifest.json", j(manifest1)), ("config.json", j(config)), ("metrics.csv", metrics), ("summary.json", j(summary)),
       ("run.json", json.dumps(run))]
two = [("manifest.json", j(manifest2))] + [(d + n, v) for d in ("runs/01/", "runs/02/") for n, v in one[1:]]
cli = [("config.json", j(config)), ("metrics.csv", metrics_extra), ("summary.json", j(summary))]
cli_unfinished = [("config.json", j(config)), ("metrics.csv", metrics)]
out("bundle", "zip-one-run", b"\0" + zipped(one))
out("bundle", "zip-two-runs", b"\0" + zipped(two))
out("bundle", "zip-cli-folder", b"\0" + zipped(cli))
out("bundle", "entries-one-run", b"\1" + entries(one))
out("bundle", "entries-cli-folder", b"\1" + entries(cli))
out("bundle", "entries-cli-unfinished", b"\1" + entries(cli_unfinished))
out("bundle", "entries-run-json-only", b"\1" + entries([("run.json", json.dumps(run))]))
out("bundle", "entries-bad-manifest", b"\1" + entries([("manifest.json", '{"format": "x", "runs": []}'), ("config.json", "{}")]))

# --- conllu: a few shapes beyond tests/data -------------------------------------------------------
out("conllu", "multiword-and-empty-node",
    "# sent_id = mw1\n# text = Vámonos al mar\n1-2\tVámonos\t_\t_\t_\t_\t_\t_\t_\t_\n"
    "1\tVamos\tir\tVERB\tVB\t_\t0\troot\t_\t_\n2\tnos\tnosotros\tPRON\tPRP\t_\t1\tobj\t_\t_\n"
    "3-4\tal\t_\t_\t_\t_\t_\t_\t_\t_\n3\ta\ta\tADP\tIN\t_\t5\tcase\t_\t_\n4\tel\tel\tDET\tDT\t_\t5\tdet\t_\t_\n"
    "4.1\tX\t_\t_\t_\t_\t_\t_\t_\t_\n5\tmar\tmar\tNOUN\tNN\t_\t1\tobl:arg\t_\tSpaceAfter=No\n\n")
out("conllu", "non-projective",
    "1\tA\ta\tNOUN\tNN\t_\t3\tnsubj\t_\t_\n2\tB\tb\tVERB\tVB\t_\t0\troot\t_\t_\n3\tC\tc\tADV\tRB\t_\t2\tadvmod\t_\t_\n"
    "4\tD\td\tNOUN\tNN\t_\t1\tnmod\t_\t_\n\n")
out("conllu", "spaces-and-crlf", "1 Hello hello INTJ UH _ 0 root _ _\r\n2 World world NOUN NN _ 1 vocative _ _\r\n")
