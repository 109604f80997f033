#!/usr/bin/env python3
"""Writes Fixtures/csv/short_decimals.csv, a file of short decimal cells in every
shape around the reader's one-word fast path (issue 21: 1-7 digits around a dot,
read from one 8-byte word) and just outside it (8+ digits, no digit before or
after the dot, exponents, blanks, signs), ended by every terminator (comma, LF,
CRLF, end of file), and what Python's `csv` module and `float()` read from it.
Run from the repository root:

    python3 Fixtures/reference/csv/make_short_decimals.py

Output Fixtures/reference/csv/short_decimals.json:
  header  the column names;
  bits    per row, per column, float(text) as an IEEE-754 bit pattern (hex).
"""
import csv, json, random, struct, sys

ROOT = "."
COLUMNS = 6


def bits(x):
    return "%016x" % struct.unpack("<Q", struct.pack("<d", x))[0]


def cell(rng):
    whole = rng.choice([0, 1, 1, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9])
    frac = rng.choice([0, 1, 2, 3, 4, 5, 6, 6, 6, 7, 8, 9, 12])
    if whole + frac == 0:
        whole = 1
    digits = lambda n: "".join(rng.choice("0123456789") for _ in range(n))
    text = digits(whole)
    if frac > 0 or rng.random() < 0.2:
        text += "." + digits(frac)
    sign = rng.choice(["", "", "", "-", "+"])
    text = sign + text
    r = rng.random()
    if r < 0.08:
        text += rng.choice(["e", "E"]) + rng.choice(["", "-", "+"]) + digits(rng.randint(1, 2))
    elif r < 0.14:
        text = rng.choice([" ", "\t", ""]) + text + rng.choice([" ", "\t", "  "])
    return text


def main():
    rng = random.Random(20261206)
    lines = []
    for _ in range(400):
        row = [cell(rng) for _ in range(COLUMNS)]
        lines.append(",".join(row) + rng.choice(["\n", "\n", "\r\n"]))
    # the last record without a line end: the fast path's word must not run past the file
    lines[-1] = lines[-1].rstrip("\r\n")
    header = ",".join(f"c{j + 1}" for j in range(COLUMNS)) + "\n"
    with open(f"{ROOT}/Fixtures/csv/short_decimals.csv", "w", newline="") as f:
        f.write(header + "".join(lines))
    with open(f"{ROOT}/Fixtures/csv/short_decimals.csv", newline="") as f:
        rows = list(csv.reader(f))
    out = {"header": rows[0], "bits": [[bits(float(t)) for t in r] for r in rows[1:]]}
    json.dump(out, open(f"{ROOT}/Fixtures/reference/csv/short_decimals.json", "w"))
    print("ok", file=sys.stderr)


if __name__ == "__main__":
    main()
