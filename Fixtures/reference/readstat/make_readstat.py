"""Writes the ReadStat reader fixtures with independent tools and the JSON of
what each writer was given (the tests compare against that JSON).

Run from the repository root:  python3 Fixtures/reference/readstat/make_readstat.py
Needs pyreadstat (>= 1.2) and pandas; R with haven for the .sas7bdat file.

Files (Fixtures/readstat/):
  survey.sav / survey.zsav  pyreadstat.write_sav: labels (Cyrillic), value labels,
                            user-missing discrete codes (q1: 8, 9) and a range
                            (income: 97 thru 99), measurement levels, a string
                            column, a date, a weight.
  survey.csv                the same data as plain codes (the CSV twin), with
  survey.codebook.json      its codebook (labels, value labels, missing codes, weight).
  survey.dta                pyreadstat.write_dta version 14 (format 118, UTF-8):
                            Stata extended missing .a/.b/.z kept apart from '.'.
  survey_cp1251.dta         format 114 (Stata 10), whose text is Windows-1251: written
                            by pyreadstat with ASCII placeholders of the same byte
                            length, then each placeholder replaced byte-for-byte by
                            the cp1251 encoding of its Cyrillic text (cp1251 is a
                            single-byte code page, so offsets do not move). Format
                            114 has no encoding field, so a reader must be told.
  survey_tagged_labels.dta  R haven::write_dta version 15 (format 119): labelled
                            extended missing values (.a "Затрудняюсь ответить", .b "Отказ", .z unlabelled).
  survey.por                pyreadstat.write_por (labels only; POR names are upper case).
  survey.xpt                pyreadstat.write_xport version 8.
  survey.sas7bdat           R haven::write_sas.
  expected.json             every variable: name, label, level, format, values
                            (null = system-missing), strings, value labels,
                            user-missing codes and ranges, Stata tags per row.
  freq_q1_weighted.json     pandas weighted frequency of q1 in survey.csv,
                            user-missing codes 8, 9 as their own rows, then NaN.
"""
import datetime as dt
import json
import os
import subprocess

import numpy as np
import pandas as pd
import pyreadstat

OUT = "Fixtures/readstat"
os.makedirs(OUT, exist_ok=True)

n = 12
ids = list(range(1, n + 1))
q1 = [1, 2, 3, 4, 8, 9, 2, np.nan, 1, 3, 8, 2]
income = [3, 97, 5, 10, 98, 1, 99, 7, np.nan, 2, 4, 6]
region = ["Алматы", "Астана", "", "Шымкент", "Алматы", "Караганда", "Астана", "Алматы", "Актобе", "", "Шымкент", "Астана"]
age = [34, 51, 22, 68, 45, 29, 77, 38, 56, 19, 63, 41]
wt = [0.8, 1.25, 1.0, 0.6, 1.4, 0.95, 1.1, 0.7, 1.3, 1.05, 0.9, 1.2]
dates = [dt.date(2024, 3, 1) + dt.timedelta(days=3 * i) for i in range(n)]

labels = {
    "id": "Номер анкеты",
    "q1": "Доверие правительству",
    "income": "Доход семьи (децили)",
    "region": "Регион",
    "age": "Возраст",
    "wt": "Весовой коэффициент",
    "idate": "Дата интервью",
}
q1_labels = {1.0: "Полностью доверяю", 2.0: "Скорее доверяю", 3.0: "Скорее не доверяю",
             4.0: "Совсем не доверяю", 8.0: "Затрудняюсь ответить", 9.0: "Отказ от ответа"}
income_labels = {1.0: "Низший дециль", 10.0: "Высший дециль", 97.0: "Не знаю", 98.0: "Отказ", 99.0: "Нет ответа"}

df = pd.DataFrame({"id": [float(i) for i in ids], "q1": q1, "income": income, "region": region,
                   "age": [float(a) for a in age], "wt": wt, "idate": dates})

