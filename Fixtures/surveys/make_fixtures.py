#!/usr/bin/env python3
"""Writes the SYNTHETIC fixture surveys behind the two memos' claims, and their reference figures.

Deterministic (numpy seed 20200430). Run from the repository root:

    python3 Fixtures/surveys/make_fixtures.py

Writes
  Fixtures/surveys/kz2019-synthetic.csv (+ .codebook.json)            CAB-like waves 2017-2019, PONARS memo 658
  Fixtures/surveys/kz2019-synthetic-perturbed.csv (+ .codebook.json)  twin: one conditional share moved by +15 points
  Fixtures/surveys/kz2020-synthetic.csv (+ .codebook.json)            Feb-2020 survey, oDR 2020 article
  Fixtures/reference/claims/fixture-figures.json                      every claim recomputed here with pandas/statsmodels

NOTHING here is real survey data. The respondents are invented so that their WEIGHTED figures reproduce
every published figure of the memos within the memos' rounding; the script asserts this itself
(pandas/statsmodels, independently of Barometer) and refuses to write anything otherwise.

Modelling choices (documented in README.md):
  * The PONARS memo states 87% favourable (Table 1) and 89% favourable (base of the reasons question).
    We model three CAB waves (variable `wave`): Table 1 pools 2017-2019 (87%), the reasons question
    was asked in wave 2019 only, where 89% are favourable. This is an assumption, not a fact about CAB.
  * The reasons question is two multiple-response columns (first- and second-named reason), asked of
    wave-2019 respondents with a favourable opinion of Russia; system-missing (empty) otherwise and
    when no second reason was given.
  * Weights are post-stratification-like cell weights (language x sex x age group), range 0.3-3,
    scaled to mean 1 within each wave.
"""
import json
import os
import sys

import numpy as np
import pandas as pd
from statsmodels.stats.weightstats import DescrStatsW

SEED = 20200430
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SURV = os.path.join(ROOT, "Fixtures", "surveys")
REF = os.path.join(ROOT, "Fixtures", "reference", "claims")
MEMOS = os.path.join(ROOT, "Fixtures", "memos")
Z975 = 1.959963984540054  # qnorm(0.975)

rng = np.random.default_rng(SEED)


# ---------------------------------------------------------------- building blocks
def cell_weights(n, rng):
    """Post-stratification-like weights: 12 cells (language x sex x age), sample shares off the
    population shares; weight = population share / sample share, clipped to [0.3, 3], mean 1."""
    lang_pop = np.array([0.62, 0.38]); lang_smp = np.array([0.50, 0.50])          # Kazakh, Russian
    sex_pop = np.array([0.47, 0.53]); sex_smp = np.array([0.40, 0.60])
    age_pop = np.array([0.33, 0.40, 0.27]); age_smp = np.array([0.18, 0.42, 0.40])  # 18-29, 30-54, 55+
    lang = rng.choice(2, n, p=lang_smp); sex = rng.choice(2, n, p=sex_smp); age = rng.choice(3, n, p=age_smp)
    w = lang_pop[lang] / lang_smp[lang] * sex_pop[sex] / sex_smp[sex] * age_pop[age] / age_smp[age]
    w = w * np.exp(rng.normal(0, 0.08, n))   # a little raking noise
    for _ in range(20):                      # trim to [0.3, 3] and rescale to mean 1
        w = np.clip(w / w.mean(), 0.3, 3.0)
    w = np.round(w, 4)
    return lang + 1, sex + 1, age + 1, w


def fill(order, w, cats, targets):
    """Assign categories along `order` (respondent indices) so that each category's weight is as close
    as possible to its target weight without exceeding it (greedy, skipping respondents that would
    overshoot); the last category takes everyone left. Returns {index: category}."""
    out = {}
    left = list(order)
    for c, t in zip(cats[:-1], targets[:-1]):
        acc, keep = 0.0, []
        for i in left:
            if acc + w[i] <= t:
                out[i] = c; acc += w[i]
            else:
                keep.append(i)
        left = keep
    for i in left:
        out[i] = cats[-1]
    return out


