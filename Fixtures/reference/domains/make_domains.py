"""Reference domains for DomainExpression, computed with pandas' nullable
boolean (Kleene) logic, independently of Barometer.

Run from the repository root: python3 Fixtures/reference/domains/make_domains.py
Writes strings.csv + strings.codebook.json (a small survey with a string
variable, user-missing codes and blanks) and expected.json.

Semantics written out here (the README's): a test on a system-missing value
is NA; a test on a user-missing code is NA unless the test names that code
explicitly (== code, or the code listed in `in`); ranges and order comparisons
never match user-missing codes; `is ...` tests are never NA; a row is in the
domain when the expression is True.
"""
import json
import numpy as np
import pandas as pd

here = "Fixtures/reference/domains"
rng = np.random.default_rng(20261206)
n = 240
region = rng.choice(["North", "South", "East", "West", ""], size=n, p=[.3, .3, .2, .15, .05])
age = rng.integers(16, 90, size=n).astype(float)
age[rng.random(n) < 0.06] = np.nan
q = rng.choice([1, 2, 3, 4, 8, 9], size=n, p=[.2, .25, .2, .15, .12, .08]).astype(float)
q[rng.random(n) < 0.04] = np.nan
w = np.round(rng.uniform(0.3, 2.5, size=n), 4)
df = pd.DataFrame({"id": np.arange(1, n + 1), "region": region, "age": age, "q": q, "w": w})
df.to_csv(f"{here}/strings.csv", index=False, na_rep="")
codebook = {"weight": "w", "variables": [
    {"name": "region", "type": "string"},
    {"name": "q", "label": "Opinion", "level": "ordinal", "type": "numeric",
     "valueLabels": {"1": "Very good", "2": "Good", "3": "Bad", "4": "Very bad", "8": "Don't know", "9": "Refused"},
     "missing": [8, 9]}]}
json.dump(codebook, open(f"{here}/strings.codebook.json", "w"), indent=1)

B = pd.BooleanDtype()


def nb(values, known):
    """Nullable boolean: values where known, NA elsewhere."""
    s = pd.Series(values, dtype=B)
    s[~np.asarray(known)] = pd.NA
    return s


def num_test(x, missing, fn, named=()):
    """A value test on a numeric column: NA on NaN; on user-missing codes NA
    unless the code is among `named` (then fn decides)."""
    x = np.asarray(x, dtype=float)
    um = np.isin(x, missing)
    known = ~np.isnan(x) & (~um | np.isin(x, list(named)))
    with np.errstate(invalid="ignore"):
        return nb(fn(x), known)


def str_test(s, fn):
    s = np.asarray(s, dtype=object)
    return nb(fn(s), s != "")


def result(mask, weights):
    m = mask.fillna(False).to_numpy(dtype=bool)
    return {"count": int(m.sum()), "weighted": float(np.asarray(weights)[m].sum()),
            "first": [int(i) for i in np.nonzero(m)[0][:5]]}


cases = []
# --- strings.csv
d = pd.read_csv(f"{here}/strings.csv", keep_default_na=False, dtype={"region": str})
age = pd.to_numeric(d["age"].replace("", np.nan)).to_numpy(float)
qq = pd.to_numeric(d["q"].replace("", np.nan)).to_numpy(float)
reg = d["region"].to_numpy(object)
ww = d["w"].to_numpy(float)
QM = [8, 9]
S = "strings"
def add(file, expr, mask, weights, description=None):
    c = {"file": file, "expression": expr, **result(mask, weights)}
    if description: c["description"] = description
    cases.append(c)

add(S, 'region == "North"', str_test(reg, lambda s: s == "North"), ww, "region = North")
add(S, "region in North, South and age >= 30",
    str_test(reg, lambda s: np.isin(s, ["North", "South"])) & num_test(age, [], lambda x: x >= 30), ww,
    "region in {North, South} and age >= 30")
