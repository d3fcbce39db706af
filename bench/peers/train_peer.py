#!/usr/bin/env python3
"""Times training epochs of MF-BPR and LightGCN in PyTorch, the same work as `quick train` in
bench/EmbedRec.Benchmarks: d = 64, batch 2048, one uniform negative per positive drawn from the
user's unseen items, BPR loss (LightGCN: 3 layers over the symmetrically normalized bipartite graph,
layer mean, L2 1e-4 on layer-0 rows), Adam lr 1e-3. Each epoch shuffles the training interactions and
samples negatives inside the timed region. Reports the best of 4 (MF) or 2 (LightGCN) epochs after a warm-up, as the EmbedRec side does.

    /usr/bin/python3 bench/peers/train_peer.py [DATA_ROOT] [--only DATASET:MODEL ...] [--max-batches N]

PyTorch 1.13's CSR sparse.mm backward makes a LightGCN epoch very slow (over a minute on Beauty), so
--max-batches N times only the first N batches of each LightGCN epoch and scales the time to the
whole epoch (batches are alike: every one propagates the full graph).
"""
import json
import os
import sys
import time

import numpy as np
import torch


def user_lines(path):
    u, i = [], []
    with open(path) as f:
        for line in f:
            p = line.split()
            for x in p[1:]:
                u.append(int(p[0])); i.append(int(x))
    return np.array(u), np.array(i)


def gowalla(root):
    u, i = user_lines(os.path.join(root, "gowalla", "train.txt"))
    tu, ti = user_lines(os.path.join(root, "gowalla", "test.txt"))
    return int(max(u.max(), tu.max()) + 1), int(max(i.max(), ti.max()) + 1), u, i


def beauty(root):
    seqs = {}
    with open(os.path.join(root, "amazon-beauty", "Beauty.txt")) as f:
        for line in f:
            a, b = line.split()
            seqs.setdefault(int(a) - 1, []).append(int(b) - 1)
    u = [k for k, s in seqs.items() for _ in s[:-2]]
    i = [x for s in seqs.values() for x in s[:-2]]
    return len(seqs), 1 + max(x for s in seqs.values() for x in s), np.array(u), np.array(i)


class Sampler:
    """Uniform negatives among each user's unseen items, vectorized: draw for the whole batch, look the
    (user, item) keys up in the sorted array of training keys, redraw only the collisions."""

    def __init__(self, n_users, n_items, u, i):
        self.n_items = n_items
        self.keys = np.unique(u.astype(np.int64) * n_items + i)

    def negatives(self, users, rng):
        users = users.astype(np.int64)
        neg = rng.integers(0, self.n_items, len(users))
        todo = np.arange(len(users))
        while len(todo):
            keys = users[todo] * self.n_items + neg[todo]
            pos = np.searchsorted(self.keys, keys)
            hit = self.keys[np.minimum(pos, len(self.keys) - 1)] == keys
            todo = todo[hit]
            neg[todo] = rng.integers(0, self.n_items, len(todo))
        return neg


def graph(n_users, n_items, u, i):
    pairs = np.unique(np.stack([u, i], 1), axis=0)
    rows = np.concatenate([pairs[:, 0], pairs[:, 1] + n_users])
    cols = np.concatenate([pairs[:, 1] + n_users, pairs[:, 0]])
    n = n_users + n_items
    deg = np.bincount(rows, minlength=n).astype(np.float32)
    d = np.where(deg > 0, deg ** -0.5, 0)
    vals = d[rows] * d[cols]
    return torch.sparse_coo_tensor(np.stack([rows, cols]), vals.astype(np.float32), (n, n)).coalesce().to_sparse_csr()