def ordinal(latent, w, idx, shares, rng, dk=(8, 9)):
    """Codes for respondents `idx`: shares (percent) keyed by code, codes 1..4 ordered by `latent`
    (higher latent -> code 1), Don't know / Refused (8, 9) drawn at random first."""
    idx = np.asarray(idx)
    tot = w[idx].sum()
    res = np.zeros(len(w))
    rand = rng.permutation(idx)
    miss_codes = [c for c in dk if shares.get(c, 0) > 0]
    miss = fill(rand, w, miss_codes + ["rest"], [shares[c] / 100 * tot for c in miss_codes] + [np.inf])
    rest = np.array([i for i in rand if miss[i] == "rest"])
    for i, c in miss.items():
        if c != "rest":
            res[i] = c
    valid = [c for c in sorted(shares) if c not in dk]
    order = rest[np.argsort(-latent[rest], kind="stable")]
    got = fill(order, w, valid, [shares[c] / 100 * tot for c in valid])
    for i, c in got.items():
        res[i] = c
    return res[idx]


def nominal(w, idx, shares, rng):
    """Codes for respondents `idx` at random, with weighted shares (percent) keyed by code."""
    idx = np.asarray(idx)
    tot = w[idx].sum()
    codes = list(shares)
    got = fill(rng.permutation(idx), w, codes, [shares[c] / 100 * tot for c in codes])
    return np.array([got[i] for i in idx], dtype=float)


