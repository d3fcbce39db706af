#!/usr/bin/env python3
"""PyTorch peer of `quick directspec`: epoch time of MF-BPR, DirectSpec(MF) and DirectSpec+(MF) on
CiteULike (the DirectSpec authors' split), all with d = 64, batch 256 and plain SGD as in the authors' code.

    python3 bench/peers/directspec_peer.py DATA_ROOT [--max-batches N] [--threads T]

MF-BPR: one uniform negative per positive, −mean log σ(s⁺ − s⁻). DirectSpec+: B users drawn uniformly
with replacement, one positive each, rows L2-normalized, H − α·softmax(τ·HHᵀ)·H on each side, the norm
shrink x·(s‖x‖), −mean log σ(ĥ_uᵀĥ_i). DirectSpec: the same with H − 0.03·H(HᵀH). An epoch is
|train| / 256 steps on both sides. With --max-batches N an epoch is timed on N batches and scaled; each
model reports the best of 2 timed epochs after a warm-up one. Prints JSON.
"""
import json
import os
import sys
import time

import numpy as np
import torch


def load(root):
    d = os.path.join(root, "citeulike-directspec")
    tr = np.loadtxt(os.path.join(d, "train.csv"), delimiter=",", skiprows=1, dtype=np.int64)
    return tr, int(tr[:, 0].max()) + 1, int(tr[:, 1].max()) + 1


def main():
    args = sys.argv[1:]
    root = args[0]
    max_batches = int(args[args.index("--max-batches") + 1]) if "--max-batches" in args else 0
    torch.set_num_threads(int(args[args.index("--threads") + 1]) if "--threads" in args else os.cpu_count())
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    tr, users, items = load(root)
    # Per-user item lists as CSR for drawing one positive of a user.
    order = np.argsort(tr[:, 0], kind="stable")
    by_user = tr[order, 1]
    start = np.zeros(users + 1, dtype=np.int64)
    np.add.at(start, tr[:, 0] + 1, 1)
    start = np.cumsum(start)
    steps = len(tr) // 256
    timed = min(steps, max_batches) if max_batches else steps

    def table(n):
        a = np.sqrt(6.0 / (n + 64))
        return (torch.rand(n, 64) * 2 - 1).mul_(a).requires_grad_()

    def transform(h, plus, tau=3.0, shrink=0.03):
        h = h / h.norm(dim=1, keepdim=True)
        if plus:
            h = h - 1.0 * torch.softmax(h @ h.t() * tau, 1) @ h   # α 1
        else:
            h = h - 0.03 * h @ (h.t() @ h)                        # α 0.03
        return h * (h.norm(dim=1, keepdim=True) * shrink)

    def epoch(model, ue, ie, lr):
        t0 = time.perf_counter()
        for _ in range(timed):
            if model == "mf":
                k = rng.integers(0, len(tr), 256)
                u, p = torch.from_numpy(tr[k, 0]), torch.from_numpy(tr[k, 1])
                n = torch.from_numpy(rng.integers(0, items, 256))
                eu = ue[u]
                loss = -torch.nn.functional.logsigmoid((eu * ie[p]).sum(1) - (eu * ie[n]).sum(1)).mean()
            else:
                u = rng.integers(0, users, 256)
                p = by_user[start[u] + (rng.random(256) * (start[u + 1] - start[u])).astype(np.int64)]
                plus = model == "directspec+"
                hu, hp = transform(ue[torch.from_numpy(u)], plus), transform(ie[torch.from_numpy(p)], plus)
                loss = -torch.nn.functional.logsigmoid((hu * hp).sum(1)).mean()
            loss.backward()
            with torch.no_grad():
                ue -= lr * ue.grad
                ie -= lr * ie.grad
                ue.grad.zero_()
                ie.grad.zero_()
        return (time.perf_counter() - t0) * steps / timed

    out = []
    for model in ("mf", "directspec", "directspec+"):
        ue, ie = table(users), table(items)
        lr = 0.05 if model == "mf" else 180.0
        times = [epoch(model, ue, ie, lr) for _ in range(3)]
        out.append({"model": model, "seconds": min(times[1:]), "batches_timed": timed, "batches_per_epoch": steps})
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "directspec": out}))


if __name__ == "__main__":
    main()
