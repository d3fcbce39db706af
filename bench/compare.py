#!/usr/bin/env python3
"""Side-by-side comparisons with the peers in bench/peers.

    python3 bench/compare.py [gemm] [--seconds S] [--rounds R] [CORETYPE ...]
    python3 bench/compare.py eval [--block N]
    python3 bench/compare.py train [DATASET:MODEL ...] [--max-batches N]
    python3 bench/compare.py directspec [--max-batches N]

`train` times one training epoch of MF-BPR and LightGCN on Amazon Beauty and Gowalla against
bench/peers/train_peer.py (PyTorch). `eval` times full-ranking evaluation (score, mask, top-20, Recall/NDCG@20) on Gowalla and Amazon
Beauty against bench/peers/eval_peer.py (PyTorch); data from EMBEDREC_DATA or ../shared/data.
`directspec` times an epoch of MF-BPR, DirectSpec(MF) and DirectSpec+(MF; constant and static Γ) on
CiteULike (batch 256, SGD) on both sides (bench/peers/directspec_peer.py) and prints each side's ratio to
MF-BPR and EmbedRec/PyTorch ratios (static Γ has no peer).

The GEMM comparison: runs EmbedRec's quick GEMM benchmark and the NumPy/PyTorch
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


def build_bench():
    """Builds the benchmark project (Release) and returns the path of its DLL."""
    subprocess.run(["dotnet", "build", "-c", "Release", "bench/EmbedRec.Benchmarks", "-v", "q", "-nologo"],
                   cwd=ROOT, check=True, capture_output=True)
    return os.path.join(ROOT, "bench/EmbedRec.Benchmarks/bin/Release/net10.0/EmbedRec.Benchmarks.dll")


def best(runs):
    """The first run with every GFLOP/s figure replaced by its maximum over the runs."""
    out = runs[0]
    for i, row in enumerate(out["gemm"]):
        for key, value in row.items():
            if key.endswith("_gflops") and value is not None:
                row[key] = max(r["gemm"][i][key] for r in runs)
    return out


def compare_eval(args):
    block = "512"
    if "--block" in args:
        block = args[args.index("--block") + 1]
    root = os.environ.get("EMBEDREC_DATA", os.path.join(ROOT, "..", "shared", "data"))
    env = dict(os.environ, EMBEDREC_DATA=root)
    dll = build_bench()
    ours = run(["dotnet", dll, "quick", "eval", "--json", "--block", block], env)
    peer = run([PY, "bench/peers/eval_peer.py", root, block], env)
    print(f"Full-ranking evaluation, 64-d dot products, top-20, block {block}; EmbedRec: {ours['engine']['blas']}; peer: torch {peer['torch']}")
    print(f"  {'dataset':<16}{'users':>8}{'items':>8}{'EmbedRec s':>12}{'PyTorch s':>11}{'ratio':>8}")
    for o, p in zip(ours["eval"], peer["eval"]):
        print(f"  {o['dataset']:<16}{o['users']:>8}{o['items']:>8}{o['seconds']:>12.3f}{p['seconds']:>11.3f}{o['seconds'] / p['seconds']:>8.2f}")


def compare_train(args):
    """One (dataset, model) pair at a time, EmbedRec then PyTorch, so both sides see the same machine state."""
    root = os.environ.get("EMBEDREC_DATA", os.path.join(ROOT, "..", "shared", "data"))
    env = dict(os.environ, EMBEDREC_DATA=root)
    max_batches = args[args.index("--max-batches") + 1] if "--max-batches" in args else "40"
    pairs = [a for a in args if ":" in a] or ["amazon-beauty:mf", "amazon-beauty:lightgcn", "gowalla:mf", "gowalla:lightgcn"]
    dll = build_bench()
    print(f"Training epoch (d=64, batch 2048, 1 negative, Adam lr 1e-3); PyTorch LightGCN epochs timed on "
          f"{max_batches} batches and scaled", flush=True)
    print(f"  {'dataset':<16}{'model':<10}{'interactions':>13}{'EmbedRec s':>12}{'PyTorch s':>11}{'ratio':>8}", flush=True)
    for pair in pairs:
        ours = run(["dotnet", dll, "quick", "train", "--json", "--only", pair], env)
        peer = run([PY, "bench/peers/train_peer.py", root, "--only", pair, "--max-batches", max_batches], env)
        o, p = ours["train"][0], peer["train"][0]
        print(f"  {o['dataset']:<16}{o['model']:<10}{o['interactions']:>13}{o['seconds']:>12.3f}{p['seconds']:>11.3f}"
              f"{o['seconds'] / p['seconds']:>8.2f}", flush=True)


def compare_directspec(args):
    root = os.environ.get("EMBEDREC_DATA", os.path.join(ROOT, "..", "shared", "data"))
    env = dict(os.environ, EMBEDREC_DATA=root)
    max_batches = args[args.index("--max-batches") + 1] if "--max-batches" in args else "100"
    dll = build_bench()
    ours = run(["dotnet", dll, "quick", "directspec", "--json"], env)["directspec"]
    peer = run([PY, "bench/peers/directspec_peer.py", root, "--max-batches", max_batches], env)
    o = {m: min(r["seconds"] for r in ours if r["model"] == m) for m in {r["model"] for r in ours}}
    p = {r["model"]: r["seconds"] for r in peer["directspec"]}
    print(f"CiteULike epoch, d=64, batch 256, SGD; PyTorch {peer['torch']} on {peer['threads']} threads, "
          f"timed on {max_batches} batches and scaled")
    print(f"  {'model':<19}{'EmbedRec s':>11}{'/ MF-BPR':>9}{'PyTorch s':>11}{'/ MF-BPR':>9}{'ours/torch':>11}")
    for m in ("mf", "directspec", "directspec+", "directspec+static"):
        theirs = (f"{p[m]:>11.3f}{p[m] / p['mf']:>8.2f}x{o[m] / p[m]:>11.2f}" if m in p else f"{'—':>11}{'':>9}{'':>11}")
        print(f"  {m:<19}{o[m]:>11.3f}{o[m] / o['mf']:>8.2f}x{theirs}")


def main():
    args = sys.argv[1:]
    if args and args[0] == "directspec":
        return compare_directspec(args[1:])
    if args and args[0] == "train":
        return compare_train(args[1:])
    if args and args[0] == "eval":
        return compare_eval(args[1:])
    if args and args[0] == "gemm":
        args = args[1:]
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
    dll = build_bench()
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
