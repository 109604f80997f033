"""Grouped means with SEs and pairwise differences: data and Python peers.

  python3 groups_peers.py gen DATADIR N K        -> groups_N_K.f64/.json (y, g, st, psu, wt)
  python3 groups_peers.py TASK TOOL DATADIR REPEATS  -> one JSON line {task, tool, times}

Design: 20 strata, 100 PSUs per stratum (PSU ids unique), weights in [1, 5]; y continuous;
g uniform over 1..K (every group spans many PSUs, so groups are correlated). Tasks:
groupmeans_N_K (means and SEs per group) and groupdiffs_N_K (plus every pairwise difference
with its design SE). Tools: svy (Rust core), samplics. Data loading is outside the timed region.
"""
import json, os, sys, time
import numpy as np

def gen(d, n, k):
    os.makedirs(d, exist_ok=True)
    name = f"groups_{n}_{k}"
    if os.path.exists(os.path.join(d, name + ".json")):
        return
    rng = np.random.default_rng(17)
    st = rng.integers(1, 21, n)
    psu = (st - 1) * 100 + rng.integers(1, 101, n)
    g = rng.integers(1, k + 1, n)
    wt = rng.uniform(1, 5, n)
    y = 50 + 0.01 * g + rng.normal(0, 10, n) + 0.5 * rng.normal(0, 1, 2001)[psu]
    m = np.column_stack([y, g, st, psu, wt]).astype("<f8")
    m.T.tofile(os.path.join(d, name + ".f64"))   # column-major, as PeerRunner and peers.R read
    with open(os.path.join(d, name + ".json"), "w") as f:
        json.dump({"n": n, "p": 5, "names": ["y", "g", "st", "psu", "wt"]}, f)

def load(d, name):
    meta = json.load(open(os.path.join(d, name + ".json")))
    x = np.fromfile(os.path.join(d, name + ".f64"), "<f8").reshape(meta["p"], meta["n"]).T
    return {c: x[:, j] for j, c in enumerate(meta["names"])}

def timed(f, repeats):
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter(); f(); out.append(time.perf_counter() - t0)
    return out

if sys.argv[1] == "gen":
    gen(sys.argv[2], int(sys.argv[3]), int(sys.argv[4])); sys.exit(0)
task, tool, d, repeats = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
kind, n, k = task.split("_")
cols = load(d, f"groups_{n}_{k}")
T = None
if kind == "groupdiffs":
    # neither peer has contrasts between domains with their covariance
    print(json.dumps({"task": task, "tool": tool, "error": "not applicable (no covariance between domain estimates / contrasts)"}))
    sys.exit(0)
if tool == "svy":
    import polars as pl, svy
    df = pl.DataFrame({c: v for c, v in cols.items()}).with_columns(pl.col("g").cast(pl.Int64), pl.col("st").cast(pl.Int64), pl.col("psu").cast(pl.Int64))
    s = svy.Sample(df, svy.Design(stratum="st", psu=["st", "psu"], wgt="wt"))
    T = timed(lambda: s.estimation.mean("y", by="g"), repeats)
elif tool == "samplics":
    import warnings; warnings.filterwarnings("ignore")
    import pandas as pd
    from samplics.estimation import TaylorEstimator
    from samplics.utils.types import PopParam
    df = pd.DataFrame(cols)
    def run():
        e = TaylorEstimator(PopParam.mean)
        e.estimate(y=df["y"], samp_weight=df["wt"], stratum=df["st"], psu=df["psu"], domain=df["g"])
    T = timed(run, repeats)
print(json.dumps({"task": task, "tool": tool, "times": T} if T is not None else {"task": task, "tool": tool, "error": "not applicable"}))
