"""Deterministic test surveys for the cross-tab engine.

Run: python3 Fixtures/reference/crosstab/make_data.py
Writes, next to this script:
  survey_weighted.csv / .json   n = 500, real weights `w`, integer weights `wint`,
                                Don't know (8) / Refused (9) codes, system-missing (empty),
                                a multiple-response pair reason1/reason2.
  *.codebook.json               the codebooks in Barometer's CSV codebook schema (for the CLI).
  survey_unweighted.csv / .json n = 120, unweighted, with a labelled but unused code
                                (zero column) and domains where a share is 0 or 1.
The JSON holds the same columns ({"columns": {name: [number or null]}}) plus the
codebook (value labels, user-missing codes) so that Swift tests need no CSV reader.
"""
import json, os
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(3_2026_11_22)

FAV = {1: "Very favorable", 2: "Somewhat favorable", 3: "Somewhat unfavorable",
       4: "Very unfavorable", 8: "Don't know", 9: "Refused"}
FIVE = {1: "Strongly agree", 2: "Agree", 3: "Neither", 4: "Disagree", 5: "Strongly disagree", 8: "Don't know"}
REASONS = {1: "RU domestic qualities", 2: "Generally good KZ-RU relationship", 3: "Innate KZ-RU bonds",
           4: "Practically useful relationship", 5: "RU internationally benign", 6: "RU internationally strong",
           98: "Do not know / no answer", 99: "Other / vague"}


def weighted():
    n = 500
    region = rng.choice([1, 2, 3], size=n, p=[0.5, 0.3, 0.2]).astype(float)
    latent = rng.normal(size=n)
    rus = np.digitize(latent + rng.normal(scale=0.8, size=n), [-1.8, -0.2, 0.9]) + 1.0
    rus = 5 - rus  # 1 = very favourable for high latent
    us = np.digitize(-0.5 * latent + rng.normal(scale=1.0, size=n), [-0.9, 0.3, 1.2]) + 1.0
    for v in (rus, us):
        u = rng.random(n)
        v[u < 0.06] = 8
        v[(u >= 0.06) & (u < 0.09)] = 9
        v[(u >= 0.09) & (u < 0.11)] = np.nan
    qs = {}
    for name in ("q3", "q4", "q5"):
        q = np.digitize(latent * rng.uniform(0.3, 1.0) + rng.normal(size=n), [-1.2, -0.4, 0.4, 1.2]) + 1.0
        q[rng.random(n) < 0.05] = 8
        qs[name] = q
    reason1 = rng.choice([1, 2, 3, 4, 5, 6, 98, 99], size=n, p=[.4, .08, .07, .03, .1, .07, .1, .15]).astype(float)
    reason2 = rng.choice([1, 2, 3, 4, 5, 6, 99], size=n, p=[.3, .1, .1, .05, .15, .1, .2]).astype(float)
    reason2[(rng.random(n) < 0.55) | (reason1 == 98)] = np.nan
    reason1[rng.random(n) < 0.03] = np.nan
    w = np.exp(rng.normal(scale=0.45, size=n)) * np.where(region == 3, 1.6, 1.0)
    w = w / w.mean()
    wint = rng.integers(1, 4, size=n).astype(float)
    cols = {"region": region, "rus": rus, "us": us, **qs, "reason1": reason1, "reason2": reason2,
            "w": w, "wint": wint}
    codebook = {
        "region": {"labels": {1: "North", 2: "South", 3: "Centre"}, "missing": []},
        "rus": {"labels": FAV, "missing": [8, 9]},
        "us": {"labels": {**FAV, 5: "No opinion (never used)"}, "missing": [8, 9]},
        "q3": {"labels": FIVE, "missing": [8]}, "q4": {"labels": FIVE, "missing": [8]},
        "q5": {"labels": FIVE, "missing": [8]},
        "reason1": {"labels": REASONS, "missing": [98]}, "reason2": {"labels": REASONS, "missing": [98]},
        "w": {"labels": {}, "missing": []}, "wint": {"labels": {}, "missing": []},
    }
    return cols, codebook


def unweighted():
    n = 120
    a = rng.choice([1, 2, 3], size=n, p=[0.3, 0.45, 0.25]).astype(float)
    b = rng.choice([1, 2, 3], size=n, p=[0.5, 0.3, 0.2]).astype(float)   # code 4 labelled, never used
    b[rng.random(n) < 0.05] = 8
    # y is 1 for every respondent with a = 1 and 2 for every respondent with a = 3: shares 1 and 0.
    y = np.where(a == 1, 1.0, np.where(a == 3, 2.0, rng.choice([1.0, 2.0], size=n)))
    y[(a == 2) & (rng.random(n) < 0.1)] = 8
    cols = {"a": a, "b": b, "y": y}
    codebook = {
        "a": {"labels": {1: "Low", 2: "Middle", 3: "High"}, "missing": []},
        "b": {"labels": {1: "One", 2: "Two", 3: "Three", 4: "Four (never used)", 8: "Don't know"}, "missing": [8]},
        "y": {"labels": {1: "Yes", 2: "No", 8: "Don't know"}, "missing": [8]},
    }
    return cols, codebook


def write(name, cols, codebook, weight):
    names = list(cols)
    n = len(cols[names[0]])
    with open(os.path.join(HERE, name + ".csv"), "w") as f:
        f.write(",".join(names) + "\n")
        for i in range(n):
            f.write(",".join("" if np.isnan(cols[c][i]) else repr(float(cols[c][i])) for c in names) + "\n")
    js = {"columns": {c: [None if np.isnan(x) else float(x) for x in cols[c]] for c in names},
          "order": names, "weight": weight,
          "codebook": {c: {"labels": {str(k): v for k, v in cb["labels"].items()}, "missing": cb["missing"]}
                       for c, cb in codebook.items()}}
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(js, f)
    # The same codebook in Barometer's CSV codebook schema (for the CLI).
    cbk = {"variables": [dict({"name": c, "level": "scale" if c in ("w", "wint") else "nominal"},
                              **({"valueLabels": {str(k): v for k, v in codebook[c]["labels"].items()}}
                                 if codebook[c]["labels"] else {}),
                              **({"missing": codebook[c]["missing"]} if codebook[c]["missing"] else {}))
                         for c in names]}
    if weight:
        cbk["weight"] = weight
    with open(os.path.join(HERE, name + ".codebook.json"), "w") as f:
        json.dump(cbk, f, indent=1)


write("survey_weighted", *weighted(), weight="w")
write("survey_unweighted", *unweighted(), weight=None)
