"""Python peers for the benchmark comparison.

python3 peers.py TASK TOOL DATADIR REPEATS   ->  one JSON line {task, tool, times, blas}

Data loading is outside the timed region; each repetition is timed with
time.perf_counter. Tools: numpy, pandas, polars, duckdb, scipy, pingouin,
samplics.
"""
import json, os, sys, time
import numpy as np

task, tool, data, repeats = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])


def load(name, pandas=False):
    meta = json.load(open(os.path.join(data, name + ".json")))
    a = np.fromfile(os.path.join(data, name + ".f64"), dtype="<f8").reshape(meta["p"], meta["n"]).T
    if pandas:
        import pandas as pd
        return pd.DataFrame(a, columns=meta["names"])
    return a, meta["names"]


def blas():
    try:
        from threadpoolctl import threadpool_info
        return "; ".join(f"{i.get('internal_api')} {i.get('version')} ({i.get('filepath')}, {i.get('num_threads')} threads)"
                         for i in threadpool_info() if i.get("user_api") == "blas")
    except Exception:
        cfg = np.show_config(mode="dicts")
        b = cfg.get("Build Dependencies", {}).get("blas", {})
        return f"{b.get('name')} {b.get('version')}"


def timed(fn):
    out = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def sized(prefix):
    """'pearson_1000000_200' -> ('cont_1000000_200')"""
    return prefix


T = None
parts = task.split("_")
kind = parts[0]

if kind == "pearson":           # pearson_N_P: complete data
    name = f"cont_{parts[1]}_{parts[2]}"
    if tool == "numpy":
        a, _ = load(name); a = np.ascontiguousarray(a.T)
        T = timed(lambda: np.corrcoef(a))
    elif tool == "pandas":
        df = load(name, pandas=True); T = timed(lambda: df.corr())
    elif tool == "polars":
        import polars as pl
        a, names = load(name); df = pl.DataFrame(a, schema=names); T = timed(lambda: df.corr())
    elif tool == "dsyrk":        # the floor: a bare OpenBLAS dsyrk on the same data (uncentred)
        from scipy.linalg.blas import dsyrk
        a, _ = load(name); a = np.asfortranarray(a)
        T = timed(lambda: dsyrk(1.0, a, trans=1))
elif kind == "pairwise":       # pairwise_N_P: 10% missing, pairwise-complete
    name = f"pairwise_{parts[1]}_{parts[2]}"
    if tool == "pandas":
        df = load(name, pandas=True); T = timed(lambda: df.corr())
elif kind == "spearman":
    name = f"cont_{parts[1]}_{parts[2]}"
    if tool == "scipy":
        from scipy.stats import spearmanr
        a, _ = load(name); T = timed(lambda: spearmanr(a))
    elif tool == "pandas":
        df = load(name, pandas=True); T = timed(lambda: df.corr(method="spearman"))
elif kind == "pcorrmatrix":    # full partial matrix, each pair given all others
    name = f"cont_{parts[1]}_{parts[2]}"
    if tool == "pingouin":
        import pingouin  # noqa: F401  (registers DataFrame.pcorr)
        df = load(name, pandas=True); T = timed(lambda: df.pcorr())
elif kind == "pcorrpairs":     # every pair of the first 50 variables given x51 (one covariate)
    name = f"cont_{parts[1]}_200"
    if tool == "pingouin":
        import pingouin as pg
        df = load(name, pandas=True)
        cols = [f"x{j + 1}" for j in range(50)]

        def run():
            for i in range(50):
                for j in range(i + 1, 50):
                    pg.partial_corr(df, x=cols[i], y=cols[j], covar="x51")
        T = timed(run)
elif kind == "table":          # one weighted two-way table q1 x q2
    name = f"cat_{parts[1]}_50"
    if tool == "pandas":
        df = load(name, pandas=True)
        T = timed(lambda: df.groupby(["q1", "q2"])["wt"].sum().unstack())
    elif tool == "numpy":
        a, _ = load(name)
        q1, q2, w = a[:, 0].astype(np.int64), a[:, 1].astype(np.int64), a[:, 50]
        T = timed(lambda: np.bincount(q1 * 6 + q2, weights=w, minlength=36))
