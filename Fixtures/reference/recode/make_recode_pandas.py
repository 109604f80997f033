"""pandas pd.cut of apistrat's api00 on the bins of make_recode.R (right-closed), codes 1..3,
and the pw-weighted count per band (groupby sum). Independent of Barometer and of R.

Run from the repository root: python3 Fixtures/reference/recode/make_recode_pandas.py
"""
import json
import math

import pandas as pd

api = pd.read_csv("Fixtures/reference/design/apistrat.csv")
band = pd.cut(api["api00"], bins=[-math.inf, 499, 699, math.inf], labels=[1, 2, 3]).astype(int)
counts = api.groupby(band)["pw"].sum()
json.dump({"bands": band.tolist(), "weightedCounts": [float(counts[k]) for k in (1, 2, 3)],
           "pandas": pd.__version__},
          open("Fixtures/reference/recode/pandas.json", "w"), indent=1)
