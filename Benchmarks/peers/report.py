"""Summarise results.jsonl from run.sh: medians per task and tool, the ratio
peer / Barometer, and the BLAS each side reported. Markdown on stdout."""
import json, platform, statistics, sys, datetime, os
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
times, blas, errors = {}, {}, {}
for r in rows:
    key = (r["task"], r["tool"])
    if "times" in r:
        times.setdefault(key, []).extend(r["times"])
        blas.setdefault(r["tool"], r.get("blas", ""))
    else:
        errors[key] = r.get("error", "?")
tasks = list(dict.fromkeys(r["task"] for r in rows))
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), platform.processor())
print(f"Machine: {cpu}, {os.cpu_count()} cores; {datetime.date.today()}; medians over rounds (seconds).\n")
print("| task | Barometer | peer | peer median | ratio peer/Barometer |")
print("|---|---:|---|---:|---:|")
for t in tasks:
    b = times.get((t, "barometer"))
    bm = statistics.median(b) if b else None
    peers = sorted({tool for (task, tool) in list(times) + list(errors) if task == t and tool != "barometer"})
    for p in peers:
        pm = statistics.median(times[(t, p)]) if (t, p) in times else None
        ratio = f"{pm / bm:.2f}×" if pm and bm else errors.get((t, p), "n/a")
        print(f"| {t} | {bm:.4f} |" if bm else f"| {t} | {errors.get((t, 'barometer'), 'n/a')} |",
              f"{p} | {pm:.4f} |" if pm else f"{p} | {errors.get((t, p), 'n/a')} |", ratio, "|")
print("\nBLAS per side:")
for tool, b in blas.items():
    print(f"- {tool}: {b}")
