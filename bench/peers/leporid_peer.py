#!/usr/bin/env python3
"""Leporid's spectrum with NumPy/SciPy, the same work as `quick leporid --values` in bench/EmbedRec.Benchmarks:
the Jaccard-KNN item graph of MovieLens 100K (K nearest per item, equal similarities to the lower index,
union-symmetrized), the regularized normalized Laplacian (alpha 0.5) and its smallest eigenpairs by
scipy's eigsh. Dense intersections are fine at this size. Prints JSON with the eigenvalues and timings.

    /usr/bin/python3 bench/peers/leporid_peer.py [DATA_ROOT] [K] [DIM]
"""
import json
import os
import sys
import time

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import eigsh

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join("..", "shared", "data")
k = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
dim = int(sys.argv[3]) if len(sys.argv) > 3 else 64
rows = np.loadtxt(os.path.join(root, "ml-100k", "u.data"), dtype=np.int64)
users, items = rows[:, 0] - 1, rows[:, 1] - 1
n_users, n_items = users.max() + 1, items.max() + 1

start = time.perf_counter()
x = sp.csr_matrix((np.ones(len(users)), (items, users)), shape=(n_items, n_users))
x.data[:] = 1.0  # sets: duplicates count once
inter = (x @ x.T).toarray()
size = np.asarray(x.sum(axis=1)).ravel()
sim = inter / (size[:, None] + size[None, :] - inter)
np.fill_diagonal(sim, 0.0)
w = np.zeros_like(sim)
for u in range(n_items):
    cand = np.nonzero(sim[u] > 0)[0]
    order = cand[np.lexsort((cand, -sim[u, cand]))][:k]
    w[u, order] = sim[u, order]
w = np.maximum(w, w.T)
graph_seconds = time.perf_counter() - start

start = time.perf_counter()
d = w.sum(axis=1)
d_reg = 0.5 * d + 0.5 * d.max()
s = 1.0 / np.sqrt(d_reg)
lap = sp.identity(n_items) - sp.csr_matrix(s[:, None] * w * s[None, :])
values = np.sort(eigsh(lap.tocsr(), k=dim, which="SA", tol=1e-10)[0])
eigen_seconds = time.perf_counter() - start
print(json.dumps({"nodes": int(n_items), "nnz": int((w > 0).sum()), "graph_seconds": graph_seconds,
                  "eigen_seconds": eigen_seconds, "values": values.tolist()}))
