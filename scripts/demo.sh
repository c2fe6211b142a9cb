#!/usr/bin/env bash
# Sets up and runs ledgerd with a demo data set, on a fresh Debian machine:
# installs LMDB, builds, starts the daemon on ./demo-data, loads a generated
# committee's history through ledgerctl, and prints its report.
#
#   scripts/demo.sh            # then: export LEDGER_SOCKET=$PWD/demo-data/ledger.sock
#   scripts/demo.sh --stop     # stops the demo daemon
set -euo pipefail
cd "$(dirname "$0")/.."
dir="$PWD/demo-data"
sock="$dir/ledger.sock"

if [ "${1:-}" = "--stop" ]; then
  [ -f "$dir/ledgerd.pid" ] && kill "$(cat "$dir/ledgerd.pid")" 2>/dev/null && echo "demo ledgerd stopped" || echo "no demo ledgerd running"
  exit 0
fi

if ! pkg-config --exists lmdb 2>/dev/null; then
  echo "== installing liblmdb-dev"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends liblmdb-dev lmdb-utils >/dev/null
fi

echo "== building (release)"
swift build -c release --product ledgerd >/dev/null
swift build -c release --product ledgerctl >/dev/null
bin="$(swift build -c release --show-bin-path)"

if [ -f "$dir/ledgerd.pid" ] && kill -0 "$(cat "$dir/ledgerd.pid")" 2>/dev/null; then
  kill "$(cat "$dir/ledgerd.pid")"; sleep 1
fi
rm -rf "$dir"; mkdir -p "$dir"
echo "== starting ledgerd on $sock (log: $dir/ledgerd.log)"
"$bin/ledgerd" --data-dir "$dir/data" --socket "$sock" --origin demo.local/dang-bo-khoi >"$dir/ledgerd.log" 2>&1 &
echo $! >"$dir/ledgerd.pid"
export LEDGER_SOCKET="$sock"
# The demo's own anchors (the checkpoints ledgerctl remembers): each run makes
# a new demo ledger and key under the same name, which the anchors in your
# home directory would rightly report as a ledger replaced.
export LEDGER_STATE_DIR="$dir/state"
for _ in $(seq 1 100); do [ -S "$sock" ] && break; sleep 0.1; done

echo "== generating and appending the demo ledger"
"$bin/ledgerctl" demo-data --seed 2026 --events 60000 >"$dir/demo.jsonl"
"$bin/ledgerctl" append "$dir/demo.jsonl" >"$dir/append-results.jsonl"
"$bin/ledgerctl" status
echo
"$bin/ledgerctl" report --org DBK --from 2025-01-01 --to 2025-12-31
echo
echo "ledgerd is running (pid $(cat "$dir/ledgerd.pid")). Try:"
echo "  export LEDGER_SOCKET=$sock LEDGER_STATE_DIR=$dir/state"
echo "  $bin/ledgerctl verify"
echo "  $bin/ledgerctl report --org DBK --from 2025-01-01 --to 2025-06-30 --json"
echo "  scripts/demo.sh --stop"