# ---------------------------------------------------------------- CAB 2017-2019 (PONARS 658)
def make_cab(perturb=False):
    rng = np.random.default_rng(SEED)
    waves = [2017, 2018, 2019]
    n_w = 1200
    n = n_w * len(waves)
    wave = np.repeat(waves, n_w)
    lang = np.zeros(n); sex = np.zeros(n); age = np.zeros(n); w = np.zeros(n)
    for k in range(len(waves)):
        s = slice(k * n_w, (k + 1) * n_w)
        lang[s], sex[s], age[s], w[s] = cell_weights(n_w, rng)
    # latent attitudes: leadership L, general openness G, Russia-specific R
    L = rng.normal(size=n); G = rng.normal(size=n); R = rng.normal(size=n)
    e = lambda: rng.normal(size=n)
    zLead = L
    zRu = 0.45 * L + 0.45 * G + 0.6 * R + 0.4 * (lang == 2)
    zUs = 0.25 * L + 0.60 * G + 0.7 * e()
    zCn = 0.25 * L + 0.55 * G + 0.7 * e()
    zCRu = 0.6 * zRu + 0.4 * e()
    zCUs = 0.5 * zUs + 0.3 * G + 0.5 * e()
    zCCn = 0.5 * zCn + 0.3 * G + 0.5 * e()
    zEeu = 0.4 * zRu + 0.3 * L + 0.7 * e()
    allidx = np.arange(n)
    d = {"resp_id": np.arange(1, n + 1), "wave": wave, "wt": w, "lang": lang, "sex": sex, "agegroup": age}
    d["q_leader_opinion"] = ordinal(zLead, w, allidx, {1: 30, 2: 40, 3: 15, 4: 7, 8: 6, 9: 2}, rng)
    ru = np.zeros(n)
    for k, wv in enumerate(waves):
        idx = allidx[wave == wv]
        sh = {1: 41, 2: 48, 3: 6, 4: 2, 8: 2.25, 9: 0.75} if wv == 2019 else {1: 38, 2: 48, 3: 6, 4: 2, 8: 4.5, 9: 1.5}
        ru[idx] = ordinal(zRu, w, idx, sh, rng)
    d["q_russia_opinion"] = ru
    fav = np.isin(ru, [1, 2])
    us = np.zeros(n); cn = np.zeros(n)
    us_fav = {1: 15, 2: 40, 3: 22, 4: 10, 8: 10, 9: 3}
    if perturb:   # the twin: US-favourable among Russia-favourable moved from 55% to 70%
        us_fav = {1: 20, 2: 50, 3: 15, 4: 6, 8: 7, 9: 2}
    us[fav] = ordinal(zUs, w, allidx[fav], us_fav, rng)
    us[~fav] = ordinal(zUs, w, allidx[~fav], {1: 5, 2: 25, 3: 30, 4: 20, 8: 15, 9: 5}, rng)
    cn[fav] = ordinal(zCn, w, allidx[fav], {1: 20, 2: 51, 3: 15, 4: 6, 8: 6, 9: 2}, rng)
    cn[~fav] = ordinal(zCn, w, allidx[~fav], {1: 10, 2: 40, 3: 25, 4: 12, 8: 10, 9: 3}, rng)
    d["q_us_opinion"] = us; d["q_china_opinion"] = cn
    cru = ordinal(zCRu, w, allidx, {1: 46, 2: 42, 3: 3, 4: 3, 8: 4.5, 9: 1.5}, rng)
    sup = np.isin(cru, [1, 2])
    cus = np.zeros(n); ccn = np.zeros(n)
    cus[sup] = ordinal(zCUs, w, allidx[sup], {1: 20, 2: 39, 3: 18, 4: 10, 8: 10, 9: 3}, rng)
    cus[~sup] = ordinal(zCUs, w, allidx[~sup], {1: 8, 2: 30, 3: 25, 4: 22, 8: 12, 9: 3}, rng)
    ccn[sup] = ordinal(zCCn, w, allidx[sup], {1: 22, 2: 43, 3: 16, 4: 9, 8: 8, 9: 2}, rng)
    ccn[~sup] = ordinal(zCCn, w, allidx[~sup], {1: 10, 2: 35, 3: 25, 4: 18, 8: 10, 9: 2}, rng)
    d["q_closer_russia"] = cru; d["q_closer_us"] = cus; d["q_closer_china"] = ccn
    d["q_eeu_benefit"] = ordinal(zEeu, w, allidx, {1: 37, 2: 35, 3: 8, 4: 6, 8: 11, 9: 3}, rng)
    # reasons: wave 2019, favourable respondents; up to two reasons
    r1 = np.full(n, np.nan); r2 = np.full(n, np.nan)
    asked = allidx[(wave == 2019) & fav]
    perm = rng.permutation(asked)
    W_asked = w[asked].sum()
    # target percent of all responses: 1..6 categorizable, 7 other, 96 vague, 98 DK, 99 refused
    target = {1: 46.6, 2: 8.0, 3: 7.1, 4: 2.3, 5: 11.2, 6: 7.1}
    uncat = {7: 4.0, 96: 7.0, 98: 4.2, 99: 2.5}           # 17.7 in all
    share_two = 0.50                                     # ~half of the categorizable respondents name two reasons
    # total response weight T solves: W_asked + (second reasons) = T, uncategorizable respondents give one reason
    u_frac = sum(uncat.values()) / 100
    # weight of respondents with a categorizable first reason = W_asked - u_frac*T; second reasons = share_two of that
    T = W_asked * (1 + share_two) / (1 + share_two * u_frac)
    ucodes = list(uncat)
    got = fill(perm, w, ucodes + ["cat"], [uncat[c] / 100 * T for c in ucodes] + [np.inf])
    catresp = np.array([i for i in perm if got[i] == "cat"])
    for i, c in got.items():
        if c != "cat":
            r1[i] = c
    T = sum(w[i] for i in asked if got[i] != "cat") / u_frac   # actual total implied by the uncategorizable weight
    two_target = T - W_asked
    twos = fill(rng.permutation(catresp), w, ["two", "one"], [two_target, np.inf])
    second = np.array([i for i in catresp if twos[i] == "two"])
    slots = [(i, 1) for i in rng.permutation(catresp)] + [(i, 2) for i in rng.permutation(second)]
    sw = np.array([w[i] for i, _ in slots])
    cats = list(target)
    got = fill(np.arange(len(slots)), sw, cats, [target[c] / 100 * T for c in cats])
    for s, (i, k) in enumerate(slots):
        (r1 if k == 1 else r2)[i] = got[s]
    # a respondent cannot name the same reason twice: swap second reasons with a close-weight partner
    dup = [i for i in second if r1[i] == r2[i]]
    for i in dup:
        cand = [j for j in second if r1[j] != r2[i] and r2[j] != r1[i] and r1[j] != r2[j] and j != i]
        j = min(cand, key=lambda j: (abs(w[j] - w[i]), j))
        r2[i], r2[j] = r2[j], r2[i]
    d["q_russia_reason1"] = r1; d["q_russia_reason2"] = r2
    d["dweight"] = design_weights(wave, lang)
    df = pd.DataFrame(d)
    return df


