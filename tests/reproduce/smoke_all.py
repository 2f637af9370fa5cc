#!/usr/bin/env python3
"""The test suite's end-to-end run: `meprop reproduce all --budget smoke --seeds 2` into OUT, then the
report is checked: every file there, report.html and every SVG parse as XML (and report.html with
html.parser), every cell of plan.json in report.html, cells.csv and results.csv (one row per cell and
seed), every run finished. Exit 77 (skipped) when the data sets are not installed.

usage: smoke_all.py MEPROP OUT [--jobs N]
"""
import csv
import json
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from html.parser import HTMLParser


def fail(message):
    print("FAILED: " + message)
    sys.exit(1)


def main():
    meprop, out = sys.argv[1], sys.argv[2]
    jobs = sys.argv[sys.argv.index("--jobs") + 1] if "--jobs" in sys.argv else "2"
    shutil.rmtree(out, ignore_errors=True)
    cmd = [meprop, "reproduce", "all", "--budget", "smoke", "--seeds", "2", "--jobs", jobs, "--out", out, "--quiet"]
    print(" ".join(cmd))
    start = time.time()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.time() - start
    print("exit %d after %.1f s" % (proc.returncode, wall))
    plan_path = os.path.join(out, "plan.json")
    if os.path.exists(plan_path):
        ctx = json.load(open(plan_path))["context"]
        missing = [name for name, key in (("MNIST-format images", "image_data"), ("UD English EWT", "text_data")) if not ctx[key]]
        if missing:
            print("skipped: data not found: " + ", ".join(missing) + " (install dataset-fashion-mnist; see datasets/)")
            sys.exit(77)
    if proc.returncode != 0:
        fail("meprop reproduce exited with %d:\n%s%s" % (proc.returncode, proc.stdout, proc.stderr))
    if wall > 300:
        fail("took %.0f s, over the 5 minutes the smoke budget allows" % wall)

    for name in ("plan.json", "results.csv", "cells.csv", "report.md", "report.html", "figures/figures.json"):
        if not os.path.exists(os.path.join(out, name)):
            fail("missing " + name)
    plan = json.load(open(plan_path))
    html = open(os.path.join(out, "report.html"), encoding="utf-8").read()
    ET.fromstring(html.split("\n", 1)[1])  # XHTML after the doctype line: a real XML parser
    HTMLParser().feed(html)
    svgs = [f for f in os.listdir(os.path.join(out, "figures")) if f.endswith(".svg")]
    if len(svgs) < 3:
        fail("expected the three Figure 4 panels as SVG, found %s" % svgs)
    for f in svgs:
        ET.parse(os.path.join(out, "figures", f))
    pngs = [f for f in os.listdir(os.path.join(out, "figures")) if f.endswith(".png")]
    cells = {row["cell"]: row for row in csv.DictReader(open(os.path.join(out, "cells.csv"), encoding="utf-8"))}
    rows = list(csv.DictReader(open(os.path.join(out, "results.csv"), encoding="utf-8")))
    for cell in plan["cells"]:
        if cell["label"] not in html or cell["id"] not in cells:
            fail("cell %s missing from the report" % cell["id"])
    if len(rows) != 2 * len(plan["cells"]):
        fail("results.csv has %d rows, expected %d (cells x seeds)" % (len(rows), 2 * len(plan["cells"])))
    bad = [r["cell"] + " s" + r["seed"] + ": " + r["status"] + " " + r["error"] for r in rows if r["status"] != "done"]
    if bad:
        fail("runs not finished:\n" + "\n".join(bad))
    verdicts = sum(1 for c in cells.values() if c["accuracy_verdict"] or c["speed_verdict"])
    print("ok: %d runs, %d cells (%d with verdicts), %d SVG and %d PNG figures, report.html parses" %
          (len(plan["runs"]), len(cells), verdicts, len(svgs), len(pngs)))


if __name__ == "__main__":
    main()
