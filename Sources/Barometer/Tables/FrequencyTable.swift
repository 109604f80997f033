/// A one-way weighted frequency table, as SPSS `FREQUENCIES` shows it.
///
/// For each category (valid codes, then each user-missing code such as
/// "Don't know" or "Refused" as its own labelled row, then system-missing):
/// - unweighted count `nₖ` and weighted count `Wₖ = Σ_{i∈k} wᵢ`;
/// - percent of all `100·Wₖ / W` over every respondent in the base;
/// - valid percent `100·Wₖ / W_valid` (valid rows only);
/// - cumulative valid percent.
///
/// The base is the domain (all respondents by default); rows outside it
/// contribute nothing. Kish's effective size of the base and the design
/// effect of weighting are reported beside the counts.
public struct FrequencyTable: Sendable, Codable, Equatable, TableRepresentable {
    /// One row of the table.
    public struct Row: Sendable, Codable, Equatable {
        /// The category.
        public let category: Category
        /// Respondents (unweighted).
        public let count: Int
        /// Σw.
        public let weightedCount: Double
        /// Percent of all respondents in the base.
        public let percent: Double
        /// Percent of valid answers; nil for missing rows.
        public let validPercent: Double?
        /// Cumulative valid percent; nil for missing rows.
        public let cumulativePercent: Double?
    }

    /// Variable name.
    public let variable: String
    /// Variable label.
    public let label: String?
    /// Weight variable, nil when unweighted.
    public let weight: String?
    /// The population the percentages refer to (`all respondents` or a domain).
    public let base: String
    /// Rows in table order.
    public let rows: [Row]
    /// Respondents in the base (unweighted).
    public let totalCount: Int
    /// Σw over the base.
    public let totalWeighted: Double
    /// Respondents with a valid answer.
    public let validCount: Int
    /// Σw over valid answers.
    public let validWeighted: Double
    /// Kish effective size `(Σw)²/Σw²` of the base.
    public let effectiveSize: Double
    /// Design effect of weighting `n / n_eff` over the base.
    public let weightingDesignEffect: Double
    /// Warnings about the table, e.g. more than ``categoryWarningThreshold``
    /// categories (a continuous variable tabulated); nil when there are none
    /// (then absent from the JSON).
    public var warnings: [String]?

    /// Above this many categories (rows) the table is still made, with a
    /// warning naming the variable and the count: 10,000. The work is O(n)
    /// to code the rows plus O(k log k) for k categories; memory O(n + k).
    /// SPSS FREQUENCIES tabulates any number of values (its `/FORMAT=LIMIT(n)`
    /// suppresses tables longer than n); R `table` has no limit.
    public static let categoryWarningThreshold = 10_000

    /// Tabulates `variable` over `domain` (all respondents when nil).
    /// - Throws: ``BarometerError/unknownVariable(_:suggestions:)``,
    ///   ``BarometerError/emptyDomain(_:)`` when the base has no respondent
    ///   or zero total weight.
    public init(_ design: SurveyDesign, variable name: String, domain: Domain? = nil,
                missing: MissingInclusion = .showMissing) throws(BarometerError) {
        let v = try design.variable(name)
        var acc = TableAccumulator(variableCount: 1)
        try acc.add(TableChunk(codings: [CategoryCoding(v, missing: missing)], weights: design.weights, domain: domain))
        try self.init(accumulated: acc.finalize(), variable: v, weight: design.weights.name,
                      domain: domain?.description, missing: missing)
    }

    /// The table from accumulated cells (``TableAccumulator``): the one
    /// finalization of the in-memory, streamed and merged paths.
    /// - Throws: ``BarometerError/emptyDomain(_:)`` when the base has no
    ///   respondent or zero total weight.
    init(accumulated: TableAccumulator.Output, variable v: Variable, weight: String?, domain: String?,
         missing: MissingInclusion) throws(BarometerError) {
        let name = v.name
        let categories = accumulated.categories.first ?? []
        let tally = accumulated.tally, base = accumulated.base
        let baseName = domain ?? "all respondents"
        guard base.totalCount > 0, base.totalWeighted > 0 else {
            throw .emptyDomain("\(baseName) has no respondents with positive weight")
        }
        let validCells = categories.indices.filter { categories[$0].status == .valid }
        let validW = validCells.reduce(0.0) { $0 + tally.weighted[$1] }
        let validN = validCells.reduce(0) { $0 + tally.counts[$1] }
        // Percent of all: over the whole base when missing rows are shown,
        // over the tabulated rows when they are excluded.
        let allW = missing == .showMissing ? base.totalWeighted : tally.totalWeighted
        var cumulative = 0.0
        var rows: [Row] = []
        for (k, cat) in categories.enumerated() {
            let w = tally.weighted[k]
            var vp: Double? = nil, cp: Double? = nil
            if cat.status == .valid, validW > 0 {
                vp = 100 * w / validW
                cumulative += w
                cp = 100 * cumulative / validW
            }
            rows.append(Row(category: cat, count: tally.counts[k], weightedCount: w,
                            percent: allW > 0 ? 100 * w / allW : 0, validPercent: vp, cumulativePercent: cp))
        }
        self.variable = name
        self.label = v.label
        self.weight = weight
        self.base = missing == .showMissing ? baseName : "\(baseName), valid answers only"
        self.rows = rows
        self.totalCount = missing == .showMissing ? base.totalCount : tally.totalCount
        self.totalWeighted = allW
        self.validCount = validN
        self.validWeighted = validW
        let n = Double(base.totalCount)
        let neff = base.kishEffectiveSize(cells: [0])
        self.effectiveSize = neff
        self.weightingDesignEffect = neff > 0 ? n / neff : .nan
        if categories.count > Self.categoryWarningThreshold {
            self.warnings = ["'\(name)' has \(categories.count) distinct values (categories), more than \(Self.categoryWarningThreshold): "
                + "a continuous variable? (recode it, or use mean / quantile)"]
        }
    }

    public var textTable: TextTable {
        let rowsText = rows.map { r in
            [r.category.label,
             r.category.code.map(Variable.formatCode) ?? "",
             String(r.count),
             NumberFormat.fixed(r.weightedCount, 1),
             NumberFormat.fixed(r.percent, 1),
             NumberFormat.fixed(r.validPercent, 1),
             NumberFormat.fixed(r.cumulativePercent, 1)]
        } + [["Total", "", String(totalCount), NumberFormat.fixed(totalWeighted, 1), "100.0", "", ""]]
        var notes = ["Base: \(base); n = \(totalCount), weighted N = \(NumberFormat.fixed(totalWeighted, 1))."]
        if let weight {
            notes.append("Weight: \(weight); Kish effective n = \(NumberFormat.fixed(effectiveSize, 1)), design effect of weighting = \(NumberFormat.fixed(weightingDesignEffect, 3)).")
        } else {
            notes.append("Unweighted.")
        }
        notes.append("Valid percent excludes user-missing and system-missing answers (valid n = \(validCount)).")
        notes += (warnings ?? []).map { "Warning: \($0)." }
        return TextTable(title: label.map { "\(variable): \($0)" } ?? variable,
                         headers: ["Category", "Code", "n", "Weighted", "Percent", "Valid %", "Cum. %"],
                         rows: rowsText, notes: notes)
    }
}
