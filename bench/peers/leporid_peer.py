#!/usr/bin/env python3
"""Leporid's spectrum with NumPy/SciPy, the same work as `quick leporid` in bench/EmbedRec.Benchmarks, done the
way the authors do it: Jaccard similarities from a matrix product of the binary interaction matrix, the top K per
node by argsort, the union-symmetrized graph, the regularized normalized Laplacian (alpha 0.5) and scipy's eigsh.

    /usr/bin/python3 bench/peers/leporid_peer.py [DATA_ROOT] [--dataset ml-100k|gowalla|yelp2018]
        [--graph users|items] [--k 1000] [--dim 64] [--tol 1e-8] [--block-rows N]
    /usr/bin/python3 bench/peers/leporid_peer.py DATA_ROOT K DIM      (the old form: the ml-100k item graph)

Interactions are those of EmbedRec's `DatasetRegistry.Load(name).Log`: ml-100k is all of u.data; gowalla and
yelp2018 are train.txt followed by test.txt (the registry's log of a predefined split is train, validation and
test). Dense ids are the distinct external ids in numeric order, as EmbedRec maps numeric ids, so node i is the
same node on both sides and ties (equal similarity: the lower index wins) resolve the same way.

Graph: the intersections |A ∩ B| of a block of rows with every node are one sparse product X[rows] @ Xᵀ made dense
(float32 holds these counts exactly); the similarity is then computed in float64, as EmbedRec does, so both sides
compare the same doubles; a stable argsort of −sim puts equal similarities in index order. The rows go in blocks of
about 2^24 dense entries (--block-rows overrides) instead of one n × n matrix: a dense float64 n × n is 7.1 GB for
the 29,858 Gowalla users, and the block keeps the peer's memory at O(block·n + nnz) without changing any result.

Spectrum: eigsh on A = D_reg^-½ W D_reg^-½ for its `dim` largest algebraic eigenvalues; L = I − A, so these are
L's smallest (reported as 1 − μ, ascending). Both have the same Krylov spaces, so ARPACK does the same work, and A
skips forming I − A. ARPACK stops at residual ≤ tol·|μ| with μ ≈ 0.5 … 1, close to EmbedRec's absolute residual
1e-8 at the default tol 1e-8.

Prints one JSON object: nodes, nnz, graph_seconds, laplacian_seconds, eigen_seconds (Laplacian plus eigsh, as
EmbedRec's eigen_seconds), the eigenvalues, the largest residual ‖Lx − λx‖ (not timed), and ru_maxrss after the
graph and at the end (MB).
"""
import argparse
import json
import os
import resource
import time

import numpy as np
import scipy
import scipy.sparse as sp
from scipy.sparse.linalg import eigsh

BLOCK_ENTRIES = 1 << 24


def peak_mb():
    """Peak resident set size of this process so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def load(root, dataset):
    """(user, item) rows with dense ids, as EmbedRec's registry reads the dataset."""
    if dataset == "ml-100k":
        rows = np.loadtxt(os.path.join(root, "ml-100k", "u.data"), dtype=np.int64, usecols=(0, 1))
        users, items = rows[:, 0], rows[:, 1]
    elif dataset in ("gowalla", "yelp2018"):
        users, items = [], []
        for part in ("train.txt", "test.txt"):
            with open(os.path.join(root, dataset, part)) as f:
                for line in f:
                    fields = line.split()
                    users.extend([fields[0]] * (len(fields) - 1))
                    items.extend(fields[1:])
        users, items = np.array(users, dtype=np.int64), np.array(items, dtype=np.int64)
    else:
        raise SystemExit(f"unknown dataset '{dataset}' (ml-100k, gowalla, yelp2018)")
    return np.unique(users, return_inverse=True)[1], np.unique(items, return_inverse=True)[1]


