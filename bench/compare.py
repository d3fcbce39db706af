#!/usr/bin/env python3
"""Side-by-side comparisons with the peers in bench/peers.

    python3 bench/compare.py [gemm] [--seconds S] [--rounds R] [CORETYPE ...]
    python3 bench/compare.py eval [--block N]
    python3 bench/compare.py train [DATASET:MODEL ...] [--max-batches N]
    python3 bench/compare.py directspec [--max-batches N]
    python3 bench/compare.py dlr2 [--steps N] [--warmup W] [--threads T] [--rounds R] [--frozen]
    python3 bench/compare.py seq MODEL [--epochs N] [--threads T] [--sevo] [--eval] [--peer-max-batches N]
    python3 bench/compare.py leporid [DATASET:users|items ...] [--k K] [--dim D]

`train` times one training epoch of MF-BPR and LightGCN on Amazon Beauty and Gowalla against
bench/peers/train_peer.py (PyTorch). `eval` times full-ranking evaluation (score, mask, top-20, Recall/NDCG@20) on Gowalla and Amazon
Beauty against bench/peers/eval_peer.py (PyTorch); data from EMBEDREC_DATA or ../shared/data.
`directspec` times an epoch of MF-BPR, DirectSpec(MF) and DirectSpec+(MF; constant and static Γ) on
CiteULike (batch 256, SGD) on both sides (bench/peers/directspec_peer.py) and prints each side's ratio to
MF-BPR and EmbedRec/PyTorch ratios (static Γ has no peer).
`dlr2` times DLR2 training steps on MovieLens 100K (configs/dlr2-random-ml100k.yaml: batch 32, Adam) with EmbedRec's
`dlr2` runner (auto and managed GEMM) and bench/peers/dlr2_peer.py (PyTorch, default and SkylakeX core types), R
interleaved rounds (default 2), each side's best; "time vs PyTorch" is the faster PyTorch's windows/s over the side's.
`seq` trains SASRec, GRU4Rec or BERT4Rec (MODEL: sasrec|gru4rec|bert4rec) on Amazon Beauty with the SEvo
authors' Beauty settings for N epochs (default 2) on T threads (default 2), optionally with AdamW+SEvo,
on both sides back to back: EmbedRec's `seq` runner, then bench/peers/seq_peer.py (PyTorch) once with
OpenBLAS's own core type and once with OPENBLAS_CORETYPE=SkylakeX. Prints per-epoch seconds and
EmbedRec/PyTorch ratios against the faster core type (by total seconds), peak RSS and, with --eval, the
seconds of one full-ranking evaluation.
`leporid` builds Leporid's Jaccard-KNN graph (K = 1000) and its 64 smallest Laplacian eigenpairs on both sides,
EmbedRec's `quick leporid` then bench/peers/leporid_peer.py (NumPy/SciPy: dense intersections by matrix products,
top K by argsort, eigsh), one graph at a time: by default the ML-100K users and items, the Gowalla users and the
Yelp2018 users. Prints nodes and non-zeros of both (they must match), graph and eigen seconds of both with the
EmbedRec/peer ratio, each side's peak RSS, and the largest difference between the two sides' eigenvalues.

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


def json_lines(text):
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
    return out


def run_lines(cmd, env, what):
    """Runs a JSON-lines command; exits with a clear message if it fails or prints no epoch lines."""
    res = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    lines = json_lines(res.stdout)
    if res.returncode != 0 or not any("epoch" in l for l in lines):
        tail = "\n".join((res.stderr or res.stdout).strip().splitlines()[-15:])
        sys.exit(f"{what} failed (exit {res.returncode}): {' '.join(cmd)}\n{tail}")
    return lines


def compare_seq(args):
    """One model, EmbedRec then the PyTorch peer under both OpenBLAS core types, back to back."""
    if not args or args[0] not in ("sasrec", "gru4rec", "bert4rec"):
        sys.exit("usage: compare.py seq sasrec|gru4rec|bert4rec [--epochs N] [--threads T] [--sevo] [--eval] [--peer-max-batches N]")
    model = args[0]
    epochs = args[args.index("--epochs") + 1] if "--epochs" in args else "2"
    threads = args[args.index("--threads") + 1] if "--threads" in args else "2"
    flags = [f for f in ("--sevo", "--eval") if f in args]
    root = os.environ.get("EMBEDREC_DATA", os.path.join(ROOT, "..", "shared", "data"))
    data = os.path.join(root, "amazon-beauty")
    common = ["--model", model, "--data", data, "--epochs", epochs, "--threads", threads] + flags
    env = dict(os.environ, EMBEDREC_DATA=root, EMBEDREC_THREADS=threads)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)

    # Without a `seq` verb the benchmark DLL hands its arguments to BenchmarkDotNet, so look for it first.
    src = os.path.join(ROOT, "bench/EmbedRec.Benchmarks")
    has_seq = any('"seq"' in open(os.path.join(src, f)).read() for f in os.listdir(src) if f.endswith(".cs"))
    ours = None
    if not has_seq:
        print("EmbedRec side absent: bench/EmbedRec.Benchmarks has no `seq` runner yet (its contract: "
              "EmbedRec.Benchmarks.dll seq --model M --data DIR --epochs N --threads T [--sevo] [--eval], JSON lines "
              "with \"side\":\"embedrec\"); timing the PyTorch peer only.\n", flush=True)
    else:
        try:
            dll = build_bench()
        except (OSError, subprocess.CalledProcessError) as e:
            sys.exit(f"building bench/EmbedRec.Benchmarks failed: {e}")
        ours = run_lines(["dotnet", dll, "seq"] + common, env, "EmbedRec's seq runner")
    peers = {}
    for ct in ("", "SkylakeX"):
        penv = dict(env, OPENBLAS_CORETYPE=ct) if ct else env
        # --peer-max-batches N: the peer times its first N batches of each epoch and scales to the whole epoch (for
        # BERT4Rec, whose padded PyTorch epoch takes many minutes here); EmbedRec always runs whole epochs.
        extra = ["--max-batches", args[args.index("--peer-max-batches") + 1]] if "--peer-max-batches" in args else []
        peers[ct or "default"] = run_lines([PY, "bench/peers/seq_peer.py"] + common + extra, penv, f"seq_peer.py ({ct or 'default core type'})")

    def epochs_of(lines):
        return [l for l in lines if "epoch" in l]

    def field(lines, key):
        return next((l[key] for l in lines if key in l), None)

    def eval_seconds(lines):
        return next((l["seconds"] for l in lines if l.get("phase") == "eval"), None)

    total = {ct: sum(e["seconds"] for e in epochs_of(lines)) for ct, lines in peers.items()}
    fast = min(total, key=total.get)
    print(f"{model} on Amazon Beauty, {threads} threads{', AdamW+SEvo' if '--sevo' in flags else ', AdamW'}; "
          f"PyTorch {field(peers[fast], 'torch')}, faster core type: {fast}", flush=True)
    print(f"  {'epoch':>5}{'batches':>9}{'EmbedRec s':>12}{'torch s':>10}{'torch SkX s':>13}{'ratio':>8}"
          f"{'EmbedRec loss':>15}{'torch loss':>12}")
    pd, ps = epochs_of(peers["default"]), epochs_of(peers["SkylakeX"])
    po = epochs_of(peers[fast])
    oe = epochs_of(ours) if ours else []
    for i, (d, k) in enumerate(zip(pd, ps)):
        o = oe[i] if i < len(oe) else None
        osec = f"{o['seconds']:>12.2f}" if o else f"{'—':>12}"
        ratio = f"{o['seconds'] / po[i]['seconds']:>8.2f}" if o else f"{'—':>8}"
        oloss = f"{o['loss']:>15.4f}" if o else f"{'—':>15}"
        print(f"  {d['epoch']:>5}{d['batches']:>9}{osec}{d['seconds']:>10.2f}{k['seconds']:>13.2f}{ratio}{oloss}"
              f"{po[i]['loss']:>12.4f}")
    if ours and len(oe) == len(po):
        print(f"  {'all':>5}{'':>9}{sum(e['seconds'] for e in oe):>12.2f}{total['default']:>10.2f}"
              f"{total['SkylakeX']:>13.2f}{sum(e['seconds'] for e in oe) / total[fast]:>8.2f}")
    rss = lambda lines: f"{field(lines, 'peak_rss_mb'):.0f} MB" if lines and field(lines, 'peak_rss_mb') else "—"
    print(f"  peak RSS: EmbedRec {rss(ours)}, torch {rss(peers['default'])} / SkylakeX {rss(peers['SkylakeX'])}")
    if "--eval" in flags:
        es = lambda lines: f"{eval_seconds(lines):.2f} s" if lines and eval_seconds(lines) is not None else "—"
        ratio = (f", ratio {eval_seconds(ours) / eval_seconds(peers[fast]):.2f}"
                 if ours and eval_seconds(ours) is not None else "")
        print(f"  eval (22,363 users x 12,101 items): EmbedRec {es(ours)}, torch {es(peers['default'])} / "
              f"SkylakeX {es(peers['SkylakeX'])}{ratio}")


def compare_leporid(args):
    """One graph at a time, EmbedRec then the NumPy/SciPy peer, each in its own process (peak RSS is per process)."""
    root = os.environ.get("EMBEDREC_DATA", os.path.join(ROOT, "..", "shared", "data"))
    env = dict(os.environ, EMBEDREC_DATA=root)
    k = args[args.index("--k") + 1] if "--k" in args else "1000"
    dim = args[args.index("--dim") + 1] if "--dim" in args else "64"
    graphs = [a for a in args if ":" in a] or ["ml-100k:users", "ml-100k:items", "gowalla:users", "yelp2018:users"]
    dll = build_bench()
    print(f"Leporid spectrum: Jaccard-KNN graph (K = {k}, union-symmetrized), I - D_reg^-1/2 W D_reg^-1/2 (alpha 0.5), "
          f"{dim} smallest eigenpairs; graph s and eigen s (Laplacian + solver) per side, ratio = EmbedRec / peer; "
          f"EmbedRec's eigen s is its first solve in the process, 'jit' the JIT's compile time within it, 'again' a second "
          f"solve of the same graph in that process (the solver without the one-time compile)", flush=True)
    print(f"  {'graph':<16}{'nodes':>7}{'nnz':>12}{'graph s':>9}{'peer':>8}{'ratio':>7}{'eigen s':>9}{'jit':>6}{'again':>7}{'peer':>8}"
          f"{'ratio':>7}{'again':>7}{'peak MB':>9}{'peer':>7}{'max |dλ|':>10}", flush=True)
    for spec in graphs:
        dataset, graph = spec.split(":")
        common = ["--dataset", dataset, "--graph", graph, "--k", k, "--dim", dim]
        o = run(["dotnet", dll, "quick", "leporid", "--json", "--values", "--repeat", "1"] + common, env)["leporid"]
        p = run([PY, "bench/peers/leporid_peer.py", root] + common, env)
        if (o["nodes"], o["nnz"]) != (p["nodes"], p["nnz"]):
            print(f"  {spec}: the graphs differ: EmbedRec {o['nodes']} nodes / {o['nnz']} nnz, peer {p['nodes']} / {p['nnz']}")
            continue
        diff = max(abs(a - b) for a, b in zip(o["values"], p["values"]))
        note = "" if o["converged"] else "  (EmbedRec's solver did not converge)"
        again = o["repeated_eigen_seconds"][0]
        print(f"  {spec:<16}{o['nodes']:>7}{o['nnz']:>12,}{o['graph_seconds']:>9.2f}{p['graph_seconds']:>8.2f}"
              f"{o['graph_seconds'] / p['graph_seconds']:>7.2f}{o['eigen_seconds']:>9.2f}{o['eigen_jit_seconds']:>6.2f}"
              f"{again:>7.2f}{p['eigen_seconds']:>8.2f}{o['eigen_seconds'] / p['eigen_seconds']:>7.2f}{again / p['eigen_seconds']:>7.2f}"
              f"{o['peak_rss_mb']:>9.0f}{p['peak_rss_mb']:>7.0f}{diff:>10.1e}{note}",
              flush=True)


def compare_dlr2(args):
    """DLR2 training steps, EmbedRec (auto and managed GEMM) then the PyTorch peer under both core types, interleaved."""
    steps = args[args.index("--steps") + 1] if "--steps" in args else "100"
    warmup = args[args.index("--warmup") + 1] if "--warmup" in args else "10"
    threads = args[args.index("--threads") + 1] if "--threads" in args else "2"
    rounds = int(args[args.index("--rounds") + 1]) if "--rounds" in args else 2
    flags = [f for f in ("--frozen",) if f in args]
    root = os.environ.get("EMBEDREC_DATA", os.path.join(ROOT, "..", "shared", "data"))
    common = ["--steps", steps, "--warmup", warmup, "--threads", threads] + flags
    env = dict(os.environ, EMBEDREC_DATA=root, EMBEDREC_THREADS=threads)
    env.pop("OPENBLAS_CORETYPE", None)
    env.pop("OPENBLAS_L2_SIZE", None)
    dll = build_bench()
    sides = {
        "EmbedRec (auto)": lambda: run(["dotnet", dll, "dlr2"] + common, env),
        "EmbedRec (managed)": lambda: run(["dotnet", dll, "dlr2"] + common, dict(env, EMBEDREC_BLAS="managed")),
        "PyTorch (default)": lambda: run([PY, "bench/peers/dlr2_peer.py", root] + common, env),
        "PyTorch (SkylakeX)": lambda: run([PY, "bench/peers/dlr2_peer.py", root] + common, dict(env, OPENBLAS_CORETYPE="SkylakeX")),
    }
    best_of = {}
    for _ in range(rounds):
        for name, go in sides.items():
            r = go()
            if name not in best_of or r["windows_per_s"] > best_of[name]["windows_per_s"]:
                best_of[name] = r
    torch_best = max(v["windows_per_s"] for k, v in best_of.items() if k.startswith("PyTorch"))
    first = next(iter(best_of.values()))
    print(f"DLR2 training on MovieLens 100K (Leporid split, {first['windows']:,} windows, batch 32, Adam), {threads} threads, "
          f"{steps} timed steps after {warmup}, best of {rounds} interleaved rounds{', embeddings frozen' if flags else ''}")
    print(f"  {'side':<20}{'steps/s':>9}{'windows/s':>11}{'loss':>9}{'peak MB':>9}{'time vs PyTorch':>17}")
    for name, r in best_of.items():
        print(f"  {name:<20}{r['steps_per_s']:>9.2f}{r['windows_per_s']:>11.1f}{r['loss']:>9.4f}{r['peak_rss_mb']:>9.0f}"
              f"{torch_best / r['windows_per_s']:>17.2f}")


def main():
    args = sys.argv[1:]
    if args and args[0] == "leporid":
        return compare_leporid(args[1:])
    if args and args[0] == "dlr2":
        return compare_dlr2(args[1:])
    if args and args[0] == "seq":
        return compare_seq(args[1:])
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
