"""Makes the small banner-book test survey (deterministic): 3 strata, 36
clusters nested in strata, unequal weights, a 4-point question with Don't
know (8) and Refused (9), a 3-point question, a numeric score with
system-missing, and two banner variables (region 1-3, sex 1-2).
Run: python3 make_data.py  (writes banner_survey.csv and its codebook)."""
import json
import numpy as np

rng = np.random.default_rng(20261206)
rows = []
for h in range(1, 4):
    for c in range(1, 13):
        m = rng.integers(8, 20)
        effect = rng.normal(0, 0.6)
        for _ in range(m):
            region = int(rng.choice([1, 2, 3], p=[0.5, 0.3, 0.2]))
            sex = int(rng.integers(1, 3))
            lin = effect + 0.5 * (region - 2) + 0.3 * (sex - 1.5) + rng.normal(0, 1)
            q1 = int(np.clip(np.round(2.5 + lin), 1, 4))
            u = rng.random()
            if u < 0.06:
                q1 = 8
            elif u < 0.09:
                q1 = 9
            q2 = int(np.clip(np.round(2 + 0.5 * lin + rng.normal(0, 0.7)), 1, 3))
            score = round(50 + 10 * lin + rng.normal(0, 5), 1)
            score = "" if rng.random() < 0.05 else score
            wt = round(float(rng.uniform(0.4, 2.5)), 4)
            # Up to two reasons (codes 1-4), none for about a quarter.
            reasons = [int(x) for x in rng.choice([1, 2, 3, 4], size=2, replace=False, p=[0.4, 0.3, 0.2, 0.1])]
            k = int(rng.choice([0, 1, 2], p=[0.25, 0.45, 0.30]))
            r1 = reasons[0] if k >= 1 else ""
            r2 = reasons[1] if k >= 2 else ""
            rows.append((h, f"{h}-{c}", wt, region, sex, q1, q2, score, r1, r2))

with open("banner_survey.csv", "w") as f:
    f.write("stratum,psu,wt,region,sex,q1,q2,score,reason1,reason2\n")
    for r in rows:
        f.write(",".join(str(x) for x in r) + "\n")

codebook = {"weight": "wt", "variables": [
    {"name": "region", "label": "Region", "valueLabels": {"1": "North", "2": "South", "3": "West"}},
    {"name": "sex", "label": "Sex", "valueLabels": {"1": "Male", "2": "Female"}},
    {"name": "q1", "label": "Opinion of the neighbour", "level": "ordinal",
     "valueLabels": {"1": "Very favourable", "2": "Somewhat favourable", "3": "Somewhat unfavourable",
                     "4": "Very unfavourable", "8": "Don't know", "9": "Refused"}, "missing": [8, 9]},
    {"name": "q2", "label": "Trust in parliament", "level": "ordinal",
     "valueLabels": {"1": "Low", "2": "Medium", "3": "High"}},
    {"name": "score", "label": "Wellbeing score", "level": "scale"},
    {"name": "reason1", "label": "Reasons for the opinion", "valueLabels": {"1": "Culture", "2": "Economy", "3": "Security", "4": "Other"}},
    {"name": "reason2", "label": "Reasons for the opinion (second)", "valueLabels": {"1": "Culture", "2": "Economy", "3": "Security", "4": "Other"}}]}
with open("banner_survey.codebook.json", "w") as f:
    json.dump(codebook, f, indent=1)
print(len(rows), "rows")
