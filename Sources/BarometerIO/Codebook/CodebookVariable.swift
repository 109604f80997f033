import Barometer

/// What a JSON codebook says about one CSV column. Every field but `name` is
/// optional; see `Fixtures/codebook.schema.json`.
public struct CodebookVariable: Sendable, Equatable {
    /// The CSV header name.
    public var name: String
    /// Question text or description.
    public var label: String?
    /// Level of measurement (`nominal`, `ordinal`, `scale`); default nominal.
    public var level: MeasurementLevel?
    /// Storage type; overrides the reader's inference.
    public var type: CSVColumnType?
    /// Code → label, e.g. 1 → "Very favorable", 8 → "Don't know".
    public var valueLabels: [Double: String]
    /// User-missing codes and ranges (`missing` and `missingRanges` in JSON).
    public var missing: MissingValues
    /// Display format, e.g. `F3.1`; kept, not interpreted.
    public var format: String?

    /// - Parameters:
    ///   - name: The CSV header name.
    ///   - label: Question text or description.
    ///   - level: Level of measurement (nil: nominal).
    ///   - type: Storage type, overriding the reader's inference (nil: inferred).
    ///   - valueLabels: Code → label.
    ///   - missing: User-missing codes and ranges.
    ///   - format: Display format, e.g. `F3.1`; kept, not interpreted.
    public init(name: String, label: String? = nil, level: MeasurementLevel? = nil, type: CSVColumnType? = nil,
                valueLabels: [Double: String] = [:], missing: MissingValues = .none, format: String? = nil) {
        self.name = name
        self.label = label
        self.level = level
        self.type = type
        self.valueLabels = valueLabels
        self.missing = missing
        self.format = format
    }
}
