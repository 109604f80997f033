/// ``ConditionalShare`` for every category of X at once: a row-percent
/// column ("percent with Y in codes") with confidence intervals, one row
/// per category of X (valid codes, then "Don't know"/"Refused" when
/// `missing` is ``MissingInclusion/showMissing``).
///
/// Each row is exactly the ``ConditionalShare`` of Y among `X = code`, so
/// it has the same base rule, SEs and interval formulas. A category whose
/// base is empty gets a row with no share and a note, not an error.
///
/// All rows come from one computation (R `svyby` style): one coding of X
/// and of Y, one ``CellTally`` of 2 cells per category, one grouped
/// ``RatioOfTotals`` call for every row's design variance and one pass each
/// for the degrees of freedom and design effects: O(n) for the whole table
/// rather than O(n) per category (n = 10⁵, 12 categories, weights-only
/// design, logit CIs: 3.8 ms against 117 ms for one ConditionalShare per
/// category and 56 ms for samplics, minima measured in the same minute on
/// the shared 2-core machine; see README "Benchmarks").
public struct ShareTable: Sendable, Equatable, Codable, TableRepresentable {
    /// One category of X and its share (nil when the base is empty).
    public struct Row: Sendable, Equatable, Codable {
        /// The category of X this row is restricted to.
        public let category: Category
        /// The share of Y's codes among respondents in that category (nil when the base is empty).
        public let share: ConditionalShare?
    }
    /// Y, its codes, and X.
    public let variable: String
    /// The codes of ``variable`` that count as "yes".
    public let codes: [Double]
    /// X, the variable whose categories make the rows.
    public let by: String
    /// Rows in X's category order.
    public let rows: [Row]
    /// The extra domain every row is restricted to, if any.
    public let domain: String?
    /// Interval method and level.
    public let method: ProportionIntervalMethod
    /// Confidence level of the intervals, in (0, 1).
    public let level: Double
    /// Warnings about the request (e.g. a code of Y that matches nothing).
    public let warnings: [String]

    /// - Throws: as ``ConditionalShare/init(_:of:in:among:in:domain:denominator:method:level:)``,
    ///   except that empty categories give rows without a share.
    public init(_ design: SurveyDesign, of variable: String, in codes: Set<Double>, by x: String,
                domain: Domain? = nil, missing: MissingInclusion = .excludeMissing,
                denominator: ConditionalShare.Denominator = .validAnswers,
                method: ProportionIntervalMethod = .standard, level: Double = 0.95) throws(BarometerError) {
        var groups: GroupedEstimates? = nil
        try self.init(design, of: variable, in: codes, by: x, domain: domain, missing: missing, denominator: denominator,
                      method: method, level: level, groups: &groups, compare: false)
    }

    /// The table and its rows' shares as grouped estimates with their full design
    /// covariance, ready for ``GroupedEstimates/pairwiseDifferences(adjustment:)``
    /// (`share --by X --compare`), from one pass: the share accumulator's grouped
    /// totals give both. The groups are those of
    /// ``SurveyDesign/share(of:in:by:domain:denominator:level:covariance:)`` (X's valid
    /// categories). Under calibrated weights without replicate weights, or beyond the
    /// accumulator's state limit, the two are computed one after the other.
    /// - Throws: as ``init(_:of:in:by:domain:missing:denominator:method:level:)`` and
    ///   ``SurveyDesign/share(of:in:by:domain:denominator:level:covariance:)``.
    public static func withGroupedEstimates(_ design: SurveyDesign, of variable: String, in codes: Set<Double>, by x: String,
                                            domain: Domain? = nil, denominator: ConditionalShare.Denominator = .validAnswers,
                                            method: ProportionIntervalMethod = .standard,
                                            level: Double = 0.95) throws(BarometerError) -> (table: ShareTable, groups: GroupedEstimates) {
        var groups: GroupedEstimates? = nil
        let table = try ShareTable(design, of: variable, in: codes, by: x, domain: domain, missing: .excludeMissing,
                                   denominator: denominator, method: method, level: level, groups: &groups, compare: true)
        if let groups { return (table, groups) }
        return (table, try design.share(of: variable, in: codes, by: [x], domain: domain, denominator: denominator, level: level))
    }

