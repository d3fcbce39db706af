#!/usr/bin/env python3
"""Generates eigsh_golden.json: the reference eigenpairs for BlockLanczosGoldenTests.

Run once with Debian's SciPy (python3-scipy 1.10, python3-numpy 1.24):  /usr/bin/python3 make_eigsh_golden.py

The graph: 400 nodes in four communities, each node linked to 6 random nodes of its own community
and, with probability 0.3, to one node of another; weights are uniform in (0.05, 1], like Jaccard
similarities; a ring through all nodes keeps it connected. From it, Leporid's regularized normalized
Laplacian (SPEC §1.2, alpha = 0.5):
    D_reg = (1 - alpha) D + alpha d_max I,   L = I - D_reg^-1/2 W D_reg^-1/2.
The reference: scipy.sparse.linalg.eigsh(L, k=16, which='SA', tol=0) (ARPACK to machine precision),
cross-checked against the dense numpy.linalg.eigh. Vectors are stored with the solver's sign rule
(the first component within a relative 1e-6 of the largest magnitude is positive), row-major [n, k].
"""
import json
import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import eigsh

rng = np.random.default_rng(20261123)
n, communities, k, alpha = 400, 4, 16, 0.5
size = n // communities
w = {}


def link(i, j, weight):
    if i != j:
        w[(min(i, j), max(i, j))] = weight


for i in range(n):
    c = i // size
    for j in rng.choice(size, 6, replace=False):
        link(i, c * size + int(j), float(rng.uniform(0.05, 1.0)))
    if rng.random() < 0.3:
        other = (c + 1 + int(rng.integers(communities - 1))) % communities
        link(i, other * size + int(rng.integers(size)), float(rng.uniform(0.05, 1.0)))
for i in range(n):
    link(i, (i + 1) % n, 0.05)

rows = [i for (i, j) in w] + [j for (i, j) in w]
cols = [j for (i, j) in w] + [i for (i, j) in w]
vals = list(w.values()) * 2
W = sp.csr_matrix((vals, (rows, cols)), shape=(n, n))
d = np.asarray(W.sum(axis=1)).ravel()
d_reg = (1 - alpha) * d + alpha * d.max()
s = sp.diags(1.0 / np.sqrt(d_reg))
L = (sp.identity(n) - s @ W @ s).tocoo()

values, vectors = eigsh(L.tocsr(), k=k, which='SA', tol=0, v0=np.ones(n))
order = np.argsort(values)
values, vectors = values[order], vectors[:, order]
for t in range(k):
    mags = np.abs(vectors[:, t])
    at = int(np.argmax(mags >= mags.max() * (1 - 1e-6)))
    if vectors[at, t] < 0:
        vectors[:, t] = -vectors[:, t]

dense_values = np.linalg.eigh(L.toarray())[0]
residuals = np.linalg.norm(L @ vectors - vectors * values, axis=0)
print(f"eigsh vs eigh: max |dlambda| = {np.abs(dense_values[:k] - values).max():.2e}; "
      f"max residual {residuals.max():.2e}; gap lambda_k+1 - lambda_k = {dense_values[k] - dense_values[k - 1]:.4f}; "
      f"smallest gap inside = {np.diff(values).min():.4f}")

out = {
    "about": "scipy.sparse.linalg.eigsh(L, k=16, which='SA', tol=0) of the regularized normalized Laplacian "
             "(alpha 0.5) of a 400-node weighted graph; made by make_eigsh_golden.py",
    "n": n,
    "alpha": alpha,
    "edges": [[i, j, v] for (i, j), v in sorted(w.items())],
    "laplacian": {"row": L.row.tolist(), "col": L.col.tolist(), "val": L.data.tolist()},
    "k": k,
    "values": values.tolist(),
    "vectors": vectors.ravel().tolist(),
    "next_value": float(dense_values[k]),
    "eigsh_residuals": residuals.tolist(),
}
with open("eigsh_golden.json", "w") as f:
    json.dump(out, f)
