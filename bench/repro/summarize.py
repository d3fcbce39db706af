#!/usr/bin/env python3
"""Summarize reproduction runs: per config, test metrics mean ± sd over seeds, and the item-embedding diagnostics.

Usage: bench/repro/summarize.py [RUNS_DIR] [--leporid | --composition MODEL DATASET] — reads RUNS_DIR/<config>-s<seed>/metrics.json (default
runs/repro; results/runs holds the committed records) and prints a Markdown table: NDCG/HR for the ranking protocols,
or with --leporid the Leporid protocol's HR@1/5/10, P@10, R@10 and F1@10 (runs whose metrics have no ndcg@10). Runs without metrics.json (unfinished) are listed as pending. erank/J come from metrics.json, or from
RUNS_DIR/diag.jsonl (lines of `bench diag`) for runs trained before the diagnostics covered sequence models.
--composition MODEL DATASET prints issue 14's composition table: the eight configs
{MODEL, directspec-plus-MODEL} x {-, -leporid} x {-, -sevo} on DATASET, each against the plain MODEL config (paired by
seed, t-test), and each combination's gain against the sum of its parts' gains (additive if about equal).
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
    base_name, base = cells[(False, False, False)]
    keys = ("ndcg@10", "capped_recall@20")

    def gain(cell, key):
        common = sorted(set(base) & set(cell))
        if not common:
            return None, None, []
        x = [base[s][1][key] for s in common]
        y = [cell[s][1][key] for s in common]
        g = statistics.mean(y) / statistics.mean(x) - 1
        p = ttest_rel(y, x).pvalue if ttest_rel and len(common) >= 2 and any(a != b for a, b in zip(x, y)) else None
        return g, p, common

    print(f"| Leporid | SEvo | DirectSpec+ | config | seeds | NDCG@10 | Recall@20 (capped) | item erank | best epochs | NDCG@10 vs {base_name} |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    gains = {}
    for (lep, sevo, ds), (name, runs) in cells.items():
        rows = [runs[s] for s in sorted(runs)]
        if not rows:
            print(f"| {'✓' if lep else ''} | {'✓' if sevo else ''} | {'✓' if ds else ''} | {name} | – | not run | | | | |")
            continue
        t = [r[1] for r in rows]
        g, p, common = gain(runs, "ndcg@10") if (lep, sevo, ds) != (False, False, False) else (None, None, [])
        gains[(lep, sevo, ds)] = g
        vs = "" if g is None else f"{g * 100:+.1f}% ({len(common)} pairs{'' if p is None else f', p = {p:.4f}'})"
        print(f"| {'✓' if lep else ''} | {'✓' if sevo else ''} | {'✓' if ds else ''} | {name} | {','.join(str(r[0]) for r in rows)} | "
              f"{ms([x[keys[0]] for x in t])} | {ms([x.get(keys[1]) for x in t])} | {ms([r[3] for r in rows], 2)} | "
              f"{','.join(str(r[2]) for r in rows)} | {vs} |")
    print()
    print("| combination | gain observed | sum of its parts' gains | parts |")
    print("|---|---|---|---|")
    labels = ("Leporid", "SEvo", "DirectSpec+")
    for combo, g in gains.items():
        parts = [tuple(i == j for i in range(3)) for j in range(3) if combo[j]]
        if len(parts) < 2 or g is None or any(gains.get(pt) is None for pt in parts):
            continue
        total = sum(gains[pt] for pt in parts)
        print(f"| {' + '.join(l for l, on in zip(labels, combo) if on)} | {g * 100:+.1f}% | {total * 100:+.1f}% | "
              f"{', '.join(f'{labels[pt.index(True)]} {gains[pt] * 100:+.1f}%' for pt in parts)} |")
    if pending:
        print(f"\npending: {', '.join(pending)}")
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
    print(f"| {config} | {','.join(str(r[0]) for r in rows)} | {ms([x['ndcg@10'] for x in t])} | {ms([x['hit@10'] for x in t])} | "
          f"{ms([x['ndcg@5'] for x in t])} | {ms([x['hit@5'] for x in t])} | {ms([x['hit@1'] for x in t])} | "
          f"{','.join(str(r[2]) for r in rows)} | {ms([r[3] for r in rows], 2)} | {ms([r[4] for r in rows], 3)} |")
if pending:
    print(f"\npending: {', '.join(pending)}")
