#!/usr/bin/env bash
# Coverage-guided fuzzing of what the ledger reads from clients and files it
# does not control, with libFuzzer and AddressSanitizer (both ship with the
# Swift toolchain). The targets are in Fuzz/ledger-fuzz (`ledger-fuzz list`).
#
# usage: scripts/fuzz.sh TARGET [SECONDS] [LIBFUZZER-FLAGS...]
#        scripts/fuzz.sh all [SECONDS]          every target in turn
#
# SECONDS (at least 1) defaults to 300 per target. The corpus grows in
# .fuzz/corpus/TARGET (kept between runs, not committed), starting from the
# target's seeds; the whole output is in .fuzz/log/TARGET.log. An input that
# traps, breaks a target's property, runs over 10 s or needs over 2 GiB is
# written to Fuzz/found/TARGET/ and the script exits 1: fix the bug and
# commit the input (a crash or a broken property; a slow input only once it
# is fast), and the tests replay it from then on
# (`swift run ledger-fuzz replay TARGET Fuzz/found/TARGET`).
#
# One libFuzzer process uses one core. The first run builds the fuzzing
# binary in .build-fuzz (about 1.5 minutes on two cores).
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
target=${1:-}
seconds=${2:-300}
[ -n "$target" ] || usage
[[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -ge 1 ] || usage
[ $# -ge 2 ] && shift 2 || shift $#

mkdir -p .fuzz/log
build() {
  if ! "$@" >.fuzz/log/build.log 2>&1; then
    cat .fuzz/log/build.log >&2
    echo "!! the build failed: $*" >&2
    exit 1
  fi
}
build swift build --product ledger-fuzz   # the replaying build: target names and seeds
build swift build -c release --scratch-path .build-fuzz --product ledger-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DLEDGER_LIBFUZZER
replay=.build/debug/ledger-fuzz
fuzzer=.build-fuzz/release/ledger-fuzz

known=$("$replay" list | awk '{print $1}')
if [ "$target" = all ]; then
  targets=$known
elif grep -qx -- "$target" <<<"$known"; then
  targets=$target
else
  echo "unknown target '$target'; the targets are:" >&2
  "$replay" list >&2
  exit 2
fi

# The same hash seed in every run, so that a finding replays as it was found.
export SWIFT_DETERMINISTIC_HASHING=1
# The schemas' vocabulary (member names, event types, enum values, verbs) for
# the targets that read events and requests.
python3 scripts/fuzz-dict.py .fuzz/schema.dict >/dev/null
status=0
for t in $targets; do
  corpus=.fuzz/corpus/$t
  found=Fuzz/found/$t
  log=.fuzz/log/$t.log
  mkdir -p "$corpus" "$found"
  if [ -z "$(ls -A "$corpus")" ]; then
    "$replay" seeds "$t" "$corpus" >/dev/null
  fi
  dict=()
  case $t in request|json|stored-data) dict=(-dict=.fuzz/schema.dict) ;; esac
  echo "== $t: ${seconds}s, corpus $corpus ($(ls "$corpus" | wc -l) inputs), findings to $found/, log $log"
  set +e
  LEDGER_FUZZ_TARGET=$t "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -artifact_prefix="$found/" -print_final_stats=1 ${dict[@]+"${dict[@]}"} "$@" "$corpus" >"$log" 2>&1
  rc=$?
  set -e
  grep -E 'DONE|^Done|^stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb)' "$log" || true
  if [ "$rc" -ne 0 ]; then
    grep -E -A 30 'property broken|ERROR: (libFuzzer|AddressSanitizer)|Fatal error|SUMMARY' "$log" | head -n 60
    grep -E 'Test unit written|artifact_prefix' "$log" || true
    echo "!! $t: the fuzzer stopped with status $rc; the input is in $found/, the whole output in $log"
    status=1
  fi
done
exit "$status"
