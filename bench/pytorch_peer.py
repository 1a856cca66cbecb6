#!/usr/bin/python3
"""Peer comparison: axtrain against plain PyTorch, in one run, on one machine, with one thread count T.

It measures seconds per training epoch of the MLP 784-256-256-10 (ReLU, cross-entropy, batch 128, axtrain's
default optimiser Adam lr 1e-3, inputs pixel/255) on the first N Fashion-MNIST training rows, four ways:

  PyTorch baseline          float nn.Linear layers, torch.set_num_threads(T)
  PyTorch table-gather pas  the K3 multiplier in the forward pass written the way PyTorch tools for
                            approximate multipliers write it (TorchApprox / AdaPT / ApproxTrain style):
                            asymmetric per-tensor uint8 codes, one product-table lookup per
                            multiply-accumulate, zero-point terms, dequantise, straight-through gradient
  axtrain baseline          axtrain train --method baseline
  axtrain pas               axtrain train --method pas --hw K3 --pas-mode emulate

Why: the project's targets are axtrain baseline / PyTorch baseline <= 1.05 (our float path costs no more
than PyTorch's) and PyTorch gather pas / axtrain pas >= 50 (exact emulation far cheaper than the lookup).
Only ratios measured in one run carry across machines. python3-torch and axtrain link Debian's one libtorch,
so the baseline ratio measures the training code. axtrain's seconds are its own epoch timer (metrics.json
epoch_seconds: shuffle, batches, optimiser steps; no data loading or evaluation); ours time the same span.
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from array import array

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_AXTRAIN = os.path.join(REPO, "build", "release", "tools", "axtrain", "axtrain")
DATA_DIR = "/usr/share/datasets/fashion-mnist"  # kFashionMnistDefaultDir, include/axtrain/data/fashion_mnist.h
FILES = ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
HIDDEN, CLASSES, BATCH, SEED = (256, 256), 10, 128, 1
GATHER_LIMIT_S = 120.0      # a gather epoch projected longer than this is timed on --gather-batches and scaled
CHUNK_ELEMS = 4_000_000     # products gathered at once (bounds the index tensor to 32 MB)


def fail(message):
    print(f"pytorch_peer: {message}", file=sys.stderr)
    sys.exit(2)


try:
    import torch
    import torch.nn.functional as F
except ImportError:
    fail("PyTorch is missing: install Debian's python3-torch (apt-get install python3-torch; scripts/setup.sh) "
         "and run this script with /usr/bin/python3")


def read_idx(path, rows):
    """The first `rows` records of a gzip IDX file of unsigned bytes, as a {rows, record size} uint8 tensor."""
    with gzip.open(path, "rb") as f:
        magic = f.read(4)
        if len(magic) != 4 or magic[:3] != b"\x00\x00\x08":
            fail(f"{path} is not an IDX file of unsigned bytes")
        dims = [int.from_bytes(f.read(4), "big") for _ in range(magic[3])]
        rows = min(rows, dims[0]) if rows > 0 else dims[0]
        size = 1
        for d in dims[1:]:
            size *= d
        data = bytearray(f.read(rows * size))
    return torch.frombuffer(data, dtype=torch.uint8).view(rows, size)


def load_data(folder, rows):
    missing = [f for f in FILES if not os.path.isfile(os.path.join(folder, f))]
    if missing:
        fail(f"Fashion-MNIST folder {folder} lacks {', '.join(missing)}: install the Debian package "
             "dataset-fashion-mnist (scripts/setup.sh does)")
    x = read_idx(os.path.join(folder, FILES[0]), rows).float() / 255.0  # as idx.cpp: pixel / 255.0f
    y = read_idx(os.path.join(folder, FILES[1]), rows).view(-1).long()
    return x, y


def make_mlp():
    torch.manual_seed(SEED)  # nn.Linear's init is axtrain's (kaiming_uniform a=sqrt(5), bias U(+-1/sqrt(fan_in)))
    sizes = (784,) + HIDDEN + (CLASSES,)
    return torch.nn.ModuleList(torch.nn.Linear(a, b) for a, b in zip(sizes, sizes[1:]))


def make_optimizer(layers, args):
    if args.optimizer == "sgd":
        return torch.optim.SGD(layers.parameters(), lr=args.lr, momentum=0.9)
    return torch.optim.Adam(layers.parameters(), lr=args.lr)


def quant_params(lo, hi):
    """Asymmetric uint8 (SPEC): scale = (hi - lo) / 255 over a range holding 0, zero point round(-lo / scale)."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    scale = max((hi - lo) / 255.0, 1e-12)
    return scale, int(min(max(round(-lo / scale), 0), 255))


def codes(t, scale, zero):
    return torch.clamp(torch.round(t / scale) + zero, 0, 255)  # code = clamp(round(x/scale) + zp, 0, 255)


