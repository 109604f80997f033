#!/usr/bin/env bash
# ACS-scale replicate-weight benchmark of issue 22 (generated data, not in CI):
#   bash Benchmarks/peers/acs_replicate_bench.sh [ROWS] [--tools "barometer stream r svy"]
#   bash Benchmarks/peers/acs_replicate_bench.sh ROWS --generate FILE   (only write the CSV to FILE and keep it,
#        e.g. for Benchmarks/peers/acs_exact_check.py, the exact SEs of the file)
# ROWS (default 10^7, the issue's scale) respondents x (weight, 10 variables y1..y10, 80 successive-
# difference replicate weights rw1..rw80, as ACS PUMS) are generated into /tmp (about 650 bytes a
# row: 6.5 GB at 10^7, 647 MB measured at 10^6; the free space is checked first) and deleted at the end. Each tool computes
# the 10 weighted means with their SDR standard errors (R: svrepdesign(type = "successive-difference"),
# R's default mse = FALSE as Barometer; svy: SdrWgts), timed as whole processes with /usr/bin/time -v (wall, CPU, peak RSS):
#   barometer  in memory: barometer mean y1..y10 --weight wt --repweights '^rw[0-9]+$' --repmethod sdr
#   stream     barometer partial mean … --state-out + merge (needs replicate partial states,
#              the other issue-22 branch; until then the refusal is printed as n/a)
#   r          data.table::fread + survey (loads everything: expect failure or swapping near 10^7)
#   svy        polars.read_csv + svy 0.35 (loads everything)
# Answers are compared with Barometer's in-memory answer (largest relative difference). Tools that
# fail (memory) are reported with their exit status and peak RSS; the load average is printed.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rows="${1:-10000000}"; tools="barometer stream r svy"
[ "${2:-}" = "--tools" ] && tools="$3"
generate=""; [ "${2:-}" = "--generate" ] && generate="$3"
bin="${BAROMETER:-$root/.build/release/barometer}"
[ -x "$bin" ] || (cd "$root" && swift build -c release --product barometer >/dev/null)
need=$(( rows * 660 / 1000000 + 1024 ))
free=$(df -Pm /tmp | awk 'NR == 2 {print $4}')
[ "$free" -gt "$need" ] || { echo "need ${need} MB in /tmp, ${free} MB free"; exit 1; }
dir=$(mktemp -d /tmp/barometer-acs-XXXXXX); trap 'rm -rf "$dir"' EXIT
csv="$dir/acs_sdr.csv"; [ -n "$generate" ] && csv="$generate"
python3 - "$csv" "$rows" <<'EOF'
import sys, numpy as np
path, n = sys.argv[1], int(sys.argv[2])
g = np.random.default_rng(80)
R, B = 80, 200_000
# successive-difference factors 1 + (h_r(i) - h_r(i+1)) / (2 sqrt 2), h = +-1 per (replicate, row);
# h of the first row of the next block carries over so the whole file is one sequence
h_next = g.choice([-1.0, 1.0], size=R)
with open(path, "w") as f:
    f.write("wt," + ",".join(f"y{j}" for j in range(1, 11)) + "," + ",".join(f"rw{r}" for r in range(1, R + 1)) + "\n")
    for start in range(0, n, B):
        m = min(B, n - start)
        w = np.round(g.uniform(0.5, 2.5, m), 4)
        y = [np.round(10 * (j + 1) + (j + 1) * g.standard_normal(m), 4) for j in range(10)]
        h = np.empty((R, m + 1)); h[:, 0] = h_next; h[:, 1:] = g.choice([-1.0, 1.0], size=(R, m)); h_next = h[:, -1]
        rw = np.round(w * (1 + 0.5 * (h[:, :-1] - h[:, 1:]) / np.sqrt(2)), 4)
        block = np.column_stack([w] + y + [rw[r] for r in range(R)])
        f.write("\n".join(",".join(f"{v:.4f}" for v in r) for r in block.tolist()) + "\n")