# ---------------------------------------------------------------- SPSS sav/zsav
sav_missing = {"q1": [8.0, 9.0], "income": [{"lo": 97.0, "hi": 99.0}]}
sav_measure = {"id": "scale", "q1": "ordinal", "income": "ordinal", "region": "nominal",
               "age": "scale", "wt": "scale", "idate": "scale"}
sav_formats = {"id": "F4.0", "q1": "F1.0", "income": "F2.0", "age": "F3.0", "wt": "F8.2", "idate": "DATE11"}
common = dict(column_labels=labels, variable_value_labels={"q1": q1_labels, "income": income_labels},
              missing_ranges=sav_missing, variable_measure=sav_measure, variable_format=sav_formats,
              file_label="Барометр: тестовый файл")
pyreadstat.write_sav(df, f"{OUT}/survey.sav", **common)
pyreadstat.write_sav(df, f"{OUT}/survey.zsav", compress=True, **common)

# SPSS stores dates as seconds since 1582-10-14.
spss_epoch = dt.date(1582, 10, 14)
spss_dates = [float((d - spss_epoch).days * 86400) for d in dates]
# Cross-check with an independent read (no date conversion) of what was written.
raw, meta = pyreadstat.read_sav(f"{OUT}/survey.sav", disable_datetime_conversion=True, user_missing=True)
assert list(raw["idate"]) == spss_dates, (list(raw["idate"]), spss_dates)
assert meta.missing_ranges == {"q1": [{"lo": 8.0, "hi": 8.0}, {"lo": 9.0, "hi": 9.0}],
                               "income": [{"lo": 97.0, "hi": 99.0}]}, meta.missing_ranges


def nums(xs):
    return [None if (x is None or (isinstance(x, float) and np.isnan(x))) else float(x) for x in xs]


def lab(d):
    return [[float(k), v] for k, v in sorted(d.items())]


sav_vars = [
    dict(name="id", label=labels["id"], level="scale", format="F4.0", values=nums(df["id"])),
    dict(name="q1", label=labels["q1"], level="ordinal", format="F1.0", values=nums(q1),
         valueLabels=lab(q1_labels), missingCodes=[8.0, 9.0], missingRanges=[]),
    dict(name="income", label=labels["income"], level="ordinal", format="F2.0", values=nums(income),
         valueLabels=lab(income_labels), missingCodes=[], missingRanges=[[97.0, 99.0]]),
    dict(name="region", label=labels["region"], level="nominal", strings=region),
    dict(name="age", label=labels["age"], level="scale", format="F3.0", values=nums(age)),
    dict(name="wt", label=labels["wt"], level="scale", format="F8.2", values=nums(wt)),
    dict(name="idate", label=labels["idate"], level="scale", format="DATE11", values=spss_dates),
]

# ---------------------------------------------------------------- CSV twin
df_csv = df.drop(columns=["idate"]).copy()
df_csv.to_csv(f"{OUT}/survey.csv", index=False, na_rep="")
# Its codebook (the CSV reader's JSON format, Fixtures/codebook.schema.json) says what the .sav says.
codebook = {"weight": "wt", "variables": [
    {"name": "id", "label": labels["id"], "level": "scale", "format": "F4.0"},
    {"name": "q1", "label": labels["q1"], "level": "ordinal", "format": "F1.0",
     "valueLabels": {str(int(k)): v for k, v in q1_labels.items()}, "missing": [8, 9]},
    {"name": "income", "label": labels["income"], "level": "ordinal", "format": "F2.0",
     "valueLabels": {str(int(k)): v for k, v in income_labels.items()}, "missingRanges": [[97, 99]]},
    {"name": "region", "label": labels["region"], "type": "string"},
    {"name": "age", "label": labels["age"], "level": "scale", "format": "F3.0"},
    {"name": "wt", "label": labels["wt"], "level": "scale", "format": "F8.2"},
]}
json.dump(codebook, open(f"{OUT}/survey.codebook.json", "w"), ensure_ascii=False, indent=1)