class GatherPas:
    """Approximate linear layers as table-gather PyTorch code: out[n,o] = sum_k T[cw[o,k], cx[n,k]]."""

    def __init__(self, table):
        self.table = table          # int32 {65536}, index a*256 + b, a = weight code (axtrain's operand order)
        self.ranges = {}            # running input range per layer, momentum 0.9 as axtrain's observe_input

    def gather(self, cx, cw):
        n, k = cx.shape
        o = cw.size(0)
        rows = (cw * 256).unsqueeze(0)                      # {1, O, K}: the weight code picks the table row
        out = torch.empty(n, o, dtype=torch.int64)
        step = max(1, CHUNK_ELEMS // (o * k))
        for r in range(0, n, step):                         # chunk over rows to bound memory
            idx = rows + cx[r:r + step].unsqueeze(1)        # {r, O, K} table indices
            out[r:r + step] = self.table.take(idx).sum(2)   # int32 products, exact int64 sums
        return out

    def linear(self, i, x, layer):
        w, bias = layer.weight, layer.bias
        with torch.no_grad():
            lo, hi = x.min().item(), x.max().item()
            if i in self.ranges:
                lo, hi = 0.9 * self.ranges[i][0] + 0.1 * lo, 0.9 * self.ranges[i][1] + 0.1 * hi
            self.ranges[i] = (lo, hi)
            (sx, zx), (sw, zw) = quant_params(lo, hi), quant_params(w.min().item(), w.max().item())
            cx, cw = codes(x, sx, zx).long(), codes(w, sw, zw).long()
            k = x.size(1)
            acc = self.gather(cx, cw) - zx * cw.sum(1) - zw * cx.sum(1, keepdim=True) + k * zw * zx
            exact = (acc.double() * (sx * sw)).float() + bias
        # straight-through: value the table's, gradient the float fake-quantised matmul's
        fq_x = x + ((codes(x, sx, zx) - zx) * sx - x).detach()
        fq_w = w + ((codes(w, sw, zw) - zw) * sw - w).detach()
        surrogate = F.linear(fq_x, fq_w, bias)
        return exact + (surrogate - surrogate.detach())


def forward_float(layers, h):
    for i, layer in enumerate(layers):
        h = layer(h)
        h = torch.relu(h) if i + 1 < len(layers) else h
    return h


def train_epoch(layers, forward, x, y, args, limit_s=None, fixed_batches=None):
    """Seconds of one epoch; with limit_s, an epoch projected (after 2 batches) past it stops at fixed_batches
    and is scaled. Returns (seconds per epoch, batches timed, batches per epoch)."""
    opt = make_optimizer(layers, args)
    n = x.size(0)
    batches = (n + BATCH - 1) // BATCH
    run, loss_sum, errors = batches, 0.0, 0
    start = time.perf_counter()
    order = torch.randperm(n, generator=torch.Generator().manual_seed(SEED))
    b = 0
    while b < run:
        idx = order[b * BATCH:(b + 1) * BATCH]
        xb, yb = x.index_select(0, idx), y.index_select(0, idx)
        out = forward(layers, xb)
        loss = F.cross_entropy(out, yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        loss_sum += loss.item()                             # as axtrain: the loss and train error per batch
        errors += int((out.detach().argmax(1) != yb).sum())
        b += 1
        if limit_s and b == 2 and (time.perf_counter() - start) / 2 * batches > limit_s:
            run = min(batches, max(fixed_batches, 2))
    seconds = time.perf_counter() - start
    return seconds * batches / run, run, batches


def load_table(binary, tmp):
    path = os.path.join(tmp, "k3.bin")
    r = subprocess.run([binary, "hw", "convert", "K3", path], capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"axtrain hw convert K3 failed: {r.stderr.strip() or r.stdout.strip()}")
    entries = array("H")                                    # .bin: 65,536 little-endian uint16, index a*256 + b
    with open(path, "rb") as f:
        entries.frombytes(f.read())
    if sys.byteorder != "little":
        entries.byteswap()
    if len(entries) != 65536:
        fail(f"{path} holds {len(entries)} entries, not 65536")
    return torch.tensor(entries, dtype=torch.int32)


def axtrain_epoch(binary, method, args, rows, tmp):
    out = os.path.join(tmp, f"run-{method}-{time.monotonic_ns()}")
    cmd = [binary, "train", "--method", method, "--epochs", "1", "--train-samples", str(rows),
           "--test-samples", "1000", "--threads", str(args.threads), "--batch-size", str(BATCH),
           "--optimizer", args.optimizer, "--lr", str(args.lr), "--momentum", "0.9", "--seed", str(SEED),
           "--data-dir", args.data_dir, "--out", out, "--quiet"]
    if method == "pas":
        cmd += ["--hw", "K3", "--pas-mode", "emulate"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        fail(f"{' '.join(cmd)} failed: {r.stderr.strip() or r.stdout.strip()}")
    with open(os.path.join(out, "metrics.json")) as f:
        return json.load(f)["epoch_seconds"][0]


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--axtrain", default=DEFAULT_AXTRAIN, help="axtrain binary (default: the release build)")
    p.add_argument("--data-dir", default=DATA_DIR, help=f"Fashion-MNIST IDX folder (default {DATA_DIR})")
    p.add_argument("--threads", type=int, default=2, help="threads for every row (default 2)")
    p.add_argument("--train-samples", type=int, default=20000, help="first N training rows (default 20000)")
    p.add_argument("--optimizer", choices=("adam", "sgd"), default="adam", help="default adam, axtrain's")
    p.add_argument("--lr", type=float, default=None, help="default 1e-3 (adam, axtrain's) or 0.05 (sgd)")
    p.add_argument("--repeats", type=int, default=3, help="fast rows: the fastest of R epochs (default 3)")
    p.add_argument("--gather-batches", type=int, default=20, help="batches timed when a gather epoch is long")
    p.add_argument("--json", action="store_true", help="print JSON instead of the table")
    args = p.parse_args()
    args.lr = args.lr or (1e-3 if args.optimizer == "adam" else 0.05)
    if not os.access(args.axtrain, os.X_OK):
        fail(f"axtrain binary {args.axtrain} is missing: build it with "
             "`cmake --preset release && cmake --build build/release --target axtrain`")
    x, y = load_data(args.data_dir, args.train_samples)
    rows = x.size(0)
    torch.set_num_threads(args.threads)

    results, notes = [], {}
    def add(name, seconds, timed=None, batches=None):
        results.append({"name": name, "threads": args.threads, "seconds_per_epoch": round(seconds, 4),
                        "rows": rows})
        if timed is not None and timed < batches:
            results[-1].update(estimated=True, batches_timed=timed, batches=batches)
            notes[name] = f"estimated: {timed} of {batches} batches timed, scaled to the epoch"

    with tempfile.TemporaryDirectory(prefix="axtrain-peer-") as tmp:
        table = load_table(args.axtrain, tmp)
        add("PyTorch baseline",
            min(train_epoch(make_mlp(), forward_float, x, y, args)[0] for _ in range(args.repeats)))
        pas = GatherPas(table)
        gather_forward = lambda layers, h: forward_float(  # noqa: E731 -- the same MLP, gather layers
            [lambda t, i=i, l=l: pas.linear(i, t, l) for i, l in enumerate(layers)], h)
        seconds, timed, batches = train_epoch(make_mlp(), gather_forward, x, y, args, GATHER_LIMIT_S,
                                              args.gather_batches)
        add("PyTorch table-gather pas", seconds, timed, batches)
        for method in ("baseline", "pas"):
            add(f"axtrain {method}",
                min(axtrain_epoch(args.axtrain, method, args, rows, tmp) for _ in range(args.repeats)))

    s = {r["name"]: r["seconds_per_epoch"] for r in results}
    baseline_ratio = s["axtrain baseline"] / s["PyTorch baseline"]
    pas_ratio = s["PyTorch table-gather pas"] / s["axtrain pas"]
    summary = {"name": "summary", "threads": args.threads, "rows": rows, "optimizer": args.optimizer, "lr": args.lr,
               "axtrain_baseline_over_pytorch_baseline": round(baseline_ratio, 4), "baseline_target_max": 1.05,
               "baseline_ok": baseline_ratio <= 1.05, "pytorch_gather_pas_over_axtrain_pas": round(pas_ratio, 2),
               "pas_target_min": 50, "pas_ok": pas_ratio >= 50}
    if args.json:
        print(json.dumps(results + [summary], indent=2))
        return
    print(f"MLP 784-{'-'.join(map(str, HIDDEN))}-{CLASSES}, {rows} Fashion-MNIST rows, batch {BATCH}, "
          f"{args.optimizer} lr {args.lr:g}, {args.threads} threads, torch {torch.__version__}")
    print(f"{'':26} {'s/epoch':>10}")
    for r in results:
        print(f"{r['name']:26} {r['seconds_per_epoch']:10.3f}  {notes.get(r['name'], '')}".rstrip())
    print(f"\naxtrain baseline / PyTorch baseline     {baseline_ratio:8.3f}  (target <= 1.05: "
          f"{'met' if summary['baseline_ok'] else 'MISSED'})")
    print(f"PyTorch gather pas / axtrain pas        {pas_ratio:8.1f}  (target >= 50: "
          f"{'met' if summary['pas_ok'] else 'MISSED'})")


if __name__ == "__main__":
    main()
