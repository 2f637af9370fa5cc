#!/usr/bin/env python3
"""Chart and table for bench/authors-code/compare.sh: meprop's runs against the authors' C# runs.

usage: chart.py OUT_DIR OURS_PREFIX CHART_PNG TABLE_MD

Reads OUT_DIR/<OURS_PREFIX>-<mode>-s<seed>/metrics.csv and OUT_DIR/authors-<mode>-s<seed>/metrics.csv
(mode dense or topk). The chart: dev accuracy (left) and training loss (right) per evaluation,
one line per run. The table: per epoch, dev at the epoch's last evaluation and the mean training
loss of its evaluations, mean over the seeds (min..max); then per run the best dev, the test there,
the lowest training loss and the largest rise after it ("rises": a later evaluation's loss above
1.2 x the lowest so far and more than 0.02 above it, the trainer's warning rule).
"""
import csv
import glob
import math
import os
import re
import sys


def read(path):
    rows = []
    with open(path) as f:
        for r in csv.DictReader(f):
            rows.append({"epoch": float(r["epoch"]), "loss": float(r["train_loss"]), "dev": float(r["dev"]),
                         "test": float(r["test"]) if r.get("test") not in (None, "") else None})
    return rows


def runs(out, prefix):
    found = {}
    for path in sorted(glob.glob(os.path.join(out, prefix + "-*-s*", "metrics.csv"))):
        m = re.match(re.escape(prefix) + r"-(dense|topk)-s(\d+)$", os.path.basename(os.path.dirname(path)))
        if m:
            found.setdefault(m.group(1), {})[int(m.group(2))] = read(path)
    return found


def rise(rows):
    low, worst = math.inf, (0.0, None)
    for r in rows:
        if r["loss"] > 1.2 * low and r["loss"] > low + 0.02 and r["loss"] - low > worst[0]:
            worst = (r["loss"] - low, r["epoch"])
        low = min(low, r["loss"])
    return worst


def best(rows):
    b = None
    for r in rows:
        if b is None or r["dev"] > b["dev"]:
            b = r
    return b


def fmt(values, digits):
    values = [v for v in values if v is not None and math.isfinite(v)]
    if not values:
        return "-"
    mean = sum(values) / len(values)
    if len(values) == 1:
        return f"{mean:.{digits}f}"
    return f"{mean:.{digits}f} ({min(values):.{digits}f}..{max(values):.{digits}f})"


def main():
    if len(sys.argv) != 5:
        sys.exit("usage: chart.py OUT_DIR OURS_PREFIX CHART_PNG TABLE_MD")
    out, prefix, png, md = sys.argv[1:]
    impls = [("meprop (" + prefix.removeprefix("ours-") + ")", runs(out, prefix)), ("authors' C#", runs(out, "authors"))]
    impls = [(n, r) for n, r in impls if r]
    if not impls:
        sys.exit(f"chart.py: no runs under {out}")

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, (acc, loss) = plt.subplots(1, 2, figsize=(13, 5))
    colours = {("meprop", "dense"): "#1f77b4", ("meprop", "topk"): "#d62728",
               ("authors", "dense"): "#2ca02c", ("authors", "topk"): "#ff7f0e"}
    for name, found in impls:
        key = "meprop" if name.startswith("meprop") else "authors"
        for mode, seeds in sorted(found.items()):
            for seed, rows in sorted(seeds.items()):
                style = "-" if key == "meprop" else "--"
                label = f"{name} {mode}" if seed == min(seeds) else None
                x = [r["epoch"] for r in rows]
                acc.plot(x, [r["dev"] for r in rows], style, color=colours[(key, mode)], label=label, lw=1.4, alpha=0.85)
                loss.plot(x, [r["loss"] for r in rows], style, color=colours[(key, mode)], label=label, lw=1.4, alpha=0.85)
    acc.set(xlabel="epoch", ylabel="dev accuracy (%)", title="Dev accuracy per evaluation")
    loss.set(xlabel="epoch", ylabel="training loss (mean per example)", title="Training loss per evaluation")
    loss.set_yscale("log")
    for a in (acc, loss):
        a.grid(alpha=0.3)
        a.legend(fontsize=8)
    fig.tight_layout()
    tmp = png + ".tmp.png"
    fig.savefig(tmp, dpi=110)
    os.replace(tmp, png)

    lines = []
    epochs = sorted({math.ceil(r["epoch"] - 1e-9) for _, f in impls for s in f.values() for rows in s.values() for r in rows})
    cols = [(name, mode) for name, f in impls for mode in sorted(f)]
    lines.append("| epoch | " + " | ".join(f"{n} {m}: dev % / train loss" for n, m in cols) + " |")
    lines.append("|---|" + "---|" * len(cols))
    for e in epochs:
        cells = []
        for name, mode in cols:
            seeds = dict(impls)[name][mode]
            devs, losses = [], []
            for rows in seeds.values():
                inside = [r for r in rows if e - 1 < r["epoch"] <= e + 1e-9]
                if inside:
                    devs.append(inside[-1]["dev"])
                    losses.append(sum(r["loss"] for r in inside) / len(inside))
            cells.append(f"{fmt(devs, 2)} / {fmt(losses, 3)}")
        lines.append(f"| {e} | " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("| run | best dev % | at epoch | test % there | lowest train loss | largest rise after it (at epoch) |")
    lines.append("|---|---|---|---|---|---|")
    for name, found in impls:
        for mode, seeds in sorted(found.items()):
            for seed, rows in sorted(seeds.items()):
                b = best(rows)
                up, at = rise(rows)
                lowest = min(r["loss"] for r in rows)
                test = "-" if b["test"] is None else f"{b['test']:.2f}"
                rises = f"+{up:.3f} ({at:.3g})" if at is not None else "none"
                lines.append(f"| {name} {mode} seed {seed} | {b['dev']:.2f} | {b['epoch']:.3g} | {test} | {lowest:.3f} | {rises} |")
    tmp = md + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, md)
    print(f"chart.py: {png}, {md}")


if __name__ == "__main__":
    main()
