/// The p × p grid researchers read, and typed accessors by variable name.
extension CorrelationMatrix {
    /// The significance mark of a p-value: `***` below .001, `**` below .01,
    /// `*` below .05, nothing otherwise (or when there is no test).
    public static func stars(_ p: Double?) -> String {
        guard let p, p.isFinite else { return "" }
        if p < 0.001 { return "***" }
        if p < 0.01 { return "**" }
        if p < 0.05 { return "*" }
        return ""
    }

    /// The p-values the stars of ``gridTable`` read: the adjusted ones when
    /// an ``adjustment`` was requested, the unadjusted ones otherwise.
    public var starPValues: [[Double?]] { adjustment == .none ? pValues : adjustedPValues }

    /// The matrix as a labelled p × p grid: one row and one column per
    /// variable, the coefficient to three decimals with significance stars
    /// (`*` p < .05, `**` p < .01, `***` p < .001, stated in a note; on
    /// adjusted p-values when an ``adjustment`` was requested), 1.000 on the
    /// diagonal, blank where the coefficient is undefined. n, SEs, p-values
    /// and intervals are in ``textTable``.
    public var gridTable: TextTable {
        let p = variables.count
        let ps = starPValues
        var rows: [[String]] = []
        for i in 0..<p {
            var row = [variables[i]]
            for j in 0..<p {
                if i == j {
                    row.append("1.000   ")
                } else if let r = estimates[i][j] {
                    let mark = Self.stars(ps[i][j])
                    // Pad unmarked cells so the decimal points line up.
                    row.append(NumberFormat.fixed(r, 3) + mark + String(repeating: " ", count: 3 - mark.count))
                } else {
                    row.append("")
                }
            }
            rows.append(row)
        }
        var notes = ["* p < .05, ** p < .01, *** p < .001 (two-sided"
                     + (adjustment == .none ? ")" : ", \(adjustment.rawValue)-adjusted)")]
        notes.append("Rule: \(rule)")
        if usedPseudoInverse { notes.append("Singular matrix: pseudo-inverse used (results flagged)") }
        notes += self.notes
        return TextTable(title: textTable.title, headers: [""] + variables, rows: rows, notes: notes)
    }

    private func index(_ name: String) -> Int? { variables.firstIndex(of: name) }

    /// The coefficient of the named pair; nil when either name is not in
    /// ``variables`` or the coefficient is undefined. `matrix["a", "a"]` is 1.
    public subscript(_ x: String, _ y: String) -> Double? {
        guard let i = index(x), let j = index(y) else { return nil }
        return estimates[i][j]
    }

    /// The p-value of the named pair (unadjusted; see ``adjustedPValue(_:_:)``).
    public func pValue(_ x: String, _ y: String) -> Double? {
        guard let i = index(x), let j = index(y) else { return nil }
        return pValues[i][j]
    }

    /// The adjusted p-value of the named pair (equal to the p-value without adjustment).
    public func adjustedPValue(_ x: String, _ y: String) -> Double? {
        guard let i = index(x), let j = index(y) else { return nil }
        return adjustedPValues[i][j]
    }

    /// The standard error of the named pair.
    public func standardError(_ x: String, _ y: String) -> Double? {
        guard let i = index(x), let j = index(y) else { return nil }
        return standardErrors[i][j]
    }

    /// The rows used for the named pair; nil when either name is unknown.
    public func count(_ x: String, _ y: String) -> Int? {
        guard let i = index(x), let j = index(y) else { return nil }
        return counts[i][j]
    }

    /// The confidence interval of the named pair (Fisher z), when defined.
    public func interval(_ x: String, _ y: String) -> ClosedRange<Double>? {
        guard let i = index(x), let j = index(y), let lo = lower[i][j], let hi = upper[i][j], lo <= hi else { return nil }
        return lo...hi
    }
}
