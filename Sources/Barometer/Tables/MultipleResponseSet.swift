/// A multiple-response question stored in k columns ("name up to two
/// reasons": `reason1`, `reason2`), tabulated as SPSS `MULT RESPONSE`
/// does for a category set.
///
/// Responses are the recorded codes across the k columns: valid codes,
/// and user-missing codes ("Don't know", "did not answer") as their own
/// labelled rows under ``MissingInclusion/showMissing`` (the default, as
/// in the Russia memo's Table 2, where "Other / do not know / did not
/// answer" is a share of all responses); system-missing cells (no further
/// mention) are never responses. A code named twice by one respondent
/// counts twice (SPSS's default, no `NODUPLICATE`).
///
/// Per code (weighted, with unweighted counts beside):
/// - percent of responses `100·W_c / Σ_c W_c`;
/// - percent of cases `100·W_c / W_cases`, cases = respondents in the base
///   with at least one response (so the column sums to ≥ 100%);
/// - percent of the re-percentaging subset `100·W_c / Σ_{c∉E} W_c` for codes
///   outside the excluded set E (e.g. "vague / no answer"), nil for E.
///
/// Accumulation: the k columns are coded onto one shared category list and
/// stacked into one index of length k·n tallied by ``CellTally`` (weights
/// repeated per column); cases are one more ``CellTally``.
public struct MultipleResponseSet: Sendable, Equatable, Codable, TableRepresentable {
    /// One code of the set.
    public struct Row: Sendable, Equatable, Codable {
        /// The code and its value label.
        public let category: Category
        /// Mentions (unweighted) and Σw over mentions.
        public let count: Int
        /// Σw over those mentions.
        public let weightedCount: Double
        /// 100 · Σw(mentions of the code) / Σw(all responses): SPSS `MULT RESPONSE` % of responses.
        public let percentOfResponses: Double
        /// 100 · Σw(mentions of the code) / Σw(cases): % of respondents naming it (sums above 100).
        public let percentOfCases: Double
        /// Percent of the responses outside the excluded codes (nil for an excluded code).
        public let percentOfSubset: Double?
    }

    /// Name of the set and its member variables.
    public let name: String
    /// The member columns, in order.
    public let variables: [String]
    /// Codes left out of the re-percentaging subset.
    public let excluded: [Double]
    /// The weight variable, nil when unweighted.
    public let weight: String?
    /// Who the cases are (domain, at least one response), stated.
    public let base: TableBase
    /// One row per code named in the set, in code order.
    public let rows: [Row]
    /// Totals: responses, cases (respondents with ≥ 1 response), subset responses.
    public let responseCount: Int
    /// Σw over all responses.
    public let responseWeighted: Double
    /// Respondents with at least one response.
    public let caseCount: Int
    /// Σw over those respondents.
    public let caseWeighted: Double
    /// Responses outside the excluded codes.
    public let subsetCount: Int
    /// Σw over those responses.
    public let subsetWeighted: Double

    /// Tabulates the columns `variables` as one response set.
    /// - Throws: ``BarometerError/unknownVariable(_:suggestions:)``,
    ///   ``BarometerError/notNumeric(variable:)``,
    ///   ``BarometerError/invalidArgument(_:)`` for an empty list,
    ///   ``BarometerError/emptyDomain(_:)`` when nobody in the base gave a
    ///   response, or all responses are excluded from the subset.
    public init(_ design: SurveyDesign, variables: [String], name: String? = nil, excluding excluded: Set<Double> = [],
                domain: Domain? = nil, missing: MissingInclusion = .showMissing) throws(BarometerError) {
        let (acc, stackedName) = try Self.accumulate(design, variables: variables, name: name, domain: domain, missing: missing)
        try self.init(accumulated: acc.finalize(), name: stackedName, variables: variables, excluding: excluded,
                      weight: design.weights.name, domain: domain?.description)
    }

