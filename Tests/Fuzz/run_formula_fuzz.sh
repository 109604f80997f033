#!/bin/sh
# Builds the model-formula parser fuzzer (libFuzzer + ASan on the engine's Swift code) and runs it
# on a small seed corpus. Crashing inputs land in Tests/Fuzz/crashes/.
# Usage: Tests/Fuzz/run_formula_fuzz.sh [seconds]   (run from the repository root)
set -eu
secs=${1:-300}
work=${TMPDIR:-/tmp}/barometer-formula-fuzz
rm -rf "$work"; mkdir -p "$work/src" "$work/corpus" Tests/Fuzz/crashes
for f in $(find Sources/Barometer -name '*.swift'); do
  cp "$f" "$work/src/$(echo "$f" | tr / _)"
done
printf 'y ~ x1 + factor(x2) + x1:x3' > "$work/corpus/a"
printf 'y ~ a*b*c - a:b:c - 1' > "$work/corpus/b"
printf 'y ~ factor(x, ref = -2) + `odd name` + 0' > "$work/corpus/c"
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name FormulaFuzz \
  -I Sources/CLAPACK "$work"/src/*.swift Tests/Fuzz/FormulaFuzz.swift -o "$work/fuzz"
ASAN_OPTIONS=detect_leaks=0 "$work/fuzz" -max_total_time="$secs" -max_len=256 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix=Tests/Fuzz/crashes/ "$work/corpus"
