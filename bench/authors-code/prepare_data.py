#!/usr/bin/env python3
"""Writes an MNIST-format folder as the uncompressed idx files the authors' C# reader wants.

usage: prepare_data.py DATA_DIR OUT_DIR DEV_SIZE LIMIT

DATA_DIR holds train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
t10k-labels-idx1-ubyte, each plain or .gz (the names the meprop engine reads). OUT_DIR receives
train-images.idx3-ubyte, train-labels.idx1-ubyte, t10k-images.idx3-ubyte, t10k-labels.idx1-ubyte
(the names of their default.json). Their program takes the first 5,000 training images as the dev
set and trains on the rest (Mnist.cs: trn.Skip(5000) / trn.Take(5000)); to mirror meprop's
`limit` (the first LIMIT training images after the dev split; 0 = all) the training files keep
only their first DEV_SIZE + LIMIT images. Nothing else is changed: same bytes, same order.
Exit 2 with one line naming the file on bad input.
"""
import gzip
import os
import struct
import sys

NAMES = [("train-images-idx3-ubyte", "train-images.idx3-ubyte", 0x803),
         ("train-labels-idx1-ubyte", "train-labels.idx1-ubyte", 0x801),
         ("t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte", 0x803),
         ("t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte", 0x801)]


def fail(message):
    print(f"prepare_data.py: {message}", file=sys.stderr)
    sys.exit(2)


def read(folder, name):
    for path, opener in ((os.path.join(folder, name), open), (os.path.join(folder, name + ".gz"), gzip.open)):
        if os.path.exists(path):
            try:
                with opener(path, "rb") as f:
                    return path, f.read()
            except (OSError, EOFError) as e:
                fail(f"{path}: cannot read ({e})")
    fail(f"{os.path.join(folder, name)}[.gz]: file not found")


def main():
    if len(sys.argv) != 5:
        fail("usage: prepare_data.py DATA_DIR OUT_DIR DEV_SIZE LIMIT")
    data, out, dev, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    os.makedirs(out, exist_ok=True)
    counts = []
    for ours, theirs, magic in NAMES:
        path, b = read(data, ours)
        dims = 3 if magic == 0x803 else 1
        if len(b) < 4 + 4 * dims or struct.unpack(">I", b[:4])[0] != magic:
            fail(f"{path}: not an idx{dims} file (magic {magic:#x} expected)")
        n = struct.unpack(">I", b[4:8])[0]
        header = 4 + 4 * dims
        item = 1
        for d in range(1, dims):
            item *= struct.unpack(">I", b[4 + 4 * d:8 + 4 * d])[0]
        if len(b) < header + n * item:
            fail(f"{path}: truncated ({len(b)} bytes for {n} items of {item} bytes)")
        keep = n
        if ours.startswith("train"):
            if n <= dev:
                fail(f"{path}: {n} training images, need more than dev_size = {dev}")
            if limit > 0:
                keep = min(n, dev + limit)
        counts.append(keep)
        with open(os.path.join(out, theirs), "wb") as f:
            f.write(b[:4] + struct.pack(">I", keep) + b[8:header] + b[header:header + keep * item])
    if counts[0] != counts[1] or counts[2] != counts[3]:
        fail(f"{data}: images and labels differ in count ({counts})")
    print(f"data: {counts[0] - dev} training images after the {dev} dev images, {counts[2]} test images -> {out}")


if __name__ == "__main__":
    main()
