#!/usr/bin/env python3
"""Full-ranking evaluation in PyTorch, the same work as `quick eval` in bench/EmbedRec.Benchmarks:
random 64-d embeddings, scores = U·Iᵀ per block of users, training (and validation) items masked to
-inf, top-20, Recall@20 and NDCG@20. Gowalla uses its train/test files; Amazon Beauty uses
leave-one-out on Beauty.txt (last item test, second-to-last validation, both train and validation
masked). Prints JSON with the best of 3 timings (data loading excluded).

    /usr/bin/python3 bench/peers/eval_peer.py [DATA_ROOT] [BLOCK]
"""
import json
import math
import os
import sys
import time

import numpy as np
import torch


def user_lines(path):
    pairs = []
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) > 1:
                u = int(p[0])
                pairs.extend((u, int(i)) for i in p[1:])
    return pairs


def gowalla(root):
    train = user_lines(os.path.join(root, "gowalla", "train.txt"))
    test = user_lines(os.path.join(root, "gowalla", "test.txt"))
    n_users = 1 + max(u for u, _ in train + test)
    n_items = 1 + max(i for _, i in train + test)
    return n_users, n_items, train, test


def beauty(root):
    seqs = {}
    with open(os.path.join(root, "amazon-beauty", "Beauty.txt")) as f:
        for line in f:
            u, i = line.split()
            seqs.setdefault(int(u) - 1, []).append(int(i) - 1)
    masked, test = [], []
    for u, s in seqs.items():
        masked.extend((u, i) for i in s[:-1])
        test.append((u, s[-1]))
    return len(seqs), 1 + max(i for s in seqs.values() for i in s), masked, test


def evaluate(n_users, n_items, masked, test, block):
    g = torch.Generator().manual_seed(7)
    users_emb = torch.randn(n_users, 64, generator=g) * 0.1
    items_emb = torch.randn(n_items, 64, generator=g) * 0.1
    by_user_mask = [[] for _ in range(n_users)]
    for u, i in masked:
        by_user_mask[u].append(i)
    by_user_test = [[] for _ in range(n_users)]
    for u, i in test:
        by_user_test[u].append(i)
    eval_users = [u for u in range(n_users) if by_user_test[u]]
    discounts = 1.0 / torch.log2(torch.arange(2, 22, dtype=torch.float32))

    def run():
        recall = ndcg = 0.0
        with torch.no_grad():
            for start in range(0, len(eval_users), block):
                users = eval_users[start:start + block]
                scores = users_emb[users] @ items_emb.T
                rows = [r for r, u in enumerate(users) for _ in by_user_mask[u]]
                cols = [i for u in users for i in by_user_mask[u]]
                scores[rows, cols] = -math.inf
                top = torch.topk(scores, 20, dim=1).indices
                truth = torch.zeros(len(users), n_items, dtype=torch.bool)
                trows = [r for r, u in enumerate(users) for _ in by_user_test[u]]
                tcols = [i for u in users for i in by_user_test[u]]
                truth[trows, tcols] = True
                hits = truth.gather(1, top).float()
                n_rel = torch.tensor([len(by_user_test[u]) for u in users], dtype=torch.float32)
                recall += (hits.sum(1) / n_rel).sum().item()
                ideal = torch.tensor([discounts[:min(20, len(by_user_test[u]))].sum().item() for u in users])
                ndcg += ((hits * discounts).sum(1) / ideal).sum().item()
        return recall / len(eval_users), ndcg / len(eval_users)

    run()
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        r, n = run()
        times.append(time.perf_counter() - t0)
    return {"users": len(eval_users), "items": n_items, "seconds": min(times), "recall20": r, "ndcg20": n}


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("EMBEDREC_DATA", os.path.join("..", "shared", "data"))
    block = int(sys.argv[2]) if len(sys.argv) > 2 else 512
    torch.set_num_threads(int(os.environ.get("EMBEDREC_THREADS", os.cpu_count() or 1)))
    out = {"torch": torch.__version__, "eval": []}
    for name, load in (("gowalla", gowalla), ("amazon-beauty", beauty)):
        res = evaluate(*load(root), block)
        res["dataset"] = name
        out["eval"].append(res)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
