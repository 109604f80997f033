import Barometer
import Foundation

/// A JSON codebook for a CSV file: labels, measurement levels, storage
/// types, value labels, user-missing codes and the weight variable.
///
/// ```json
/// { "weight": "wt",
///   "variables": [
///     { "name": "q1", "label": "Opinion of Russia", "level": "ordinal",
///       "valueLabels": { "1": "Very favorable", "4": "Very unfavorable",
///                        "8": "Don't know", "9": "Refused" },
///       "missing": [8, 9] },
///     { "name": "age", "level": "scale", "missingRanges": [[97, 99]] },
///     { "name": "region", "type": "string" } ] }
/// ```
///
/// The schema is `Fixtures/codebook.schema.json` (JSON Schema 2020-12).
/// Value-label keys are codes written as JSON strings and parsed as numbers
/// (`"1"`, `"-1"`, `"1.5"`). Unknown keys are errors, so a misspelt
/// `"lable"` is caught. Columns the codebook does not name keep the reader's
/// defaults (nominal, no labels, no user-missing codes).
public struct Codebook: Sendable, Equatable {
    /// The weight variable's name, if any.
    public var weight: String?
    /// The described variables, in codebook order.
    public var variables: [CodebookVariable]

    /// - Parameters:
    ///   - weight: The weight variable's name, if any.
    ///   - variables: The described variables, in codebook order.
    public init(weight: String? = nil, variables: [CodebookVariable] = []) {
        self.weight = weight
        self.variables = variables
    }

    /// Reads and decodes a codebook file.
    /// - Throws: ``CodebookError``.
    public static func load(path: String) throws(CodebookError) -> Codebook {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .unreadable(path: path, reason: "file not found")
        }
        if isDirectory.boolValue { throw .unreadable(path: path, reason: "is a directory") }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(path: path, reason: (error as NSError).localizedDescription)
        }
        return try decode(data)
    }

    /// Decodes codebook JSON.
    /// - Throws: ``CodebookError/invalidJSON(at:message:)`` with the JSON path,
    ///   ``CodebookError/unknownKey(_:at:)``, ``CodebookError/duplicateVariable(_:)``,
    ///   ``CodebookError/invalidValueLabelKey(variable:key:)``,
    ///   ``CodebookError/invalidMissingRange(variable:range:)``,
    ///   ``CodebookError/codesOnStringVariable(_:)``.
    public static func decode(_ data: Data) throws(CodebookError) -> Codebook {
        let raw: RawCodebook
        do { raw = try JSONDecoder().decode(RawCodebook.self, from: data) } catch let e as CodebookError {
            throw e
        } catch let e as DecodingError {
            // Syntax errors: JSONDecoder gives no position here, so find it.
            if case .dataCorrupted(let c) = e, c.codingPath.isEmpty, let f = JSONSyntax.firstError(in: data) {
                throw .invalidJSON(at: "line \(f.line), column \(f.column)", message: f.message)
            }
            throw Self.describe(e)
        } catch {
            throw .invalidJSON(at: "", message: "\(error)")
        }
        return try build(raw)
    }

    /// Checks a decoded codebook and parses its codes.
    static func build(_ raw: RawCodebook) throws(CodebookError) -> Codebook {
        var variables: [CodebookVariable] = []
        var seen = Set<String>()
        for r in raw.variables ?? [] {
            guard seen.insert(r.name).inserted else { throw .duplicateVariable(r.name) }
            var labels: [Double: String] = [:]
            for (key, text) in r.valueLabels ?? [:] {
                guard let code = DecimalParser.parse(key), code.isFinite else {
                    throw .invalidValueLabelKey(variable: r.name, key: key)
                }
                labels[code] = text
            }
            var ranges: [ClosedRange<Double>] = []
            for pair in r.missingRanges ?? [] {
                guard pair.count == 2, pair[0].isFinite, pair[1].isFinite, pair[0] <= pair[1] else {
                    throw .invalidMissingRange(variable: r.name, range: pair)
                }
                ranges.append(pair[0]...pair[1])
            }
            let missing = MissingValues(codes: r.missing ?? [], ranges: ranges)
            if r.type == .string && (!labels.isEmpty || !missing.isEmpty) { throw .codesOnStringVariable(r.name) }
            variables.append(CodebookVariable(name: r.name, label: r.label, level: r.level, type: r.type,
                                              valueLabels: labels, missing: missing, format: r.format))
        }
        return Codebook(weight: raw.weight, variables: variables)
    }

    /// The entry for `name`, if any.
    public func variable(named name: String) -> CodebookVariable? { variables.first { $0.name == name } }

    func type(of name: String) -> CSVColumnType? {
        if let t = variable(named: name)?.type { return t }
        // A weight is numeric even when the codebook does not say so.
        return name == weight ? .numeric : nil
    }

    /// Checks every name against the CSV header.
    /// - Throws: ``CodebookError/unknownVariable(_:suggestions:)`` or
    ///   ``CodebookError/unknownWeight(_:suggestions:)`` with close header names.
    func validate(header: [String]) throws(CodebookError) {
        let names = Set(header)
        for v in variables where !names.contains(v.name) {
            throw .unknownVariable(v.name, suggestions: Self.suggestions(v.name, header))
        }
        if let w = weight, !names.contains(w) {
            throw .unknownWeight(w, suggestions: Self.suggestions(w, header))
        }
        if let w = weight, variable(named: w)?.type == .string { throw .weightNotNumeric(w) }
    }

    /// Close names, by the same rule as `Dataset.variable(_:)` (asked of an empty dataset with these names).
    static func suggestions(_ name: String, _ header: [String]) -> [String] {
        do {
            let probe = try Dataset(variables: header.map { Variable(name: $0, values: []) })
            _ = try probe.variable(name)
        } catch .unknownVariable(_, let s) {
            return s
        } catch {}
        return []
    }

    /// A coding path as `variables[2].level`.
    static func jsonPath(_ keys: [any CodingKey]) -> String {
        var s = ""
        for k in keys {
            if let i = k.intValue { s += "[\(i)]" } else { s += (s.isEmpty ? "" : ".") + k.stringValue }
        }
        return s
    }

    static func describe(_ e: DecodingError) -> CodebookError {
        let path = jsonPath
        switch e {
        case .typeMismatch(let t, let c): return .invalidJSON(at: path(c.codingPath), message: "expected \(t): \(c.debugDescription)")
        case .valueNotFound(let t, let c): return .invalidJSON(at: path(c.codingPath), message: "missing \(t): \(c.debugDescription)")
        case .keyNotFound(let k, let c):
            return .invalidJSON(at: path(c.codingPath), message: "required key '\(k.stringValue)' is missing")
        case .dataCorrupted(let c):
            let under = (c.underlyingError as NSError?).map { " (\($0.localizedDescription))" } ?? ""
            return .invalidJSON(at: path(c.codingPath), message: c.debugDescription + under)
        @unknown default: return .invalidJSON(at: "", message: "\(e)")
        }
    }
}