    /// The table; with `compare`, also its shares as grouped estimates (with their full
    /// covariance) into `groups` when the accumulator computed them (nil otherwise).
    private init(_ design: SurveyDesign, of variable: String, in codes: Set<Double>, by x: String, domain: Domain?,
                 missing: MissingInclusion, denominator: ConditionalShare.Denominator, method: ProportionIntervalMethod,
                 level: Double, groups: inout GroupedEstimates?, compare: Bool) throws(BarometerError) {
        let xv = try design.variable(x)
        try xv.requireNumeric()
        let y = try ConditionalShare.outcome(design, variable, codes, denominator)
        let warnings = ShareComputation.unmatchedCodesWarning(y, codes).map { [$0] } ?? []
        let n = design.rowCount
        if let d = domain, d.mask.count != n { throw .invalidArgument("domains of different lengths") }
        let xCoding = CategoryCoding(xv, missing: missing)
        if (design.sampling.calibration == nil || design.replicates != nil) && design.groupedStateFits(groups: xCoding.count) {
            // The share accumulator (the streamed and merged passes use it too): X's categories
            // over every row, one base per category with a code.
            let acc = try design.shareAccumulator(y, codes: codes, denominator: denominator, by: xv, domain: domain,
                                                  seen: [], missing: missing, byCoding: xCoding)
            let categories = try acc.cells.finalize().categories[0].filter { $0.code != nil }
            try self.init(ConditionalShare.DesignFacts(design), of: variable, in: codes, by: x, labels: xv,
                          categories: categories, domain: domain?.description, denominator: denominator,
                          computed: try acc.computation(bases: categories), method: method, level: level, warnings: warnings)
            if compare {
                let list = codes.sorted().map(Variable.formatCode).joined(separator: ",")
                groups = try acc.groups.finalize(.init(y: "\(variable) in {\(list)}", x: nil, by: [xv], domain: domain?.description,
                                                       level: level, variance: design.varianceDescription,
                                                       weight: design.weights.name, covariance: true))
            }
            return
        }
        // Calibrated weights (linearization): the row pass, whose variances take the calibration residuals;
        // and so many categories of X that the accumulator's dense state would be too large.
        // Y's answer cells beside X's coding (two independent passes): each
        // row's base is its category of X (categories with a code).
        let (answers, (categories, coded, base)) = concurrently({
            ShareComputation.answers(y, codes: codes, denominator: denominator)
        }, { () -> ([Category], [Int], [Int32]) in
            let coding = xCoding
            let categories = coding.categories
            var baseOfCategory = [Int32](repeating: -1, count: categories.count), coded: [Int] = []
            for (c, cat) in categories.enumerated() where cat.code != nil {
                baseOfCategory[c] = Int32(coded.count); coded.append(c)
            }
            // The category index becomes the base index in place (the coding is not used again).
            var base = (consume coding).index
            let mask = domain?.mask
            base.withUnsafeMutableBufferPointer { b in
                for i in 0..<n {
                    let c = b[i]
                    b[i] = c < 0 || !(mask?[i] ?? true) ? -1 : baseOfCategory[Int(c)]
                }
            }
            return (categories, coded, base)
        })
        let computed = try ShareComputation(design, answers: answers, base: base, count: coded.count)
        try self.init(ConditionalShare.DesignFacts(design), of: variable, in: codes, by: x, labels: xv,
                      categories: coded.map { categories[$0] }, domain: domain?.description, denominator: denominator,
                      computed: computed, method: method, level: level, warnings: warnings)
    }

    /// The table from a ``ShareComputation`` whose base j is `categories[j]` of X
    /// (categories with a code): the one finalization of the in-memory pass and of
    /// merged ``ShareAccumulator`` states. `labels` carries X's value labels.
    init(_ facts: ConditionalShare.DesignFacts, of variable: String, in codes: Set<Double>, by x: String, labels xv: Variable,
         categories: [Category], domain: String?, denominator: ConditionalShare.Denominator,
         computed: ShareComputation, method: ProportionIntervalMethod, level: Double,
         warnings: [String]) throws(BarometerError) {
        var rows: [Row] = []
        for (j, cat) in categories.enumerated() {
            guard let code = cat.code else { continue }
            let among = SurveyDesign.describe(x, xv, [code])
            do {
                let s = try ConditionalShare(facts, of: variable, in: codes, among: x, in: [code],
                                             domain: domain.map { "\(Domain.parenthesized($0, in: "and")) and \(among)" } ?? among,
                                             denominator: denominator, computed: computed, base: j,
                                             method: method, level: level)
                rows.append(Row(category: cat, share: s))
            } catch .emptyDomain {
                rows.append(Row(category: cat, share: nil))
            }
        }
        self.warnings = warnings
        self.variable = variable
        self.codes = codes.sorted()
        self.by = x
        self.domain = domain
        self.rows = rows
        self.method = method
        self.level = level
    }

    public var textTable: TextTable {
        let body = rows.map { r -> [String] in
            guard let s = r.share else { return [r.category.label] + Array(repeating: "", count: ConditionalShare.headers.count - 1) }
            return [r.category.label] + Array(s.cells.dropFirst())
        }
        var headers = ConditionalShare.headers
        headers[0] = by
        var notes = ["Percent with \(variable) in {\(codes.map(Variable.formatCode).joined(separator: ","))} within each category of \(by)."]
        if let first = rows.compactMap(\.share).first {
            let rule = first.denominator == .validAnswers ? "valid answers to \(variable)" : "all respondents"
            notes.append("Base of each row: \(rule) with \(by) = that category" + (domain.map { ", within \($0)" } ?? "") + ".")
            notes += first.methodNotes(eachRow: true)
        }
        for r in rows where r.share == nil { notes.append("\(r.category.label): empty base, no estimate.") }
        for r in rows { if let s = r.share { notes += s.designEffectNotes(prefix: "\(r.category.label): ") } }
        notes += warnings.map { "Warning: \($0)." }
        return TextTable(title: "\(variable) by \(by)", headers: headers, rows: body, notes: notes)
    }
}
