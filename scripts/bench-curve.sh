#!/usr/bin/env bash
# Scaling curves: runs `ledger-bench projections` (load, rebuild, report,
# member queries, verify, verify-export against raw SHA-256, restart, memory,
# data size) at each ledger size, one after the other, and prints one table:
# a row per figure, a column per size, with each figure's ratio between the
# largest and the smallest size. Release build; run nothing else meanwhile.
#
#   scripts/bench-curve.sh                          # 10 000, 100 000 and 1 000 000 events
#   scripts/bench-curve.sh 10000 100000 1000000 10000000   # up to 10 M (10 M alone took 17 min in
#                                                          # the third session; 7 GB of data and 7 GB of export)
#
# The figures, as JSON Lines (one {"benchmark","events","metric","value","unit"}
# a figure), go to $LEDGER_BENCH_RESULTS (default: a new file
# $LEDGER_BENCH_DIR/curve-<commit>-<UTC time>.jsonl) for scripts and later
# comparison; the table is written beside them as .md. A size that fails is
# reported, the others are still drawn, and the exit code is then 1.
set -euo pipefail
if [ -n "${LEDGER_BENCH_RESULTS:-}" ] && [[ "$LEDGER_BENCH_RESULTS" != /* ]]; then
  LEDGER_BENCH_RESULTS="$PWD/$LEDGER_BENCH_RESULTS"
fi
cd "$(dirname "$0")/.."
sizes=()
for n in "$@"; do
  [[ "$n" =~ ^[0-9]+$ ]] && (( 10#$n >= 1000 )) ||
    { echo "bench-curve: a size is a number of events, at least 1000; got '$n'" >&2; exit 2; }
  sizes+=("$((10#$n))")
done
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000 1000000)
mapfile -t sizes < <(printf '%s\n' "${sizes[@]}" | sort -nu)
export LEDGER_BENCH_DIR="${LEDGER_BENCH_DIR:-/tmp/ledger-bench}"
mkdir -p "$LEDGER_BENCH_DIR"
commit="$(git describe --always --dirty)"
export LEDGER_BENCH_RESULTS="${LEDGER_BENCH_RESULTS:-$LEDGER_BENCH_DIR/curve-$commit-$(date -u +%Y%m%dT%H%M%SZ).jsonl}"
touch "$LEDGER_BENCH_RESULTS"
# The service's malloc setting (Deploy/ledgerd.service): the figures are the daemon's.
export GLIBC_TUNABLES="${GLIBC_TUNABLES:-glibc.malloc.top_pad=67108864}"

scratch="$PWD/.build-release"
swift build -c release --scratch-path "$scratch" --product ledger-bench >/dev/null
bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)"
echo "commit $commit, $(nproc) cores, $(uname -r); figures to $LEDGER_BENCH_RESULTS"
failed=0
for n in "${sizes[@]}"; do
  echo "== $n events ($(date -u +%H:%M:%S))" >&2
  # The engine's info lines (snapshots written) are left out; errors are not.
  if ! "$bin/ledger-bench" projections --events "$n" 2> >(grep -v ' info ' >&2); then
    echo "bench-curve: the benchmark failed at $n events" >&2
    failed=1
  fi
done
python3 scripts/bench-table.py "$LEDGER_BENCH_RESULTS" | tee "${LEDGER_BENCH_RESULTS%.jsonl}.md"
exit "$failed"
