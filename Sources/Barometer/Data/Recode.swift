/// A named grouping of codes into one new code, e.g.
/// `CodeGroup(code: 1, label: "Favorable", from: [1, 2])`.
public struct CodeGroup: Sendable, Equatable {
    /// The new code.
    public var code: Double
    /// The new code's label.
    public var label: String
    /// The old codes it collects.
    public var from: Set<Double>

    /// - Parameters:
    ///   - code: The new code.
    ///   - label: The new code's label.
    ///   - from: The old codes it collects.
    public init(code: Double, label: String, from: Set<Double>) {
        self.code = code
        self.label = label
        self.from = from
    }
}

/// What a recode does with a valid code that no group names.
public enum UnmappedRule: Sendable {
    /// Keep the code and its label.
    case keep
    /// Make it system-missing.
    case systemMissing
}

extension Variable {
    /// Groups codes into new codes (SPSS `RECODE … INTO`): each group's
    /// old codes become its code and label. User-missing codes not named by
    /// a group keep their code, label and missing status, so "Don't know"
    /// survives a collapse; system-missing stays system-missing.
    /// - Throws: ``BarometerError/invalidArgument(_:)`` when a code is in
    ///   two groups or a new code collides with a kept user-missing code.
    public func grouped(_ groups: [CodeGroup], name newName: String? = nil,
                        unmapped: UnmappedRule = .keep) throws(BarometerError) -> Variable {
        try requireNumeric()
        var map: [Double: Double] = [:]
        for g in groups {
            for c in g.from {
                if map[c] != nil { throw .invalidArgument("code \(Variable.formatCode(c)) is in two groups") }
                map[c] = g.code
            }
        }
        var out = self
        out.name = newName ?? name
        var labels: [Double: String] = [:]
        var keptMissing = MissingValues()
        for (code, text) in valueLabels where map[code] == nil {
            if missing.contains(code) { labels[code] = text; keptMissing.insert(code) }
            else if unmapped == .keep { labels[code] = text }
        }
        for g in groups {
            if keptMissing.contains(g.code) {
                throw .invalidArgument("new code \(Variable.formatCode(g.code)) collides with a user-missing code")
            }
            labels[g.code] = g.label
        }
        out.values = values.map { v in
            if v.isNaN { return v }
            if let m = map[v] { return m }
            if missing.contains(v) { return v }
            return unmapped == .keep ? v : .nan
        }
        for v in values where !v.isNaN && map[v] == nil && missing.contains(v) { keptMissing.insert(v) }
        keptMissing.ranges = missing.ranges
        out.missing = keptMissing
        out.valueLabels = labels
        return out
    }

    /// Reverses an ordinal scale: valid code x becomes `min + max − x`
    /// over the valid codes present or labelled; labels follow their codes.
    /// User-missing and system-missing values are untouched.
    public func reversed(name newName: String? = nil) throws(BarometerError) -> Variable {
        try requireNumeric()
        var validCodes = Set(valueLabels.keys.filter { !missing.contains($0) })
        for v in values where !v.isNaN && !missing.contains(v) { validCodes.insert(v) }
        guard let lo = validCodes.min(), let hi = validCodes.max() else { return self }
        var out = self
        out.name = newName ?? name
        out.values = values.map { v in (v.isNaN || missing.contains(v)) ? v : lo + hi - v }
        var labels: [Double: String] = [:]
        for (code, text) in valueLabels {
            labels[missing.contains(code) ? code : lo + hi - code] = text
        }
        out.valueLabels = labels
        return out
    }
}
