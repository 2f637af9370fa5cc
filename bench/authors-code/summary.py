#!/usr/bin/env python3
"""One table over every group of runs compare.sh left in OUT_DIR (ablations included).

usage: summary.py OUT_DIR

A group is <prefix>-<mode>-s<seed> (e.g. ours-authors-grad_clip_0-topk-s1, authors-dense-s2). Per
group and mode, over its seeds: best dev % and the test % there (mean, min..max), the training loss
of the last epoch (mean of its evaluations), the highest training loss of any evaluation after the
first epoch, and how many seeds "rise" (the chart.py rule).
"""
import glob
import math
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from chart import best, fmt, read, rise  # noqa: E402


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: summary.py OUT_DIR")
    groups = {}
    for path in sorted(glob.glob(os.path.join(sys.argv[1], "*-s*", "metrics.csv"))):
        m = re.match(r"(.+)-(dense|topk)-s(\d+)$", os.path.basename(os.path.dirname(path)))
        if m:
            groups.setdefault((m.group(1), m.group(2)), []).append(read(path))
    print("| runs | mode | seeds | best dev % | test % there | last-epoch train loss | highest train loss after epoch 1 | seeds whose loss rises |")
    print("|---|---|---|---|---|---|---|---|")
    for (prefix, mode), runs in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        last = max(math.ceil(r["epoch"] - 1e-9) for rows in runs for r in rows)
        bests = [best(rows) for rows in runs]
        lastloss = [sum(r["loss"] for r in rows if last - 1 < r["epoch"] <= last + 1e-9) /
                    max(1, sum(1 for r in rows if last - 1 < r["epoch"] <= last + 1e-9)) for rows in runs]
        high = [max(r["loss"] for r in rows if r["epoch"] > 1 + 1e-9) for rows in runs]
        rising = sum(1 for rows in runs if rise(rows)[1] is not None and rise(rows)[0] > 1.0)
        print(f"| {prefix} | {mode} | {len(runs)} | {fmt([b['dev'] for b in bests], 2)} | {fmt([b['test'] for b in bests], 2)} | "
              f"{fmt(lastloss, 3)} | {fmt(high, 2)} | {rising} of {len(runs)} (by > 1 nat) |")


if __name__ == "__main__":
    main()
