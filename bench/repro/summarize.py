#!/usr/bin/env python3
"""Summarize reproduction runs: per config, test metrics mean ± sd over seeds, and the item-embedding diagnostics.

Usage: bench/repro/summarize.py [RUNS_DIR] [--leporid | --composition MODEL DATASET] — reads RUNS_DIR/<config>-s<seed>/metrics.json (default
runs/repro; results/runs holds the committed records) and prints a Markdown table: NDCG/HR for the ranking protocols,
or with --leporid the Leporid protocol's HR@1/5/10, P@10, R@10 and F1@10 (runs whose metrics have no ndcg@10). Runs without metrics.json (unfinished) are listed as pending. erank/J come from metrics.json, or from
RUNS_DIR/diag.jsonl (lines of `bench diag`) for runs trained before the diagnostics covered sequence models.
--composition MODEL DATASET prints issue 14's composition table: the eight configs
{MODEL, directspec-plus-MODEL} x {-, -leporid} x {-, -sevo} on DATASET, each against the plain MODEL config (paired by
seed, t-test), each combination's gain against the sum of its parts' gains (additive if about equal) and against its best
part (paired; below it means the methods interfere), and variants of a cell named <cell>-<tag>-DATASET (a learning-rate
check, say) against their cell.
"""
import json, os, re, statistics, sys

argv = sys.argv[1:]
composition = None
if "--composition" in argv:
    i = argv.index("--composition")
    composition = argv[i + 1:i + 3]
    if len(composition) != 2:
        sys.exit("--composition needs MODEL DATASET, e.g. --composition mf citeulike")
    del argv[i:i + 3]
args = [a for a in argv if not a.startswith("--")]
leporid = "--leporid" in argv
runs = args[0] if args else "runs/repro"
diag = {}
if os.path.exists(os.path.join(runs, "diag.jsonl")):
    for line in open(os.path.join(runs, "diag.jsonl")):
        d = json.loads(line)
        diag[os.path.basename(d["run"].rstrip("/"))] = d
groups, pending = {}, []
for name in sorted(os.listdir(runs)):
    path = os.path.join(runs, name)
    m = re.match(r"(.+)-s(\d+)$", name)
    if not m or not os.path.isdir(path):
        continue
    f = os.path.join(path, "metrics.json")
    if not os.path.exists(f):
        pending.append(name)
        continue
    j = json.load(open(f))
    erank = j.get("item_erank") or diag.get(name, {}).get("item_erank")
    smooth = j.get("item_smoothness") or diag.get(name, {}).get("item_smoothness")
    groups.setdefault(m.group(1), []).append((int(m.group(2)), j["test"], j["best_epoch"], erank, smooth))

def ms(values, digits=4):
    values = [v for v in values if v is not None]
    if not values:
        return "–"
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{statistics.mean(values):.{digits}f} ± {statistics.stdev(values):.{digits}f}"

