#!/usr/bin/env python3
"""Writes Fixtures/csv/pieces.csv, a file made to be cut into pieces at every
line feed (quoted fields holding LF, CRLF and CR, LF and CRLF and lone-CR
record ends, blank lines, a column typed late as numeric and one typed late
as text), and what Python's `csv` module and `float()` read from it.
Run from the repository root:

    python3 Fixtures/reference/csv/make_pieces_reference.py

Output Fixtures/reference/csv/pieces.json:
  header   the header names;
  numeric  per numeric column, float(text) of each cell as an IEEE-754 bit
           pattern (hex), null where the reader's documented rule makes the
           cell system-missing (empty, "NA", "." after trimming blanks);
  strings  per text column, the cells as the csv module reads them.
"""
import csv, json, random, struct

ROOT = "."
MISSING = {"", "NA", "."}


def bits(x):
    return "%016x" % struct.unpack("<Q", struct.pack("<d", x))[0]


def quoted(s):
    return '"' + s.replace('"', '""') + '"'


def main():
    rng = random.Random(7)
    n = 400
    words = ["alpha", "has, comma", "line\nbreak", "crlf\r\ninside", "cr\ronly", 'say ""hi""', "ünïcödé",
             "two\n\nbreaks", "", "NA", "x,\n,y", "end\r\n"]
    out = ["id,x,s,late,note\r\n"]
    for i in range(n):
        # x: survey-like decimals, some long, exponent, quoted, blank-padded or missing
        r = rng.random()
        if r < 0.6:
            x = "%.6f" % rng.uniform(-500, 500)
        elif r < 0.7:
            x = repr(rng.uniform(-1, 1) * 10.0 ** rng.randint(-30, 30))
        elif r < 0.75:
            x = "%.16e" % rng.uniform(0, 1)
        elif r < 0.8:
            x = quoted("%.3f" % rng.uniform(-9, 9))
        elif r < 0.85:
            x = " %d " % rng.randint(-99, 99)
        else:
            x = rng.choice(["", "NA", ".", quoted(""), " NA "])
        w = "alpha" if i == 0 else rng.choice(words)
        s = quoted(w) if (any(c in w for c in ',\r\n"') or rng.random() < 0.2) else w
        late = rng.choice(["", "NA"]) if i < 150 else ("%.2f" % rng.uniform(0, 100) if rng.random() < 0.9 else "")
        if i < 220:
            note = rng.choice(["", "NA"])
        elif i == 220:
            note = "first text"
        else:
            note = rng.choice(["12", "", "NA", quoted("a\nb"), "zz"])
        out.append(",".join([str(i + 1), x, s, late, note]))
        out.append(rng.choice(["\n", "\n", "\r\n", "\r\n", "\r"]) if i < n - 1 else "\n")
        if rng.random() < 0.05:
            out.append(rng.choice(["\n", "\r\n"]))  # blank line: skipped
    with open(f"{ROOT}/Fixtures/csv/pieces.csv", "w", newline="", encoding="utf-8") as f:
        f.write("".join(out))
    with open(f"{ROOT}/Fixtures/csv/pieces.csv", newline="", encoding="utf-8") as f:
        rows = [r for r in csv.reader(f) if r != []]
    header, rows = rows[0], rows[1:]
    assert len(rows) == n and all(len(r) == 5 for r in rows)
    ref = {"header": header, "numeric": {}, "strings": {}}
    for j, name in enumerate(header):
        cells = [r[j] for r in rows]
        if name in ("s", "note"):
            ref["strings"][name] = cells
        else:
            ref["numeric"][name] = [None if c.strip() in MISSING else bits(float(c)) for c in cells]
    json.dump(ref, open(f"{ROOT}/Fixtures/reference/csv/pieces.json", "w"), indent=1, ensure_ascii=False)


if __name__ == "__main__":
    main()
