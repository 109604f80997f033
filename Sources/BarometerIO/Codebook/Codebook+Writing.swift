import Barometer
import Foundation

/// Writing a codebook: the JSON of `Fixtures/codebook.schema.json`, which
/// ``Codebook/decode(_:)`` reads back to an equal value.
extension Codebook: Codable {
    private enum Key: String, CodingKey { case weight, variables }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encodeIfPresent(weight, forKey: .weight)
        try c.encode(variables, forKey: .variables)
    }

    /// Decodes with the same checks as ``decode(_:)`` (unknown keys, bad codes).
    public init(from decoder: any Decoder) throws {
        self = try Codebook.build(try RawCodebook(from: decoder))
    }

    /// The codebook of a dataset: every variable's label, level, value
    /// labels, user-missing codes and ranges, format and (for strings) type,
    /// and the dataset's weight, e.g. to describe a CSV exported from an
    /// SPSS file.
    public init(dataset: Dataset) {
        self.init(weight: dataset.weightVariable, variables: dataset.variables.map { v in
            CodebookVariable(name: v.name, label: v.label, level: v.level, type: v.isString ? .string : nil,
                             valueLabels: v.valueLabels, missing: v.missing, format: v.format)
        })
    }

    /// The codebook as JSON (sorted keys, pretty-printed).
    public func jsonData() throws(CodebookError) -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do { return try e.encode(self) } catch { throw .invalidJSON(at: "", message: "\(error)") }
    }

    /// Writes the codebook as JSON to `path`.
    /// - Throws: ``CodebookError/unreadable(path:reason:)`` when the file cannot be written.
    public func write(to path: String) throws(CodebookError) {
        let data = try jsonData()
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw .unreadable(path: path, reason: "cannot write: \((error as NSError).localizedDescription)")
        }
    }
}

extension CodebookVariable: Encodable {
    private enum Key: String, CodingKey { case name, label, level, type, valueLabels, missing, missingRanges, format }

    /// The schema's form: value labels keyed by the code written as a string
    /// (`"1"`, `"-1"`, `"1.5"`), `missing` codes and `missingRanges` pairs;
    /// empty fields are left out.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(name, forKey: .name)
        try c.encodeIfPresent(label, forKey: .label)
        try c.encodeIfPresent(level, forKey: .level)
        try c.encodeIfPresent(type, forKey: .type)
        if !valueLabels.isEmpty {
            var labels: [String: String] = [:]
            for (code, text) in valueLabels { labels[Variable.formatCode(code)] = text }
            try c.encode(labels, forKey: .valueLabels)
        }
        if !missing.codes.isEmpty { try c.encode(missing.codes, forKey: .missing) }
        if !missing.ranges.isEmpty { try c.encode(missing.ranges.map { [$0.lowerBound, $0.upperBound] }, forKey: .missingRanges) }
        try c.encodeIfPresent(format, forKey: .format)
    }
}
