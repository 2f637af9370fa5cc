#!/usr/bin/env python3
"""Reference timing of the dense `image` MLP in PyTorch (CPU, one thread by default).

Trains the same model as `meprop train image --set mode=dense`: 784-500-500-10 ReLU MLP, Xavier
uniform weights and zero biases, Adam (lr 1e-3), minibatch 10, on Fashion-MNIST (or any folder of
the four MNIST-format .gz files). The first 5,000 training images are the dev set, the next
`--limit` images (0: all the rest) the training set. Prints one JSON object: per-epoch seconds for
training, forward (with the loss), backward and update, the training loss and dev/test accuracy.

Needs python3-torch (Debian 12: PyTorch 1.13, CPU) and numpy; no torchvision.
    /usr/bin/python3 bench/pytorch_mlp.py --epochs 1 --limit 10000   (the Debian interpreter)
"""
import argparse
import gzip
import json
import os
import sys
import time

import numpy as np
import torch


def read_idx(path, magic, header_ints):
    if not os.path.exists(path):
        sys.exit(f"pytorch_mlp: {path}: missing (expected an MNIST-format idx file, gzip)")
    with gzip.open(path, "rb") as f:
        data = f.read()
    header = np.frombuffer(data, dtype=">u4", count=header_ints)
    if header[0] != magic:
        sys.exit(f"pytorch_mlp: {path}: magic number {header[0]:#x}, expected {magic:#x}")
    return header, np.frombuffer(data, dtype=np.uint8, offset=4 * header_ints)


def load_images(path):
    header, pixels = read_idx(path, 0x803, 4)
    count, rows, cols = (int(v) for v in header[1:])
    if pixels.size != count * rows * cols:
        sys.exit(f"pytorch_mlp: {path}: {pixels.size} pixel bytes, expected {count * rows * cols}")
    return pixels.reshape(count, rows * cols).astype(np.float32) / 255.0


def load_labels(path):
    header, labels = read_idx(path, 0x801, 2)
    if labels.size != int(header[1]):
        sys.exit(f"pytorch_mlp: {path}: {labels.size} labels, expected {int(header[1])}")
    return labels.astype(np.int64)


def blas_library():
    """The BLAS shared library this process loaded (Debian's torch calls the system libblas.so.3,
    whichever implementation the alternatives system or LD_LIBRARY_PATH selects)."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower() and line.split()[-1].startswith("/")}
        return sorted(libs)
    except OSError:
        return []


def accuracy(model, x, y, batch=1000):
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            correct += (model(x[i:i + batch]).argmax(dim=1) == y[i:i + batch]).sum().item()
    return 100.0 * correct / len(x)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist", help="folder of the four MNIST-format .gz files")
    p.add_argument("--epochs", type=int, default=1)
    p.add_argument("--limit", type=int, default=0, help="training images after the dev split (0: all)")
    p.add_argument("--dev-size", type=int, default=5000)
    p.add_argument("--batch", type=int, default=10)
    p.add_argument("--hidden", type=int, default=500)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    if a.epochs < 1 or a.batch < 1 or a.hidden < 1 or a.layers < 1 or a.limit < 0 or a.threads < 1:
        sys.exit("pytorch_mlp: epochs, batch, hidden, layers, threads must be >= 1 and limit >= 0")

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.RandomState(a.seed)

    d = a.data
    train_x = load_images(os.path.join(d, "train-images-idx3-ubyte.gz"))
    train_y = load_labels(os.path.join(d, "train-labels-idx1-ubyte.gz"))
    test_x = torch.from_numpy(load_images(os.path.join(d, "t10k-images-idx3-ubyte.gz")))
    test_y = torch.from_numpy(load_labels(os.path.join(d, "t10k-labels-idx1-ubyte.gz")))
    dev_x, dev_y = torch.from_numpy(train_x[:a.dev_size]), torch.from_numpy(train_y[:a.dev_size])
    end = len(train_x) if a.limit == 0 else min(len(train_x), a.dev_size + a.limit)
    x, y = torch.from_numpy(train_x[a.dev_size:end].copy()), torch.from_numpy(train_y[a.dev_size:end].copy())

    sizes = [x.shape[1]] + [a.hidden] * a.layers + [10]
    modules = []
    for i in range(len(sizes) - 1):
        lin = torch.nn.Linear(sizes[i], sizes[i + 1])
        torch.nn.init.xavier_uniform_(lin.weight)
        torch.nn.init.zeros_(lin.bias)
        modules.append(lin)
        if i + 2 < len(sizes):
            modules.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*modules)
    opt = torch.optim.Adam(model.parameters(), lr=a.lr)
    loss_fn = torch.nn.CrossEntropyLoss()

    epochs = []
    for epoch in range(1, a.epochs + 1):
        order = torch.from_numpy(rng.permutation(len(x)))
        fp = bp = up = 0.0
        loss_sum, steps = 0.0, 0
        start = time.perf_counter()
        for i in range(0, len(x), a.batch):
            idx = order[i:i + a.batch]
            xb, yb = x[idx], y[idx]
            t0 = time.perf_counter()
            loss = loss_fn(model(xb), yb)
            t1 = time.perf_counter()
            loss.backward()
            t2 = time.perf_counter()
            opt.step()
            opt.zero_grad(set_to_none=False)
            t3 = time.perf_counter()
            fp += t1 - t0
            bp += t2 - t1
            up += t3 - t2
            loss_sum += loss.item()
            steps += 1
        train_s = time.perf_counter() - start
        e0 = time.perf_counter()
        dev_acc, test_acc = accuracy(model, dev_x, dev_y), accuracy(model, test_x, test_y)
        epochs.append({"epoch": epoch, "train_s": train_s, "fp_s": fp, "bp_s": bp, "update_s": up,
                       "eval_s": time.perf_counter() - e0, "train_loss": loss_sum / max(steps, 1),
                       "dev": dev_acc, "test": test_acc})

    print(json.dumps({
        "framework": "pytorch", "torch_version": torch.__version__, "threads": torch.get_num_threads(),
        "data": d, "train_examples": len(x), "batch": a.batch, "hidden": a.hidden, "layers": a.layers,
        "lr": a.lr, "blas": blas_library(), "epochs": epochs,
        "train_s": sum(e["train_s"] for e in epochs), "fp_s": sum(e["fp_s"] for e in epochs),
        "bp_s": sum(e["bp_s"] for e in epochs), "update_s": sum(e["update_s"] for e in epochs),
    }, indent=2))


if __name__ == "__main__":
    main()