def design_weights(wave, lang):
    """SYNTHETIC design weights (inverse selection probabilities, before any weighting to targets): the
    interview-language strata are sampled 1:1 although the population is 62:38 (stratum weight = population
    share / sample share in the wave), and one adult is interviewed per household (Kish grid: x the number
    of adults, 1-4). Scaled to mean 1 within each wave, rounded to 6 decimals. Own generator (seed + 18),
    drawn after everything else, so no other column changes. `barometer weight --weight dweight` rakes them
    to Fixtures/surveys/kz-targets.csv."""
    rng = np.random.default_rng(SEED + 18)
    n = len(wave)
    adults = rng.choice([1, 2, 3, 4], size=n, p=[0.22, 0.46, 0.22, 0.10])
    pop = {1: 0.62, 2: 0.38}
    dw = np.zeros(n)
    for wv in np.unique(wave):
        s = wave == wv
        for h, ph in pop.items():
            sh = s & (lang == h)
            dw[sh] = ph / (sh.sum() / s.sum()) * adults[sh]
        dw[s] = dw[s] / dw[s].mean()
    return np.round(dw, 6)


CAB_CODEBOOK = {
    "weight": "wt",
    "variables": [
        {"name": "resp_id", "label": "SYNTHETIC respondent id", "level": "nominal", "type": "numeric"},
        {"name": "wave", "label": "SYNTHETIC survey wave (CAB-like)", "level": "nominal", "type": "numeric",
         "valueLabels": {"2017": "Wave 2017", "2018": "Wave 2018", "2019": "Wave 2019"}},
        {"name": "wt", "label": "SYNTHETIC post-stratification weight", "level": "scale", "type": "numeric"},
        {"name": "lang", "label": "SYNTHETIC interview language", "level": "nominal", "type": "numeric",
         "valueLabels": {"1": "Kazakh", "2": "Russian"}},
        {"name": "sex", "label": "SYNTHETIC sex", "level": "nominal", "type": "numeric", "valueLabels": {"1": "Male", "2": "Female"}},
        {"name": "agegroup", "label": "SYNTHETIC age group", "level": "ordinal", "type": "numeric",
         "valueLabels": {"1": "18-29", "2": "30-54", "3": "55+"}},
    ],
}
FAV = {"1": "Very favorable", "2": "Somewhat favorable", "3": "Somewhat unfavorable", "4": "Very unfavorable", "8": "Don't know", "9": "Refused"}
SUP = {"1": "Strongly support", "2": "Somewhat support", "3": "Somewhat oppose", "4": "Strongly oppose", "8": "Don't know", "9": "Refused"}
AGR = {"1": "Strongly agree", "2": "Somewhat agree", "3": "Somewhat disagree", "4": "Strongly disagree", "8": "Don't know", "9": "Refused"}
REASONS = {"1": "RU domestic qualities", "2": "Generally good KZ-RU relationship", "3": "Innate KZ-RU bonds",
           "4": "Practically useful KZ-RU relationship", "5": "RU internationally benign", "6": "RU internationally strong",
           "7": "Other", "96": "Too vague to categorize", "98": "Don't know", "99": "Refused"}
for name, label, vl in [
    ("q_leader_opinion", "SYNTHETIC opinion of Kazakhstan's leadership", FAV),
    ("q_russia_opinion", "SYNTHETIC opinion of Russia", FAV),
    ("q_us_opinion", "SYNTHETIC opinion of the United States", FAV),
    ("q_china_opinion", "SYNTHETIC opinion of China", FAV),
    ("q_closer_russia", "SYNTHETIC country developing closer economic relations with Russia", SUP),
    ("q_closer_us", "SYNTHETIC country developing closer economic relations with the United States", SUP),
    ("q_closer_china", "SYNTHETIC country developing closer economic relations with China", SUP),
    ("q_eeu_benefit", "SYNTHETIC joining the EEU has benefitted the national economy", AGR)]:
    CAB_CODEBOOK["variables"].append({"name": name, "label": label, "level": "ordinal", "type": "numeric",
                                      "valueLabels": vl, "missing": [8, 9]})