# pandas reference: weighted frequency of q1 (all codes incl. user-missing 8, 9, then NaN).
w = pd.Series(wt)
qs = pd.Series(q1)
rows = []
for code in sorted(qs.dropna().unique()):
    m = qs == code
    rows.append({"code": float(code), "count": int(m.sum()), "weighted": float(w[m].sum()),
                 "status": "userMissing" if code in (8.0, 9.0) else "valid"})
m = qs.isna()
rows.append({"code": None, "count": int(m.sum()), "weighted": float(w[m].sum()), "status": "systemMissing"})
total = float(w.sum())
valid = sum(r["weighted"] for r in rows if r["status"] == "valid")
for r in rows:
    r["percent"] = 100 * r["weighted"] / total
    r["validPercent"] = 100 * r["weighted"] / valid if r["status"] == "valid" else None
json.dump({"variable": "q1", "weight": "wt", "totalWeighted": total, "validWeighted": valid,
           "effectiveSize": total ** 2 / float((w ** 2).sum()), "rows": rows},
          open(f"{OUT}/freq_q1_weighted.json", "w"), ensure_ascii=False, indent=1)

# ---------------------------------------------------------------- Stata 118 with extended missing
# q1: 8 -> .a ("don't know"), 9 -> .b ("refused"), one row .z, NaN stays '.'.
tag_of = {8.0: "a", 9.0: "b"}
q1_dta = [tag_of.get(float(x), float(x)) if not (isinstance(x, float) and np.isnan(x)) else None for x in q1]
q1_dta[9] = "z"  # row 10 becomes .z
dta_df = pd.DataFrame({"id": df["id"], "q1": pd.Series(q1_dta, dtype=object), "region": region,
                       "wt": wt})
dta_labels = {1.0: "Полностью доверяю", 2.0: "Скорее доверяю", 3.0: "Скорее не доверяю", 4.0: "Совсем не доверяю"}
pyreadstat.write_dta(dta_df, f"{OUT}/survey.dta", version=14,
                     column_labels={k: labels[k] for k in ["id", "q1", "region", "wt"]},
                     variable_value_labels={"q1": dta_labels}, missing_user_values={"q1": ["a", "b", "z"]},
                     variable_format={"wt": "%9.2f"})
q1_dta_values = [None if x is None or isinstance(x, str) else float(x) for x in q1_dta]
q1_dta_tags = [x if isinstance(x, str) else None for x in q1_dta]
# Independent read-back check.
chk, chkmeta = pyreadstat.read_dta(f"{OUT}/survey.dta", user_missing=True)
assert [x if isinstance(x, str) else (None if np.isnan(x) else x) for x in chk["q1"]] == \
       [t if t else v for v, t in zip(q1_dta_values, q1_dta_tags)], list(chk["q1"])
dta_vars = [
    dict(name="id", label=labels["id"], values=nums(df["id"])),
    dict(name="q1", label=labels["q1"], values=q1_dta_values, tags=q1_dta_tags, valueLabels=lab(dta_labels)),
    dict(name="region", label=labels["region"], strings=region),
    dict(name="wt", label=labels["wt"], format="%9.2f", values=nums(wt)),
]

# ---------------------------------------------------------------- Stata 114, Windows-1251
cyr = {"q1": labels["q1"], "region": labels["region"],
       "l1": "Полностью доверяю", "l2": "Скорее доверяю", "l3": "Скорее не доверяю", "l4": "Совсем не доверяю"}
cyr.update({f"r{i}": s for i, s in enumerate(sorted(set(r for r in region if r)))})
placeholder = {}
for i, (k, text) in enumerate(cyr.items()):
    nbytes = len(text.encode("cp1251"))
    tok = f"~{i:02d}" + "#" * (nbytes - 3)
    assert len(tok) == nbytes
    placeholder[k] = tok
reg_ph = {cyr[k]: placeholder[k] for k in cyr if k.startswith("r")}
old_df = pd.DataFrame({"id": df["id"], "q1": [np.nan if (isinstance(x, float) and np.isnan(x)) or x >= 8 else x for x in q1],
                       "region": [reg_ph.get(r, r) for r in region]})
