#!/usr/bin/env bash
# Peer comparison: Barometer and the tools analysts use, on the same data, in
# the same run, alternating tools round by round. Prints medians, the ratio
# peer / Barometer per task, and the BLAS each side loaded.
#   bash Benchmarks/peers/run.sh [--scale full|small] [--rounds 3] [--tasks "pearson_1000000_200 ..."]
#                                [--tools "barometer py:dsyrk"]   (only these tools)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
scale=full; rounds=3; tasks=""; only=""
while [ $# -gt 0 ]; do case "$1" in
  --scale) scale="$2"; shift 2;; --rounds) rounds="$2"; shift 2;; --tasks) tasks="$2"; shift 2;;
  --tools) only="$2"; shift 2;;
  *) echo "unknown option $1"; exit 2;; esac; done
data="$root/Benchmarks/.data/$scale"
if [ "$scale" = full ]; then big=1000000; mid=100000; else big=20000; mid=5000; fi
python3 -m pip install -q numpy scipy pandas polars duckdb pingouin samplics threadpoolctl pyarrow >/dev/null 2>&1 || true
python3 "$here/gen_data.py" "$data" --scale "$scale" ${tasks:+--only "$tasks"} >/dev/null
(cd "$root/Benchmarks" && swift build -c release --product PeerRunner >/dev/null)
runner="$root/Benchmarks/.build/release/PeerRunner"
[ -n "$tasks" ] || tasks="pearson_${mid}_50 pearson_${mid}_200 pearson_${big}_50 pearson_${big}_200 dsyrk_${big}_200 chunkfloor_${big}_200 \
pairwise_${big}_50 spearman_${mid}_50 pcorrmatrix_${mid}_200 pcorrpairs_${mid} table_${big} alltables_${mid} alltables_${big} \
shares_${mid} csv_ingest reps_${big} rake_${big} banner_${big}_100 banner_${mid}_10"
peers_for() {
  case "$1" in
    pearson_*) echo "py:numpy py:pandas py:polars py:dsyrk r:cor";;
    dsyrk_*) echo "py:dsyrk";;
    chunkfloor_*) echo "";;
    pairwise_*) echo "py:pandas r:cor";;
    spearman_*) echo "py:scipy py:pandas r:cor";;
    pcorrmatrix_*) echo "py:pingouin r:psych";;
    pcorrpairs_*) echo "py:pingouin r:psych";;
    table_*) echo "py:pandas py:numpy r:xtabs";;
    alltables_*) echo "py:numpy py:duckdb py:pandas";;
    shares_*) echo "py:samplics r:survey";;
    csv_*) echo "py:polars py:pandas py:duckdb r:datatable";;
    reps_*) echo "r:survey";;
    rake_*) echo "py:weightipy py:svy r:rake r:calibrate";;
    banner_${big}_*) echo "py:pandas";;
    banner_*) echo "py:pandas r:survey";;
  esac
}
out="$data/results.jsonl"; : > "$out"
for round in $(seq 1 "$rounds"); do
  for t in $tasks; do
    # Slow peers (pingouin's loop, pandas' 1,225 group-bys, R rake and calibrate) run in the first round only.
    # The tools take turns going first: round r starts with tool r (mod count),
    # so no tool always runs right after another task's memory churn.
    order=()
    for tool in barometer $(peers_for "$t"); do
      case " ${only:-$tool} " in *" $tool "*) order+=("$tool");; esac
    done
    [ ${#order[@]} -gt 0 ] || continue
    k=$(( (round - 1) % ${#order[@]} ))
    for tool in "${order[@]:k}" "${order[@]:0:k}"; do
      # File inputs are read from a warm page cache by every tool alike (the
      # previous tasks' data can push the CSV out; whoever read it first paid the disk).
      case "$t" in csv_*) cat "$data/ingest.csv" > /dev/null;; esac
      if [ "$round" -gt 1 ] && { [ "$tool $t" = "py:pingouin pcorrpairs_${mid}" ] || [[ "$tool $t" == "py:pandas alltables_"* ]] \
          || [[ "$tool $t" == "r:rake rake_"* ]] || [[ "$tool $t" == "r:calibrate rake_"* ]]; }; then continue; fi
      case "$tool" in
        barometer) "$runner" "$t" "$data" 1 >> "$out" || true;;
        py:*) python3 "$here/peers.py" "$t" "${tool#py:}" "$data" 1 2>/dev/null >> "$out" || echo "{\"task\": \"$t\", \"tool\": \"${tool#py:}\", \"error\": \"failed\"}" >> "$out";;
        r:*) Rscript "$here/peers.R" "$t" "${tool#r:}" "$data" 1 2>/dev/null >> "$out" || echo "{\"task\": \"$t\", \"tool\": \"${tool#r:}\", \"error\": \"failed\"}" >> "$out";;
      esac
    done
  done
done
python3 "$here/report.py" "$out"
