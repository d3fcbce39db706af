#!/usr/bin/env python3
"""Summarize reproduction runs: per config, test metrics mean ± sd over seeds, and the item-embedding diagnostics.

Usage: bench/repro/summarize.py [RUNS_DIR] [--leporid] — reads RUNS_DIR/<config>-s<seed>/metrics.json (default
runs/repro; results/runs holds the committed records) and prints a Markdown table: NDCG/HR for the ranking protocols,
or with --leporid the Leporid protocol's HR@1/5/10, P@10, R@10 and F1@10 (runs whose metrics have no ndcg@10). Runs without metrics.json (unfinished) are listed as pending. erank/J come from metrics.json, or from
RUNS_DIR/diag.jsonl (lines of `bench diag`) for runs trained before the diagnostics covered sequence models.
"""
import json, os, re, statistics, sys

args = [a for a in sys.argv[1:] if not a.startswith("--")]
leporid = "--leporid" in sys.argv
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
