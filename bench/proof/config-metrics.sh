#!/usr/bin/env bash
# Test metrics of every shipped config (and of every model on the built-in synthetic data) at a short,
# fixed budget: the proof that a refactoring did not change results. Run it before and after a change
# and diff the two outputs (issue 12: identical, or equal to 1e-6 relative where the order of
# floating-point operations had to change).
#
#   bench/proof/config-metrics.sh [EPOCHS] > before.tsv
#
# One thread and the managed GEMM (EMBEDREC_THREADS=1, EMBEDREC_BLAS=managed) so the numbers do not depend on the
# machine's load, core count or OpenBLAS;
# datasets from EMBEDREC_DATA (default ../shared/data). Output: run<TAB>split<TAB>metric<TAB>value.
set -euo pipefail
cd "$(dirname "$0")/../.."
epochs=${1:-3}
work=$(mktemp -d /tmp/embedrec-proof.XXXXXX)
export EMBEDREC_THREADS=1 EMBEDREC_BLAS=managed EMBEDREC_DATA=${EMBEDREC_DATA:-$(cd .. && pwd)/shared/data} DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build src/EmbedRec.Cli -c Release -o "$work/bin" >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }
cli=("dotnet" "$work/bin/EmbedRec.Cli.dll")

run() { # name, then train arguments
  local name=$1; shift
  if ! "${cli[@]}" train "$@" --set "epochs=$epochs" --out "$work/runs/$name" >"$work/$name.log" 2>&1; then
    echo "$name failed:" >&2; tail -5 "$work/$name.log" >&2; return 0
  fi
  python3 - "$name" "$work/runs/$name/metrics.json" <<'PY'
import json, sys
name, path = sys.argv[1], sys.argv[2]
m = json.load(open(path))
for split in ("valid", "test"):
    for k, v in sorted((m.get(split) or {}).items()):
        print(f"{name}\t{split}\t{k}\t{v!r}")
PY
}

for f in configs/*.yaml; do
  run "$(basename "$f" .yaml)" --config "$f"
done
for model in pop itemknn userknn ease mf lightgcn neumf; do
  run "synthetic-$model" --model "$model" --dataset synthetic
done
# The spectral objectives over MF, initialized as DirectSpec's code does (before the registry: --model directspec ...).
for objective in directspec directspec+ directau; do
  run "synthetic-$objective" --model mf --set "objective=$objective" --set init=xavier --dataset synthetic
done
run synthetic-mf-sevo --model mf --dataset synthetic --set optimizer.sevo.graph=ii
run synthetic-lightgcn-sevo-ui --model lightgcn --dataset synthetic --set optimizer.sevo.graph=ui
rm -rf "$work"
