#!/usr/bin/env bash
# Times a release ledgerd from exec to its first answered `status`, on an
# existing data dir (for example a benchmark ledger kept by
# `ledger-bench restart --events 10000000`):
#
#   scripts/ledgerd-ready.sh /work/bench-data/ledger-10000000 bench.local/ledger [runs]
#
# ledgerd binds its socket once the state is loaded, so this waits for the
# socket file (polled every 5 ms) and then asks `status` once, through socat
# if it is installed (ledgerctl's own start would add about 0.1 s), else
# through ledgerctl. Polling with `ledgerctl status` adds a process start to
# every attempt.
# Uses the unit's malloc setting (Deploy/ledgerd.service).
set -euo pipefail
cd "$(dirname "$0")/.."
data="${1:?usage: scripts/ledgerd-ready.sh DATA_DIR ORIGIN [RUNS]}"
origin="${2:?usage: scripts/ledgerd-ready.sh DATA_DIR ORIGIN [RUNS]}"
runs="${3:-3}"
scratch="$PWD/.build-release"
swift build -c release --scratch-path "$scratch" --product ledgerd >/dev/null
swift build -c release --scratch-path "$scratch" --product ledgerctl >/dev/null
bin="$(swift build -c release --scratch-path "$scratch" --show-bin-path)"
sock="$(mktemp -u /tmp/ledgerd-ready.XXXXXX.sock)"
export GLIBC_TUNABLES=glibc.malloc.top_pad=67108864
# A sleep without a process (`sleep` itself would take CPU from ledgerd on every poll).
exec {never}<> <(:)
for _ in $(seq 1 "$runs"); do
  start=$(date +%s.%N)
  "$bin/ledgerd" --data-dir "$data" --socket "$sock" --origin "$origin" 2>/dev/null &
  pid=$!
  until [ -S "$sock" ]; do
    kill -0 "$pid" 2>/dev/null || { echo "ledgerd exited before it listened" >&2; exit 1; }
    read -r -t 0.005 -u "$never" || true
  done
  if command -v socat >/dev/null; then
    answer=$(echo '{"id":1,"verb":"status"}' | socat - "UNIX-CONNECT:$sock")
  else
    answer=$(LEDGER_SOCKET="$sock" "$bin/ledgerctl" status --json)
  fi
  size=$(echo "$answer" | grep -o '"size" *: *[0-9]*' | grep -o '[0-9]*$')
  end=$(date +%s.%N)
  rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
  kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
  awk -v s="$start" -v e="$end" -v n="$size" -v r="$rss" \
    'BEGIN { printf "ledgerd from exec to first answered status: %.2f s (%d events; RSS then %d MiB)\n", e - s, n, r / 1024 }'
done
