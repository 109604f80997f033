/// Accumulator of a polychoric correlation matrix: the estimator needs only
/// the contingency table of each pair (R `polycor::polychor` reads the
/// table), so the state is, per pair (i < j), a two-way ``TableAccumulator``
/// of the pair's rows — n, Σw, Σw² per cell, keyed by category — and per
/// variable the rows it has (its own count on the diagonal).
///
/// Rows of a pair: valid on both variables (pairwise deletion) or on every
/// variable (listwise), within the domain, user-missing codes excluded or
/// kept as categories as the options say; system-missing never. The
/// in-memory ``Correlation/matrix(_:variables:options:)`` adds the whole data
/// as one chunk and finalizes through ``Polychoric/fill(_:state:cols:options:)``,
/// so the streamed and merged paths share its only implementation.
struct PolychoricAccumulator: StatisticAccumulator {
    /// The rows of a chunk: its design, the masked columns and the options.
    struct Chunk {
        let design: SurveyDesign
        let cols: CorrelationColumns
        let options: CorrelationOptions
    }

    let variableCount: Int
    let listwise: Bool
    /// Pair tables in the order (0,1), (0,2), …, (1,2), …
    private(set) var pairs: [TableAccumulator]
    /// Rows valid on each variable (listwise: the listwise rows).
    private(set) var own: [Int]

    init(variableCount p: Int, listwise: Bool) {
        variableCount = p
        self.listwise = listwise
        pairs = (0..<(p * (p - 1) / 2)).map { _ in TableAccumulator(variableCount: 2) }
        own = [Int](repeating: 0, count: p)
    }

    /// From a decoded state.
    init(variableCount p: Int, listwise: Bool, pairs: [TableAccumulator], own: [Int]) throws(BarometerError) {
        guard p >= 2, pairs.count == p * (p - 1) / 2, own.count == p, pairs.allSatisfy({ $0.variableCount == 2 }) else {
            throw .invalidArgument("polychoric state: \(pairs.count) pair tables and \(own.count) counts for \(p) variables")
        }
        variableCount = p
        self.listwise = listwise
        self.pairs = pairs
        self.own = own
    }

    /// Index of pair (i, j), i < j.
    func pair(_ i: Int, _ j: Int) -> Int { i * variableCount - i * (i + 1) / 2 + (j - i - 1) }

    mutating func add(_ chunk: Chunk) throws(BarometerError) {
        let cols = chunk.cols, p = variableCount
        guard cols.names.count == p else {
            throw .invalidArgument("a chunk of \(cols.names.count) variables added to \(p)")
        }
        for j in 0..<p { try cols.requireFinite(j) }
        let n = cols.rowCount
        let listwiseRows: [Bool]? = listwise
            ? (0..<n).map { r in cols.columns.allSatisfy { !$0[r].isNaN } } : nil
        let inclusion: MissingInclusion = chunk.options.excludeUserMissing ? .excludeMissing : .showMissing
        let codings = try cols.names.map { (name) throws(BarometerError) in
            CategoryCoding(try chunk.design.variable(name), missing: inclusion)
        }
        for i in 0..<p {
            for j in (i + 1)..<max(p, i + 1) {
                let cx = codings[i], cy = codings[j]
                let mask = (0..<n).map { r -> Bool in
                    guard listwiseRows?[r] ?? (!cols.columns[i][r].isNaN && !cols.columns[j][r].isNaN) else { return false }
                    let ix = Int(cx.index[r]), iy = Int(cy.index[r])
                    return ix >= 0 && iy >= 0 && cx.categories[ix].status != .systemMissing
                        && cy.categories[iy].status != .systemMissing
                }
                try pairs[pair(i, j)].add(TableChunk(codings: [cx, cy], weights: chunk.design.weights,
                                                     domain: Domain(mask: mask, description: "")))
            }
            own[i] += listwiseRows.map { $0.filter { $0 }.count } ?? cols.columns[i].filter { !$0.isNaN }.count
        }
    }

    mutating func merge(_ other: PolychoricAccumulator) throws(BarometerError) {
        guard other.variableCount == variableCount, other.listwise == listwise else {
            throw .invalidArgument("cannot merge polychoric states of different variables or deletion rules")
        }
        for k in pairs.indices { try pairs[k].merge(other.pairs[k]) }
        for j in own.indices { own[j] += other.own[j] }
    }

    /// The pair tables in category order and the per-variable counts.
    func finalize() throws(BarometerError) -> (pairs: [TableAccumulator.Output], own: [Int]) {
        if listwise, own.first ?? 0 == 0 { throw .insufficientData("listwise deletion leaves no rows") }
        return (try pairs.map { (t) throws(BarometerError) in try t.finalize() }, own)
    }
}
