"""Python peers for the end-to-end run: one whole process per task, file -> answer.

python3 e2e.py TASK TOOL DATADIR  ->  stdout: one JSON line {"values": [...]} (the answer, in the
order report.py compares it with Barometer) or {"error": "not applicable: reason"}.

Tasks (CSV files from gen_e2e.py): pearson, shares, strata, sdr, crosstab, glm.
Tools: svy (PyPI svy 0.35, Rust core), samplics, pandas, polars, statsmodels (glm only: GLM with
frequency weights, which has no design-based SE; its answer is the 21 coefficients only). Each reads the CSV the way its
documentation shows (polars.read_csv; pandas.read_csv with the pyarrow engine) and computes the
same estimate as Barometer with the same defaults (R survey's).
"""
import json, os, sys, warnings

warnings.filterwarnings("ignore")
task, tool, data = sys.argv[1], sys.argv[2], sys.argv[3]
path = os.path.join(data, f"e2e_{task}.csv")
Y5 = [f"y{j + 1}" for j in range(5)]
X50 = [f"x{j + 1}" for j in range(50)]
X20 = [f"x{j + 1}" for j in range(20)]


def done(values):
    print(json.dumps({"values": [float(v) for v in values]}))
    sys.exit(0)


def na(reason):
    print(json.dumps({"error": f"not applicable: {reason}"}))
    sys.exit(0)


def upper(m):
    p = len(m)
    return [m[i][j] for i in range(p) for j in range(i + 1, p)]


if tool == "statsmodels":
    if task != "glm":
        na("statsmodels has no design-based estimator for this task")
    import pandas as pd
    import statsmodels.api as sm
    df = pd.read_csv(path, engine="pyarrow")
    X = sm.add_constant(df[X20].to_numpy())
    fit = sm.GLM(df["y"].to_numpy(), X, family=sm.families.Binomial(), freq_weights=df["wt"].to_numpy()).fit()
    done(list(fit.params))      # coefficients only: frequency-weight SEs are not design-based

if tool == "polars":
    import polars as pl
    if task != "pearson":
        na("no design-based variance")
    c = pl.read_csv(path).corr()
    done(upper(c.to_numpy().tolist()))

if tool == "pandas":
    import pandas as pd
    if task != "pearson":
        na("no design-based variance")
    c = pd.read_csv(path, engine="pyarrow").corr()
    done(upper(c.to_numpy().tolist()))

if tool == "svy":
    import polars as pl
    import svy
    if task == "pearson":
        na("svy's corr is design-based pair by pair with SEs, no correlation matrix")
    df = pl.read_csv(path)
    if task == "glm":
        s = svy.Sample(df, svy.Design(stratum="st", psu=["st", "psu"], wgt="wt"))
        t = s.glm.fit("y", x=X20, family="binomial").to_polars()
        done(list(t["estimate"]) + list(t["std_err"]))
    if task == "shares":
        s = svy.Sample(df, svy.Design(wgt="wt"))
        est = s.estimation.prop("yes", by="region", ci_method="logit")
        t = est.to_polars()
        t = t.filter(pl.col("yes").cast(pl.Int64) == 1).sort(pl.col("region").cast(pl.Int64))
        done([v for r in t.select("est", "lci", "uci").rows() for v in r])
    if task == "strata":
        s = svy.Sample(df, svy.Design(stratum="st", psu=["st", "psu"], wgt="wt"))
        ests = s.estimation.mean(Y5)
        ests = ests if isinstance(ests, list) else [ests]
        out = []
        for e in ests:
            t = e.to_polars()
            out += [t["est"][0], t["se"][0]]
        done(out)
    if task == "sdr":
        s = svy.Sample(df, svy.Design(wgt="wt", rep_wgts=svy.SdrWgts(prefix="rw", n_reps=80)))
        ests = s.estimation.mean(Y5, method="replication")
        ests = ests if isinstance(ests, list) else [ests]
        out = []
        for e in ests:
            t = e.to_polars()
            out += [t["est"][0], t["se"][0]]
        done(out)
    if task == "crosstab":
        s = svy.Sample(df, svy.Design(stratum="st", psu=["st", "psu"], wgt="wt"))
        t = s.categorical.tabulate("a", "b")
        f = t.stats.f
        done([f.value, f.df_num, f.df_den, f.p_value])

if tool == "samplics":
    import pandas as pd
    from samplics.utils.types import PopParam
    if task == "pearson":
        na("no correlation matrix")
    if task == "glm":
        na("samplics 0.6 has no regression under a design")
    df = pd.read_csv(path, engine="pyarrow")
    if task == "shares":
        from samplics.estimation import TaylorEstimator
        est = TaylorEstimator(PopParam.prop)
        est.estimate(y=df["yes"], samp_weight=df["wt"], domain=df["region"])
        out = []
        for g in range(1, 13):
            out += [est.point_est[g][1], est.lower_ci[g][1], est.upper_ci[g][1]]
        done(out)
    if task == "strata":
        from samplics.estimation import TaylorEstimator
        out = []
        for y in Y5:
            est = TaylorEstimator(PopParam.mean)
            est.estimate(y=df[y], samp_weight=df["wt"], stratum=df["st"], psu=df["st"] * 100000 + df["psu"])
            out += [est.point_est, est.stderror]
        done(out)
    if task == "sdr":
        na("samplics' ReplicateEstimator has bootstrap, BRR and jackknife, no successive-difference replicates")
    if task == "crosstab":
        # CrossTabulation.tabulate in samplics 0.6.0 stops with polars
        # "ShapeError: can't broadcast Series 'key' of length 25 to length 0" on this design.
        na("samplics 0.6.0 CrossTabulation fails on this file (polars ShapeError inside tabulate)")

na(f"unknown task/tool {task}/{tool}")
