import Barometer
import Foundation

/// Reads weighting target files (`WeightingTargets`) in two forms.
///
/// **CSV** (`.csv`): a header `variable,category,target` (any case, in that
/// order), then one row per category: the variable, its code or value label,
/// and a population total or a share. Rows of one variable form one margin
/// (margins in order of first appearance); blank lines and lines starting
/// with `#` are skipped; RFC 4180 quoting is accepted. Joint cells need JSON.
///
///     variable,category,target
///     sex,1,0.48
///     sex,2,0.52
///
/// **JSON** (`.json`):
///
///     {"total": 12000000, "tolerance": 1e-6,
///      "margins": [{"variable": "sex", "targets": {"1": 0.48, "2": 0.52}},
///                  {"variables": ["sex", "agegroup"],
///                   "cells": [{"categories": [1, 1], "target": 0.1}, …]}]}
///
/// `total` (population total that shares are scaled to) and `tolerance` (on
/// the sum of shares; default 1e-6) are optional. Categories may be numbers
/// or strings (codes or value labels).
///
/// Every malformed input is a `BarometerError/invalidTarget(margin:category:line:reason:)`
/// naming the file and, for CSV, the line; parsing never traps.
public enum TargetsLoader {
    /// Loads `path`, choosing the form from the extension (`.json`, else CSV).
    public static func load(_ path: String) throws(BarometerError) -> WeightingTargets {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .invalidTarget(margin: "(file)", category: nil, line: nil, reason: "cannot read target file \(path): \(error.localizedDescription)")
        }
        let name = (path as NSString).lastPathComponent
        if path.lowercased().hasSuffix(".json") { return try parseJSON(data, file: name) }
        return try parseCSV(data, file: name)
    }

    // MARK: CSV

    /// Parses the CSV form from bytes.
    public static func parseCSV(_ data: Data, file: String = "targets") throws(BarometerError) -> WeightingTargets {
        func fail(_ line: Int?, _ reason: String, margin: String = "(file)", category: String? = nil) -> BarometerError {
            .invalidTarget(margin: margin, category: category, line: line, reason: "\(file): \(reason)")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw fail(nil, "not UTF-8 text") }
        let records: [(line: Int, fields: [String])]
        do { records = try splitCSV(text) } catch let e as CSVSplitError { throw fail(e.line, e.reason) } catch { throw fail(nil, "\(error)") }
        var header: [String]? = nil
        var order: [String] = []
        var cells: [String: [WeightingTargets.Cell]] = [:]
        for (line, fields) in records {
            let trimmed = fields.map { $0.trimmingCharacters(in: .whitespaces) }
            if trimmed.allSatisfy(\.isEmpty) { continue }
            if trimmed[0].hasPrefix("#") { continue }
            guard header != nil else {
                let h = trimmed.map { $0.lowercased() }
                guard h == ["variable", "category", "target"] else {
                    throw fail(line, "the header must be 'variable,category,target' (found '\(fields.joined(separator: ","))')")
                }
                header = h
                continue
            }
            guard trimmed.count == 3 else { throw fail(line, "\(trimmed.count) fields, expected 3 (variable,category,target)") }
            let (v, c, t) = (trimmed[0], trimmed[1], trimmed[2])
            guard !v.isEmpty else { throw fail(line, "empty variable name") }
            guard !c.isEmpty else { throw fail(line, "empty category", margin: v) }
            guard let x = Double(t), !t.isEmpty else { throw fail(line, "target '\(t)' is not a number", margin: v, category: c) }
            if cells[v] == nil { order.append(v); cells[v] = [] }
            cells[v]?.append(WeightingTargets.Cell(categories: [c], target: x, line: line))
        }
        guard header != nil else { throw fail(nil, "empty file: expected the header 'variable,category,target'") }
        guard !order.isEmpty else { throw fail(nil, "no target rows") }
        return WeightingTargets(margins: order.map { WeightingTargets.Margin(variables: [$0], cells: cells[$0] ?? []) })
    }

    struct CSVSplitError: Error { let line: Int; let reason: String }

    /// RFC 4180 records with the 1-based line each starts on.
    static func splitCSV(_ text: String) throws -> [(line: Int, fields: [String])] {
        var out: [(Int, [String])] = []
        var fields: [String] = [], field = ""
        var inQuotes = false, quotedField = false
        var line = 1, start = 1
        var chars = Array(text.unicodeScalars)
        if chars.first == "\u{FEFF}" { chars.removeFirst() }
        var i = 0
        func endRecord() { fields.append(field); out.append((start, fields)); fields = []; field = ""; quotedField = false }
        while i < chars.count {
            let ch = chars[i]
            if inQuotes {
                if ch == "\"" {
                    if i + 1 < chars.count && chars[i + 1] == "\"" { field.unicodeScalars.append("\""); i += 1 } else { inQuotes = false }
                } else {
                    if ch == "\n" { line += 1 }
                    field.unicodeScalars.append(ch)
                }
            } else {
                switch ch {
                case "\"":
                    guard field.isEmpty && !quotedField else { throw CSVSplitError(line: line, reason: "a quote inside an unquoted field") }
                    inQuotes = true; quotedField = true
                case ",":
                    fields.append(field); field = ""; quotedField = false
                case "\r":
                    if i + 1 < chars.count && chars[i + 1] == "\n" { i += 1 }
                    endRecord(); line += 1; start = line
                case "\n":
                    endRecord(); line += 1; start = line
                default:
                    if quotedField { throw CSVSplitError(line: line, reason: "text after a closing quote") }
                    field.unicodeScalars.append(ch)
                }
            }
            i += 1
        }
        if inQuotes { throw CSVSplitError(line: start, reason: "a quoted field is not closed") }
        if !field.isEmpty || !fields.isEmpty || quotedField { endRecord() }
        return out
    }

    // MARK: JSON

    /// Parses the JSON form from bytes.
    public static func parseJSON(_ data: Data, file: String = "targets") throws(BarometerError) -> WeightingTargets {
        func fail(_ at: String, _ reason: String, margin: String = "(file)", category: String? = nil) -> BarometerError {
            .invalidTarget(margin: margin, category: category, line: nil, reason: "\(file)\(at.isEmpty ? "" : " at \(at)"): \(reason)")
        }
        let root: Any
        do { root = try JSONSerialization.jsonObject(with: data, options: []) } catch {
            throw fail("", "not valid JSON (\((error as NSError).localizedDescription))")
        }
        guard let top = root as? [String: Any] else { throw fail("", "the top level must be an object with 'margins'") }
        for k in top.keys where !["margins", "total", "tolerance"].contains(k) { throw fail("", "unknown key '\(k)' (expected margins, total, tolerance)") }
        func number(_ x: Any?, _ at: String, margin: String = "(file)", category: String? = nil) throws(BarometerError) -> Double {
            guard let n = x as? NSNumber, !isBoolean(n) else {
                throw fail(at, "expected a number", margin: margin, category: category)
            }
            return n.doubleValue
        }
        func category(_ x: Any, _ at: String, margin: String) throws(BarometerError) -> String {
            if let s = x as? String { return s }
            if let n = x as? NSNumber, !isBoolean(n) { return Variable.formatCode(n.doubleValue) }
            throw fail(at, "a category must be a code (number or string) or a value label", margin: margin)
        }
        var total: Double? = nil
        if let t = top["total"] { total = try number(t, "total") }
        var tolerance = 1e-6
        if let t = top["tolerance"] { tolerance = try number(t, "tolerance") }
        guard let list = top["margins"] as? [Any] else { throw fail("margins", "expected an array of margins") }
        var margins: [WeightingTargets.Margin] = []
        for (m, item) in list.enumerated() {
            let at = "margins[\(m)]"
            guard let obj = item as? [String: Any] else { throw fail(at, "a margin must be an object") }
            for k in obj.keys where !["variable", "variables", "targets", "cells"].contains(k) {
                throw fail(at, "unknown key '\(k)' (expected variable + targets, or variables + cells)")
            }
            var vars: [String]
            if let v = obj["variable"] as? String, obj["variables"] == nil {
                vars = [v]
            } else if let vs = obj["variables"] as? [Any], obj["variable"] == nil {
                vars = []
                for (j, v) in vs.enumerated() {
                    guard let s = v as? String else { throw fail("\(at).variables[\(j)]", "a variable name must be a string") }
                    vars.append(s)
                }
                guard !vars.isEmpty else { throw fail("\(at).variables", "no variables") }
            } else {
                throw fail(at, "give either 'variable' (a name) or 'variables' (an array of names)")
            }
            let name = vars.joined(separator: " × ")
            var cells: [WeightingTargets.Cell] = []
            if let t = obj["targets"], obj["cells"] == nil {
                guard vars.count == 1 else { throw fail(at, "'targets' is for one variable; joint cells use 'cells'", margin: name) }
                guard let dict = t as? [String: Any] else { throw fail("\(at).targets", "expected an object {category: target}", margin: name) }
                for key in dict.keys.sorted(by: Self.codeOrder) {
                    cells.append(.init(categories: [key], target: try number(dict[key], "\(at).targets.\(key)", margin: name, category: key)))
                }
            } else if let cs = obj["cells"] as? [Any], obj["targets"] == nil {
                for (c, cell) in cs.enumerated() {
                    let cat = "\(at).cells[\(c)]"
                    guard let co = cell as? [String: Any] else { throw fail(cat, "a cell must be an object {categories, target}", margin: name) }
                    for k in co.keys where !["categories", "target"].contains(k) { throw fail(cat, "unknown key '\(k)'", margin: name) }
                    guard let ks = co["categories"] as? [Any] else { throw fail(cat, "'categories' must be an array", margin: name) }
                    var keys: [String] = []
                    for (j, k) in ks.enumerated() { keys.append(try category(k, "\(cat).categories[\(j)]", margin: name)) }
                    cells.append(.init(categories: keys, target: try number(co["target"], "\(cat).target", margin: name,
                                                                               category: keys.joined(separator: " × "))))
                }
            } else {
                throw fail(at, "give either 'targets' (one variable) or 'cells' (joint cells)", margin: name)
            }
            margins.append(.init(variables: vars, cells: cells))
        }
        return WeightingTargets(margins: margins, total: total, shareTolerance: tolerance)
    }

    /// JSON `true`/`false` arrive as NSNumber with Objective-C type `c`; numbers never do.
    static func isBoolean(_ n: NSNumber) -> Bool { String(cString: n.objCType) == "c" }

    /// Numeric keys in numeric order, then others alphabetically (JSON objects are unordered).
    static func codeOrder(_ a: String, _ b: String) -> Bool {
        switch (Double(a), Double(b)) {
        case let (x?, y?): return x < y || (x == y && a < b)
        case (.some, nil): return true
        case (nil, .some): return false
        default: return a < b
        }
    }
}