def knn_graph(x, k, block_rows):
    """Union-symmetrized Jaccard K-nearest-neighbour graph over the rows of the binary CSR matrix x."""
    n = x.shape[0]
    size = np.asarray(x.sum(axis=1), dtype=np.float64).ravel()
    xt = x.T.tocsr()
    rows, cols, vals = [], [], []
    for start in range(0, n, block_rows):
        stop = min(n, start + block_rows)
        inter = (x[start:stop] @ xt).toarray()                           # [B n] float32 counts
        sim = inter / (size[start:stop, None] + size[None, :] - inter)   # [B n] float64
        del inter
        sim[np.arange(stop - start), np.arange(start, stop)] = 0.0       # no self-similarity
        order = np.argsort(-sim, axis=1, kind="stable")[:, :k]           # ties: lower index first
        top = np.take_along_axis(sim, order, axis=1)
        keep = top > 0                                                   # only nodes sharing an element
        rows.append(np.nonzero(keep)[0] + start)
        cols.append(order[keep])
        vals.append(top[keep])
        del sim, order, top, keep
    w = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n))
    return w.maximum(w.T).tocsr()                                        # union; both directions hold sim(u, v)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("root", nargs="?", default=os.path.join("..", "shared", "data"))
    p.add_argument("legacy_k", nargs="?", type=int, help=argparse.SUPPRESS)
    p.add_argument("legacy_dim", nargs="?", type=int, help=argparse.SUPPRESS)
    p.add_argument("--dataset", default="ml-100k")
    p.add_argument("--graph", choices=("users", "items"), default="items")
    p.add_argument("--k", type=int, default=None)
    p.add_argument("--dim", type=int, default=None)
    p.add_argument("--alpha", type=float, default=0.5)
    p.add_argument("--tol", type=float, default=1e-8)
    p.add_argument("--block-rows", type=int, default=None)
    a = p.parse_args()
    k = a.k or a.legacy_k or 1000
    dim = a.dim or a.legacy_dim or 64

    users, items = load(a.root, a.dataset)
    nodes, elements = (users, items) if a.graph == "users" else (items, users)
    n, m = int(nodes.max()) + 1, int(elements.max()) + 1
    block_rows = a.block_rows or max(1, min(n, BLOCK_ENTRIES // n))

    start = time.perf_counter()
    x = sp.csr_matrix((np.ones(len(nodes), dtype=np.float32), (nodes, elements)), shape=(n, m))
    x.data[:] = 1.0  # sets: duplicate interactions count once
    w = knn_graph(x, k, block_rows)
    graph_seconds = time.perf_counter() - start
    graph_peak = peak_mb()

    start = time.perf_counter()
    d = np.asarray(w.sum(axis=1)).ravel()
    d_reg = (1 - a.alpha) * d + a.alpha * d.max()
    s = np.divide(1.0, np.sqrt(d_reg), out=np.zeros(n), where=d_reg > 0)
    adj = (sp.diags(s) @ w @ sp.diags(s)).tocsr()
    laplacian_seconds = time.perf_counter() - start
    mu, vectors = eigsh(adj, k=dim, which="LA", tol=a.tol)
    eigen_seconds = time.perf_counter() - start

    order = np.argsort(-mu)
    mu, vectors = mu[order], vectors[:, order]
    residual = float(np.linalg.norm(adj @ vectors - vectors * mu, axis=0).max())  # the same for L = I − A
    print(json.dumps({
        "dataset": a.dataset, "graph": a.graph, "k": k, "dim": dim, "nodes": n, "nnz": int(w.nnz), "block_rows": block_rows,
        "graph_seconds": graph_seconds, "laplacian_seconds": laplacian_seconds, "eigen_seconds": eigen_seconds,
        "max_residual": residual, "graph_peak_rss_mb": graph_peak, "peak_rss_mb": peak_mb(),
        "numpy": np.__version__, "scipy": scipy.__version__, "values": (1.0 - mu).tolist()}))


if __name__ == "__main__":
    main()
