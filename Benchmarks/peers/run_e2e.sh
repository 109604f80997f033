#!/usr/bin/env bash
# End-to-end peer run (issue 21): every tool is one whole process reading the same warm CSV and
# printing the answer (file -> answer), timed from outside with /usr/bin/time -v (wall clock and
# peak RSS). Tools take turns going first round by round as in run.sh; report.py prints medians,
# ratios peer / Barometer, peak RSS and the largest relative difference of each peer's answer
# from Barometer's.
#   bash Benchmarks/peers/run_e2e.sh [--scale full|mid|small] [--rounds 3] [--tasks "pearson shares ... glm"]
#                                    [--tools "barometer barometer-plain py:svy"]   (only these tools)
# (glm, issue 20: logistic regression with 20 predictors under the strata/PSU design; not in the
# default task list, run it with --tasks glm)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
scale=full; rounds=3; tasks="pearson shares strata sdr crosstab"; only=""
while [ $# -gt 0 ]; do case "$1" in
  --scale) scale="$2"; shift 2;; --rounds) rounds="$2"; shift 2;; --tasks) tasks="$2"; shift 2;;
  --tools) only="$2"; shift 2;;
  *) echo "unknown option $1"; exit 2;; esac; done
data="$root/Benchmarks/.data/e2e_$scale"
python3 "$here/gen_e2e.py" "$data" --scale "$scale" --tasks "$tasks" >/dev/null
# BAROMETER_BIN=path: time that binary as it is (no build)
bar="${BAROMETER_BIN:-$root/.build/release/barometer}"
[ -n "${BAROMETER_BIN:-}" ] || (cd "$root" && swift build -c release --product barometer >/dev/null)
Y5="y1 y2 y3 y4 y5"; X50=$(echo x{1..50})
# The command each tool runs for a task ("" = not applicable; e2e.py/e2e.R say why).
cmd_for() {
  local task="$1" tool="$2" f="$data/e2e_$1.csv"
  case "$tool" in
    barometer) case "$task" in
      pearson) echo "$bar corr $f $X50 --format json";;
      shares) echo "$bar share $f --of 'yes in 1' --by region --weight wt --format json";;
      strata) echo "$bar mean $f $Y5 --weight wt --strata st --psu psu --nest --format json";;
      sdr) echo "$bar mean $f $Y5 --weight wt --repweights '^rw[0-9]+\$' --repmethod sdr --format json";;
      crosstab) echo "$bar crosstab $f --rows a --cols b --weight wt --strata st --psu psu --nest --stats raoscott --format json";;
      glm) echo "$bar glm $f 'y ~ $(echo x{1..20} | tr ' ' '+')' --family binomial --weight wt --strata st --psu psu --nest --format json";;
    esac;;
    # the plain weighted crosstab on the same file: the yardstick of the Rao-Scott target
    barometer-plain) [ "$task" = crosstab ] && echo "$bar crosstab $f --rows a --cols b --weight wt --format json";;
    r:datatable) echo "Rscript $here/e2e.R $task datatable $data";;
    py:*) echo "python3 $here/e2e.py $task ${tool#py:} $data";;
  esac
}
tools_for() {
  if [ -n "$only" ]; then
    local t; for t in $(all_tools_for "$1"); do case " $only " in *" $t "*) echo -n "$t ";; esac; done; echo
  else all_tools_for "$1"; fi
}
all_tools_for() {
  case "$1" in
    pearson) echo "barometer py:polars py:pandas r:datatable py:svy py:samplics";;
    crosstab) echo "barometer barometer-plain py:svy py:samplics r:datatable py:polars py:pandas";;
    glm) echo "barometer py:svy r:datatable py:statsmodels";;
    *) echo "barometer py:svy py:samplics r:datatable py:polars py:pandas";;
  esac
}
out="$data/e2e_results.jsonl"; : > "$out"; ans="$data/answers"; mkdir -p "$ans"
{ echo "{\"meta\": \"doctor\", \"scale\": \"$scale\", \"lines\": $("$bar" doctor 2>&1 | head -6 | python3 -c 'import json,sys; print(json.dumps(sys.stdin.read().splitlines()))')}"; } >> "$out"
for round in $(seq 1 "$rounds"); do
  for t in $tasks; do
    order=($(tools_for "$t")); k=$(( (round - 1) % ${#order[@]} ))
    for tool in "${order[@]:k}" "${order[@]:0:k}"; do
      c="$(cmd_for "$t" "$tool")"
      # a peer that cannot do the task said so (with the reason) in round 1; no need to ask again
      if [ "$round" -gt 1 ] && grep -q "\"task\": \"$t\", \"tool\": \"$tool\", \"round\": 1, \"error\": \"not applicable" "$out"; then continue; fi
      cat "$data/e2e_$t.csv" > /dev/null     # warm page cache for every tool alike
      # numpy/polars: a machine-wide OPENBLAS_CORETYPE slows their own OpenBLAS (NOTES.md); Barometer picks its kernel itself
      env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /usr/bin/time -v -o "$ans/time.txt" bash -c "$c" \
        > "$ans/$t.$tool.$round.out" 2> "$ans/$t.$tool.$round.err" || true
      python3 - "$t" "$tool" "$round" "$ans" >> "$out" <<'EOF'
import json, re, sys
t, tool, rnd, ans = sys.argv[1:]
tx = open(f"{ans}/time.txt").read()
m = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", tx)
wall = (int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + float(m.group(3))) if m else None
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", tx).group(1))
cpu = sum(float(re.search(rf"{k} time \(seconds\): ([\d.]+)", tx).group(1)) for k in ("User", "System"))
status = re.search(r"Exit status: (\d+)", tx)
out = open(f"{ans}/{t}.{tool}.{rnd}.out").read().strip()
rec = {"task": t, "tool": tool, "round": int(rnd)}
if status and status.group(1) != "0":
    rec["error"] = "failed: " + open(f"{ans}/{t}.{tool}.{rnd}.err").read().strip()[-300:]
elif out.startswith('{"error"'):
    rec["error"] = json.loads(out)["error"]
else:
    rec.update({"wall": wall, "cpu": cpu, "rss_kb": rss, "answer": f"{t}.{tool}.{rnd}.out"})
print(json.dumps(rec))
EOF
    done
  done
done
# beside the in-process ratios of run.sh's last run at this scale, when there is one
inproc="$root/Benchmarks/.data/$scale/results.jsonl"
if [ -s "$inproc" ]; then python3 "$here/report.py" "$inproc" --e2e "$out"; else python3 "$here/report.py" --e2e "$out"; fi
