/// The groups of one or more grouping variables, crossed: each row's group
/// (the combined valid categories, first variable fastest — R `svyby`'s
/// order; user- and system-missing group codes are left out, as R drops
/// `NA` groups), computed once by ``CategoryCoding/combinedIndex(_:)``.
struct GroupPartition: Sendable {
    let by: [String]
    let codings: [CategoryCoding]
    /// The group of each row (−1: a missing group code).
    let cells: [Int32]
    let cellCount: Int

    init(_ design: SurveyDesign, by: [String]) throws(BarometerError) {
        guard !by.isEmpty else { throw .invalidArgument("no grouping variable given") }
        guard Set(by).count == by.count else { throw .invalidArgument("a grouping variable is listed twice") }
        let vars = try by.map { (n: String) throws(BarometerError) -> Variable in try design.variable(n) }
        self.by = by
        codings = vars.map { CategoryCoding($0, missing: .excludeMissing) }
        cells = try CategoryCoding.combinedIndex(codings)
        cellCount = CategoryCoding.cellCount(codings)
    }

    /// The categories of group cell `c`.
    func categories(_ c: Int) -> [Category] {
        var rest = c
        return codings.map { coding in defer { rest /= coding.count }; return coding.categories[rest % coding.count] }
    }

    /// `stype = E, awards = Yes`.
    func label(_ cats: [Category]) -> String {
        zip(by, cats).map { "\($0) = \($1.label)" }.joined(separator: ", ")
    }

    /// The rows of every group within `domain`, in row order: one pass over
    /// the rows, O(n + groups) memory.
    func rows(in domain: Domain?) -> [[Int]] {
        var out = [[Int]](repeating: [], count: cellCount)
        for i in cells.indices where cells[i] >= 0 && (domain?.mask[i] ?? true) { out[Int(cells[i])].append(i) }
        return out
    }
}

/// A result computed separately in every group of one or more grouping
/// variables (crossed), with the group's labels, respondents and weighted
/// size: `freq --by`, `corr --by`, `pcorr --by`.
///
/// Groups are the crossed valid categories that hold at least one row of
/// the domain, in category order with the first variable varying fastest
/// (R `svyby`'s order). A group whose result cannot be formed (no valid
/// answer, zero total weight, too few rows for a correlation) is listed with
/// no result and a note naming why — a flagged row, not a silent gap.
public struct GroupedResults<Result: Sendable & Encodable & Equatable & TableRepresentable>: Sendable, Encodable, Equatable, TableRepresentable {
    /// One group and its result.
    public struct Group: Sendable, Encodable, Equatable {
        /// The group's category of each grouping variable.
        public let categories: [Category]
        /// `stype = E, awards = Yes`.
        public let label: String
        /// Respondents of the domain in the group (unweighted).
        public let count: Int
        /// Their Σw.
        public let weightedCount: Double
        /// The group's result; nil when it cannot be formed (see ``note``).
        public let result: Result?
        /// Why the result is missing.
        public let note: String?
        /// The group's cell in the crossed categories (``GroupPartition``).
        let cell: Int

        init(categories: [Category], label: String, count: Int, weightedCount: Double, result: Result?, note: String?, cell: Int) {
            self.categories = categories; self.label = label; self.count = count
            self.weightedCount = weightedCount; self.result = result; self.note = note; self.cell = cell
        }

        enum CodingKeys: String, CodingKey { case categories, label, count, weightedCount, result, note }
    }

    /// What is computed in each group (`frequencies`, `correlations`, `partial correlations`).
    public let kind: String
    /// The grouping variables.
    public let by: [String]
    /// The base: domain and rule for groups.
    public let base: String
    /// The weight variable (nil: unweighted).
    public let weight: String?
    /// The groups, in order.
    public let groups: [Group]

    /// The summary of groups: labels, n, weighted N and notes.
    public var textTable: TextTable {
        TextTable(title: "\(kind.prefix(1).uppercased() + kind.dropFirst()) by \(by.joined(separator: " × "))",
                  headers: by + ["n", "Weighted N", "Note"],
                  alignments: by.map { _ in .left } + [.right, .right, .left],
                  rows: groups.map { g in g.categories.map(\.label) + [String(g.count), NumberFormat.fixed(g.weightedCount, 1), g.note ?? ""] },
                  notes: ["Base: \(base).", "Weight: \(weight ?? "none (unweighted)")."])
    }

    /// Each group's own table, its title prefixed by the group's label.
    public var groupTables: [TextTable] {
        groups.compactMap { g in
            guard var t = g.result?.textTable else { return nil }
            t.title = "[\(g.label)] " + t.title
            t.notes.insert("Group: \(g.label); n = \(g.count), weighted N = \(NumberFormat.fixed(g.weightedCount, 1)).", at: 0)
            return t
        }
    }
}

