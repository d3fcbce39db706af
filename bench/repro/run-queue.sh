#!/usr/bin/env bash
# Runs a queue of reproduction runs one after another, one thread each, from a frozen copy of the CLI build
# (so rebuilding the repository does not touch running jobs). Each line of the queue file: CONFIG SEED [KEY=VALUE ...].
# Run directories go to $RUNS (default runs/repro)/<config name>-s<seed>; a finished run (metrics.json present, in its
# run directory or in the committed record below) is skipped, an interrupted one is resumed. Each finished run's small
# text files (metrics, config, data pin, history, report, the console log as train.log) are copied to $ARCHIVE (default results/runs)/<name> to be
# committed, so that `embedrec compare` and summarize.py work on a later machine where runs/ is gone. Usage: bench/repro/run-queue.sh QUEUE_FILE [BIN_DIR]
set -euo pipefail
queue=$1
bin=${2:-/work/runbin}
runs=${RUNS:-runs/repro}
archive=${ARCHIVE:-results/runs}
export EMBEDREC_THREADS=${EMBEDREC_THREADS:-1}
# The data sits beside the repository, which is the working directory (runs/ and results/ are relative to it too), so a
# copy of this script kept elsewhere (to be safe from edits while it runs) still finds it.
export EMBEDREC_DATA=${EMBEDREC_DATA:-$(cd .. && pwd)/shared/data}
[[ -d $EMBEDREC_DATA ]] || { echo "run-queue.sh: no data folder at $EMBEDREC_DATA (run from the repository root, or set EMBEDREC_DATA)" >&2; exit 1; }
mkdir -p "$runs"
# A queue line names another run's directory as $RUNS/<name> (a BPR-pretrained input's init.path), so that it follows
# RUNS. Runs that a later line uses that way are needed as run directories, not records.
needed=""
while read -r path; do needed+="${path//\$RUNS/"$runs"}"$'\n'; done < <(grep -o 'init\.path=[^ ]*' "$queue" | sed 's/^init\.path=//' || true)
while read -r config seed rest; do
  [[ -z "$config" || "$config" == \#* ]] && continue
  name=$(basename "$config" .yaml)-s$seed
  out=$runs/$name
  if [[ ! -d $out && -f $archive/$name/metrics.json ]] && ! grep -qxF "$out" <<< "$needed"; then
    echo "skip $name (recorded in $archive)"; continue
  fi
  if [[ -f $out/metrics.json ]]; then echo "skip $name (done)"; "$(dirname "$0")/archive.sh" "$out" "$archive" || echo "archiving $name failed"; continue; fi
  sets=(--set "seed=$seed")
  for kv in $rest; do sets+=(--set "${kv//\$RUNS/"$runs"}"); done
  # A directory without config.yaml was left by a run that failed before it started (bad data path, say): train it
  # afresh (--force replaces only a directory EmbedRec created); with config.yaml it is an interrupted run to resume.
  resume=()
  if [[ -f $out/config.yaml ]]; then resume=(--resume); elif [[ -d $out ]]; then resume=(--force); fi
  echo "$(date -u +%H:%M:%S) start $name"
  # The log keeps every part of a run: a resumed run appends, each part headed by the build that ran it (metrics.json
  # names only the last), so a run moved to a new build mid-way says which build started it.
  log=$runs/$name.log
  header="=== $(date -u +%Y-%m-%dT%H:%M:%SZ) ${resume[*]:-start} with $bin, EmbedRec $(dotnet "$bin/EmbedRec.Cli.dll" --version 2>/dev/null || echo '?')"
  if [[ ${resume[*]:-} == --resume ]]; then printf '\n%s\n' "$header" >> "$log"; else printf '%s\n' "$header" > "$log"; fi
  dotnet "$bin/EmbedRec.Cli.dll" train --config "$config" "${sets[@]}" --out "$out" "${resume[@]}" < /dev/null >> "$log" 2>&1 || echo "$(date -u +%H:%M:%S) FAILED $name (see $log)"
  echo "$(date -u +%H:%M:%S) done $name"
  if [[ -f $out/metrics.json ]]; then "$(dirname "$0")/archive.sh" "$out" "$archive" || echo "archiving $name failed"; fi
done < "$queue"
