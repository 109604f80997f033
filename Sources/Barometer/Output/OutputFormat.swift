import Foundation

/// How a result is written: an aligned plain-text table, JSON (stable,
/// documented in the README), CSV (RFC 4180) or a GitHub-flavoured
/// Markdown table.
public enum OutputFormat: String, Sendable, CaseIterable, Codable {
    /// Plain text: aligned columns, title above and notes below (what `print(result)` shows).
    case table
    /// The result value encoded as JSON (keys sorted, non-finite numbers as strings); stable fields.
    case json
    /// RFC 4180 CSV of the table (headers, then rows; quoted where needed).
    case csv
    /// A GitHub-flavoured Markdown table with the title and notes as paragraphs.
    case markdown

    /// Renders a labelled grid. For `.json`, use ``renderJSON(_:)`` on the
    /// result itself; this produces `{title, headers, rows, notes}`.
    public func render(_ t: TextTable) -> String {
        switch self {
        case .table: return Self.plain(t)
        case .markdown: return Self.markdown(t)
        case .csv: return Self.csv(t)
        case .json:
            struct Grid: Encodable { let title: String; let headers: [String]; let rows: [[String]]; let notes: [String] }
            return (try? Self.renderJSON(Grid(title: t.title, headers: t.headers, rows: t.rows, notes: t.notes))) ?? "{}"
        }
    }

    /// JSON with sorted keys and pretty printing; non-finite numbers become
    /// the strings "NaN", "Infinity", "-Infinity".
    public static func renderJSON<T: Encodable>(_ value: T) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return String(decoding: try e.encode(value), as: UTF8.self)
    }

    static func width(_ s: String) -> Int { s.count }

    static func plain(_ t: TextTable) -> String {
        let cols = t.headers.count
        var w = t.headers.map(width)
        for r in t.rows { for (j, c) in r.enumerated() where j < cols { w[j] = max(w[j], width(c)) } }
        func line(_ cells: [String]) -> String {
            (0..<cols).map { j in
                let c = j < cells.count ? cells[j] : ""
                let pad = String(repeating: " ", count: max(w[j] - width(c), 0))
                return t.alignments[j] == .left ? c + pad : pad + c
            }.joined(separator: "  ")
        }
        var out = [t.title, line(t.headers), w.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
        out += t.rows.map(line)
        out += t.notes
        return out.joined(separator: "\n")
    }

    static func markdown(_ t: TextTable) -> String {
        func esc(_ s: String) -> String { s.replacingOccurrences(of: "|", with: "\\|") }
        var out = ["**\(esc(t.title))**", "", "| " + t.headers.map(esc).joined(separator: " | ") + " |",
                   "|" + t.alignments.map { $0 == .left ? ":---|" : "---:|" }.joined()]
        out += t.rows.map { "| " + $0.map(esc).joined(separator: " | ") + " |" }
        if !t.notes.isEmpty { out.append(""); out += t.notes.map { "_\(esc($0))_" } }
        return out.joined(separator: "\n")
    }

    /// RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled.
    public static func csvField(_ s: String) -> String {
        if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
        }
        return s
    }

    static func csv(_ t: TextTable) -> String {
        ([t.headers] + t.rows).map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }
}