add(S, "region != 'East'", str_test(reg, lambda s: s != "East"), ww)
add(S, "region is missing", nb(reg == "", np.ones(n, bool)), ww)
add(S, "age in 18-29", num_test(age, [], lambda x: (x >= 18) & (x <= 29)), ww, "age in {18-29}")
add(S, "age in 18-29, 65 thru 89.5", num_test(age, [], lambda x: ((x >= 18) & (x <= 29)) | ((x >= 65) & (x <= 89.5))), ww)
add(S, "not age < 40", ~num_test(age, [], lambda x: x < 40), ww)
add(S, "age < 40 or q == 1", num_test(age, [], lambda x: x < 40) | num_test(qq, QM, lambda x: x == 1), ww)
add(S, "age >= 40 and q != 8", num_test(age, [], lambda x: x >= 40) & num_test(qq, QM, lambda x: x != 8, named=[8]), ww)
add(S, "q in 1-2", num_test(qq, QM, lambda x: (x >= 1) & (x <= 2)), ww, "q in {1-2}")
add(S, "q in 1-9", num_test(qq, QM, lambda x: (x >= 1) & (x <= 9)), ww)
add(S, "q > 2", num_test(qq, QM, lambda x: x > 2), ww)
add(S, "q in 3, 8", num_test(qq, QM, lambda x: np.isin(x, [3, 8]), named=[8]), ww, "q in {Bad, Don't know}")
add(S, "q == \"Don't know\"", num_test(qq, QM, lambda x: x == 8, named=[8]), ww, "q = Don't know")
add(S, "q is dk", nb(qq == 8, np.ones(n, bool)), ww, "q is Don't know")
add(S, "q is refused or q is sysmis", nb((qq == 9) | np.isnan(qq), np.ones(n, bool)), ww)
add(S, "q is missing", nb(np.isnan(qq) | np.isin(qq, QM), np.ones(n, bool)), ww)
add(S, "q is not missing and not (q == good or q == 'VERY GOOD')",
    nb(~(np.isnan(qq) | np.isin(qq, QM)), np.ones(n, bool)) & ~(num_test(qq, QM, lambda x: x == 2) | num_test(qq, QM, lambda x: x == 1)), ww)
add(S, "q not in (1, 2)", num_test(qq, QM, lambda x: ~np.isin(x, [1, 2])), ww)
add(S, "age in 18-29 and q is valid", num_test(age, [], lambda x: (x >= 18) & (x <= 29))
    & nb(~(np.isnan(qq) | np.isin(qq, QM)), np.ones(n, bool)), ww)
add(S, "age in 18-29 and q is not sysmis", num_test(age, [], lambda x: (x >= 18) & (x <= 29))
    & nb(~np.isnan(qq), np.ones(n, bool)), ww)
add(S, "q = 1,2", num_test(qq, QM, lambda x: np.isin(x, [1, 2])), ww)

# --- the fixture survey
k = pd.read_csv("Fixtures/surveys/kz2019-synthetic.csv")
K = "kz"
kw = k["wt"].to_numpy(float)
col = lambda c: k[c].to_numpy(float)
add(K, 'lang == "Kazakh" and wave == 2019',
    num_test(col("lang"), [], lambda x: x == 1) & num_test(col("wave"), [], lambda x: x == 2019), kw,
    "lang = Kazakh and wave = Wave 2019")
add(K, "lang == Russian or q_russia_opinion > 2",
    num_test(col("lang"), [], lambda x: x == 2) | num_test(col("q_russia_opinion"), QM, lambda x: x > 2), kw)
add(K, "(agegroup == '18-29' or agegroup == \"55+\") && !(sex == Female)",
    (num_test(col("agegroup"), [], lambda x: x == 1) | num_test(col("agegroup"), [], lambda x: x == 3))
    & ~num_test(col("sex"), [], lambda x: x == 2), kw)
add(K, "q_russia_opinion <= 2 and q_us_opinion not in 3,4",
    num_test(col("q_russia_opinion"), QM, lambda x: x <= 2) & num_test(col("q_us_opinion"), QM, lambda x: ~np.isin(x, [3, 4])), kw)
add(K, "q_russia_opinion is dk or q_us_opinion is refused",
    nb((col("q_russia_opinion") == 8) | (col("q_us_opinion") == 9), np.ones(len(k), bool)), kw)
add(K, "q_russia_reason1 in 1-7 or q_russia_reason1 == 98",
    num_test(col("q_russia_reason1"), [98, 99], lambda x: (x >= 1) & (x <= 7))
    | num_test(col("q_russia_reason1"), [98, 99], lambda x: x == 98, named=[98]), kw)

json.dump({"source": "pandas nullable-boolean (Kleene) logic, make_domains.py", "cases": cases},
          open(f"{here}/expected.json", "w"), indent=1)
print(len(cases), "cases")
