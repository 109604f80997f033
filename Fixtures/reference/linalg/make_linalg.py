"""Reference values for the LAPACK/BLAS wrappers, computed with NumPy/SciPy.

Run: python3 Fixtures/reference/linalg/make_linalg.py
Writes linalg.json next to this script. Deterministic (fixed seed).
"""
import json, os
import numpy as np
import scipy.linalg as sla

rng = np.random.default_rng(20261122)
X = rng.normal(size=(40, 6)) + 1e3 * np.arange(6)  # offset columns
Xc = X - X.mean(axis=0)
A = Xc.T @ Xc / 40.0 + 0.5 * np.eye(6)  # well-conditioned SPD 6x6
B = rng.normal(size=(6, 3))
G = rng.normal(size=(5, 7))
S = np.array([[4.0, 2.0, 2.0], [2.0, 2.0, 1.0], [2.0, 1.0, 1.0]])  # singular PSD? check below
# S: rank 2 (row1 = row2 + row3 ... ) make it exactly singular
S = np.array([[2.0, 1.0, 1.0], [1.0, 1.0, 0.0], [1.0, 0.0, 1.0]])
assert abs(np.linalg.det(S)) < 1e-12
out = {
    "generator": "numpy %s, scipy %s" % (np.__version__, __import__("scipy").__version__),
    "X": X.tolist(),
    "A": A.tolist(),
    "A_inverse": np.linalg.inv(A).tolist(),
    "A_cholesky_upper": sla.cholesky(A, lower=False).tolist(),
    "A_eigenvalues": np.linalg.eigvalsh(A).tolist(),
    "A_condition": float(np.linalg.cond(A)),
    "A_logdet": float(np.linalg.slogdet(A)[1]),
    "B": B.tolist(),
    "A_solve_B": np.linalg.solve(A, B).tolist(),
    "A_times_B": (A @ B).tolist(),
    "XtX": (X.T @ X).tolist(),
    "G": G.tolist(),
    "G_singular_values": np.linalg.svd(G, compute_uv=False).tolist(),
    "G_rank": int(np.linalg.matrix_rank(G)),
    "G_times_B_col0": (G[:, :6] @ B[:, 0]).tolist(),
    "S_singular": S.tolist(),
    "S_rank": int(np.linalg.matrix_rank(S)),
}
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "linalg.json"), "w") as f:
    json.dump(out, f, indent=1)
