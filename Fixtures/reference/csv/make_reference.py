#!/usr/bin/env python3
"""Writes the CSV fixtures whose bytes matter (BOM, CR, CRLF, tricky numbers)
and the expected values that Python's own `csv` module, `float()` and pandas
read from them.  Run from the repository root:

    python3 Fixtures/reference/csv/make_reference.py

Outputs
  Fixtures/csv/numbers.csv, Fixtures/csv/rfc4180.csv   (inputs, deterministic)
  Fixtures/reference/csv/numbers.json  each cell's text (csv module) and
        float(text) as an IEEE-754 bit pattern (hex), null where the reader's
        documented rule makes it system-missing (empty, "NA", ".").
  Fixtures/reference/csv/rfc4180.json  header and rows as the csv module
        parses them (encoding utf-8-sig, newline='').
  Fixtures/reference/csv/survey.json   pandas.read_csv of Fixtures/csv/survey.csv
        (numeric columns, NaN as null; string columns as text, NaN as "").
"""
import csv, json, math, random, struct, sys
import pandas as pd

ROOT = "."
MISSING = {"", "NA", "."}


def bits(x):
    return "%016x" % struct.unpack("<Q", struct.pack("<d", x))[0]


# ---------------------------------------------------------------- numbers
tricky = [
    "0", "-0", "+0", "-0.0", "0.0e0", "1", "+1", "-1", ".5", "5.", "-.5", "+.5e-3", "5.e2",
    "1e5", "1E5", "1e+05", "1e-05", "000123", "0.000001", "007.50",
    "0.1", "0.2", "0.3", "0.30000000000000004", "3.141592653589793", "2.718281828459045",
    "1e22", "1e23", "1e-22", "1e-23", "9007199254740992", "9007199254740993", "9007199254740994",
    "9007199254740995", "18446744073709551615", "18446744073709551616", "99999999999999999999",
    "123456789012345678901234567890", "0.1234567890123456789012345",
    "1.00000000000000011102230246251565404236316680908203125",
    "1.00000000000000011102230246251565404236316680908203124",
    "1.00000000000000011102230246251565404236316680908203126",
    "1.7976931348623157e308", "1.7976931348623158e308", "1e308", "1e309", "-1e400",
    "2.2250738585072014e-308", "2.2250738585072011e-308", "2.2250738585072012e-308",
    "4.9406564584124654e-324", "5e-324", "2.4703282292062327e-324", "2.4703282292062328e-324",
    "1e-400", "-1e-400", "8.98846567431158e307", "4.35679e-310", "1.5e-315",
    "7.2057594037927933e16", "72057594037927933", "1.2345678901234567e-7", "6.02214076e23",
    "1.602176634e-19", "0.000000000000000000000000000001", "1000000000000000000000000",
    "  42  ", "\t3.5", "-17 ", "1e0000000000000000001", "1e-0000000000000000001",
    "123.456e-2", "-9.999999999999999e22", "9.5367431640625e-7", "4503599627370496.5",
    "4503599627370497.5", "2251799813685248.25", "0.1e1", "100e-2",
    "", "NA", ".", " NA ",
]


def make_numbers():
    rng = random.Random(20261122)
    values = list(tricky)
    for _ in range(300):  # shortest round-trip reprs of random doubles over many magnitudes
        x = rng.uniform(-1, 1) * 10.0 ** rng.randint(-320, 307)
        values.append(repr(x))
    for _ in range(150):  # 17 significant digits, which the fast path cannot take
        x = rng.uniform(0, 1) * 10.0 ** rng.randint(-30, 30)
        values.append("%.16e" % x)
    for _ in range(150):  # survey-like decimals, fast path
        values.append("%.*f" % (rng.randint(0, 6), rng.uniform(-1000, 1000)))
    for _ in range(50):  # random subnormals
        x = struct.unpack("<d", struct.pack("<Q", rng.randint(1, (1 << 52) - 1)))[0]
        values.append(repr(x))
    with open(f"{ROOT}/Fixtures/csv/numbers.csv", "w", newline="") as f:
        f.write("x\n")
        for k, v in enumerate(values):
            # quote every 7th value and every value with spaces (quoted numbers are numbers too)
            f.write(('"%s"' % v if (k % 7 == 3 or v.strip() != v or v == "") else v) + "\n")
    out = []
    with open(f"{ROOT}/Fixtures/csv/numbers.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["x"]
    for r in rows[1:]:
        text = r[0]
        if text.strip() in MISSING:
            out.append({"text": text, "bits": None})
        else:
            out.append({"text": text, "bits": bits(float(text))})
    json.dump({"values": out}, open(f"{ROOT}/Fixtures/reference/csv/numbers.json", "w"), indent=1)


# ---------------------------------------------------------------- RFC 4180
def make_rfc4180():
    data = (
        "\ufeff"  # UTF-8 byte-order mark
        "id,name,comment,score\r\n"
        "1,plain,\"has, comma\",1.5\r\n"
        "2,\"quoted \"\"word\"\"\",\"line1\nline2\",2\r\n"
        "3,crlf,\"a\r\nb\",  3  \r\n"
        "\r\n"  # blank line: skipped
        "4,\"cr only\",\"x\ry\",-4e2\r\n"
        "5,,\"\",\r\n"
        "6,ünïcödé,\"日本語, \"\"quoted\"\"\",NA\n"  # LF line end mixed in
        "7,\"\",\",\",\".\"\r\n"
        "8,\"a\"\"\",\"\"\"\",\" 8.25 \""  # no final line end
    )
    with open(f"{ROOT}/Fixtures/csv/rfc4180.csv", "w", newline="", encoding="utf-8") as f:
        f.write(data)
    with open(f"{ROOT}/Fixtures/csv/rfc4180.csv", newline="", encoding="utf-8-sig") as f:
        rows = [r for r in csv.reader(f) if r != []]
    json.dump({"header": rows[0], "rows": rows[1:]}, open(f"{ROOT}/Fixtures/reference/csv/rfc4180.json", "w"),
              indent=1, ensure_ascii=False)


# ---------------------------------------------------------------- survey (pandas)
def make_survey():
    df = pd.read_csv(f"{ROOT}/Fixtures/csv/survey.csv", keep_default_na=False, na_values=["", "NA", "."])
    out = {}
    for c in df.columns:
        if not pd.api.types.is_numeric_dtype(df[c]):
            out[c] = {"strings": ["" if pd.isna(v) else str(v) for v in df[c]]}
        else:
            out[c] = {"values": [None if math.isnan(v) else float(v) for v in df[c].astype(float)]}
    json.dump(out, open(f"{ROOT}/Fixtures/reference/csv/survey.json", "w"), indent=1, ensure_ascii=False)


if __name__ == "__main__":
    make_numbers()
    make_rfc4180()
    make_survey()
    print("ok", file=sys.stderr)
