"""Reference for correlation matrices that span several streaming chunks
(CentredMoments works in 4,096-row chunks, filled one chunk ahead of dsyrk).

Data are integer formulas evaluated in float64 exactly as the Swift test does
(same operations in the same order, so the same doubles):
  u[i]   = ((i * 7 + 3) % 53) / 53                      (a common component)
  x_j[i] = ((i * A_j + B_j) % M_j) / M_j + S_j * u[i] + OFFSET_j
  w[i]   = 0.5 + (i % 7) / 4
Those doubles are then taken as exact rationals and the weighted correlations
computed in exact arithmetic (fractions), rounded once at the end: the
reference does not depend on any floating-point summation order.
"""
import json
from fractions import Fraction as F

n = 20_011  # five chunks, the last one partial
A = [7919, 104729, 1299709, 15485863]
B = [11, 5, 3, 17]
M = [1009, 997, 10007, 101]
OFFSET = [0, 1_000_000, -3, 250]
S = [0.5, 1.0, 1.5, 2.0]


def col(j):
    return [F(((i * A[j] + B[j]) % M[j]) / M[j] + S[j] * (((i * 7 + 3) % 53) / 53) + OFFSET[j]) for i in range(n)]


def corr_exact(cols, w):
    # r = cov_jk / sqrt(cov_jj cov_kk): cov exact, then r² exact, sign and one float sqrt.
    sw = sum(w)
    means = [sum(wi * x for wi, x in zip(w, c)) / sw for c in cols]
    d = [[x - m for x in c] for c, m in zip(cols, means)]
    p = len(cols)
    cov = [[sum(wi * a * b for wi, a, b in zip(w, d[j], d[k])) for k in range(p)] for j in range(p)]
    out = []
    for j in range(p):
        row = []
        for k in range(p):
            r2 = cov[j][k] ** 2 / (cov[j][j] * cov[k][k])
            row.append((1 if cov[j][k] >= 0 else -1) * float(r2) ** 0.5)
        out.append(row)
    return out


cols = [col(j) for j in range(4)]
w = [F(1, 2) + F(i % 7, 4) for i in range(n)]
ones = [F(1)] * n
out = {"n": n, "A": A, "B": B, "M": M, "S": S, "offset": OFFSET,
       "unweighted": corr_exact(cols, ones), "weighted": corr_exact(cols, w)}
with open("chunked.json", "w") as f:
    json.dump(out, f, indent=1)
