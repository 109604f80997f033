/// All pairwise cross-tabulations of many row variables × many column
/// variables in one call ("banner" tables, e.g. all 1,225 pairs of 50
/// five-code questions).
///
/// Each variable is coded once by ``CategoryCoding``; the pairs are then
/// tallied together by the all-pairs counting kernel of ``CellTally``
/// (row chunks of ``chunkRows``, all pairs per chunk; memory is the cells
/// plus one masked index per variable, independent of n beyond that).
///
/// Why counting rather than BLAS: indicator matrices `Z` (one column per
/// category) make `Zᵀ·diag(w)·Z` cost `O(n·K²)` multiply-adds for K
/// indicator columns, of which only one in k is non-zero per variable;
/// counting costs `O(n · pairs)`, one scatter-add per respondent and pair.
/// Measured on this project's shared 2-core VM (AMD EPYC, 50 five-code
/// questions, n = 10⁶, weight `wt`, benchmark task `alltables_1000000`,
/// PeerRunner, 5 repeats): medians 0.57–0.77 s (≈ 1.2 s of CPU time) in
/// quiet minutes, 1.1–1.3 s while other jobs shared the cores. numpy's
/// one-hot `Zᵀ·diag(w)·Z` took 3.0–3.3 s in the quietest minute and
/// 5.5–21.7 s under load; duckdb 15.1–17.9 s. About 0.45 s is the floor of
/// the scatter-adds themselves (see the kernel's documentation,
/// `CellTally.pairs`).
///
/// Exactness: every cell sums its respondents in row order, so block
/// (a, b) is bit-for-bit the ``ContingencyTable`` of that pair (pairwise
/// deletion under ``MissingInclusion/excludeMissing``, stated in ``base``),
/// independent of thread count; unweighted counts are exact integers.
public struct BannerTable: Sendable, Equatable, Codable {
    /// The counts of one pair.
    public struct Pair: Sendable, Equatable, Codable {
        /// Unweighted counts `[row][column]`.
        public let counts: [[Int]]
        /// Weighted counts `[row][column]`.
        public let weighted: [[Double]]
        /// Σw² `[row][column]` (Kish effective size of any cell set).
        public let weightedSquares: [[Double]]
    }

    /// Row and column variable names.
    public let rowVariables: [String]
    /// Column variable names, in the order of the column blocks.
    public let columnVariables: [String]
    /// Categories of each row / column variable.
    public let rowCategories: [[Category]]
    /// Categories of each column variable, `columnCategories[b]` for ``columnVariables``[b].
    public let columnCategories: [[Category]]
    /// Missing rule, base (pairwise under ``MissingInclusion/excludeMissing``) and weight.
    public let missing: MissingInclusion
    /// Base of every pair: pairwise deletion under ``MissingInclusion/excludeMissing``, all rows otherwise.
    public let base: TableBase
    /// Name of the weight variable, `nil` for unweighted counts.
    public let weight: String?
    /// Rows per chunk of the counting kernel.
    public let chunkRows: Int
    /// One tally per pair, row-major (`a · columnVariables.count + b`); cell
    /// `i + k_a · j` is row category i × column category j.
    public let tallies: [CellTally]

    /// Tabulates every row variable against every column variable.
    /// - Throws: ``BarometerError/unknownVariable(_:suggestions:)``,
    ///   ``BarometerError/invalidArgument(_:)`` for an empty variable list or
    ///   a non-positive chunk size,
    ///   ``BarometerError/lengthMismatch(variable:expected:actual:)`` for a
    ///   domain of the wrong length.
    public init(_ design: SurveyDesign, rows: [String], columns: [String], domain: Domain? = nil,
                missing: MissingInclusion = .showMissing, chunkRows: Int = 4096) throws(BarometerError) {
        guard !rows.isEmpty, !columns.isEmpty else { throw .invalidArgument("a banner needs row and column variables") }
        guard chunkRows > 0 else { throw .invalidArgument("chunk size must be positive") }
        let symmetric = rows == columns
        let rc = CategoryCoding.coding(try rows.map { (v) throws(BarometerError) in try design.variable(v) }, missing: missing)
        let cc = symmetric ? rc
            : CategoryCoding.coding(try columns.map { (v) throws(BarometerError) in try design.variable(v) }, missing: missing)
        self.tallies = try CellTally.pairs(rows: rc, columns: cc, symmetric: symmetric, weights: design.weights,
                                           domain: domain, chunkRows: chunkRows)
        self.rowVariables = rows
        self.columnVariables = columns
        self.rowCategories = rc.map(\.categories)
        self.columnCategories = cc.map(\.categories)
        self.missing = missing
        self.base = Self.base(missing: missing, domain: domain)
        self.weight = design.weights.name
        self.chunkRows = chunkRows
    }

    /// The base of every pair: under ``MissingInclusion/excludeMissing`` each
    /// pair keeps the respondents valid on both of its variables (pairwise
    /// deletion), so pairs can have different bases.
    static func base(missing: MissingInclusion, domain: Domain?) -> TableBase {
        let pairwise = "valid answers to both variables of each pair (pairwise)"
        switch (domain, missing) {
        case (nil, .showMissing): return TableBase(kind: .allRespondents, description: "all respondents")
        case (nil, .excludeMissing): return TableBase(kind: .validAnswers, description: pairwise)
        case (let d?, .showMissing): return TableBase(kind: .domain, description: "all respondents in \(d.description)")
        case (let d?, .excludeMissing): return TableBase(kind: .domain, description: "\(pairwise) within \(d.description)")
        }
    }

    /// The table of row variable `row` × column variable `column`.
    /// - Throws: ``BarometerError/unknownVariable(_:suggestions:)`` when
    ///   either is not in the banner.
    public func pair(_ row: String, _ column: String) throws(BarometerError) -> Pair {
        guard let a = rowVariables.firstIndex(of: row) else { throw .unknownVariable(row, suggestions: rowVariables) }
        guard let b = columnVariables.firstIndex(of: column) else { throw .unknownVariable(column, suggestions: columnVariables) }
        return pair(a, b)
    }

    /// The table of the a-th row variable × the b-th column variable.
    public func pair(_ a: Int, _ b: Int) -> Pair {
        let t = tallies[a * columnVariables.count + b]
        let ka = rowCategories[a].count, kb = columnCategories[b].count
        func grid<T>(_ v: [T]) -> [[T]] { (0..<ka).map { i in (0..<kb).map { j in v[i + ka * j] } } }
        return Pair(counts: grid(t.counts), weighted: grid(t.weighted), weightedSquares: grid(t.weightedSquares))
    }
}