for k in (1, 2):
    CAB_CODEBOOK["variables"].append({"name": f"q_russia_reason{k}",
        "label": f"SYNTHETIC reason for opinion of Russia, {'first' if k == 1 else 'second'}-named (wave 2019, favourable respondents)",
        "level": "nominal", "type": "numeric", "valueLabels": REASONS, "missing": [98, 99]})
CAB_CODEBOOK["variables"].append({"name": "dweight", "label": "SYNTHETIC design weight (language strata 1:1, x adults in household; before raking)",
                                  "level": "scale", "type": "numeric"})


# ---------------------------------------------------------------- Feb 2020 (oDR 2020)
def make_2020():
    rng = np.random.default_rng(SEED + 1)
    n = 2000
    lang, sex, age, w = cell_weights(n, rng)
    allidx = np.arange(n)
    d = {"resp_id": np.arange(1, n + 1), "wt": w, "lang": lang, "sex": sex, "agegroup": age}
    G = rng.normal(size=n)
    d["q_presence_russia"] = ordinal(G + rng.normal(size=n), w, allidx, {1: 26, 2: 49, 3: 17, 8: 6, 9: 2}, rng)
    d["q_presence_us"] = ordinal(0.5 * G + rng.normal(size=n), w, allidx, {1: 4, 2: 23, 3: 65, 8: 6, 9: 2}, rng)
    d["q_presence_china"] = ordinal(0.5 * G + rng.normal(size=n), w, allidx, {1: 12, 2: 24, 3: 55, 8: 7, 9: 2}, rng)
    d["q_model_country"] = nominal(w, allidx, {2: 3.9, 3: 3.2, 1: 24, 4: 6, 5: 9, 6: 8, 7: 30, 9: 2, 8: 13.9}, rng)
    d["q_main_enemy"] = nominal(w, allidx, {2: 7.4, 1: 0.8, 4: 0.3, 5: 0.4, 6: 0.6, 3: 10, 7: 50, 9: 5.5, 8: 25}, rng)
    d["q_main_friend"] = nominal(w, allidx, {2: 0.1, 3: 2.5, 1: 51, 4: 4, 5: 3, 6: 3.4, 7: 20, 9: 2, 8: 14}, rng)
    return pd.DataFrame(d)


PRES = {"1": "More presence / closer relationship", "2": "Satisfied with the current presence", "3": "Less presence",
        "8": "Don't know", "9": "Refused"}
COUNTRY = {"1": "Russia", "2": "USA", "3": "China", "4": "Turkey", "5": "Uzbekistan", "6": "Other country",
           "7": "None", "8": "Don't know", "9": "Refused"}
ODR_CODEBOOK = {"weight": "wt", "variables": [
    {"name": "resp_id", "label": "SYNTHETIC respondent id", "level": "nominal", "type": "numeric"},
    {"name": "wt", "label": "SYNTHETIC post-stratification weight", "level": "scale", "type": "numeric"},
    {"name": "lang", "label": "SYNTHETIC interview language", "level": "nominal", "type": "numeric", "valueLabels": {"1": "Kazakh", "2": "Russian"}},
    {"name": "sex", "label": "SYNTHETIC sex", "level": "nominal", "type": "numeric", "valueLabels": {"1": "Male", "2": "Female"}},
    {"name": "agegroup", "label": "SYNTHETIC age group", "level": "ordinal", "type": "numeric", "valueLabels": {"1": "18-29", "2": "30-54", "3": "55+"}},
]}
for name, label, vl, lvl in [
    ("q_presence_russia", "SYNTHETIC desired presence of Russia in Kazakhstan", PRES, "nominal"),
    ("q_presence_us", "SYNTHETIC desired presence of the USA in Kazakhstan", PRES, "nominal"),
    ("q_presence_china", "SYNTHETIC desired presence of China in Kazakhstan", PRES, "nominal"),
    ("q_model_country", "SYNTHETIC which country is a model for Kazakhstan's development", COUNTRY, "nominal"),
    ("q_main_enemy", "SYNTHETIC Kazakhstan's main enemy", COUNTRY, "nominal"),
    ("q_main_friend", "SYNTHETIC Kazakhstan's main friend", COUNTRY, "nominal")]:
    ODR_CODEBOOK["variables"].append({"name": name, "label": label, "level": lvl, "type": "numeric", "valueLabels": vl, "missing": [8, 9]})