elif kind == "alltables":      # all 1,225 weighted tables of 50 five-code questions
    name = f"cat_{parts[1]}_50"
    if tool == "numpy":        # one-hot indicator matrix, Z^T diag(w) Z through BLAS
        a, _ = load(name)
        codes, w = a[:, :50].astype(np.int64) - 1, a[:, 50]

        def run():
            z = np.zeros((a.shape[0], 250))
            z[np.arange(a.shape[0])[:, None], codes + 5 * np.arange(50)] = 1.0
            return (z * w[:, None]).T @ z
        T = timed(run)
    elif tool == "duckdb":
        import duckdb, pandas as pd
        df = load(name, pandas=True)
        con = duckdb.connect()
        con.register("t", df)
        sql = " UNION ALL ".join(
            f"SELECT {i} AS a, {j} AS b, q{i}, q{j}, SUM(wt) FROM t GROUP BY q{i}, q{j}"
            for i in range(1, 51) for j in range(i + 1, 51))
        T = timed(lambda: con.execute(sql).fetchall())
    elif tool == "pandas":
        df = load(name, pandas=True)

        def run():
            for i in range(1, 51):
                for j in range(i + 1, 51):
                    df.groupby([f"q{i}", f"q{j}"])["wt"].sum()
        T = timed(run)
elif kind == "shares":         # weighted share of yes=1 with a CI, by each of 12 regions
    name = f"shares_{parts[1]}"
    if tool == "samplics":
        import warnings
        warnings.filterwarnings("ignore")
        from samplics.estimation import TaylorEstimator
        from samplics.utils.types import PopParam
        df = load(name, pandas=True)

        def run():
            est = TaylorEstimator(PopParam.prop)
            est.estimate(y=df["yes"], samp_weight=df["wt"], domain=df["region"])
        T = timed(run)
elif kind == "banner":         # banner_N_Q: Q questions x 5 banner variables (20 columns), column tests
    name, Q = f"banner_{parts[1]}", int(parts[2])
    if tool == "pandas":       # weighted column %, effective bases, statsmodels z-test per pair (SPSS style)
        import pandas as pd
        from statsmodels.stats.proportion import proportions_ztest
        df = load(name, pandas=True)
        df["wt2"] = df["wt"] ** 2

        def run():
            out = []
            for j in range(1, Q + 1):
                q = f"q{j}"
                for g in [f"g{k}" for k in range(1, 6)]:
                    pct = pd.crosstab(df[q], df[g], values=df["wt"], aggfunc="sum", normalize="columns")
                    w = df.groupby(g)["wt"].sum(); w2 = df.groupby(g)["wt2"].sum()
                    neff = (w * w / w2).to_numpy()
                    cols = list(pct.columns)
                    for cat in pct.index:
                        p = pct.loc[cat].to_numpy()
                        for a in range(len(cols)):
                            for b in range(a + 1, len(cols)):
                                out.append(proportions_ztest([p[a] * neff[a], p[b] * neff[b]], [neff[a], neff[b]]))
            return out
        T = timed(run)
elif kind == "csv":            # numeric CSV ingest
    path = os.path.join(data, "ingest.csv")
    if tool == "polars":
        import polars as pl
        T = timed(lambda: pl.read_csv(path))
    elif tool == "pandas":
        import pandas as pd
        T = timed(lambda: pd.read_csv(path, engine="pyarrow"))
    elif tool == "duckdb":
        import duckdb
        T = timed(lambda: duckdb.sql(f"SELECT * FROM read_csv_auto('{path}')").fetchnumpy())

if T is None:
    print(json.dumps({"task": task, "tool": tool, "error": "not applicable"}))
else:
    print(json.dumps({"task": task, "tool": tool, "times": T, "blas": blas()}))
