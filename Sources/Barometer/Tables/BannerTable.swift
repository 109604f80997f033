/// All pairwise cross-tabulations of many row variables × many column
/// variables in one pass ("banner" tables, e.g. all 1,225 pairs of 50
/// five-code questions), through BLAS.
///
/// Each variable is coded by ``CategoryCoding``; its categories become
/// indicator columns of a matrix `Z` (one column per category, rows = respondents,
/// 0 for a respondent outside the domain or excluded). In row chunks of
/// ``chunkRows`` (bounded memory: `chunkRows × (K_r + K_c)` doubles) the
/// engine accumulates
/// - weighted counts `C_w += Z_rᵀ · (diag(w) · Z_c)` with `dgemm` (each
///   product is `1 · w`, exact), and
/// - unweighted counts `C_n += Z_rᵀ · Z_c` (`dsyrk` when the row and column
///   lists are the same, else `dgemm`).
///
/// Block (a, b) of `C` is the a-th row variable × b-th column variable
/// table, equal to ``ContingencyTable``'s counts for that pair (pairwise
/// deletion under ``MissingInclusion/excludeMissing``).
///
/// Exactness: unweighted counts are integers below 2⁵³ summed in `Double`,
/// hence exact; with integer weights the weighted counts are exact too.
/// With real weights BLAS sums in its own (blocked) order, so a weighted
/// count equals the row-order sum of ``CellTally`` to ~1e-13 relative (a
/// few ulps per accumulated chunk), not bit for bit.
public struct BannerTable: Sendable, Equatable {
    /// The counts of one pair.
    public struct Pair: Sendable, Equatable {
        /// Unweighted counts `[row][column]`.
        public let counts: [[Int]]
        /// Weighted counts `[row][column]`.
        public let weighted: [[Double]]
    }

    /// Row and column variable names.
    public let rowVariables: [String]
    public let columnVariables: [String]
    /// Categories of each row / column variable.
    public let rowCategories: [[Category]]
    public let columnCategories: [[Category]]
    /// Missing rule, base and weight.
    public let missing: MissingInclusion
    public let base: TableBase
    public let weight: String?
    /// Rows per BLAS chunk.
    public let chunkRows: Int
    /// Weighted counts, `K_r × K_c` (all row categories × all column categories).
    public let weighted: Matrix
    /// Unweighted counts (exact integers stored as `Double`), `K_r × K_c`.
    public let counts: Matrix
    let rowOffsets: [Int]
    let columnOffsets: [Int]

    /// Tabulates every row variable against every column variable.
    /// - Throws: ``BarometerError/unknownVariable(_:suggestions:)``,
    ///   ``BarometerError/invalidArgument(_:)`` for an empty variable list or
    ///   a non-positive chunk size, ``BarometerError/linearAlgebra(_:)``.
    public init(_ design: SurveyDesign, rows: [String], columns: [String], domain: Domain? = nil,
                missing: MissingInclusion = .showMissing, chunkRows: Int = 4096) throws(BarometerError) {
        guard !rows.isEmpty, !columns.isEmpty else { throw .invalidArgument("a banner needs row and column variables") }
        guard chunkRows > 0 else { throw .invalidArgument("chunk size must be positive") }
        let n = design.rowCount
        if let d = domain, d.mask.count != n {
            throw .lengthMismatch(variable: "domain \(d.description)", expected: n, actual: d.mask.count)
        }
        let rc = try rows.map { (v) throws(BarometerError) in CategoryCoding(try design.variable(v), missing: missing) }
        let same = rows == columns
        let cc = same ? rc : try columns.map { (v) throws(BarometerError) in CategoryCoding(try design.variable(v), missing: missing) }
        func offsets(_ c: [CategoryCoding]) -> [Int] { c.reduce(into: [0]) { $0.append(($0.last ?? 0) + $1.count) } }
        let ro = offsets(rc), co = offsets(cc)
        let kr = ro[ro.count - 1], kc = co[co.count - 1]
        let w = design.weights.values
        let weightedDesign = design.weights.isWeighted
        var cw = Matrix(rows: kr, columns: kc), cn = Matrix(rows: kr, columns: kc)
        let mask = domain?.mask
        var start = 0
        do {
            while start < n {
                let m = min(chunkRows, n - start)
                let zr = Self.indicators(rc, offsets: ro, width: kr, start: start, rows: m, mask: mask, scale: nil)
                let zc = same ? zr : Self.indicators(cc, offsets: co, width: kc, start: start, rows: m, mask: mask, scale: nil)
                if same {
                    try LinearAlgebra.syrk(zr, transpose: true, beta: 1, into: &cn)
                } else {
                    try LinearAlgebra.gemm(zr, zc, transposeA: true, beta: 1, into: &cn)
                }
                if weightedDesign {
                    let wc = Self.indicators(cc, offsets: co, width: kc, start: start, rows: m, mask: mask, scale: w)
                    try LinearAlgebra.gemm(zr, wc, transposeA: true, beta: 1, into: &cw)
                }
                start += m
            }
        } catch {
            throw .linearAlgebra(error)
        }
        if !weightedDesign { cw = cn }
        self.rowVariables = rows
        self.columnVariables = columns
        self.rowCategories = rc.map(\.categories)
        self.columnCategories = cc.map(\.categories)
        self.missing = missing
        self.base = TableBase.of(Array(Set(rows + columns)).sorted(), missing: missing, domain: domain)
        self.weight = design.weights.name
        self.chunkRows = chunkRows
        self.weighted = cw
        self.counts = cn
        self.rowOffsets = ro
        self.columnOffsets = co
    }

    /// The `rows × width` indicator block for respondents `start..<start+rows`
    /// (column-major), entries 1 or `scale[i]`.
    static func indicators(_ codings: [CategoryCoding], offsets: [Int], width: Int, start: Int, rows m: Int,
                           mask: [Bool]?, scale: [Double]?) -> Matrix {
        var z = Matrix(rows: m, columns: width)
        z.storage.withUnsafeMutableBufferPointer { s in
            for (v, coding) in codings.enumerated() {
                let off = offsets[v]
                coding.index.withUnsafeBufferPointer { idx in
                    for r in 0..<m {
                        let i = start + r
                        let k = Int(idx[i])
                        if k < 0 { continue }
                        if let mask, !mask[i] { continue }
                        s[r + (off + k) * m] = scale?[i] ?? 1
                    }
                }
            }
        }
        return z
    }

    /// The table of row variable `row` × column variable `column`.
    /// - Throws: ``BarometerError/unknownVariable(_:suggestions:)`` when
    ///   either is not in the banner.
    public func pair(_ row: String, _ column: String) throws(BarometerError) -> Pair {
        guard let a = rowVariables.firstIndex(of: row) else { throw .unknownVariable(row, suggestions: []) }
        guard let b = columnVariables.firstIndex(of: column) else { throw .unknownVariable(column, suggestions: []) }
        return pair(a, b)
    }

    /// The table of the a-th row variable × the b-th column variable.
    public func pair(_ a: Int, _ b: Int) -> Pair {
        let r0 = rowOffsets[a], r1 = rowOffsets[a + 1], c0 = columnOffsets[b], c1 = columnOffsets[b + 1]
        return Pair(counts: (r0..<r1).map { i in (c0..<c1).map { j in Int(counts[i, j]) } },
                    weighted: (r0..<r1).map { i in (c0..<c1).map { j in weighted[i, j] } })
    }
}
