import Barometer
import BarometerIO
import BarometerClaims

/// A self-contained XHTML banner book: one table per stub question, letters
/// as superscripts after each cell, bases under each table, the notes
/// (base, test, levels, adjustment, df, weight, variance) below it, and a
/// print stylesheet that keeps each table on one page. No scripts, fonts or
/// external files, so it opens anywhere and prints as it shows.
public enum BannerHTML {
    /// The book as one XHTML document titled `title`; with `provenance`, a
    /// closing paragraph says what produced it (Barometer version, inputs
    /// with their SHA-256, options, time), as the replication report does.
    public static func render(_ book: BannerBook, title: String = "Banner book", provenance: Provenance? = nil) -> String {
        let e = XMLText.escape
        var html = """
        <?xml version="1.0" encoding="UTF-8"?>
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta charset="UTF-8"/>
        <title>\(e(title))</title>
        <style>
        body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em;color:#111}
        table{border-collapse:collapse;margin:0.5em 0 0.3em;font-variant-numeric:tabular-nums}
        th,td{border-bottom:1px solid #ccc;padding:0.25em 0.6em;text-align:right}
        th:first-child,td:first-child{text-align:left}
        thead th{border-bottom:2px solid #333;vertical-align:bottom}
        tr.base td{color:#555;font-size:0.9em}
        tr.missing td{color:#777;font-style:italic}
        sup{color:#b00;font-weight:bold;margin-left:0.15em}
        .letter{display:block;font-weight:normal;color:#555}
        p.note{font-size:0.85em;color:#444;margin:0.1em 0}
        section{page-break-inside:avoid;break-inside:avoid;margin-bottom:2em}
        @media print{body{margin:0.5cm}section{page-break-after:auto}}
        </style></head><body>
        <h1>\(e(title))</h1>

        """
        let text = book.textTables
        for (k, t) in book.tables.enumerated() {
            html += "<section id=\"table-\(k + 1)\"><h2>\(e(t.title)) <small>(\(e(t.variable)))</small></h2>\n<table><thead><tr><th></th>"
            for c in book.columns {
                html += "<th>\(e(c.label))" + (c.letter.isEmpty ? "" : "<span class=\"letter\">(\(e(c.letter)))</span>") + "</th>"
            }
            html += "</tr></thead><tbody>\n"
            let decimals = t.rows.first?.kind == .mean ? 2 : 1
            for row in t.rows {
                html += "<tr class=\"\(row.kind.rawValue)\"><td>\(e(row.label))</td>"
                for cell in row.cells {
                    let v = cell.value.map { NumberFormat.fixed($0, decimals) } ?? "–"
                    html += "<td>\(e(v))" + (cell.letters.isEmpty ? "" : "<sup>\(e(cell.letters))</sup>") + "</td>"
                }
                html += "</tr>\n"
            }
            for (label, values) in [("Unweighted base", t.bases.map { String($0.unweighted) }),
                                    ("Weighted base", t.bases.map { NumberFormat.fixed($0.weighted, 1) }),
                                    ("Effective base", t.bases.map { NumberFormat.fixed($0.effective, 1) })] {
                html += "<tr class=\"base\"><td>\(label)</td>" + values.map { "<td>\(e($0))</td>" }.joined() + "</tr>\n"
            }
            html += "</tbody></table>\n"
            for note in text[k].notes { html += "<p class=\"note\">\(e(note))</p>\n" }
            html += "</section>\n"
        }
        if let provenance {
            html += "<p class=\"note provenance\">" + provenance.lines.map(e).joined(separator: "<br/>") + "</p>\n"
        }
        html += "</body></html>\n"
        return html
    }
}