pyreadstat.write_dta(old_df, f"{OUT}/survey_cp1251.dta", version=10,
                     column_labels={"q1": placeholder["q1"], "region": placeholder["region"]},
                     variable_value_labels={"q1": {1.0: placeholder["l1"], 2.0: placeholder["l2"],
                                                   3.0: placeholder["l3"], 4.0: placeholder["l4"]}})
blob = open(f"{OUT}/survey_cp1251.dta", "rb").read()
for k, tok in placeholder.items():
    occurrences = blob.count(tok.encode("ascii"))
    assert occurrences >= 1, k
    blob = blob.replace(tok.encode("ascii"), cyr[k].encode("cp1251"))
assert blob[0] == 114, blob[0]
open(f"{OUT}/survey_cp1251.dta", "wb").write(blob)
chk, chkmeta = pyreadstat.read_dta(f"{OUT}/survey_cp1251.dta", encoding="WINDOWS-1251")
assert chkmeta.column_names_to_labels["q1"] == labels["q1"], chkmeta.column_names_to_labels
assert list(chk["region"]) == region, list(chk["region"])
cp_vars = [
    dict(name="id", values=nums(df["id"])),
    dict(name="q1", label=labels["q1"], values=nums(old_df["q1"]), valueLabels=lab(dta_labels)),
    dict(name="region", label=labels["region"], strings=region),
]

# ---------------------------------------------------------------- POR, XPT
por_df = df[["id", "q1", "age", "wt"]].copy()
pyreadstat.write_por(por_df, f"{OUT}/survey.por", column_labels=["Questionnaire number", "Trust in government", "Age", "Weight"])
por_vars = [dict(name=c.upper(), label=l, values=nums(por_df[c]))
            for c, l in zip(por_df.columns, ["Questionnaire number", "Trust in government", "Age", "Weight"])]
pyreadstat.write_xport(por_df, f"{OUT}/survey.xpt", column_labels=["Questionnaire number", "Trust in government", "Age", "Weight"],
                       table_name="SURVEY")
xpt_vars = [dict(name=c, label=l, values=nums(por_df[c]))
            for c, l in zip(por_df.columns, ["Questionnaire number", "Trust in government", "Age", "Weight"])]

# ---------------------------------------------------------------- SAS7BDAT via R haven
por_df.assign(region=[r if r else "" for r in [x.encode("ascii", "replace").decode() and x for x in ["Almaty", "Astana", "", "Shymkent", "Almaty", "Karaganda", "Astana", "Almaty", "Aktobe", "", "Shymkent", "Astana"]]]) \
    .to_csv("/tmp/barometer_sas_input.csv", index=False, na_rep="NA")
r = f"""
suppressMessages(library(haven))
d <- read.csv('/tmp/barometer_sas_input.csv', na.strings='NA', stringsAsFactors=FALSE)
d$region[is.na(d$region)] <- ''
attr(d$q1, 'label') <- 'Trust in government'
attr(d$age, 'label') <- 'Age'
suppressWarnings(write_sas(d, '{OUT}/survey.sas7bdat'))
"""
subprocess.run(["Rscript", "-e", r], check=True)
sas_region = ["Almaty", "Astana", "", "Shymkent", "Almaty", "Karaganda", "Astana", "Almaty", "Aktobe", "", "Shymkent", "Astana"]
sas_vars = [dict(name="id", values=nums(por_df["id"])), dict(name="q1", label="Trust in government", values=nums(por_df["q1"])),
            dict(name="age", label="Age", values=nums(por_df["age"])), dict(name="wt", values=nums(por_df["wt"])),
            dict(name="region", strings=sas_region)]