def epoch(model, n_users, u, i, sampler, rng, opt, max_batches=None):
    """One epoch (or its first max_batches batches); returns seconds, scaled to the full epoch."""
    order = rng.permutation(len(u))
    starts = range(0, len(order), 2048)
    run = starts if max_batches is None else starts[:max_batches]
    t0 = time.perf_counter()
    for start in run:
        idx = order[start:start + 2048]
        users = u[idx]
        pos = i[idx]
        neg = sampler.negatives(users, rng)
        users_t, pos_t, neg_t = torch.from_numpy(users), torch.from_numpy(pos), torch.from_numpy(neg)
        opt.zero_grad()
        loss = model(users_t, pos_t, neg_t)
        loss.backward()
        opt.step()
    return (time.perf_counter() - t0) * len(starts) / len(run)


class MF(torch.nn.Module):
    def __init__(self, n_users, n_items):
        super().__init__()
        self.user = torch.nn.Embedding(n_users, 64)
        self.item = torch.nn.Embedding(n_items, 64)
        torch.nn.init.normal_(self.user.weight, std=0.1)
        torch.nn.init.normal_(self.item.weight, std=0.1)

    def forward(self, u, p, n):
        eu = self.user(u)
        return -torch.nn.functional.logsigmoid((eu * self.item(p)).sum(1) - (eu * self.item(n)).sum(1)).mean()


class LightGCN(torch.nn.Module):
    def __init__(self, n_users, n_items, adj):
        super().__init__()
        self.n_users = n_users
        self.emb = torch.nn.Embedding(n_users + n_items, 64)
        torch.nn.init.normal_(self.emb.weight, std=0.1)
        self.adj = adj

    def forward(self, u, p, n):
        e = self.emb.weight
        layers = [e]
        for _ in range(3):
            e = torch.sparse.mm(self.adj, e)
            layers.append(e)
        out = torch.stack(layers).mean(0)
        users, items = out[:self.n_users], out[self.n_users:]
        eu = users[u]
        loss = -torch.nn.functional.logsigmoid((eu * items[p]).sum(1) - (eu * items[n]).sum(1)).mean()
        e0 = self.emb.weight
        reg = (e0[u].pow(2).sum() + e0[self.n_users + p].pow(2).sum() + e0[self.n_users + n].pow(2).sum()) / (2 * len(u))
        return loss + 1e-4 * reg


def main():
    args = sys.argv[1:]
    only = [args[k + 1] for k, a in enumerate(args) if a == "--only"]
    max_batches = int(args[args.index("--max-batches") + 1]) if "--max-batches" in args else None
    flags = ("--only", "--max-batches")
    positional = [a for k, a in enumerate(args) if a not in flags and (k == 0 or args[k - 1] not in flags)]
    root = positional[0] if positional else os.environ.get("EMBEDREC_DATA", os.path.join("..", "shared", "data"))
    torch.set_num_threads(int(os.environ.get("EMBEDREC_THREADS", os.cpu_count() or 1)))
    torch.manual_seed(0)
    out = {"torch": torch.__version__, "threads": torch.get_num_threads(), "train": []}
    for name, load in (("amazon-beauty", beauty), ("gowalla", gowalla)):
        wanted = [m for m in ("mf", "lightgcn") if not only or f"{name}:{m}" in only]
        if not wanted:
            continue
        n_users, n_items, u, i = load(root)
        sampler = Sampler(n_users, n_items, u, i)
        for model_name in wanted:
            model = MF(n_users, n_items) if model_name == "mf" else LightGCN(n_users, n_items, graph(n_users, n_items, u, i))
            opt = torch.optim.Adam(model.parameters(), lr=1e-3)
            rng = np.random.default_rng(0)
            cap = max_batches if model_name == "lightgcn" else None
            epoch(model, n_users, u, i, sampler, rng, opt, cap if cap is None else min(cap, 5))  # warm-up
            times = [epoch(model, n_users, u, i, sampler, rng, opt, cap) for _ in range(4 if model_name == "mf" else 2)]
            out["train"].append({"dataset": name, "model": model_name, "interactions": int(len(u)), "seconds": min(times),
                                 "timed_batches": cap})
            print(f"# {name} {model_name}: {min(times):.3f} s", file=sys.stderr, flush=True)
    print(json.dumps(out, indent=2), flush=True)


if __name__ == "__main__":
    main()