# ---------------------------------------------------------------- claims recomputed with pandas/statsmodels
def share(df, var, codes, dom_mask):
    """Weighted percent of `codes` among every respondent in the domain (Don't know/Refused in the base),
    with the linearization SE of a weights-only with-replacement design (R survey::svymean on a subset)."""
    w = df["wt"].to_numpy(float); y = df[var].isin(codes).to_numpy(float); d = dom_mask.astype(float)
    W = (w * d).sum(); p = (w * d * y).sum() / W
    n = len(df)
    z = w * d * (y - p)
    se = np.sqrt(n / (n - 1) * (z ** 2).sum()) / W
    # Logit interval as R survey::svyciprop(method = "logit"): expit(logit p ± t_df · se / (p(1 − p))),
    # df = degf of the subset design (respondents in the base with positive weight, minus one).
    from scipy.stats import t as student_t
    df_ = int(((d > 0) & (w > 0)).sum()) - 1
    half = student_t.ppf(0.975, df_) * se / (p * (1 - p))
    lg = np.log(p / (1 - p))
    expit = lambda x: 1 / (1 + np.exp(-x))
    return {"value": 100 * p, "se": 100 * se, "ciLower": 100 * expit(lg - half), "ciUpper": 100 * expit(lg + half),
            "n": int(d.sum()), "weightedBase": W}


def valid(df, var, missing=(8, 9)):
    x = df[var]
    return x.notna() & ~x.isin(missing)


def corr(df, vars_, controls=()):
    cols = list(vars_) + list(controls)
    m = np.logical_and.reduce([valid(df, c).to_numpy() for c in cols])
    sub = df.loc[m, cols].to_numpy(float)
    r = DescrStatsW(sub, weights=df.loc[m, "wt"].to_numpy(float)).corrcoef
    if controls:
        P = np.linalg.inv(r)
        v = -P[0, 1] / np.sqrt(P[0, 0] * P[1, 1])
    else:
        v = r[0, 1]
    return {"value": float(v), "n": int(m.sum())}


def mr(df, comp, dom_mask):
    w = df["wt"].to_numpy(float)
    rows = dom_mask
    num = den = 0.0
    for v in comp["variables"]:
        x = df[v].to_numpy(float)
        resp = rows & np.isin(x, comp["responseCodes"])
        if comp["measure"] == "percent-of-subset":
            resp = resp & np.isin(x, comp["subsetCodes"])
        den += w[resp].sum()
        num += w[resp & np.isin(x, comp["codes"])].sum()
    return {"value": 100 * num / den, "weightedBase": den}


def mask(df, sel):
    return df[sel["variable"]].isin(sel["codes"]).to_numpy() if sel else np.ones(len(df), bool)


def evaluate(df, claims):
    out = {}
    for c in claims["claims"]:
        comp = c["computation"]; k = comp["kind"]
        if k in ("marginal-share", "collapsed-share"):
            r = share(df, comp["variable"], comp["codes"], mask(df, comp.get("domain")))
        elif k == "conditional-share":
            r = share(df, comp["variable"], comp["codes"], mask(df, comp["given"]) & mask(df, comp.get("domain")))
        elif k in ("correlation", "partial-correlation"):
            r = corr(df, comp["variables"], comp.get("controls", ()))
        elif k == "multiple-response":
            r = mr(df, comp, mask(df, comp.get("domain")))
        else:
            continue
        out[c["id"]] = r
    return out


def interval(f):
    v = f["value"]
    h = {"integer": 0.5, "one-decimal": 0.05, "approximate": f.get("tolerance", 0), "exact": 0}[f["rounding"]]
    if f.get("relation") == "less-than":
        return 0.0, v
    return v - h, v + h


