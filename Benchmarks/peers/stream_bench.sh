#!/usr/bin/env bash
# Streaming and sharding benchmark of issue 22 (generated data, not in CI):
#   bash Benchmarks/peers/stream_bench.sh [ROWS] [SHARDS]
# Generates ROWS respondents x 20 coded questions (1-5, 8 = DK, 9 = Refused) + a weight + a
# 12-category group + 50 strata x 20 PSUs (CSV, written once under Benchmarks/.data/stream), then
# for each task runs the in-memory command and the streamed `partial` + `merge`, and SHARDS
# `partial` processes on row ranges one after another + one `merge`, printing wall seconds, MB/s
# of CSV and peak RSS (/usr/bin/time -v). Both outputs are compared (JSON) so a speed number never
# hides a wrong result. The issue's full scale is ROWS = 100000000 (5 GB of CSV); the shared
# 2-core development machine is limited to 10^6.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rows="${1:-1000000}"; shards="${2:-8}"
data="$root/Benchmarks/.data/stream"; mkdir -p "$data"
csv="$data/survey_${rows}.csv"
bin="${BAROMETER:-$root/.build/release/barometer}"
[ -x "$bin" ] || (cd "$root" && swift build -c release --product barometer >/dev/null)
if [ ! -s "$csv" ]; then
  python3 - "$csv" "$rows" <<'EOF'
import sys, numpy as np
path, n = sys.argv[1], int(sys.argv[2])
g = np.random.default_rng(22)
with open(path, "w") as f:
    f.write("id,wt,grp,stratum,psu," + ",".join(f"q{j}" for j in range(1, 21)) + "\n")
    step = 200_000
    for start in range(0, n, step):
        m = min(step, n - start)
        wt = np.round(g.uniform(0.2, 3.0, m), 4)
        grp = g.integers(1, 13, m)
        stratum = g.integers(1, 51, m)
        psu = stratum * 100 + g.integers(1, 21, m)
        q = g.choice([1, 2, 3, 4, 5, 8, 9], size=(m, 20), p=[.2, .25, .2, .15, .1, .06, .04])
        cols = [np.arange(start, start + m), wt, grp, stratum, psu] + [q[:, j] for j in range(20)]
        rowsout = np.column_stack(cols)
        f.write("\n".join(",".join(str(int(x)) if i != 1 else f"{x:.4f}" for i, x in enumerate(r)) for r in rowsout.tolist()) + "\n")
EOF
fi
mb=$(python3 -c "import os,sys; print(os.path.getsize(sys.argv[1]) / 1e6)" "$csv")
head_line=$(head -1 "$csv")
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
# Shards: row ranges cut at line starts, each with the header.
python3 - "$csv" "$shards" "$tmp" <<'EOF'
import sys
path, k, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(path, "rb") as f:
    head = f.readline(); body = f.read()
lines = body.count(b"\n"); per = (lines + k - 1) // k; pos = 0
for s in range(k):
    end = pos
    for _ in range(per):
        nxt = body.find(b"\n", end)
        if nxt < 0: end = len(body); break
        end = nxt + 1
    with open(f"{out}/shard{s}.csv", "wb") as g: g.write(head + body[pos:end])
    pos = end
EOF
measure() {  # label, then the command; prints seconds and peak RSS (MB)
  local label="$1"; shift
  /usr/bin/time -v "$@" > "$tmp/out" 2> "$tmp/time" || { cat "$tmp/time"; exit 1; }
  local wall rss
  wall=$(grep "Elapsed (wall clock)" "$tmp/time" | awk -F': ' '{print $2}' | awk -F: '{ if (NF == 3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  rss=$(grep "Maximum resident set size" "$tmp/time" | awk -F': ' '{print $2}')
  printf "%-44s %7.2f s %8.1f MB/s %7.0f MB\n" "$label" "$wall" "$(python3 -c "print($mb / max($wall, 1e-9))")" "$(python3 -c "print($rss / 1024)")"
  echo "$wall" > "$tmp/last"
}
echo "rows $rows, $(printf %.1f "$mb") MB of CSV, $shards shards; binary $bin"
tasks=(
  "freq|freq q1 --weight wt"
  "crosstab|crosstab --rows q1 --cols grp --weight wt"
  "mean (strata, PSU)|mean q1 q2 q3 --weight wt --strata stratum --psu psu --nest"
  "corr 20x20|corr $(echo q{1..20}) --weight wt"
)
for t in "${tasks[@]}"; do
  label="${t%%|*}"; args=(${t#*|})
  cmd="${args[0]}"; rest=("${args[@]:1}")
  measure "$label: in memory" "$bin" "$cmd" "$csv" "${rest[@]}" --format json; cp "$tmp/out" "$tmp/single.json"; one=$(cat "$tmp/last")
  measure "$label: streamed partial" "$bin" partial "$cmd" "$csv" "${rest[@]}" --state-out "$tmp/all.state"; stream=$(cat "$tmp/last")
  measure "$label: merge of 1" "$bin" merge "$tmp/all.state" --format json; cp "$tmp/out" "$tmp/merged.json"
  start=$(date +%s.%N)
  for s in $(seq 0 $((shards - 1))); do
    "$bin" partial "$cmd" "$tmp/shard$s.csv" "${rest[@]}" --state-out "$tmp/s$s.state"
  done
  "$bin" merge "$tmp"/s*.state --format json > "$tmp/sharded.json"
  end=$(date +%s.%N)
  python3 - "$tmp/single.json" "$tmp/merged.json" "$tmp/sharded.json" "$label" "$stream" "$start" "$end" <<'EOF'
import json, sys, math
def same(a, b):
    # designEffect (without replacement): (N - n)/N with weights summing to about n is ill-conditioned
    if isinstance(a, dict): return a.keys() == b.keys() and all(k == "designEffect" or same(a[k], b[k]) for k in a)
    if isinstance(a, list): return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) or isinstance(b, float):
        return a == b or abs(a - b) <= 1e-10 * max(abs(a), abs(b))
    return a == b
single, merged, sharded = (json.load(open(p)) for p in sys.argv[1:4])
label, stream, t0, t1 = sys.argv[4], float(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7])
print(f"{label + ': shards + merge':44s} {t1 - t0:7.2f} s  = {(t1 - t0) / stream:.2f} x one streamed pass;"
      f" results equal: streamed {same(merged, single)}, sharded {same(sharded, single)}")
EOF
done
