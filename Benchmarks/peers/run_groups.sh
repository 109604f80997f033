#!/usr/bin/env bash
# Grouped means with SEs (N respondents x K groups) and all pairwise differences of 12 groups,
# Barometer against R survey (svyby + svycontrast), Python svy and samplics, in the same run,
# tools alternating round by round (as run.sh). Prints the median time per tool and the ratio
# peer / Barometer, and Barometer's peak RSS (memory O(n + groups)).
#   bash Benchmarks/peers/run_groups.sh [--n 1000000] [--groups 1000] [--rounds 3]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"; root="$(cd "$here/../.." && pwd)"
n=1000000; k=1000; rounds=3
while [ $# -gt 0 ]; do case "$1" in --n) n="$2"; shift 2;; --groups) k="$2"; shift 2;; --rounds) rounds="$2"; shift 2;;
  *) echo "unknown option $1"; exit 2;; esac; done
data="$root/Benchmarks/.data/groups"
python3 "$here/groups_peers.py" gen "$data" "$n" "$k"
python3 "$here/groups_peers.py" gen "$data" "$n" 12
(cd "$root/Benchmarks" && swift build -c release --product PeerRunner >/dev/null)
runner="$root/Benchmarks/.build/release/PeerRunner"
out="$data/results.jsonl"; : > "$out"
for round in $(seq 1 "$rounds"); do
  for t in "groupmeans_${n}_${k}" "groupdiffs_${n}_12"; do
    order=(barometer r:survey py:svy py:samplics); s=$(( (round - 1) % 4 ))
    for tool in "${order[@]:s}" "${order[@]:0:s}"; do
      case "$tool" in
        barometer) /usr/bin/time -f '{"task": "'"$t"'", "tool": "barometer-rss", "kib": %M}' -a -o "$out" "$runner" "$t" "$data" 1 >> "$out" || true;;
        r:*) Rscript "$here/groups_peers.R" "$t" "$data" 1 2>/dev/null >> "$out" || echo "{\"task\": \"$t\", \"tool\": \"survey\", \"error\": \"failed\"}" >> "$out";;
        py:*) python3 "$here/groups_peers.py" "$t" "${tool#py:}" "$data" 1 2>/dev/null >> "$out" || echo "{\"task\": \"$t\", \"tool\": \"${tool#py:}\", \"error\": \"failed\"}" >> "$out";;
      esac
    done
  done
done
python3 - "$out" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
tasks = sorted({r["task"] for r in rows})
for t in tasks:
    med = {}
    for r in rows:
        if r["task"] == t and "times" in r: med.setdefault(r["tool"], []).extend(r["times"])
    med = {k: statistics.median(v) for k, v in med.items()}
    rss = [r["kib"] for r in rows if r["task"] == t and r["tool"] == "barometer-rss"]
    base = med.get("barometer")
    print(f"{t}: barometer {base:.4f} s" + (f", peak RSS {max(rss)/1024:.0f} MiB (whole process incl. data)" if rss else ""))
    for k, v in sorted(med.items()):
        if k != "barometer": print(f"  {k:10s} {v:9.3f} s   {v / base:8.1f}x" if base else f"  {k} {v:.3f} s")
    for r in rows:
        if r["task"] == t and "error" in r: print(f"  {r['tool']:10s} {r['error']}")
PY
