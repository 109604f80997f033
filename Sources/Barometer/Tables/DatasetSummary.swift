/// What `barometer describe` shows: per variable its label, level, type,
/// value-label and missing-code declarations, and counts of valid,
/// user-missing and system-missing answers.
public struct DatasetSummary: Sendable, Codable, Equatable, TableRepresentable {
    /// One variable's description.
    public struct Entry: Sendable, Codable, Equatable {
        /// Variable name.
        public let name: String
        /// Variable label (nil when it has none).
        public let label: String?
        /// Measurement level (nominal, ordinal, scale).
        public let level: MeasurementLevel
        /// `numeric` or `string`.
        public let type: String
        /// Number of value labels.
        public let valueLabelCount: Int
        /// Declared user-missing codes (e.g. 8 "Don't know", 9 "Refused").
        public let missingCodes: [Double]
        /// Declared user-missing ranges as `[low, high]`.
        public let missingRanges: [[Double]]
        /// Respondents with a valid answer.
        public let valid: Int
        /// Respondents with a user-missing code.
        public let userMissing: Int
        /// Respondents with no value.
        public let systemMissing: Int
        /// Whether this is the weight variable.
        public let isWeight: Bool
        /// Display/date format noted by the source, if any.
        public let format: String?
    }

    /// Respondents.
    public let rowCount: Int
    /// The weight variable, if the codebook or caller names one.
    public let weight: String?
    /// Σw over all respondents (nil when unweighted or the weight is invalid).
    public let weightSum: Double?
    /// Variables in file order.
    public let variables: [Entry]

    /// Summarises `data`; `weight` overrides the dataset's weight variable.
    public init(_ data: Dataset, weight: String? = nil) {
        let w = weight ?? data.weightVariable
        self.rowCount = data.rowCount
        self.weight = w
        self.weightSum = w.flatMap { name in data[name].flatMap { try? Weights(validating: $0.values, name: name).sum } }
        self.variables = data.variables.map { v in
            var valid = 0, user = 0, sys = 0
            for i in 0..<v.count {
                switch v.status(atRow: i) {
                case .valid: valid += 1
                case .userMissing: user += 1
                case .systemMissing: sys += 1
                }
            }
            return Entry(name: v.name, label: v.label, level: v.level, type: v.isString ? "string" : "numeric",
                         valueLabelCount: v.valueLabels.count, missingCodes: v.missing.codes,
                         missingRanges: v.missing.ranges.map { [$0.lowerBound, $0.upperBound] },
                         valid: valid, userMissing: user, systemMissing: sys, isWeight: v.name == w, format: v.format)
        }
    }

    public var textTable: TextTable {
        let rows = variables.map { e -> [String] in
            let codes = e.missingCodes.map(Variable.formatCode)
                + e.missingRanges.map { "\(Variable.formatCode($0[0]))–\(Variable.formatCode($0[1]))" }
            return [e.name + (e.isWeight ? " (weight)" : ""), e.label ?? "", e.level.rawValue, e.type,
                    String(e.valueLabelCount), codes.joined(separator: ","),
                    String(e.valid), String(e.userMissing), String(e.systemMissing)]
        }
        var notes = ["\(rowCount) respondents, \(variables.count) variables."]
        if let weight {
            notes.append("Weight: \(weight)" + (weightSum.map { ", Σw = \(NumberFormat.fixed($0, 3))" } ?? " (invalid: see `freq`)") + ".")
        } else {
            notes.append("No weight variable declared.")
        }
        return TextTable(title: "Variables",
                         headers: ["Name", "Label", "Level", "Type", "Labels", "Missing codes", "Valid", "User-missing", "System-missing"],
                         alignments: [.left, .left, .left, .left, .right, .left, .right, .right, .right],
                         rows: rows, notes: notes)
    }
}
