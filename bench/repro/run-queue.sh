#!/usr/bin/env bash
# Runs a queue of reproduction runs one after another, one thread each, from a frozen copy of the CLI build
# (so rebuilding the repository does not touch running jobs). Each line of the queue file: CONFIG SEED [KEY=VALUE ...].
# Run directories go to $RUNS (default runs/repro)/<config name>-s<seed>; a finished run (metrics.json present) is skipped,
# an interrupted one is resumed. Usage: bench/repro/run-queue.sh QUEUE_FILE [BIN_DIR]
set -euo pipefail
queue=$1
bin=${2:-/work/runbin}
runs=${RUNS:-runs/repro}
export EMBEDREC_THREADS=${EMBEDREC_THREADS:-1}
export EMBEDREC_DATA=${EMBEDREC_DATA:-$(cd "$(dirname "$0")/../../.." && pwd)/shared/data}
mkdir -p "$runs"
while read -r config seed rest; do
  [[ -z "$config" || "$config" == \#* ]] && continue
  name=$(basename "$config" .yaml)-s$seed
  out=$runs/$name
  if [[ -f $out/metrics.json ]]; then echo "skip $name (done)"; continue; fi
  sets=(--set "seed=$seed")
  for kv in $rest; do sets+=(--set "$kv"); done
  resume=()
  [[ -d $out ]] && resume=(--resume)
  echo "$(date -u +%H:%M:%S) start $name"
  dotnet "$bin/EmbedRec.Cli.dll" train --config "$config" "${sets[@]}" --out "$out" "${resume[@]}" > "$runs/$name.log" 2>&1 || echo "$(date -u +%H:%M:%S) FAILED $name (see $runs/$name.log)"
  echo "$(date -u +%H:%M:%S) done $name"
done < "$queue"
