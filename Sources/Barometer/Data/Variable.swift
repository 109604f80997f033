/// One column of a survey: its values and everything a codebook says of it.
///
/// Numeric values are `Double`; system-missing is NaN. User-missing codes
/// stay as their codes (8, 9, …) and are recognised through ``missing``,
/// so "Don't know", "Refused" and system-missing remain distinct.
/// String variables keep their text in ``strings`` and NaN in ``values``.
public struct Variable: Sendable {
    /// The variable's name (unique within a dataset).
    public var name: String
    /// The question text or description.
    public var label: String?
    /// Level of measurement.
    public var level: MeasurementLevel
    /// Numeric values, one per respondent; NaN is system-missing.
    public var values: [Double]
    /// Text values for a string variable, `nil` for a numeric one.
    public var strings: [String]?
    /// Value labels, code → text (e.g. 1 → "Very favorable", 8 → "Don't know").
    public var valueLabels: [Double: String]
    /// User-missing declaration.
    public var missing: MissingValues
    /// Display or date format noted by the source file (e.g. `DATE11`), if any.
    public var format: String?
    /// Labels of Stata/SAS extended missing values (`.a`–`.z`, `._`), by tag;
    /// the values themselves are tagged NaNs (see ``ExtendedMissing``).
    public var extendedMissingLabels: [Character: String] = [:]

    /// A numeric variable.
    public init(name: String, label: String? = nil, level: MeasurementLevel = .nominal,
                values: [Double], valueLabels: [Double: String] = [:], missing: MissingValues = .none,
                format: String? = nil) {
        self.name = name
        self.label = label
        self.level = level
        self.values = values
        self.strings = nil
        self.valueLabels = valueLabels
        self.missing = missing
        self.format = format
    }

    /// A string variable. Empty strings are system-missing.
    public init(name: String, label: String? = nil, strings: [String]) {
        self.name = name
        self.label = label
        self.level = .nominal
        self.values = [Double](repeating: .nan, count: strings.count)
        self.strings = strings
        self.valueLabels = [:]
        self.missing = .none
        self.format = nil
    }

    /// Number of respondents.
    public var count: Int { values.count }

    /// Whether this is a string variable.
    public var isString: Bool { strings != nil }

    /// Status of one value under this variable's declaration.
    @inlinable public func status(of value: Double) -> ValueStatus {
        if value.isNaN { return .systemMissing }
        return missing.contains(value) ? .userMissing : .valid
    }

    /// Status of row `row` (0-based).
    public func status(atRow row: Int) -> ValueStatus {
        if let s = strings { return s[row].isEmpty ? .systemMissing : .valid }
        return status(of: values[row])
    }

    /// The label of `code`, if any.
    public func label(for code: Double) -> String? { valueLabels[code] }

    /// Display text of a code: its label, else the number as written
    /// (integers without a decimal point).
    public func displayText(for code: Double) -> String {
        valueLabels[code] ?? Self.formatCode(code)
    }

    /// A code written compactly: `3` rather than `3.0`.
    public static func formatCode(_ code: Double) -> String {
        if code.isNaN { return "." }
        if code == code.rounded(), abs(code) < 1e15 { return String(Int64(code)) }
        return String(code)
    }

    /// Throws ``BarometerError/notNumeric(variable:)`` for a string variable.
    public func requireNumeric() throws(BarometerError) {
        guard let strings else { return }
        // Point at the value that made the column text (e.g. `nan` in row 1).
        // Empty cells and the CSV reader's default missing tokens are skipped.
        for (i, s) in strings.enumerated() {
            let t = String(s.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
            if t.isEmpty || t == "NA" || t == "." { continue }
            if let x = Double(t), x.isFinite { continue }
            let shown = t.count > 40 ? String(t.prefix(40)) + "…" : t
            throw .notNumericValue(variable: name, row: i + 1, value: shown)
        }
        throw .notNumeric(variable: name)
    }
}