/// The codebook as written, before codes are parsed; rejects unknown keys.
struct RawCodebook: Decodable {
    var weight: String?
    var variables: [RawVariable]?

    static let keys: Set<String> = ["weight", "variables", "$schema", "description"]

    init(from decoder: any Decoder) throws {
        try AnyKey.reject(decoder, allowed: Self.keys)
        let c = try decoder.container(keyedBy: AnyKey.self)
        weight = try c.decodeIfPresent(String.self, forKey: AnyKey("weight"))
        variables = try c.decodeIfPresent([RawVariable].self, forKey: AnyKey("variables"))
    }
}

struct RawVariable: Decodable {
    var name: String
    var label: String?
    var level: MeasurementLevel?
    var type: CSVColumnType?
    var valueLabels: [String: String]?
    var missing: [Double]?
    var missingRanges: [[Double]]?
    var format: String?

    static let keys: Set<String> = ["name", "label", "level", "type", "valueLabels", "missing", "missingRanges", "format"]

    init(from decoder: any Decoder) throws {
        try AnyKey.reject(decoder, allowed: Self.keys)
        let c = try decoder.container(keyedBy: AnyKey.self)
        name = try c.decode(String.self, forKey: AnyKey("name"))
        label = try c.decodeIfPresent(String.self, forKey: AnyKey("label"))
        level = try c.decodeIfPresent(MeasurementLevel.self, forKey: AnyKey("level"))
        type = try c.decodeIfPresent(CSVColumnType.self, forKey: AnyKey("type"))
        valueLabels = try c.decodeIfPresent([String: String].self, forKey: AnyKey("valueLabels"))
        missing = try c.decodeIfPresent([Double].self, forKey: AnyKey("missing"))
        missingRanges = try c.decodeIfPresent([[Double]].self, forKey: AnyKey("missingRanges"))
        format = try c.decodeIfPresent(String.self, forKey: AnyKey("format"))
    }
}

/// A coding key for any string, used to find keys the schema does not define.
struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ s: String) { stringValue = s }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }

    static func reject(_ decoder: any Decoder, allowed: Set<String>) throws {
        let c = try decoder.container(keyedBy: AnyKey.self)
        if let bad = c.allKeys.map(\.stringValue).sorted().first(where: { !allowed.contains($0) }) {
            throw CodebookError.unknownKey(bad, at: Codebook.jsonPath(decoder.codingPath))
        }
    }
}
