#!/usr/bin/env bash
# Scores finished run directories again on a subset of users, by default the tail users (the 25% of test users with the fewest interactions, the
# Leporid protocol's subset) and prints one line per run: its name, then HR@1, HR@10 and Precision@10, in the form of
# results/runs/dlr2-*-tail-users.txt. Needs the run directories (runs/repro), not only their records, since the
# parameters are not committed. SELECT (default --tail-users) picks other users, e.g. SELECT='--min-train-items 6'.
# Usage, from the repository root: bench/repro/tail-users.sh BIN_DIR RUN_DIR...
set -euo pipefail
bin=$1; shift
export EMBEDREC_THREADS=${EMBEDREC_THREADS:-1}
export EMBEDREC_DATA=${EMBEDREC_DATA:-$(cd .. && pwd)/shared/data}
read -r -a select <<< "${SELECT:---tail-users}"
for run in "$@"; do
  out=$(dotnet "$bin/EmbedRec.Cli.dll" evaluate "$run" --split test "${select[@]}" < /dev/null 2>&1) || { echo "$(basename "$run"): evaluation failed: $(tail -1 <<< "$out")"; continue; }
  # The table's header line ("MODEL: test (tail users), N users") and the three rows kept.
  head=$(grep -m1 ': test' <<< "$out")
  pick() { awk -v k="$1" '$1 == k { print $2 }' <<< "$out"; }
  echo "$(basename "$run"): $head hit@1 $(pick hit@1) hit@10 $(pick hit@10) precision@10 $(pick precision@10)"
done