EOF
[ -n "$generate" ] && { echo "wrote $csv"; exit 0; }
mb=$(python3 -c "import os,sys; print(os.path.getsize(sys.argv[1]) / 1e6)" "$csv")
echo "rows $rows, $(printf %.0f "$mb") MB of CSV; $(uptime | sed 's/.*load/load/'); $(nproc) cores; binary $bin"
Y="y1 y2 y3 y4 y5 y6 y7 y8 y9 y10"
run() {  # label, command…: wall, CPU, peak RSS, exit status; stdout in $dir/<label>.out
  local label="$1"; shift
  /usr/bin/time -v "$@" > "$dir/$label.out" 2> "$dir/$label.time"; local status=$?
  local wall cpu rss
  wall=$(grep "Elapsed (wall clock)" "$dir/$label.time" | awk -F': ' '{print $2}' | awk -F: '{ if (NF == 3) print $1*3600+$2*60+$3; else print $1*60+$2 }')
  cpu=$(awk -F': ' '/User time/ {u=$2} /System time/ {s=$2} END {print u + s}' "$dir/$label.time")
  rss=$(grep "Maximum resident set size" "$dir/$label.time" | awk -F': ' '{print $2}')
  printf "%-12s wall %8.1f s  CPU %8.1f s  peak RSS %7.0f MB  exit %d\n" "$label" "$wall" "$cpu" "$(python3 -c "print($rss / 1024)")" "$status"
  [ $status = 0 ] || grep -v "^\s" "$dir/$label.time" | head -3
}
for tool in $tools; do
  case $tool in
    barometer) run barometer "$bin" mean "$csv" $Y --weight wt --repweights '^rw[0-9]+$' --repmethod sdr --format json ;;
    stream)
      run stream "$bin" partial mean "$csv" $Y --weight wt --repweights '^rw[0-9]+$' --repmethod sdr --state-out "$dir/s.state" \
        && "$bin" merge "$dir/s.state" --format json > "$dir/stream.out" ;;
    r) run r Rscript -e '
        suppressMessages({library(data.table); library(survey)})
        a <- commandArgs(TRUE); d <- fread(a[1], nThread = 2)
        des <- svrepdesign(data = d, weights = ~wt, repweights = "rw[0-9]+", type = "successive-difference")
        m <- svymean(as.formula(paste("~", paste0("y", 1:10, collapse = " + "))), des)
        cat(sprintf("{\"values\": [%s]}\n", paste(sprintf("%.17g", as.vector(rbind(coef(m), SE(m)))), collapse = ", ")))' "$csv" ;;
    svy) run svy python3 -c '
import sys, json, polars as pl, svy
df = pl.read_csv(sys.argv[1])
s = svy.Sample(df, svy.Design(wgt="wt", rep_wgts=svy.SdrWgts(prefix="rw", n_reps=80)))
ests = s.estimation.mean([f"y{j}" for j in range(1, 11)], method="replication")
ests = ests if isinstance(ests, list) else [ests]
out = []
for e in ests:
    t = e.to_polars(); out += [t["est"][0], t["se"][0]]
print(json.dumps({"values": out}))' "$csv" ;;
  esac
done
python3 - "$dir" <<'EOF'
import json, os, sys
d = sys.argv[1]
def values(name):
    try: j = json.load(open(os.path.join(d, name + ".out")))
    except Exception: return None
    if "values" in j: return j["values"]
    est = j.get("estimates", j)
    out = []
    for e in est:
        out += [e["estimate"], e["standardError"]]
    return out
base = values("barometer")
for tool in ["stream", "r", "svy"]:
    v = values(tool)
    if base is None or v is None or len(v) != len(base): print(f"{tool:12s} Δ n/a"); continue
    print(f"{tool:12s} Δ (largest relative difference of means and SEs from Barometer) {max(abs(a - b) / max(abs(b), 1e-300) for a, b in zip(v, base)):.2e}")
EOF
echo "$(uptime | sed 's/.*load/load/') at the end"
