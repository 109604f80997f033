#!/usr/bin/env python3
"""CPU milliseconds per phase of a `perf record -F 10000` profile of the barometer CLI (issue 21).

Usage: perf record -F 10000 -o run.data .build/release/barometer mean FILE ... > /dev/null
       python3 Benchmarks/peers/perf_phases.py run.data [more.data ...]
Phases are matched on symbol names (parse, record count, replicate sketch/products, design pass, ...);
the sampling frequency is assumed to be 10 kHz."""
import sys, subprocess, collections, re
def cat(sym, dso):
    s = sym
    rules = [('CSVParser','parse'),('countRecords','parse:count'),('memchr','parse:count'),('CSVPieces','parse'),('DecimalParser','parse'),
             ('ReplicateWeights','replicates:sketch+check'),('ReplicateProductWork','replicates:products'),('dot','replicates:products'),
             ('DesignTotalsAccumulator','design:accumulate'),('accumulateInChunks','design:accumulate'),('DesignTotalsChunk','design:accumulate'),
             ('SamplingStructure','design:structure'),('PSUOrder','design:structure'),('DesignKeys','design:structure'),('Weights','design:structure'),
             ('memmove','memcpy'),('memset','memset'),('clear_page','kernel:clear_page')]
    for k, n in rules:
        if k in s: return n
    if 'openblas' in dso: return 'blas'
    if dso.startswith('[kernel'): return 'kernel:other'
    if 'ld-linux' in dso: return 'startup:ld'
    if 'libswiftCore' in dso or 'Foundation' in dso or 'dispatch' in dso: return 'swift runtime'
    return 'other'
for f in sys.argv[1:]:
    out = subprocess.run(['perf','report','-i',f,'--no-children','--sort','dso,symbol','-g','none','-F','sample,dso,symbol','--stdio'],capture_output=True,text=True).stdout
    frq = 10000
    c = collections.Counter()
    for line in out.splitlines():
        m = re.match(r'\s*(\d+)\s+(\S+)\s+\[[.k]\]\s+(.*)', line)
        if m: c[cat(m.group(3), m.group(2))] += int(m.group(1))
    tot = sum(c.values())
    print(f"{f}: total {tot/frq*1000:.0f} ms CPU; " + ", ".join(f"{k} {v/frq*1000:.0f}" for k, v in c.most_common()))
