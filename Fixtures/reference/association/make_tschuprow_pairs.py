"""Reference values for Tschuprow's T and the concordant/discordant pair counts.

Reads the tables of association.json (made by make_association.py) and writes
tschuprow_pairs.json. Written from the textbook definitions, not from the
Swift code:
  - Tschuprow's T = sqrt(X^2 / (N * sqrt((r - 1)(c - 1)))) (Tschuprow 1939),
    X^2 from scipy's
    chi2_contingency (no continuity correction);
  - concordant pairs: every unordered pair of respondents with both
    variables ordered the same way, counted by a direct loop over all pairs
    of cells (i < i', j < j' concordant; i < i', j > j' discordant), weighted
    pairs f_ij * f_i'j' for weighted tables. Gamma = (C - D)/(C + D) is
    checked against association.json's gamma.
Run: python3 Fixtures/reference/association/make_tschuprow_pairs.py
"""
import json
import math
import os

import numpy as np
from scipy.stats import chi2_contingency

here = os.path.dirname(os.path.abspath(__file__))
src = json.load(open(os.path.join(here, "association.json")))
out = {"generator": "numpy/scipy, direct definitions", "tables": {}}
for name, t in src["tables"].items():
    f = np.array(t["counts"], dtype=float)
    f = f[f.sum(axis=1) > 0][:, f.sum(axis=0) > 0]      # empty rows/columns carry no information
    r, c = f.shape
    x2 = chi2_contingency(f, correction=False)[0]
    n = f.sum()
    T = math.sqrt(x2 / (n * math.sqrt((r - 1) * (c - 1))))
    conc = disc = 0.0
    for i in range(r):
        for j in range(c):
            for i2 in range(i + 1, r):
                for j2 in range(c):
                    if j2 > j:
                        conc += f[i, j] * f[i2, j2]
                    elif j2 < j:
                        disc += f[i, j] * f[i2, j2]
    gamma = (conc - disc) / (conc + disc)
    assert abs(gamma - t["gamma"]["value"]) < 1e-12 * max(1, abs(gamma)), (name, gamma, t["gamma"]["value"])
    out["tables"][name] = {"tschuprowT": T, "concordantPairs": conc, "discordantPairs": disc, "pearson": x2}
json.dump(out, open(os.path.join(here, "tschuprow_pairs.json"), "w"), indent=1)
print("ok")
