#!/usr/bin/env python3
"""Times float32 GEMM in NumPy and PyTorch at EmbedRec's benchmark shapes, the way
bench/EmbedRec.Benchmarks `quick gemm` does (warm-up, then the median over a time budget).
Prints JSON. Run with Debian's python3 (python3-numpy, python3-torch)."""
import json
import os
import sys
import time

import numpy as np

SHAPES = [(256, 64, 3706), (25600, 64, 64), (2048, 2048, 2048)]


def median_time(fn, budget):
    fn()
    times = []
    start = time.perf_counter()
    while len(times) < 3 or time.perf_counter() - start < budget:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2]


def main():
    budget = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    threads = int(os.environ.get("EMBEDREC_THREADS", os.cpu_count() or 1))
    out = {"numpy": np.__version__, "coretype": os.environ.get("OPENBLAS_CORETYPE", ""), "gemm": []}
    try:
        import torch
        torch.set_num_threads(threads)
        out["torch"] = torch.__version__
    except ImportError:
        torch = None
    try:
        from threadpoolctl import threadpool_info
        out["blas_info"] = [{k: i.get(k) for k in ("internal_api", "version", "architecture", "num_threads")} for i in threadpool_info()]
    except ImportError:
        pass
    rng = np.random.default_rng(1)
    for m, k, n in SHAPES:
        a = rng.standard_normal((m, k), dtype=np.float32)
        b = rng.standard_normal((k, n), dtype=np.float32)
        c = np.empty((m, n), dtype=np.float32)
        flops = 2.0 * m * n * k
        row = {"shape": f"[{m}x{k}]x[{k}x{n}]",
               "numpy_gflops": flops / median_time(lambda: np.matmul(a, b, out=c), budget) / 1e9}
        if torch is not None:
            ta, tb, tc = torch.from_numpy(a), torch.from_numpy(b), torch.from_numpy(c)
            row["torch_gflops"] = flops / median_time(lambda: torch.matmul(ta, tb, out=tc), budget) / 1e9
        out["gemm"].append(row)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
