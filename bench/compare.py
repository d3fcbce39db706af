#!/usr/bin/env python3
"""One command for the GEMM comparison: runs EmbedRec's quick GEMM benchmark and the NumPy/PyTorch
peer side by side under each OPENBLAS_CORETYPE given (default: Haswell SkylakeX) and prints
GFLOP/s and ratios.

    python3 bench/compare.py [--seconds S] [--rounds R] [CORETYPE ...]

The machine is shared and noisy, so both sides run R times (default 3), interleaved, and each
shape reports each side's best GFLOP/s.

Needs the .NET SDK, Debian's python3-numpy and python3-torch, and libopenblas0-pthread.
"""
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PY = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable


def run(cmd, env):
    res = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{res.stderr}")
    text = res.stdout
    return json.loads(text[text.index("{"):])


def best(runs):
    """The first run with every GFLOP/s figure replaced by its maximum over the runs."""
    out = runs[0]
    for i, row in enumerate(out["gemm"]):
        for key, value in row.items():
            if key.endswith("_gflops") and value is not None:
                row[key] = max(r["gemm"][i][key] for r in runs)
    return out


def main():
    args = sys.argv[1:]
    seconds = "1"
    if "--seconds" in args:
        i = args.index("--seconds")
        seconds = args[i + 1]
        del args[i:i + 2]
    rounds = 3
    if "--rounds" in args:
        i = args.index("--rounds")
        rounds = int(args[i + 1])
        del args[i:i + 2]
    coretypes = args or ["Haswell", "SkylakeX"]
    subprocess.run(["dotnet", "build", "-c", "Release", "bench/EmbedRec.Benchmarks", "-v", "q", "-nologo"],
                   cwd=ROOT, check=True, capture_output=True)
    dll = os.path.join(ROOT, "bench/EmbedRec.Benchmarks/bin/Release/net10.0/EmbedRec.Benchmarks.dll")
    for ct in coretypes:
        env = dict(os.environ, OPENBLAS_CORETYPE=ct)
        env.pop("OPENBLAS_L2_SIZE", None)
        ours_runs, peer_runs = [], []
        for _ in range(rounds):
            ours_runs.append(run(["dotnet", dll, "quick", "gemm", "--json", "--seconds", seconds], env))
            peer_runs.append(run([PY, "bench/peers/gemm_peer.py", seconds], env))
        ours, peer = best(ours_runs), best(peer_runs)
        print(f"\nOPENBLAS_CORETYPE={ct}, best of {rounds} interleaved rounds   EmbedRec: {ours['engine']['blas']}; managed {ours['engine']['managed']}")
        print(f"  peer: numpy {peer['numpy']}, torch {peer.get('torch', 'absent')}")
        print(f"  {'shape':<24}{'native':>9}{'managed':>9}{'numpy':>9}{'torch':>9}{'nat/np':>8}{'man/nat':>8}{'nat/torch':>10}")
        for o, p in zip(ours["gemm"], peer["gemm"]):
            nat, man, npy, tor = o["native_gflops"], o["managed_gflops"], p["numpy_gflops"], p.get("torch_gflops")
            f = lambda v: f"{v:9.1f}" if v else "        -"
            r = lambda x, y: f"{x / y:8.2f}" if x and y else "       -"
            print(f"  {o['shape']:<24}{f(nat)}{f(man)}{f(npy)}{f(tor)}{r(nat, npy)}{r(man, nat)}{r(nat, tor):>10}")


if __name__ == "__main__":
    main()