def verdicts(claims, figs):
    res = {}
    for c in claims["claims"]:
        if c["id"] not in figs:
            continue
        v = figs[c["id"]]["value"]
        if c["verdict"] == "sign":
            ok = v > 0 if c["expectedSign"] == "positive" else v < 0
        else:
            lo, hi = interval(c["figure"])
            closed = c["figure"]["rounding"] == "approximate"
            ok = lo <= v <= hi if closed else lo <= v < hi
        res[c["id"]] = ok
    return res


def write_csv(df, path):
    df.to_csv(path, index=False, float_format="%.10g", na_rep="")


def main():
    ponars = json.load(open(os.path.join(MEMOS, "ponars-658.claims.json")))
    odr = json.load(open(os.path.join(MEMOS, "odr-2020.claims.json")))
    import jsonschema   # the claim files must conform to their JSON Schema
    schema = json.load(open(os.path.join(MEMOS, "claims.schema.json")))
    jsonschema.Draft202012Validator.check_schema(schema)
    for claims in (ponars, odr):
        jsonschema.validate(claims, schema)
    cab, twin, k20 = make_cab(), make_cab(perturb=True), make_2020()
    # round-trip through CSV so the figures are those of the committed files
    os.makedirs(SURV, exist_ok=True); os.makedirs(REF, exist_ok=True)
    files = {"kz2019-synthetic": (cab, CAB_CODEBOOK, ponars), "kz2019-synthetic-perturbed": (twin, CAB_CODEBOOK, ponars),
             "kz2020-synthetic": (k20, ODR_CODEBOOK, odr)}
    ref = {"description": "SYNTHETIC fixture surveys: every recomputable claim evaluated with pandas/statsmodels by "
                          "Fixtures/surveys/make_fixtures.py (independent of Barometer). Shares are weighted percents over "
                          "every respondent in the (domain and) condition, Don't know/Refused included in the base; se is the "
                          "linearization SE of a weights-only with-replacement design (R survey::svymean on a subset), CI = "
                          "value +/- qnorm(0.975)*se. Correlations are weighted Pearson (statsmodels DescrStatsW), listwise "
                          "deletion of codes 8/9 and empty cells; partial correlations from the inverse correlation matrix.",
           "seed": SEED, "datasets": {}}
    failures = []
    for name, (df, cb, claims) in files.items():
        csv = os.path.join(SURV, f"{name}.csv")
        write_csv(df, csv)
        with open(os.path.join(SURV, f"{name}.codebook.json"), "w") as f:
            json.dump(cb, f, indent=2, ensure_ascii=False); f.write("\n")
        back = pd.read_csv(csv)
        assert back["wt"].between(0.3, 3.0).all(), "weights outside 0.3-3"
        figs = evaluate(back, claims)
        ok = verdicts(claims, figs)
        bad = sorted(k for k, v in ok.items() if not v)
        ref["datasets"][name] = {"csv": f"Fixtures/surveys/{name}.csv", "codebook": f"Fixtures/surveys/{name}.codebook.json",
                                 "claims": f"Fixtures/memos/{claims['memo']['id']}.claims.json", "rows": len(back),
                                 "failingClaims": bad, "figures": figs}
        expected_bad = ["ponars658.p4.us-favorable-given-russia-favorable"] if name.endswith("perturbed") else []
        if bad != expected_bad:
            failures.append((name, bad, {k: figs[k]["value"] for k in bad}))
        print(f"{name}: {len(back)} rows, {len(figs)} claims recomputed, failing: {bad}")
    # the twin moves exactly one claim's figure beyond rounding: compare at the published precision
    a = ref["datasets"]["kz2019-synthetic"]["figures"]; b = ref["datasets"]["kz2019-synthetic-perturbed"]["figures"]
    cid = "ponars658.p4.us-favorable-given-russia-favorable"
    moved = b[cid]["value"] - a[cid]["value"]
    print(f"twin: {cid} moved by {moved:.2f} points")
    assert 14 <= moved <= 16, moved
    if failures:
        for f in failures:
            print("MISMATCH", f, file=sys.stderr)
        sys.exit(1)
    with open(os.path.join(REF, "fixture-figures.json"), "w") as f:
        json.dump(ref, f, indent=1, sort_keys=True); f.write("\n")


if __name__ == "__main__":
    main()
