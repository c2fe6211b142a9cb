#!/usr/bin/env bash
# Coverage-guided fuzzing of what the ledger reads from clients and files it
# does not control, with libFuzzer and AddressSanitizer (both ship with the
# Swift toolchain). The targets are in Fuzz/ledger-fuzz (`ledger-fuzz list`).
#
# usage: scripts/fuzz.sh TARGET [SECONDS] [LIBFUZZER-FLAGS...]
#        scripts/fuzz.sh all [SECONDS]          every target in turn
#
# SECONDS defaults to 300 per target. The corpus grows in .fuzz/corpus/TARGET
# (kept between runs, not committed), starting from the target's seeds. An
# input that traps, breaks a target's property, runs over 10 s or over 2 GiB
# is written to Fuzz/found/TARGET/ and the script exits 1: fix the bug and
# commit the input, and the tests replay it from then on
# (`swift run ledger-fuzz replay TARGET Fuzz/found/TARGET`).
#
# One libFuzzer process uses one core. The first run builds the fuzzing
# binary in .build-fuzz (about 1.5 minutes on two cores).
set -euo pipefail
cd "$(dirname "$0")/.."

target=${1:-}
seconds=${2:-300}
[ $# -ge 2 ] && shift 2 || shift $#
if [ -z "$target" ] || ! [[ "$seconds" =~ ^[0-9]+$ ]]; then
  sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi

swift build --product ledger-fuzz >/dev/null   # the replaying build: seeds
swift build -c release --scratch-path .build-fuzz --product ledger-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DLEDGER_LIBFUZZER >/dev/null
replay=.build/debug/ledger-fuzz
fuzzer=.build-fuzz/release/ledger-fuzz

if [ "$target" = all ]; then
  targets=$("$replay" list | awk '{print $1}')
else
  targets=$target
fi

status=0
for t in $targets; do
  corpus=.fuzz/corpus/$t
  found=Fuzz/found/$t
  mkdir -p "$corpus" "$found"
  if [ -z "$(ls -A "$corpus")" ]; then
    "$replay" seeds "$t" "$corpus" >/dev/null
  fi
  echo "== $t: ${seconds}s, corpus $corpus ($(ls "$corpus" | wc -l) inputs), findings to $found/"
  set +e
  LEDGER_FUZZ_TARGET=$t "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -artifact_prefix="$found/" -print_final_stats=1 "$@" "$corpus" 2>&1 \
    | grep -v -E '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse)|NEW_FUNC|^"|^###|Uses:' | tail -n 25
  rc=${PIPESTATUS[0]}
  set -e
  if [ "$rc" -ne 0 ]; then
    echo "!! $t: the fuzzer stopped with status $rc; the input is in $found/"
    status=1
  fi
done
exit "$status"