    /// Responses per code (n, Σw, Σw²) and the cases (the base) of the
    /// design's rows as a one-way ``TableAccumulator``: the one data path of
    /// the in-memory set and of `partial mrset` (chunks and shards merge by
    /// code). Returns the set's name beside it.
    static func accumulate(_ design: SurveyDesign, variables: [String], name: String?, domain: Domain?,
                           missing: MissingInclusion) throws(BarometerError) -> (TableAccumulator, String) {
        guard !variables.isEmpty else { throw .invalidArgument("a response set needs at least one variable") }
        let vars = try variables.map { (v) throws(BarometerError) -> Variable in
            let x = try design.variable(v); try x.requireNumeric(); return x
        }
        // The shared category list: one combined variable of all k columns.
        var labels: [Double: String] = [:]
        var userMissing = MissingValues()
        for v in vars.reversed() {
            for (c, t) in v.valueLabels { labels[c] = t }
            for c in v.missing.codes { userMissing.insert(c) }
            userMissing.ranges += v.missing.ranges
        }
        let stacked = Variable(name: name ?? variables.joined(separator: "+"), values: vars.flatMap(\.values),
                               valueLabels: labels, missing: userMissing)
        let coding = CategoryCoding(stacked, missing: missing)
        // System-missing cells (plain or Stata/SAS extended .a–.z) are no mention.
        let keep = coding.categories.indices.filter { coding.categories[$0].status != .systemMissing }
        var newPosition = [Int32](repeating: -1, count: coding.categories.count)
        for (k, c) in keep.enumerated() { newPosition[c] = Int32(k) }
        let index = coding.index.map { $0 < 0 ? Int32(-1) : newPosition[Int($0)] }
        let cats = keep.map { coding.categories[$0] }
        let n = design.rowCount
        let k = vars.count
        let w = design.weights
        let stackedWeights = try Weights(validating: Array((0..<k).map { _ in w.values }.joined()), name: w.name ?? "weight")
        let stackedDomain = domain.map { d in Domain(mask: Array((0..<k).map { _ in d.mask }.joined()), description: d.description) }
        let tally = try CellTally(cellCount: cats.count, index: index, weights: stackedWeights, domain: stackedDomain)
        // Cases: respondents with at least one response.
        var caseIndex = [Int32](repeating: -1, count: n)
        for j in 0..<k { for i in 0..<n where index[j * n + i] >= 0 { caseIndex[i] = 0 } }
        let cases = try CellTally(cellCount: 1, index: caseIndex, weights: w, domain: domain)
        // Per category responses (n, Σw, Σw²) and cases as the base of a one-way TableAccumulator.
        var acc = TableAccumulator(variableCount: 1)
        acc.fold(categories: [cats], counts: tally.counts, weighted: tally.weighted, squares: tally.weightedSquares,
                 baseCount: cases.counts[0], baseWeighted: cases.weighted[0], baseSquares: cases.weightedSquares[0])
        return (acc, stacked.name)
    }

    /// The set from accumulated responses and cases (``TableAccumulator``,
    /// whose base holds the cases): the one finalization of the in-memory
    /// and merged paths.
    init(accumulated: TableAccumulator.Output, name: String, variables: [String], excluding excluded: Set<Double>,
         weight: String?, domain: String?) throws(BarometerError) {
        let cats = accumulated.categories.first ?? []
        let tally = accumulated.tally, cases = accumulated.base
        let base = TableBase(kind: domain == nil ? .allRespondents : .domain,
                             description: "respondents" + (domain.map { " in \($0)" } ?? "")
                                + " with at least one response to \(variables.joined(separator: ", "))")
        guard tally.totalCount > 0, tally.totalWeighted > 0 else {
            throw .emptyDomain("\(base.description): no responses with positive weight")
        }
        let inSubset = cats.map { c in c.code.map { !excluded.contains($0) } ?? true }
        var subN = 0, subW = 0.0
        for c in cats.indices where inSubset[c] { subN += tally.counts[c]; subW += tally.weighted[c] }
        guard subW > 0 || excluded.isEmpty else {
            throw .emptyDomain("every response is among the excluded codes")
        }
        let totW = tally.totalWeighted, caseW = cases.totalWeighted
        self.rows = cats.indices.map { c in
            Row(category: cats[c], count: tally.counts[c], weightedCount: tally.weighted[c],
                percentOfResponses: 100 * tally.weighted[c] / totW,
                percentOfCases: 100 * tally.weighted[c] / caseW,
                percentOfSubset: inSubset[c] && subW > 0 ? 100 * tally.weighted[c] / subW : nil)
        }
        self.name = name
        self.variables = variables
        self.excluded = excluded.sorted()
        self.weight = weight
        self.base = base
        self.responseCount = tally.totalCount
        self.responseWeighted = totW
        self.caseCount = cases.totalCount
        self.caseWeighted = caseW
        self.subsetCount = subN
        self.subsetWeighted = subW
    }

    public var textTable: TextTable {
        var body = rows.map { r in
            [r.category.label, r.category.code.map(Variable.formatCode) ?? "", String(r.count),
             NumberFormat.fixed(r.weightedCount, 1), NumberFormat.fixed(r.percentOfResponses, 1),
             NumberFormat.fixed(r.percentOfCases, 1), NumberFormat.fixed(r.percentOfSubset, 1)]
        }
        body.append(["Total responses", "", String(responseCount), NumberFormat.fixed(responseWeighted, 1), "100.0",
                     NumberFormat.fixed(100 * responseWeighted / caseWeighted, 1),
                     excluded.isEmpty ? "100.0" : NumberFormat.fixed(100.0 * (subsetWeighted > 0 ? 1 : 0), 1)])
        var notes = ["Base: \(base.description); cases n = \(caseCount), weighted = \(NumberFormat.fixed(caseWeighted, 1)).",
                     "% of responses: over all \(responseCount) responses; % of cases: over respondents with at least one response (sums to more than 100%)."]
        if !excluded.isEmpty {
            notes.append("% of subset: re-percentaged over responses other than codes {\(excluded.map(Variable.formatCode).joined(separator: ","))} (n = \(subsetCount)).")
        }
        notes.append(weight.map { "Weight: \($0)." } ?? "Unweighted.")
        return TextTable(title: "Multiple response: \(name)",
                         headers: ["Category", "Code", "n", "Weighted", "% of responses", "% of cases", "% of subset"],
                         rows: body, notes: notes)
    }
}