extension FrequencyTable {
    /// One-way frequency tables of `variable` in every group of `by`
    /// (crossed), from a single tally of the (answer × group) cells —
    /// R `svytable(~variable + by1 + by2, design)` or
    /// `svyby(~factor(variable), ~by, design, svytotal)` — not one pass per
    /// group. Each group's table is exactly ``init(_:variable:domain:missing:)``
    /// on `domain ∧ group`, with the same categories in every group.
    /// - Throws: ``BarometerError/emptyDomain(_:)`` when no group holds a row
    ///   of the domain; lookup errors.
    public static func grouped(_ design: SurveyDesign, variable name: String, by: [String], domain: Domain? = nil,
                               missing: MissingInclusion = .showMissing) throws(BarometerError) -> GroupedResults<FrequencyTable> {
        let v = try design.variable(name)
        guard !by.contains(name) else { throw .invalidArgument("'\(name)' is both tabulated and a grouping variable") }
        guard !by.isEmpty else { throw .invalidArgument("no grouping variable given") }
        guard Set(by).count == by.count else { throw .invalidArgument("a grouping variable is listed twice") }
        let codings = try by.map { (n: String) throws(BarometerError) in CategoryCoding(try design.variable(n), missing: .excludeMissing) }
        if let d = domain, d.mask.count != design.rowCount {
            throw .lengthMismatch(variable: "domain \(d.description)", expected: design.rowCount, actual: d.mask.count)
        }
        let (cells, bases) = try groupedTableAccumulators(v, codings: codings, weights: design.weights, domain: domain,
                                                         missing: missing)
        return try grouped(cells: cells.finalize(), bases: bases.finalize(), variable: v, by: by, weight: design.weights.name,
                           domain: domain?.description, missing: missing)
    }

    /// The two tables `freq --by` accumulates: `variable` × the groups (the
    /// answer's categories under `missing`, the groups' valid categories) and the
    /// groups alone (each group's base: every row of the domain in it), both keyed
    /// by category, so shards that saw different groups or answers merge.
    static func groupedTableAccumulators(_ v: Variable, codings: [CategoryCoding], weights: Weights, domain: Domain?,
                                         missing: MissingInclusion) throws(BarometerError) -> (TableAccumulator, TableAccumulator) {
        var cells = TableAccumulator(variableCount: 1 + codings.count), bases = TableAccumulator(variableCount: codings.count)
        try cells.add(TableChunk(codings: [CategoryCoding(v, missing: missing)] + codings, weights: weights, domain: domain))
        try bases.add(TableChunk(codings: codings, weights: weights, domain: domain))
        return (cells, bases)
    }

    /// `freq --by` from its accumulated tables (``groupedTableAccumulators(_:codings:weights:domain:missing:)``):
    /// one ``init(accumulated:variable:weight:domain:missing:)`` per group holding a row
    /// of the domain — the one finalization of the in-memory and merged paths.
    static func grouped(cells: TableAccumulator.Output, bases: TableAccumulator.Output, variable v: Variable, by: [String],
                        weight: String?, domain: String?, missing: MissingInclusion) throws(BarometerError) -> GroupedResults<FrequencyTable> {
        guard cells.categories.count == by.count + 1, bases.categories.count == by.count,
              Array(cells.categories.dropFirst()) == bases.categories else {
            throw .invalidArgument("grouped frequency tables whose groups differ")
        }
        let answers = cells.categories[0], r = answers.count
        let groupCategories = bases.categories
        let cellCount = groupCategories.reduce(1) { $0 * $1.count }
        let tally = cells.tally, base = bases.tally
        var groups: [GroupedResults<FrequencyTable>.Group] = []
        for c in 0..<cellCount where base.counts[c] > 0 {
            var rest = c
            let cats = groupCategories.map { list in defer { rest /= list.count }; return list[rest % list.count] }
            let label = zip(by, cats).map { "\($0) = \($1.label)" }.joined(separator: ", ")
            let range = (c * r)..<((c + 1) * r)
            let slice = TableAccumulator.Output(
                categories: [answers],
                tally: CellTally(counts: Array(tally.counts[range]), weighted: Array(tally.weighted[range]),
                                 weightedSquares: Array(tally.weightedSquares[range])),
                base: CellTally(counts: [base.counts[c]], weighted: [base.weighted[c]], weightedSquares: [base.weightedSquares[c]]))
            let groupBase = (domain.map { "\($0) and " } ?? "") + label
            do {
                let t = try FrequencyTable(accumulated: slice, variable: v, weight: weight, domain: groupBase, missing: missing)
                groups.append(.init(categories: cats, label: label, count: base.counts[c], weightedCount: base.weighted[c], result: t, note: nil, cell: c))
            } catch {
                groups.append(.init(categories: cats, label: label, count: base.counts[c], weightedCount: base.weighted[c], result: nil,
                                    note: "no table: \(error.description)", cell: c))
            }
        }
        guard !groups.isEmpty else {
            throw .emptyDomain("no group of \(by.joined(separator: " × ")) has a respondent" + (domain.map { " in \($0)" } ?? ""))
        }
        return GroupedResults(kind: "frequencies of \(v.name)", by: by,
                              base: (domain ?? "all respondents") + "; groups: valid categories of \(by.joined(separator: " × ")) (missing group codes left out, as R svyby)",
                              weight: weight, groups: groups)
    }
}

