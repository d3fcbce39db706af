"""Writes significance.json: scipy's paired t-test and Wilcoxon p-values over random cases, and erfc.

Run from this folder with python3 and scipy (Debian: apt-get install python3-scipy python3-numpy):

    python3 make_significance.py

EmbedRec.Evaluation.Significance.Wilcoxon follows scipy.stats.wilcoxon(x, y) with its defaults
(two-sided, zero_method='wilcox', correction=False, method='auto') as scipy 1.15.0 to 1.18.1 define
'auto' (scipy/stats/_wilcoxon.py, since scipy PR #21567): with n = len(x - y), zeros included,

    n > 50                      -> normal approximation ('asymptotic')
    no ties and no zeros        -> exact distribution ('exact')
    ties or zeros and n <= 13   -> permutation_test over all 2**n sign flips (exact, deterministic)
    otherwise                   -> normal approximation

With scipy >= 1.15 the reference is wilcoxon(x, y) itself. An older scipy (Debian bookworm has 1.10.1,
whose 'auto' falls back to the normal approximation on zeros and truncates tied statistics) gives each
branch by calling it explicitly: wilcoxon(method='exact'), wilcoxon(method='approx') and
permutation_test(permutation_type='samples') on the statistic scipy >= 1.15 uses, the sum of the
positive ranks after dropping zeros. Both ways give the same numbers; with a new scipy the script checks it.
"""
import json
import math
import warnings

import numpy as np
import scipy
from scipy import stats

NEW_AUTO = tuple(int(v) for v in scipy.__version__.split(".")[:2]) >= (1, 15)


def r_plus(d):
    """scipy's W+ with zero_method='wilcox': zeros dropped, mid-ranks of |d|."""
    nz = d[d != 0]
    ranks = stats.rankdata(np.abs(nz))
    return float(np.sum(ranks[nz > 0]))


def wilcoxon_rule(d):
    """The method scipy >= 1.15's method='auto' picks (two-sided, zero_method='wilcox')."""
    nz = d[d != 0]
    if len(nz) == 0:
        return "all_zero"
    ties = len(np.unique(np.abs(nz))) < len(nz)
    zeros = len(nz) < len(d)
    if len(d) > 50:
        return "normal"
    if not ties and not zeros:
        return "exact"
    if len(d) <= 13:
        return "exact_permutation"
    return "normal"


def wilcoxon_reference(x, y):
    d = x - y
    method = wilcoxon_rule(d)
    if method == "all_zero":
        return method, None, None
    if method == "exact":
        res = stats.wilcoxon(x, y, method="exact")
        p = float(res.pvalue)
    elif method == "normal":
        res = stats.wilcoxon(x, y, method="asymptotic" if NEW_AUTO else "approx")
        p = float(res.pvalue)
    else:
        perm = stats.permutation_test((d,), r_plus, permutation_type="samples", vectorized=False,
                                      n_resamples=9999, alternative="two-sided")
        p = float(perm.pvalue)
    statistic = min(r_plus(d), len(d[d != 0]) * (len(d[d != 0]) + 1) / 2 - r_plus(d))
    if NEW_AUTO:
        auto = float(stats.wilcoxon(x, y).pvalue)
        assert math.isclose(auto, p, rel_tol=1e-12, abs_tol=1e-300), (method, auto, p)
    return method, statistic, p


def case_data(rng, n, kind):
    """Two paired samples of length n (json writes each double so that it reads back exactly)."""
    if kind == "continuous":
        a = rng.random(n)
        b = a - rng.normal(0.02, 0.05, n)
    elif kind == "quantized":  # steps of 1/64: ties and some zeros
        b = np.round(rng.random(n) * 64) / 64
        a = b + rng.integers(-3, 6, n) / 64
    elif kind == "zeros":  # about a third of the differences exactly zero
        b = np.round(rng.random(n) * 1024) / 1024
        step = rng.integers(-40, 80, n) / 1024
        a = b + np.where(rng.random(n) < 0.35, 0.0, step)
    elif kind == "coarse":  # few distinct |d|: heavy ties
        b = np.round(rng.random(n) * 16) / 16
        a = b + rng.choice([-2, -1, 0, 1, 1, 2], n) / 16
    else:
        raise ValueError(kind)
    return [float(v) for v in a], [float(v) for v in b]


def main():
    warnings.simplefilter("ignore", UserWarning)  # scipy's own notes on small samples and zeros
    rng = np.random.default_rng(15)
    cases = [("issue 15 example", [0.515625, 0.265625, 0.78125, 0.171875, 0.4375], [0.5, 0.25, 0.75, 0.125, 0.375]),
             ("all zero", [0.25, 0.5, 0.75], [0.25, 0.5, 0.75]),
             ("one pair", [0.5], [0.25]),
             ("ties at the centre", [1.0, 2.0, 1.0, 2.0], [0.0, 0.0, 2.0, 4.0])]
    sizes = list(range(1, 16)) + [20, 30, 45, 50, 51, 60, 80]
    for kind in ["continuous", "quantized", "zeros", "coarse"]:
        for n in sizes:
            a, b = case_data(rng, n, kind)
            cases.append((f"{kind} n={n}", a, b))

    wilcoxon = []
    ttest = []
    counts = {}
    for name, a, b in cases:
        x, y = np.array(a), np.array(b)
        method, statistic, p = wilcoxon_reference(x, y)
        counts[method] = counts.get(method, 0) + 1
        wilcoxon.append({"name": name, "a": a, "b": b, "method": method, "statistic": statistic, "p": p})
        d = x - y
        if len(d) >= 2 and np.std(d) > 0:
            t = stats.ttest_rel(x, y)
            ttest.append({"name": name, "a": a, "b": b, "statistic": float(t.statistic), "p": float(t.pvalue)})

    grid = [i / 8 for i in range(-24, 0)] + [i / 8 for i in range(0, 80)] + [12.5, 20.0, 26.0]
    erfc = [{"x": x, "erfc": math.erfc(x)} for x in grid]

    out = {"scipy": scipy.__version__, "numpy": np.__version__,
           "rule": "scipy.stats.wilcoxon method='auto' as in scipy 1.15.0-1.18.1",
           "wilcoxon": wilcoxon, "ttest_rel": ttest, "erfc": erfc}
    with open("significance.json", "w") as f:  # one case a line
        f.write("{\n")
        items = list(out.items())
        for i, (key, value) in enumerate(items):
            end = ",\n" if i < len(items) - 1 else "\n"
            if isinstance(value, list):
                rows = ",\n  ".join(json.dumps(v) for v in value)
                f.write(f" {json.dumps(key)}: [\n  {rows}\n ]{end}")
            else:
                f.write(f" {json.dumps(key)}: {json.dumps(value)}{end}")
        f.write("}\n")
    print(f"scipy {scipy.__version__}: {len(wilcoxon)} Wilcoxon cases {counts}, {len(ttest)} t-tests, {len(erfc)} erfc values")


if __name__ == "__main__":
    main()
