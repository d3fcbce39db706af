#!/usr/bin/env bash
# Copies the small text files of finished runs (metrics.json, config.yaml, data.json, history.csv, report.md) to
# ARCHIVE_DIR/<run name>, the record that is committed: `embedrec compare` and summarize.py read metrics.json from there
# as from the run itself, and the console log run-queue.sh wrote beside the run (RUN_DIR.log) as train.log, which names the
# build of every part of a resumed run. Checkpoints and embeddings stay in the run directory. Usage: archive.sh RUN_DIR... ARCHIVE_DIR
set -euo pipefail
(( $# >= 2 )) || { echo "usage: $0 RUN_DIR... ARCHIVE_DIR" >&2; exit 2; }
dest=${!#}
for run in "${@:1:$#-1}"; do
  if [[ ! -f $run/metrics.json ]]; then echo "skip $run: no metrics.json (unfinished)" >&2; continue; fi
  out=$dest/$(basename "$run")
  mkdir -p "$out"
  for f in metrics.json config.yaml data.json history.csv report.md; do
    if [[ -f $run/$f ]]; then cp "$run/$f" "$out/$f"; fi
  done
  if [[ -f ${run%/}.log ]]; then cp "${run%/}.log" "$out/train.log"; fi
done
exit 0
