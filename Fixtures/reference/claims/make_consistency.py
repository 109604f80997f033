#!/usr/bin/env python3
"""Reference for the aggregate consistency checks: exact rational interval arithmetic (fractions.Fraction)
on the published figures of both claim files, independent of Barometer. Run from the repository root:

    python3 Fixtures/reference/claims/make_consistency.py   -> Fixtures/reference/claims/consistency.json

A printed integer percent x stands for [x-1/2, x+1/2], one decimal for [x-1/20, x+1/20], 'approximate'
for [x-t, x+t], 'less-than' for [0, x] (closures: only definite contradictions count as inconsistent).
"""
import json
import os
from fractions import Fraction as F

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))


def interval(fig):
    v = F(str(fig["value"]))
    if fig.get("relation") == "less-than":
        return (F(0), v)
    h = {"integer": F(1, 2), "one-decimal": F(1, 20), "exact": F(0)}.get(fig["rounding"])
    if h is None:
        h = F(str(fig["tolerance"]))
    return (v - h, v + h)


def meets(a, b):
    return max(a[0], b[0]) <= min(a[1], b[1])


def run(claims):
    figs = {c["id"]: c["figure"] for c in claims["claims"] if "figure" in c}
    out = {}
    for ch in claims["checks"]:
        iv = [interval(figs[p]) for p in ch["parts"]]
        s = (sum(i[0] for i in iv), sum(i[1] for i in iv))
        k = ch["kind"]
        r = {"kind": k}
        if k == "sum":
            r["consistent"] = meets(s, interval(figs[ch["total"]])); r["interval"] = s
        elif k == "sums-to-100":
            r["consistent"] = s[0] <= 100 <= s[1]; r["interval"] = s
        elif k == "at-most-100":
            r["consistent"] = s[0] <= 100; r["interval"] = s
            r["residual"] = (max(F(0), 100 - s[1]), 100 - s[0])
        elif k == "same-quantity":
            r["consistent"] = meets(iv[0], iv[1])
        elif k == "less-than":
            r["consistent"] = iv[0][0] < iv[1][1]
        elif k == "repercentaged":
            d = interval(figs[ch["denominator"]])
            rows = []
            for p, q in zip(iv, ch["results"]):
                quo = (100 * p[0] / d[1], 100 * p[1] / d[0])
                rows.append({"interval": quo, "consistent": meets(quo, interval(figs[q]))})
            r["rows"] = rows
            r["consistent"] = all(x["consistent"] for x in rows)
        out[ch["id"]] = r
    return out


def tofloat(x):
    if isinstance(x, tuple):
        return [float(x[0]), float(x[1])]
    if isinstance(x, dict):
        return {k: tofloat(v) for k, v in x.items()}
    if isinstance(x, list):
        return [tofloat(v) for v in x]
    return x


def main():
    ref = {"description": "Exact rational interval arithmetic (Python fractions) on the published figures; intervals as closures [lower, upper].",
           "memos": {}}
    for name in ("ponars-658", "odr-2020"):
        with open(os.path.join(ROOT, "Fixtures", "memos", f"{name}.claims.json")) as f:
            ref["memos"][name] = tofloat(run(json.load(f)))
    with open(os.path.join(ROOT, "Fixtures", "reference", "claims", "consistency.json"), "w") as f:
        json.dump(ref, f, indent=1, sort_keys=True); f.write("\n")
    for m, checks in ref["memos"].items():
        bad = [k for k, v in checks.items() if not v["consistent"]]
        print(m, len(checks), "checks; inconsistent:", bad)


if __name__ == "__main__":
    main()
