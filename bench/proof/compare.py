#!/usr/bin/env python3
"""Compares two outputs of config-metrics.sh: per run, whether every metric is identical, else the largest
relative difference. Usage: bench/proof/compare.py before.tsv after.tsv"""
import sys


def load(path):
    values = {}
    with open(path) as f:
        for line in f:
            run, split, key, value = line.rstrip("\n").split("\t")
            values[(run, split, key)] = float(value)
    return values


def main(before_path, after_path):
    before, after = load(before_path), load(after_path)
    failed = False
    for run in sorted({k[0] for k in before | after}):
        keys = sorted(k for k in before.keys() | after.keys() if k[0] == run)
        missing = [k for k in keys if k not in before or k not in after]
        diff = [k for k in keys if k not in missing and before[k] != after[k]]
        worst = max((abs(before[k] - after[k]) / max(abs(before[k]), 1e-30) for k in diff), default=0.0)
        status = "identical" if not diff and not missing else f"{len(diff)} differ (max rel {worst:.2e}), {len(missing)} missing"
        failed |= bool(diff or missing)
        print(f"{run}\t{len(keys)} values\t{status}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
