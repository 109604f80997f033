#!/usr/bin/env bash
# Streaming and sharding benchmark of issue 22 (generated data, not in CI):
#   bash Benchmarks/peers/stream_bench.sh [ROWS] [SHARDS]        # e.g. 10000000 8
#   bash Benchmarks/peers/stream_bench.sh 100000000 0 --huge     # the 10^8-row mode
# Generates ROWS respondents x 20 coded questions (1-5, 8 = DK, 9 = Refused) + a weight + a
# 12-category group + 50 strata x 20 PSUs (CSV, ~50 bytes a row), then for each task of the issue
#   - weighted frequencies of all 20 questions (one `freq q1 ... q20` command, one pass),
#   - one crosstab (q1 x grp) with the Rao-Scott F under strata/PSUs,
#   - shares of q1 in 1,2 by the 12-category group with CIs (weights only),
#   - the 20 x 20 Pearson matrix,
# runs the in-memory command and the streamed `partial` + `merge`, and (SHARDS > 0) SHARDS `partial`
# processes on row ranges of real size one after another + one `merge`, printing wall seconds, MB/s
# of CSV, peak RSS (/usr/bin/time -v), the streamed/in-memory throughput ratio (issue goal >= 0.8),
# the peak-RSS bound (<= 1 GiB) and the shard overhead (goal <= 1.2x one streamed pass). Outputs are
# compared (JSON, 1e-10) so a speed number never hides a wrong result. The load average is printed.
# --huge: the CSV goes to /tmp (free space checked first) and is deleted at the end (STREAM_HUGE_DIR=dir:
# kept there, reused by the next run); the in-memory
# path cannot load 10^8 rows x 25 columns, so in the same run it reads the file's first 10^7 rows
# (a prefix copy, HUGE_REF_ROWS to change) and the streamed MB/s of the whole file is compared with
# the in-memory MB/s of that prefix; the shards (SHARDS > 0) are row ranges of the whole file. Data of normal runs stay under Benchmarks/.data/stream.
# BAROMETER=path selects the binary (default: the release build, built if missing); STREAM_TASKS=regex
# runs the tasks whose label matches (e.g. 'freq|crosstab|corr').
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rows="${1:-1000000}"; shards="${2:-8}"; huge=0
[ "${3:-}" = "--huge" ] && huge=1
bin="${BAROMETER:-$root/.build/release/barometer}"
[ -x "$bin" ] || (cd "$root" && swift build -c release --product barometer >/dev/null)
keep=0
if [ $huge = 1 ] && [ -n "${STREAM_HUGE_DIR:-}" ]; then
  data="$STREAM_HUGE_DIR"; mkdir -p "$data"; keep=1  # kept for the next run (delete it yourself)
elif [ $huge = 1 ]; then
  data=$(mktemp -d /tmp/barometer-stream-XXXXXX)
  need=$(( rows * 56 / 1000000 + 1024 ))          # MB: ~52 bytes a row, plus room for states
  free=$(df -Pm /tmp | awk 'NR == 2 {print $4}')
  [ "$free" -gt "$need" ] || { echo "need ${need} MB in /tmp, ${free} MB free"; exit 1; }
else
  data="$root/Benchmarks/.data/stream"; mkdir -p "$data"
fi
csv="$data/survey_${rows}.csv"
tmp=$(mktemp -d)
cleanup() { rm -rf "$tmp"; if [ $huge = 1 ] && [ $keep = 0 ]; then rm -rf "$data"; fi; }
trap cleanup EXIT
if [ ! -s "$csv" ]; then
  python3 - "$csv" "$rows" <<'EOF'