def composition_table(model, dataset):
    """The eight cells, their gains over the plain model and how the gains of the parts add up."""
    try:
        from scipy.stats import ttest_rel
    except ImportError:
        ttest_rel = None
    cells = {}
    for ds in (False, True):
        for lep in (False, True):
            for sevo in (False, True):
                name = ("directspec-plus-" if ds else "") + model + ("-leporid" if lep else "") + ("-sevo" if sevo else "") + "-" + dataset
                cells[(lep, sevo, ds)] = (name, {r[0]: r for r in groups.get(name, [])})
    plain = (False, False, False)
    base_name, base = cells[plain]
    if not any(by_seed for _, by_seed in cells.values()):
        sys.exit(f"no finished runs of the configs {base_name} and its seven combinations in {runs}")

    def relative(ref, cell, seeds, key="ndcg@10"):
        """Relative gain of one cell's mean over another's on the given seeds, and the paired t-test's p."""
        x = [cells[ref][1][s][1][key] for s in seeds]
        y = [cells[cell][1][s][1][key] for s in seeds]
        d = [b - a for a, b in zip(x, y)]
        p = ttest_rel(y, x).pvalue if ttest_rel and len(seeds) >= 2 and len(set(d)) > 1 else None
        return statistics.mean(y) / statistics.mean(x) - 1, p

    def gain(cell, seeds, key="ndcg@10"):
        """Relative gain of the cell's mean over the plain model's on the given seeds, and the paired t-test's p."""
        return relative(plain, cell, seeds, key)

    def paired(g, p, seeds):
        """A gain as the tables print it: percent, the number of seed pairs, and p when there is one."""
        n = len(seeds)
        return f"{g * 100:+.1f}% ({n} pair{'' if n == 1 else 's'}{'' if p is None else f', p = {p:.4f}'})"

    def shared(*keys):
        return sorted(set.intersection(*(set(cells[k][1]) for k in (plain,) + keys)))

    print(f"| Leporid | SEvo | DirectSpec+ | config | seeds | NDCG@10 | Recall@20 (capped) | item erank | best epochs | NDCG@10 vs {base_name} |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for key, (name, by_seed) in cells.items():
        marks = " | ".join("✓" if on else "" for on in key)
        rows = [by_seed[s] for s in sorted(by_seed)]
        if not rows:
            print(f"| {marks} | {name} | – | not finished | | | | |")
            continue
        t = [r[1] for r in rows]
        vs = ""
        if key != plain and (seeds := shared(key)):
            vs = paired(*gain(key, seeds), seeds)
        print(f"| {marks} | {name} | {','.join(str(r[0]) for r in rows)} | {ms([x['ndcg@10'] for x in t])} | "
              f"{ms([x.get('capped_recall@20') for x in t])} | {ms([r[3] for r in rows], 2)} | "
              f"{','.join(str(r[2]) for r in rows)} | {vs} |")
    print()
    print("Gains over the plain model on the seeds that the combination, each of its parts and the plain model all have:")
    print()
    print("| combination | seeds | gain observed | sum of its parts' gains | parts | against its best part |")
    print("|---|---|---|---|---|---|")
    labels = ("Leporid", "SEvo", "DirectSpec+")
    for combo in cells:
        parts = [tuple(i == j for i in range(3)) for j in range(3) if combo[j]]
        seeds = shared(combo, *parts)
        if len(parts) < 2 or not seeds:
            continue
        part_gains = [gain(pt, seeds)[0] for pt in parts]
        # The combination against the best of its sub-combinations (every cell with a subset of its methods), paired by
        # seed: interference is a combination below its best part, significantly.
        subs = [k for k in cells if k != combo and k != plain and all(a <= b for a, b in zip(k, combo))]
        # On the seeds every sub-combination has too (a pair cell may lack a seed its parts have).
        against_seeds = shared(combo, *subs)
        against = "–"
        if against_seeds:
            best = max(subs, key=lambda k: gain(k, against_seeds)[0])
            g, p = relative(best, combo, against_seeds)
            only = "" if against_seeds == seeds else " (seeds " + ",".join(map(str, against_seeds)) + ")"
            against = (f"{g * 100:+.1f}% vs {' + '.join(l for l, on in zip(labels, best) if on)}{only}"
                       f"{'' if p is None else f' (p = {p:.4f})'}")
        print(f"| {' + '.join(l for l, on in zip(labels, combo) if on)} | {','.join(map(str, seeds))} | {gain(combo, seeds)[0] * 100:+.1f}% | "
              f"{sum(part_gains) * 100:+.1f}% | {', '.join(f'{labels[pt.index(True)]} {g * 100:+.1f}%' for pt, g in zip(parts, part_gains))} | {against} |")
    # Variants of a cell that change one setting, named <cell>-<tag>-<dataset> (e.g. the learning-rate check
    # directspec-plus-mf-sevo-lr720-citeulike), each against its cell on the seeds both have.
    variants = []
    for key, (name, by_seed) in cells.items():
        stem = name[: -len(dataset) - 1]
        for other in sorted(groups):
            m = re.fullmatch(re.escape(stem) + r"-([a-z0-9.]+)-" + re.escape(dataset), other)
            if m and other not in {n for n, _ in cells.values()}:
                variants.append((key, name, other, {r[0]: r for r in groups[other]}))
    if variants:
        print()
        print("Variants of a cell (one setting changed, named in the config):")
        print()
        print(f"| variant | of cell | seeds | NDCG@10 | Recall@20 (capped) | best epochs | NDCG@10 vs its cell | NDCG@10 vs {base_name} |")
        print("|---|---|---|---|---|---|---|---|")
        for key, name, other, by_seed in variants:
            cells[("variant", other)] = (other, by_seed)
            rows = [by_seed[s] for s in sorted(by_seed)]
            t = [r[1] for r in rows]
            seeds = sorted(set(by_seed) & set(cells[key][1]))
            vs_cell = ""
            if seeds:
                vs_cell = paired(*relative(key, ("variant", other), seeds), seeds)
            seeds = sorted(set(by_seed) & set(base))
            vs_plain = ""
            if seeds:
                vs_plain = paired(*gain(("variant", other), seeds), seeds)
            print(f"| {other} | {name} | {','.join(str(r[0]) for r in rows)} | {ms([x['ndcg@10'] for x in t])} | "
                  f"{ms([x.get('capped_recall@20') for x in t])} | {','.join(str(r[2]) for r in rows)} | {vs_cell} | {vs_plain} |")
    if ttest_rel is None:
        print("\n(no p values: this Python has no scipy; run it with one that has, e.g. Debian's /usr/bin/python3 with python3-scipy)")
    names = {name for name, _ in cells.values()}
    waiting = [p for p in pending if re.sub(r"-s\d+$", "", p) in names]
    if waiting:
        print(f"\nunfinished: {', '.join(waiting)}")
    sys.exit(0)

if composition:
    composition_table(*composition)
if leporid:
    print("| config | seeds | HR@1 | HR@5 | HR@10 | P@10 | R@10 | F1@10 | kept epochs |")
    print("|---|---|---|---|---|---|---|---|---|")
    for config, rows in groups.items():
        rows.sort()
        t = [r[1] for r in rows]
        if any("ndcg@10" in x or "hit@10" not in x for x in t):
            continue
        cells = " | ".join(ms([x[k] for x in t]) for k in ("hit@1", "hit@5", "hit@10", "precision@10", "recall@10", "f1@10"))
        print(f"| {config} | {','.join(str(r[0]) for r in rows)} | {cells} | {','.join(str(r[2]) for r in rows)} |")
    if pending:
        print(f"\npending: {', '.join(pending)}")
    sys.exit(0)
print("| config | seeds | NDCG@10 | HR@10 | NDCG@5 | HR@5 | HR@1 | best epochs | item erank | J/‖X‖² |")
print("|---|---|---|---|---|---|---|---|---|---|")
for config, rows in groups.items():
    rows.sort()
    t = [r[1] for r in rows]
    if any("ndcg@10" not in x for x in t):
        continue  # this table is for the ranking protocols with NDCG (not the Leporid protocol's HR/P/R/F1 runs)
    # A config whose topk lacks 5 or 1 (the CiteULike configs' 10, 11, 20) shows "–" there.
    print(f"| {config} | {','.join(str(r[0]) for r in rows)} | {ms([x['ndcg@10'] for x in t])} | {ms([x.get('hit@10') for x in t])} | "
          f"{ms([x.get('ndcg@5') for x in t])} | {ms([x.get('hit@5') for x in t])} | {ms([x.get('hit@1') for x in t])} | "
          f"{','.join(str(r[2]) for r in rows)} | {ms([r[3] for r in rows], 2)} | {ms([r[4] for r in rows], 3)} |")
if pending:
    print(f"\npending: {', '.join(pending)}")
