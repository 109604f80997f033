#!/usr/bin/env bash
# Issue 18's speed goal: raking 10^6 respondents to 6 margins (40 categories) to 1e-7 on shares,
# Barometer (SurveyDesign.weighted(to:): checks, IPF, report, calibrated design) against weightipy
# and svy on the same data and target file, interleaved round by round (each round starts with
# the next tool), R survey's rake and calibrate(calfun = "raking") once with --with-r (minutes
# each). Every tool runs single-threaded (OMP/POLARS/RAYON/OPENBLAS threads 1); each process times
# REPEATS calls after loading the data (wall and process CPU time per call) and reports the
# achieved max |share - target share|; /usr/bin/time gives its peak RSS. Prints medians, ratios
# peer / Barometer and the load average of each round.
#   bash Benchmarks/peers/run_rake.sh [--rounds 5] [--repeats 5] [--with-r] [--n 1000000]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rounds=5; repeats=5; with_r=0; n=1000000
while [ $# -gt 0 ]; do case "$1" in
  --rounds) rounds="$2"; shift 2;; --repeats) repeats="$2"; shift 2;; --with-r) with_r=1; shift;;
  --n) n="$2"; shift 2;; *) echo "unknown option $1"; exit 2;; esac; done
scale=full; [ "$n" = 1000000 ] || [ "$n" = 100000 ] || { echo "--n is 1000000 or 100000"; exit 2; }
data="$root/Benchmarks/.data/$scale"
task="rake_$n"
python3 "$here/gen_data.py" "$data" --scale "$scale" --only "$task" >/dev/null
(cd "$root/Benchmarks" && swift build -c release --product PeerRunner >/dev/null)
runner="$root/Benchmarks/.build/release/PeerRunner"
export OMP_NUM_THREADS=1 POLARS_MAX_THREADS=1 RAYON_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
out="$data/rake_results.jsonl"; : > "$out"
run() {   # tool round
  local rss; rss="$(mktemp)"
  local load; load="$(cut -d' ' -f1 /proc/loadavg)"
  local line
  case "$1" in
    barometer) line="$(/usr/bin/time -f %M -o "$rss" "$runner" "$task" "$data" "$repeats")" || line="";;
    weightipy|svy) line="$(/usr/bin/time -f %M -o "$rss" python3 "$here/peers.py" "$task" "$1" "$data" "$repeats" 2>/dev/null)" || line="";;
    r:*) line="$(/usr/bin/time -f %M -o "$rss" Rscript "$here/peers.R" "$task" "${1#r:}" "$data" 1 2>/dev/null)" || line="";;
  esac
  [ -n "$line" ] || line="{\"task\": \"$task\", \"tool\": \"$1\", \"error\": \"failed\"}"
  python3 -c 'import json,sys; r=json.loads(sys.argv[1]); r["tool"]=sys.argv[2]; r["round"]=int(sys.argv[3]); r["load"]=float(sys.argv[4]); r["peakRSSKiB"]=int(open(sys.argv[5]).read().split()[-1]); print(json.dumps(r))' \
    "$line" "$1" "$2" "$load" "$rss" >> "$out"
  rm -f "$rss"
}
tools=(barometer weightipy svy)
for round in $(seq 1 "$rounds"); do
  k=$(( (round - 1) % ${#tools[@]} ))
  for tool in "${tools[@]:k}" "${tools[@]:0:k}"; do run "$tool" "$round"; done
  if [ "$with_r" = 1 ] && [ "$round" = 1 ]; then run r:rake 1; run r:calibrate 1; fi
done
python3 - "$out" <<'EOF'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {}
for r in rows:
    by.setdefault(r["tool"], []).append(r)
def med(tool, key):
    xs = [x for r in by.get(tool, []) for x in r.get(key, [])]
    return statistics.median(xs) if xs else None
bw, bc = med("barometer", "times"), med("barometer", "cpu")
loads = sorted({r["load"] for r in rows})
print(f"rake, {rows[0]['task']}: 6 margins / 40 categories to 1e-7 on shares; one thread per tool; "
      f"medians over every call of every round; load average (1 min) during the run {loads[0]:.2f}-{loads[-1]:.2f}\n")
print("| tool | calls | wall s (median) | ratio | CPU s (median) | CPU ratio | peak RSS MB | achieved max deviation |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for tool in ["barometer", "weightipy", "svy", "r:rake", "r:calibrate"]:
    rs = [r for r in by.get(tool, []) if "times" in r]
    if not rs:
        if tool in by: print(f"| {tool} | failed | | | | | | |")
        continue
    w, c = med(tool, "times"), med(tool, "cpu")
    calls = sum(len(r["times"]) for r in rs)
    rss = max(r["peakRSSKiB"] for r in rs) / 1024
    dev = max(r.get("maxDeviation", float("nan")) for r in rs)
    ratio = f"{w / bw:.1f}×" if bw else ""
    cratio = f"{c / bc:.1f}×" if bc and c else ""
    print(f"| {tool} | {calls} | {w:.4f} | {ratio} | {c:.4f} | {cratio} | {rss:.0f} | {dev:.2g} |")
print("\nPer round (median wall / CPU s per call, load average at the start of the process):")
for r in rows:
    if "times" in r:
        print(f"  round {r['round']} {r['tool']:12s} wall {statistics.median(r['times']):.4f}  cpu {statistics.median(r['cpu']):.4f}  load {r['load']:.2f}")
    else:
        print(f"  round {r['round']} {r['tool']:12s} {r.get('error')}")
EOF
