#!/usr/bin/env python3
"""Turns the log of the authors' C# MNIST program into meprop's metrics.csv columns.

usage: log_to_metrics.py LOG ITER_PER_EPOCH METRICS_CSV SUMMARY_JSON

Their log (Mnist.cs) has, per evaluation, a training line "EE:BB: loss: L, acc: A(c/n), ..." (L:
the mean over the chunk's minibatches of each minibatch's mean loss), a dev line
"\t dev: loss: ..., acc: A(c/n), ..." and, only when dev improved, a test line "\t tst: ...".
One row per evaluation: epoch = EE + (BB + 1) / ITER_PER_EPOCH (fractional), train_loss = L,
dev and test in percent from the counts (empty test where their code did not evaluate it). The
summary holds the best dev (the first of equals, as their `uas > bestUas`) and the test there.
Both files are written to a temporary name and renamed.
"""
import json
import os
import re
import sys

TRAIN = re.compile(r"^(\d+):(\d+): loss: ([-+0-9.eE]+|NaN|∞|-∞|Infinity|-Infinity), acc: [0-9.]+\((\d+)/(\d+)\)")
EVAL = re.compile(r"^\s*(dev|tst): loss: .*acc: [0-9.]+\((\d+)/(\d+)\)")


def fail(message):
    print(f"log_to_metrics.py: {message}", file=sys.stderr)
    sys.exit(2)


def atomic_write(path, text):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def number(text):
    return float({"∞": "inf", "-∞": "-inf"}.get(text, text))


def main():
    if len(sys.argv) != 5:
        fail("usage: log_to_metrics.py LOG ITER_PER_EPOCH METRICS_CSV SUMMARY_JSON")
    log, per_epoch, csv_path, summary_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    rows = []
    with open(log, encoding="utf-8-sig", errors="replace") as f:
        for line_no, line in enumerate(f, 1):
            m = TRAIN.match(line)
            if m:
                epoch, batch = int(m.group(1)), int(m.group(2))
                rows.append({"epoch": epoch + (batch + 1) / per_epoch, "train_loss": number(m.group(3)),
                             "dev": None, "test": None})
                continue
            m = EVAL.match(line)
            if m:
                if not rows:
                    fail(f"{log}:{line_no}: an evaluation before any training line")
                value = 100.0 * int(m.group(2)) / int(m.group(3))
                rows[-1]["dev" if m.group(1) == "dev" else "test"] = value
    rows = [r for r in rows if r["dev"] is not None]
    if not rows:
        fail(f"{log}: no evaluation found (did their program run?)")
    lines = ["epoch,train_loss,dev,test"]
    for r in rows:
        test = "" if r["test"] is None else f"{r['test']:.8g}"
        lines.append(f"{r['epoch']:.8g},{r['train_loss']:.8g},{r['dev']:.8g},{test}")
    atomic_write(csv_path, "\n".join(lines) + "\n")
    best = None
    for r in rows:
        if best is None or r["dev"] > best["dev"]:
            best = r
    summary = {"implementation": "authors-csharp", "dev_metric": best["dev"], "test_metric": best["test"],
               "best_at": best["epoch"], "best_epoch": int(best["epoch"] - 1e-9) + 1, "evaluations": len(rows),
               "final_train_loss": rows[-1]["train_loss"], "metric": "accuracy"}
    atomic_write(summary_path, json.dumps(summary, indent=2) + "\n")
    print(f"{len(rows)} evaluations -> {csv_path}; best dev {best['dev']:.2f} at epoch {best['epoch']:.4g}, test {best['test']}")


if __name__ == "__main__":
    main()