extension Correlation {
    /// Correlation matrices of `variables` in every group of `by` (crossed):
    /// the rows are split by group in one pass, then each group's matrix is
    /// ``matrix(_:variables:options:)`` on that group's rows only (total work
    /// O(n·p²) for all groups, not per group). Methods, missing-data rule,
    /// weights and tests are those of `options` (its domain restricts every
    /// group); a group where the matrix cannot be formed (fewer than 3
    /// complete rows, a constant variable) is listed with the error as note.
    public static func matrix(_ design: SurveyDesign, variables: [String], by: [String],
                              options: CorrelationOptions = CorrelationOptions()) throws(BarometerError) -> GroupedResults<CorrelationMatrix> {
        try grouped(design, kind: "correlations", variables: variables, by: by, options: options) { (d, o) throws(BarometerError) in
            try matrix(d, variables: variables, options: o)
        }
    }

    /// Partial correlations of every pair of `variables` given `controlling`
    /// (or, when it is empty, each pair given all the others) in every group
    /// of `by`, split as ``matrix(_:variables:by:options:)``.
    public static func partialMatrix(_ design: SurveyDesign, variables: [String], controlling z: [String], by: [String],
                                     options: CorrelationOptions = CorrelationOptions()) throws(BarometerError) -> GroupedResults<CorrelationMatrix> {
        try grouped(design, kind: "partial correlations", variables: variables + z, by: by, options: options) { (d, o) throws(BarometerError) in
            z.isEmpty ? try partialMatrixGivenOthers(d, variables: variables, options: o)
                      : try partialMatrix(d, variables: variables, controlling: z, options: o)
        }
    }

    static func grouped(_ design: SurveyDesign, kind: String, variables: [String], by: [String], options: CorrelationOptions,
                        _ compute: (SurveyDesign, CorrelationOptions) throws(BarometerError) -> CorrelationMatrix)
        throws(BarometerError) -> GroupedResults<CorrelationMatrix> {
        if let overlap = by.first(where: variables.contains) {
            throw .invalidArgument("'\(overlap)' is both correlated and a grouping variable")
        }
        if let d = options.domain, d.mask.count != design.rowCount {
            throw .lengthMismatch(variable: "domain \(d.description)", expected: design.rowCount, actual: d.mask.count)
        }
        let part = try GroupPartition(design, by: by)
        let vars = try variables.map { (n: String) throws(BarometerError) -> Variable in try design.variable(n) }
        let w = design.weights
        var inner = options
        inner.domain = nil
        var groups: [GroupedResults<CorrelationMatrix>.Group] = []
        for (c, rows) in part.rows(in: options.domain).enumerated() where !rows.isEmpty {
            let cats = part.categories(c), label = part.label(cats)
            var sw = 0.0
            for i in rows { sw += w.values[i] }
            // The group's rows only: its own dataset and weights (the matrix uses weights, not strata/PSUs).
            let result: CorrelationMatrix?, note: String?
            do {
                let sub = try Dataset(variables: vars.map { $0.gathering(rows) })
                let weights = w.isWeighted ? try Weights(validating: rows.map { w.values[$0] }, name: w.name ?? "weight")
                                           : Weights.uniform(count: rows.count)
                result = try compute(SurveyDesign(data: sub, weights: weights), inner)
                note = nil
            } catch {
                result = nil
                note = "no \(kind): \(error.description)"
            }
            groups.append(.init(categories: cats, label: label, count: rows.count, weightedCount: sw, result: result, note: note, cell: c))
        }
        guard !groups.isEmpty else {
            throw .emptyDomain("no group of \(by.joined(separator: " × ")) has a respondent" + (options.domain.map { " in \($0.description)" } ?? ""))
        }
        return GroupedResults(kind: kind, by: by,
                              base: (options.domain?.description ?? "all respondents") + "; groups: valid categories of \(by.joined(separator: " × ")) (missing group codes left out, as R svyby)",
                              weight: w.name, groups: groups)
    }
}

extension Variable {
    /// The same variable (labels, missing codes, level) on the rows `rows`.
    func gathering(_ rows: [Int]) -> Variable {
        var v = self
        v.values = rows.map { values[$0] }
        if let s = strings { v.strings = rows.map { s[$0] } }
        return v
    }
}
