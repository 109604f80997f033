#!/bin/bash
# Builds the fuzz driver (libFuzzer + ASan; Tests/Fuzz/FuzzMain.swift over
# every harness in Sources/BarometerFuzz/FuzzTargets.swift) and runs the
# named harnesses, each for FUZZ_SECONDS (default 60). Corpus: a scratch
# copy of Fixtures/fuzz/<name>/ (seeds and past crashes) plus the harness's
# extra seeds below; new crashing inputs are written to Fixtures/fuzz/<name>/
# (crash-*, leak-*, timeout-*, oom-*), where `make test` replays them
# (FuzzRegressionTests). Fix the bug, keep the file.
# Usage: Tests/Fuzz/run_fuzz.sh [harness ...]   (from the repository root;
# default: every harness). FUZZ_RUNS=N stops each after N executions instead.
# Leak detection is off: ReadStat 1.1.8 itself leaks on some malformed XPORT
# headers (Fixtures/fuzz/readstat/leak-in-readstat-xport.bin).
set -euo pipefail
secs=${FUZZ_SECONDS:-60}
work=${FUZZ_WORK:-.build/fuzz}
mkdir -p "$work/src"
harnesses=("$@")
if [ ${#harnesses[@]} -eq 0 ]; then
  mapfile -t harnesses < <(grep -o 'Target(name: "[a-z0-9-]*"' Sources/BarometerFuzz/FuzzTargets.swift | sed 's/.*"\(.*\)"/\1/')
fi

# Extra seeds per harness (globs), beside Fixtures/fuzz/<name>/.
seeds() {
  case "$1" in
    csv) ls Fixtures/csv/*.csv Fixtures/readstat/survey.csv ;;
    codebook) ls Fixtures/csv/*.json Fixtures/readstat/survey.codebook.json Fixtures/surveys/*.codebook.json ;;
    claims) ls Fixtures/claims/invalid/*.json ;;
    readstat) ls Fixtures/readstat/survey* Fixtures/readstat/written_by_barometer.sav ;;
  esac 2>/dev/null | while read -r f; do [ "$(stat -c %s "$f")" -le 65536 ] && echo "$f"; done || true
}

# Longest input per harness (libFuzzer's -max_len).
maxlen() { case "$1" in readstat) echo 65536 ;; *) echo 16384 ;; esac; }

# One module: the engine, formats, claims, reports and fuzz sources without
# their cross-module imports.
# Files importing a package dependency (ZIPFoundation for the .xlsx writer)
# are left out: no harness reaches them.
bin="$work/barometer-fuzz"
sources=$(find Sources/Barometer Sources/BarometerIO Sources/BarometerClaims Sources/BarometerReports Sources/BarometerFuzz -name '*.swift' | sort)
if [ ! -x "$bin" ] || [ -n "$(find $sources Tests/Fuzz/FuzzMain.swift -newer "$bin" | head -1)" ]; then
  rm -f "$work"/src/*.swift
  for f in $sources; do
    grep -qE '^import (ZIPFoundation|ArgumentParser)' "$f" && continue
    sed -E -e 's/^(@testable )?import Barometer(IO|Claims|Reports|Fuzz)?$//' "$f" > "$work/src/$(echo "$f" | tr / _)"
  done
  echo "building $bin (a few minutes the first time)"
  swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name BarometerFuzz -package-name Barometer \
    -I Sources/CLAPACK -I Sources/CReadStat \
    "$work"/src/*.swift Tests/Fuzz/FuzzMain.swift -o "$bin"
fi

status=0
for h in "${harnesses[@]}"; do
  corpus="$work/corpus/$h"
  mkdir -p "$corpus" "Fixtures/fuzz/$h"
  cp Fixtures/fuzz/"$h"/* "$corpus/" 2>/dev/null || true
  for f in $(seeds "$h"); do cp "$f" "$corpus/"; done
  limit=(-max_total_time="$secs")
  [ -n "${FUZZ_RUNS:-}" ] && limit=(-runs="$FUZZ_RUNS")
  echo "== fuzz $h: ${FUZZ_RUNS:-$secs s}"
  log="$work/$h.log"
  if BAROMETER_FUZZ_TARGET="$h" ASAN_OPTIONS=detect_leaks=0 "$bin" "${limit[@]}" -max_len="$(maxlen "$h")" -timeout=10 \
       -rss_limit_mb=2048 -detect_leaks=0 -print_final_stats=1 -artifact_prefix="Fixtures/fuzz/$h/" "$corpus" >"$log" 2>&1; then
    echo "   $(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}') executions, no crash"
  else
    status=1
    echo "   CRASH: see $log; the input is in Fixtures/fuzz/$h/"; tail -30 "$log"
  fi
done
exit $status