# ---------------------------------------------------------------- Stata 119 via haven: labelled extended missing
r = f"""
suppressMessages(library(haven))
x <- labelled(c(1, 2, tagged_na("a"), NA, tagged_na("b"), 1, tagged_na("a"), 2, NA, 1, 2, tagged_na("z")),
              c("Согласен"=1, "Не согласен"=2, "Затрудняюсь ответить"=tagged_na("a"), "Отказ"=tagged_na("b")),
              label="Вопрос 5")
d <- data.frame(id=1:12)
d$q5 <- x
write_dta(d, '{OUT}/survey_tagged_labels.dta', version=15)
"""
subprocess.run(["Rscript", "-e", r], check=True)
tagged_vars = [
    dict(name="id", values=[float(i) for i in range(1, 13)]),
    dict(name="q5", label="Вопрос 5", values=[1.0, 2.0, None, None, None, 1.0, None, 2.0, None, 1.0, 2.0, None],
         tags=[None, None, "a", None, "b", None, "a", None, None, None, None, "z"],
         valueLabels=[[1.0, "Согласен"], [2.0, "Не согласен"]],
         extendedMissingLabels={"a": "Затрудняюсь ответить", "b": "Отказ"}),
]

expected = {
    "rowCount": n,
    "files": {"survey.sav": sav_vars, "survey.zsav": sav_vars, "survey.dta": dta_vars,
              "survey_cp1251.dta": cp_vars, "survey.por": por_vars, "survey.xpt": xpt_vars,
              "survey.sas7bdat": sas_vars, "survey_tagged_labels.dta": tagged_vars},
    "formats": {"survey.sav": "sav", "survey.zsav": "zsav", "survey.dta": "dta", "survey_cp1251.dta": "dta",
                "survey.por": "por", "survey.xpt": "xpt", "survey.sas7bdat": "sas7bdat",
                "survey_tagged_labels.dta": "dta"},
}

# ---------------------------------------------------------------- bad inputs (must give typed errors)
sav_bytes = open(f"{OUT}/survey.sav", "rb").read()
open(f"{OUT}/bad_truncated.sav", "wb").write(sav_bytes[:1000])        # cut inside the dictionary
open(f"{OUT}/bad_truncated_data.sav", "wb").write(sav_bytes[:-40])    # cut inside the data
open(f"{OUT}/bad_wrong_extension.dta", "wb").write(sav_bytes)         # an SPSS file named .dta
rng = np.random.default_rng(20241122)
noise = rng.integers(0, 256, 4096, dtype=np.uint8).tobytes()
open(f"{OUT}/bad_random.sav", "wb").write(noise)
open(f"{OUT}/bad_random.bin", "wb").write(noise)
open(f"{OUT}/bad_random_magic.sav", "wb").write(b"$FL2" + noise[4:])  # right magic, garbage after
json.dump(expected, open(f"{OUT}/expected.json", "w"), ensure_ascii=False, indent=1)
print("ok")

# ---------------------------------------------------------------- Barometer's own .sav, read by pyreadstat
# Fixtures/readstat/written_by_barometer.sav is written by SAVWriter from survey.sav
# (BAROMETER_WRITE_SAV_REFERENCE=$PWD/Fixtures/readstat/written_by_barometer.sav \
#  swift test --filter SAVWriterTests). Check that an independent reader sees
# exactly what pyreadstat wrote into survey.sav.
mine = f"{OUT}/written_by_barometer.sav"
if os.path.exists(mine):
    got, gm = pyreadstat.read_sav(mine, user_missing=True, disable_datetime_conversion=True)
    assert list(got.columns) == [v["name"] for v in sav_vars], list(got.columns)
    for v in sav_vars:
        col = got[v["name"]]
        if "strings" in v:
            assert list(col) == v["strings"], v["name"]
        else:
            assert [None if np.isnan(x) else float(x) for x in col] == v["values"], v["name"]
            assert gm.variable_value_labels.get(v["name"], {}) == {k: t for k, t in v.get("valueLabels", [])}, v["name"]
            assert gm.original_variable_types[v["name"]] == v["format"], v["name"]
        assert gm.column_names_to_labels[v["name"]] == v["label"], v["name"]
        assert gm.variable_measure[v["name"]] == v["level"], v["name"]
    assert gm.missing_ranges == meta.missing_ranges, gm.missing_ranges
    print("written_by_barometer.sav: pyreadstat reads back every value, label, format, level and missing code")
