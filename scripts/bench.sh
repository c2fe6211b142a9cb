#!/usr/bin/env bash
# Runs every benchmark of docs/BENCHMARKS.md, in release mode, one at a time
# (two cores: nothing else should run meanwhile). Results go to stdout.
#
#   scripts/bench.sh                 # everything, 1 M events (about 10 minutes)
#   scripts/bench.sh ctl-append 200000   # only the real-daemon bulk append, 200 000 events
#
# Data goes to $LEDGER_BENCH_DIR (default /tmp/ledger-bench), removed after each part.
set -euo pipefail
cd "$(dirname "$0")/.."
only="${1:-all}"
events="${2:-1000000}"
scratch="$PWD/.build-release"
export LEDGER_BENCH_DIR="${LEDGER_BENCH_DIR:-/tmp/ledger-bench}"
mkdir -p "$LEDGER_BENCH_DIR"

swift build -c release --scratch-path "$scratch" --product ledger-bench >/dev/null
swift build -c release --scratch-path "$scratch" --product ledgerd >/dev/null
swift build -c release --scratch-path "$scratch" --product ledgerctl >/dev/null
bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)"
echo "commit $(git rev-parse --short HEAD), $(nproc) cores, $(uname -r), $(swift --version 2>&1 | head -1)"

run() { [ "$only" = all ] || [ "$only" = "$1" ]; }

run storage && "$bin/ledger-bench" storage --events "$events" --batch 1000
run group-commit && "$bin/ledger-bench" group-commit --clients 64 --events 200000 --runs 5
run projections && "$bin/ledger-bench" projections --events "$events"
run socket && "$bin/ledger-bench" socket
# These two keep their data for reruns (export-N/, ledger-N/); remove it here.
run verify-export && { "$bin/ledger-bench" verify-export --events "$events"; rm -rf "$LEDGER_BENCH_DIR/export-$events"; }
run restart && {
  "$bin/ledger-bench" restart --events "$events"
  # The same ledger under a real ledgerd, from exec to its first answered status.
  scripts/ledgerd-ready.sh "$LEDGER_BENCH_DIR/ledger-$events" bench.local/ledger 3
  rm -rf "$LEDGER_BENCH_DIR/ledger-$events"
}

if run ctl-append; then
  # The real thing: a release ledgerd on a Unix socket, `ledgerctl append` of a
  # demo ledger file, as an operator would load one.
  dir="$(mktemp -d "$LEDGER_BENCH_DIR/ctl.XXXXXX")"
  export LEDGER_SOCKET="$dir/s.sock"
  # A fresh ledger with a fresh key each run: keep its anchor away from yours.
  export LEDGER_STATE_DIR="$dir/state"
  trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
  "$bin/ledgerctl" demo-data --seed 2026 --events "$events" >"$dir/demo.jsonl"
  "$bin/ledgerd" --data-dir "$dir/data" --socket "$dir/s.sock" --origin bench.local/ledger 2>"$dir/ledgerd.log" &
  pid=$!
  for _ in $(seq 1 100); do [ -S "$dir/s.sock" ] && break; sleep 0.1; done
  lines=$(wc -l <"$dir/demo.jsonl")
  start=$(date +%s.%N)
  "$bin/ledgerctl" append "$dir/demo.jsonl" >"$dir/results.jsonl" 2>"$dir/append.err"
  end=$(date +%s.%N)
  refused=$(grep -vc '"seq"' "$dir/results.jsonl" || true)
  awk -v n="$lines" -v s="$start" -v e="$end" -v r="$refused" \
    'BEGIN { printf "ledgerctl append of %d demo events to a release ledgerd: %.1f s, %.1f k events/s (%d refused)\n", n, e - s, n / (e - s) / 1000, r }'
  start=$(date +%s.%N)
  "$bin/ledgerctl" export --to "$dir/export.jsonl" 2>/dev/null
  "$bin/ledgerctl" checkpoint >"$dir/checkpoint.txt"
  "$bin/ledgerctl" pubkey >"$dir/key.txt"
  mid=$(date +%s.%N)
  "$bin/ledgerctl" verify-export "$dir/export.jsonl" --checkpoint "$dir/checkpoint.txt" --key "$dir/key.txt" >/dev/null
  end=$(date +%s.%N)
  awk -v n="$lines" -v s="$start" -v m="$mid" -v e="$end" \
    'BEGIN { printf "ledgerctl export over the socket: %.1f k events/s; ledgerctl verify-export (offline): %.1f k events/s\n", n / (m - s) / 1000, n / (e - m) / 1000 }'
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  start=$(date +%s.%N)
  "$bin/ledgerd" --data-dir "$dir/data" --socket "$dir/s.sock" --origin bench.local/ledger 2>>"$dir/ledgerd.log" &
  pid=$!
  # ledgerd binds its socket once its state is loaded: wait for the file
  # (a sleep without a process), then ask once (scripts/ledgerd-ready.sh).
  exec {never}<> <(:)
  until [ -S "$dir/s.sock" ]; do read -r -t 0.005 -u "$never" || true; done
  "$bin/ledgerctl" status >/dev/null
  end=$(date +%s.%N)
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  awk -v s="$start" -v e="$end" -v r="$rss" 'BEGIN { printf "ledgerd restart to first answered status: %.2f s; RSS then %d MiB\n", e - s, r / 1024 }'
fi
