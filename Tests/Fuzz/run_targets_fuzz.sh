#!/bin/sh
# Builds the weighting-target fuzzer (libFuzzer + ASan) and runs it on a corpus seeded
# with the committed target files (the engine plus the target loader only: the other IO files need
# modules this one-module build does not have). Crashing inputs land in Tests/Fuzz/crashes/.
# Usage: Tests/Fuzz/run_targets_fuzz.sh [seconds]   (run from the repository root)
set -eu
secs=${1:-300}
work=${TMPDIR:-/tmp}/barometer-targets-fuzz
rm -rf "$work"; mkdir -p "$work/src" "$work/corpus" Tests/Fuzz/crashes
for f in $(find Sources/Barometer Sources/BarometerIO/Weighting -name '*.swift'); do
  sed -e 's/^import Barometer$//' "$f" > "$work/src/$(echo "$f" | tr / _)"
done
cp Fixtures/surveys/*.targets.csv Fixtures/reference/weighting/*targets* "$work/corpus/"
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name TargetsFuzz \
  -I Sources/CLAPACK \
  "$work"/src/*.swift Tests/Fuzz/TargetsFuzz.swift -o "$work/fuzz"
ASAN_OPTIONS=detect_leaks=0 "$work/fuzz" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix=Tests/Fuzz/crashes/ "$work/corpus"
