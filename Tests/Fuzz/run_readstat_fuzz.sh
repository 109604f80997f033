#!/bin/sh
# Builds the ReadStat reader fuzzer (libFuzzer + ASan on the Swift code; the
# system libreadstat is not instrumented, so its crashes show as SEGV) and runs
# it on a corpus seeded with Fixtures/readstat. Crashing inputs land in
# Tests/Fuzz/crashes/; copy them to Fixtures/readstat/fuzz/ as regression inputs.
# Leak detection is off: ReadStat 1.1.8 itself leaks on some malformed XPORT
# headers (Fixtures/readstat/fuzz/leak-in-readstat-xport.bin).
# Usage: Tests/Fuzz/run_readstat_fuzz.sh [seconds]   (run from the repository root)
set -eu
secs=${1:-300}
work=${TMPDIR:-/tmp}/barometer-fuzz
rm -rf "$work"; mkdir -p "$work/src" "$work/corpus" Tests/Fuzz/crashes
# One module: copy the engine and IO sources without their cross-module imports.
for f in $(find Sources/Barometer Sources/BarometerIO -name '*.swift'); do
  sed -e 's/^import Barometer$//' "$f" > "$work/src/$(echo "$f" | tr / _)"
done
cp Fixtures/readstat/survey* Fixtures/readstat/written_by_barometer.sav "$work/corpus/"
[ -d Fixtures/readstat/fuzz ] && cp Fixtures/readstat/fuzz/* "$work/corpus/" 2>/dev/null || true
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name ReadStatFuzz \
  -I Sources/CLAPACK -I Sources/CReadStat \
  "$work"/src/*.swift Tests/Fuzz/ReadStatFuzz.swift -o "$work/fuzz"
ASAN_OPTIONS=detect_leaks=0 "$work/fuzz" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -detect_leaks=0 \
  -artifact_prefix=Tests/Fuzz/crashes/ "$work/corpus"