# Rows built as byte matrices (numpy, no per-row Python): the same draws in the same order and the
# same text as formatting each row, ≈ 1.5 s of CPU per 10^6 rows.
import sys, numpy as np
path, n = sys.argv[1], int(sys.argv[2])
g = np.random.default_rng(22)
def digits(x, width):
    # decimal digits of non-negative integers, right-aligned in `width` bytes; leading zeros are 0 bytes (dropped)
    p = 10 ** np.arange(width - 1, -1, -1, dtype=np.int64)
    d = ((x[:, None] // p) % 10 + 48).astype(np.uint8)
    d[(x[:, None] < p) & (np.arange(width) < width - 1)] = 0
    return d
def col(m, byte):
    return np.full((m, 1), byte, dtype=np.uint8)
with open(path + ".part", "wb") as f:
    f.write(("id,wt,grp,stratum,psu," + ",".join(f"q{j}" for j in range(1, 21)) + "\n").encode())
    step = 500_000
    iw = max(1, len(str(max(n - 1, 0))))
    for start in range(0, n, step):
        m = min(step, n - start)
        wt = g.integers(2000, 30000, m)
        grp = g.integers(1, 13, m)
        stratum = g.integers(1, 51, m)
        psu = stratum * 100 + g.integers(1, 21, m)
        common = g.standard_normal(m)
        q = np.empty((m, 20), dtype=np.int64)
        for j in range(20):
            z = 0.5 * common + g.standard_normal(m)
            c = np.clip(np.floor(z + 3), 1, 5).astype(np.int64)
            u = g.random(m)
            c[u < 0.06] = 8; c[u < 0.02] = 9
            q[:, j] = c
        ids = np.arange(start, start + m, dtype=np.int64)
        comma = col(m, 44)
        parts = [digits(ids, iw), comma, digits(wt // 10000, 1), col(m, 46),
                 ((wt % 10000)[:, None] // np.array([1000, 100, 10, 1]) % 10 + 48).astype(np.uint8), comma,
                 digits(grp, 2), comma, digits(stratum, 2), comma, digits(psu, 4), comma]
        qb = np.empty((m, 40), dtype=np.uint8)
        qb[:, 0::2] = (q + 48).astype(np.uint8); qb[:, 1::2] = 44; qb[:, 39] = 10
        parts.append(qb)
        buf = np.concatenate(parts, axis=1).ravel()
        f.write(buf[buf != 0].tobytes())
import os; os.replace(path + ".part", path)
EOF
fi
mb=$(python3 -c "import os,sys; print(os.path.getsize(sys.argv[1]) / 1e6)" "$csv")
ref="$csv"; refmb=$mb                                  # the in-memory path's file
if [ $huge = 1 ]; then
  ref="$data/prefix.csv"; head -n $(( ${HUGE_REF_ROWS:-10000000} + 1 )) "$csv" > "$ref"
  refmb=$(python3 -c "import os,sys; print(os.path.getsize(sys.argv[1]) / 1e6)" "$ref")
fi
cur_mb=$mb
# Shards: row ranges cut at line starts, each with the header (awk: streams, constant memory).
if [ "$shards" -gt 0 ]; then
  per=$(( (rows + shards - 1) / shards ))
  awk -v per="$per" -v dir="$tmp" 'NR == 1 { head = $0; next }
    { s = int((NR - 2) / per); f = dir "/shard" s ".csv"; if (!(s in seen)) { seen[s] = 1; print head > f } print > f }' "$csv"
fi
measure() {  # label, then the command; prints wall seconds, MB/s, peak RSS; wall in $tmp/last, RSS (KiB) in $tmp/rss
  local label="$1"; shift
  /usr/bin/time -v "$@" > "$tmp/out" 2> "$tmp/time" || { cat "$tmp/time"; exit 1; }
  local wall rss
  wall=$(grep "Elapsed (wall clock)" "$tmp/time" | awk -F': ' '{print $2}' | awk -F: '{ if (NF == 3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(grep "Maximum resident set size" "$tmp/time" | awk -F': ' '{print $2}')
  printf "%-52s %8.2f s %8.1f MB/s %7.0f MB\n" "$label" "$wall" "$(python3 -c "print($cur_mb / max($wall, 1e-9))")" "$(python3 -c "print($rss / 1024)")"
  echo "$wall" > "$tmp/last"; echo "$rss" > "$tmp/rss"
}
compare() {  # single.json merged.json label: results equal at 1e-10 (designEffect excepted)
  python3 - "$@" <<'EOF'
import json, sys
def same(a, b):
    if isinstance(a, dict): return a.keys() == b.keys() and all(k == "designEffect" or same(a[k], b[k]) for k in a)
    if isinstance(a, list): return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        return a == b or abs(a - b) <= 1e-10 * max(abs(a), abs(b))
    return a == b
a, b = (json.load(open(p)) for p in sys.argv[1:3])
print(f"  {sys.argv[3]}: results equal {same(a, b)}")
EOF
}
echo "rows $rows, $(printf %.1f "$mb") MB of CSV, $shards shards; binary $bin; $(uptime | sed 's/.*load/load/'); $(nproc) cores"
q20="$(echo q{1..20})"
tasks=(
  "crosstab + Rao-Scott (strata, PSU)|crosstab --rows q1 --cols grp --weight wt --strata stratum --psu psu --stats raoscott"
  "corr 20x20 Pearson|corr $q20 --weight wt"
  "shares of q1 in 1,2 by grp, CIs|share --of q1_in_1,2 --by grp --weight wt"
)
tasks=("freq q1 ... q20 (one command)|freq $q20 --weight wt" "${tasks[@]}")
declare -A inmem_total stream_total passes
for t in "${tasks[@]}"; do
  label="${t%%|*}"; args=(${t#*|})
  [[ "$label" =~ ${STREAM_TASKS:-.} ]] || continue       # STREAM_TASKS=regex: a subset of the tasks
  args=("${args[@]//q1_in_1,2/q1 in 1,2}")          # the one argument with a space
  cmd="${args[0]}"; rest=("${args[@]:1}")
  group="$label"
  one=""
  where=""; [ $huge = 1 ] && where=" (first $(( $(wc -l < "$ref") - 1 )) rows)"
  cur_mb=$refmb
  measure "$label: in memory$where" "$bin" "$cmd" "$ref" "${rest[@]}" --format json; cp "$tmp/out" "$tmp/single.json"
  cur_mb=$mb
  one=$(cat "$tmp/last")
  inmem_total[$group]=$(python3 -c "print(${inmem_total[$group]:-0} + $one)")
  measure "$label: streamed partial" "$bin" partial "$cmd" "$csv" "${rest[@]}" --state-out "$tmp/all.state"
  stream=$(cat "$tmp/last"); srss=$(cat "$tmp/rss")
  stream_total[$group]=$(python3 -c "print(${stream_total[$group]:-0} + $stream)")
  passes[$group]=$(( ${passes[$group]:-0} + 1 ))
  [ "$srss" -le 1048576 ] || echo "  $label: peak RSS $((srss / 1024)) MB exceeds 1 GiB"
  "$bin" merge "$tmp/all.state" --format json > "$tmp/merged.json"
  [ $huge = 0 ] && compare "$tmp/single.json" "$tmp/merged.json" "$label streamed"
  if [ "$shards" -gt 0 ]; then
    start=$(date +%s.%N)
    for s in $(seq 0 $((shards - 1))); do
      "$bin" partial "$cmd" "$tmp/shard$s.csv" "${rest[@]}" --state-out "$tmp/s$s.state"
    done
    "$bin" merge "$tmp"/s*.state --format json > "$tmp/sharded.json"
    end=$(date +%s.%N)
    python3 -c "print(f'  {\"$label\"}: {$shards} shards + merge {$end - $start:.2f} s = {($end - $start) / $stream:.2f} x one streamed pass (goal <= 1.2)')"
    [ $huge = 0 ] && compare "$tmp/single.json" "$tmp/sharded.json" "$label sharded"
  fi
done
echo "summary (MB/s of CSV per pass; streamed/in-memory throughput, goal >= 0.8):"
for g in "${!stream_total[@]}"; do
  s=${stream_total[$g]}; i=${inmem_total[$g]:-}
  python3 -c "
s, p, mb, refmb = $s, ${passes[$g]}, $mb, $refmb
i = float('${i:-0}' or 0)
line = f'  {\"$g\":40s} streamed {p * mb / s:8.1f} MB/s'
if i > 0: line += f', in memory {p * refmb / i:8.1f} MB/s, ratio {(p * mb / s) / (p * refmb / i):.2f}'
print(line)"
done
echo "$(uptime | sed 's/.*load/load/') at the end"
