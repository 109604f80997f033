/// The respondent-level tabulation behind the design-based tests
/// (``RaoScottTest``, ``AdjustedWaldTest``): the r × c table of weighted
/// counts from per-respondent row/column category indices, tallied through
/// ``CellTally`` (Σw and Σw² per cell), with empty rows/columns dropped,
/// and each respondent's kept cell (the only per-respondent state the
/// variance needs: no n × cells matrix is ever built).
struct DesignCells: Sendable {
    /// The weighted table (empty rows and columns dropped).
    let table: TwoWayCounts
    /// Σw² per kept cell, column-major over the kept table.
    let weightedSquares: [Double]
    /// Respondents in the kept table (unweighted).
    let respondents: Int
    /// PSUs in the domain (or the design), `n`.
    let domainPSUs: Int
    /// PSUs in the whole design (survey's `fpc$sampsize`).
    let designPSUs: Int
    /// Kept cell of each respondent (column-major over the kept table), −1
    /// outside the domain, for an excluded answer or in a dropped row/column.
    /// The rows with a kept cell are the test's domain as far as the design
    /// degrees of freedom go: the given domain restricted to respondents with
    /// a valid answer to both variables (R `subset(design, domain & !is.na(x) & !is.na(y))`)
    /// less the rows of dropped (zero-weight) rows and columns, which have
    /// weight 0 and so count for no PSU.
    let cellOfRow: [Int32]
    /// Respondents with a valid answer to both in the domain and a non-zero weight.
    let validWeightedRespondents: Int
    /// Kept cell of each accumulated cell (accumulated tabulations only).
    var keptCell: [CellKey: Int] = [:]

    /// The tabulation of the respondents' cells. `tallied`, when given, is the table's own
    /// tally of these cells (column-major `row + rowCount·column`, summed in row order over
    /// the same respondents, as ``ContingencyTable`` does): its sums are then used as they are
    /// and only each respondent's cell is found (``CellTally/cells(rows:rowCount:columns:columnCount:weights:domain:)``,
    /// on every core), the same bits as tallying again. When the respondents with a cell do
    /// not number the tally's count (a domain that is not the table's), the cells are tallied again.
    init(rowIndex: [Int32], rowCount: Int, columnIndex: [Int32], columnCount: Int,
         weights: Weights, domain: Domain?, tallied: CellTally? = nil) throws(BarometerError) {
        guard rowIndex.count == columnIndex.count else {
            throw .lengthMismatch(variable: "column index", expected: rowIndex.count, actual: columnIndex.count)
        }
        guard rowCount > 0, columnCount > 0 else { throw .invalidArgument("row and column category counts must be positive") }
        if let d = domain, d.mask.count != rowIndex.count {
            throw .lengthMismatch(variable: "domain \(d.description)", expected: rowIndex.count, actual: d.mask.count)
        }
        guard weights.count == rowIndex.count else {
            throw .lengthMismatch(variable: weights.name ?? "weights", expected: rowIndex.count, actual: weights.count)
        }
        // Each respondent's cell in the domain; the cells' Σw, Σw² and counts from the table's tally, or in the same pass.
        let tally: CellTally, cells: [Int32], positive: Int
        if let t = tallied, t.cellCount == rowCount * columnCount,
           let found = CellTally.cells(rows: rowIndex, rowCount: rowCount, columns: columnIndex, columnCount: columnCount,
                                       weights: weights, domain: domain),
           found.withCell == t.totalCount {
            (tally, cells, positive) = (t, found.cells, found.weightedRows)
        } else {
            (tally, cells, positive) = try CellTally.crossed(rows: rowIndex, rowCount: rowCount, columns: columnIndex,
                                                             columnCount: columnCount, weights: weights, domain: domain)
        }
        var cell = cells
        let n = domain.map { $0.mask.reduce(0) { $0 + ($1 ? 1 : 0) } } ?? weights.count
        guard n >= 2 else { throw .insufficientData("the design needs at least 2 PSUs (respondents); it has \(n)") }
        guard tally.totalWeighted > 0 else {
            throw .emptyDomain(domain.map { "no weighted respondents in \($0.description)" } ?? "no weighted respondents in the table")
        }
        let full: Matrix
        do { full = try Matrix(rows: rowCount, columns: columnCount, columnMajor: tally.weighted) }
        catch { throw .linearAlgebra(error) }
        let t = try TwoWayCounts(full)
        var m = 0
        var s2 = [Double](repeating: 0, count: t.rowCount * t.columnCount)
        for (j, jj) in t.columnsKept.enumerated() {
            for (i, ii) in t.rowsKept.enumerated() {
                m += tally.counts[ii + rowCount * jj]
                s2[i + t.rowCount * j] = tally.weightedSquares[ii + rowCount * jj]
            }
        }
        // Kept-cell number per respondent (the cell itself when no row or column was dropped).
        if t.rowCount < rowCount || t.columnCount < columnCount {
            var kept = [Int32](repeating: -1, count: rowCount * columnCount)
            for (j, jj) in t.columnsKept.enumerated() {
                for (i, ii) in t.rowsKept.enumerated() { kept[ii + rowCount * jj] = Int32(i + t.rowCount * j) }
            }
            cell.withUnsafeMutableBufferPointer { cp in
                for k in cp.indices where cp[k] >= 0 { cp[k] = kept[Int(cp[k])] }
            }
        }
        self.table = t
        self.weightedSquares = s2
        self.respondents = m
        self.domainPSUs = n
        self.designPSUs = weights.count
        self.cellOfRow = cell
        self.validWeightedRespondents = positive
    }

    /// The tabulation of accumulated cells (``DesignCellTotalsAccumulator``,
    /// merged partial states): no respondent rows, so ``cellOfRow`` is empty
    /// and the design degrees of freedom come from the accumulator.
    init(table: TwoWayCounts, weightedSquares: [Double], respondents: Int, domainPSUs: Int, designPSUs: Int,
         validWeightedRespondents: Int, keptCell: [CellKey: Int]) {
        self.keptCell = keptCell
        self.table = table
        self.weightedSquares = weightedSquares
        self.respondents = respondents
        self.domainPSUs = domainPSUs
        self.designPSUs = designPSUs
        self.cellOfRow = []
        self.validWeightedRespondents = validWeightedRespondents
    }

    /// The design note shared by the design-based tests.
    func note(_ domain: Domain?, degreesOfFreedom: Int) -> String {
        "design: weights-only, with replacement, \(domainPSUs) PSUs (respondents"
            + (domain.map { " in \($0.description)" } ?? "") + "); table base \(respondents) respondents with valid answers to both; "
            + "denominator df \(degreesOfFreedom) from the respondents with valid answers (R degf(subset(design, ...)))"
    }

    /// Union-find over the empty cells of the kept table (rows and columns
    /// as the nodes of a bipartite graph, each empty cell an edge): the
    /// number of independent cycles, `|Z| − nodes touched + components`.
    /// The interaction contrasts restricted to the non-empty cells lose
    /// exactly that many dimensions (an interaction vector supported on the
    /// empty cells has zero row and column sums, i.e. is a cycle), so
    /// `CᵀD⁺C` of the Rao-Scott correction is singular iff this is > 0.
    /// O(cells).
    func emptyCellCycles() -> (emptyCells: Int, cycles: Int) {
        let r = table.rowCount, c = table.columnCount
        var parent = Array(0..<(r + c))
        func find(_ x: Int) -> Int {
            var x = x
            while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }
            return x
        }
        var empty = 0, cycles = 0
        for j in 0..<c { for i in 0..<r where table.counts[i, j] == 0 {
            empty += 1
            let a = find(i), b = find(r + j)
            if a == b { cycles += 1 } else { parent[a] = b }
        } }
        return (empty, cycles)
    }
}

/// The parts of a design the design-based tests need: weights, sampling
/// structure or replicate weights, the design itself (for the df of a
/// domain) and a note.
struct DesignParts: Sendable {
    let weights: Weights
    let sampling: SamplingStructure
    let replicates: ReplicateWeights?
    /// The full design, nil for the weights-only design.
    let design: SurveyDesign?
    let note: String?
    /// Accumulated PSU cell totals (merged partial states), in place of the rows.
    var accumulated: DesignCellTotalsAccumulator? = nil

    /// The weights-only design: each respondent its own PSU, with replacement.
    static func weightsOnly(_ w: Weights) -> DesignParts {
        DesignParts(weights: w, sampling: .independent(rows: w.count), replicates: nil, design: nil, note: nil)
    }

    /// A full design (strata, PSUs, fpc or replicates).
    static func full(_ d: SurveyDesign) -> DesignParts {
        DesignParts(weights: d.weights, sampling: d.sampling, replicates: d.replicates, design: d,
                    note: "design: \(d.varianceDescription)")
    }

    /// Design degrees of freedom of the tests' domain, R
    /// `degf(subset(design, domain & valid answers))`: weighted PSUs minus
    /// strata there (respondents − 1 for the weights-only design), or the
    /// replicate rank − 1. The weighted respondents there are those with a
    /// kept cell (``DesignCells/cellOfRow``), so no mask of the domain is kept.
    func degreesOfFreedom(_ cells: DesignCells) -> Int {
        if let a = accumulated { return a.degreesOfFreedom }
        if let d = design {
            // Every row weighted with a kept cell: the subset is the whole design, every PSU and
            // stratum counts (the pass below would count them all).
            if d.replicates == nil && cells.validWeightedRespondents == d.rowCount && cells.cellOfRow.count == d.rowCount {
                return d.sampling.degreesOfFreedom
            }
            return cells.cellOfRow.withUnsafeBufferPointer { cp in
                d.degreesOfFreedom(rows: cp.count, groupCount: 1) { cp[$0] >= 0 ? 0 : -1 }[0]
            }
        }
        return cells.validWeightedRespondents - 1
    }

    /// The note for the test results.
    func note(_ cells: DesignCells, _ domain: Domain?, degreesOfFreedom: Int) -> String {
        guard let note else { return cells.note(domain, degreesOfFreedom: degreesOfFreedom) }
        return note + "; table base \(cells.respondents) respondents with valid answers to both"
            + (domain.map { " in \($0.description)" } ?? "")
            + "; denominator df \(degreesOfFreedom) = degf of that subset (R degf(subset(design, ...)))"
    }
}

/// The design covariance of the kept cells' weighted totals `T̂ₖ` (K × K),
/// shared by the Rao-Scott and adjusted Wald tests, computed from the
/// respondents' kept cells only:
/// - linearization (weights-only or strata/PSUs/fpc): the influence of
///   respondent i on cell k is `wᵢ·[cellᵢ = k]`, so the per-PSU cell totals
///   are all the engine needs; ``SamplingStructure/linearizationCovariance(groups:groupCount:influence:)``
///   sums them per PSU and stratum (O(n + PSUs + Σ cells per PSU²) time,
///   O(K²) memory; for one respondent per PSU it reduces to per-cell Σw,
///   Σw² and the means, `n/(n−1)·(diag(S) − T Tᵀ/n)`);
/// - replicate weights: per-replicate cell totals (R × K, accumulated by
///   ``DesignCellTotalsAccumulator``: one dgemv per replicate column per block
///   of rows) and ``ReplicateWeights``' covariance.
///
/// Memory O(K² + R·K); nothing of size n × K. Sums run in a fixed order, so
/// the result does not depend on the thread count.
struct DesignCellCovariance: Sendable, Equatable, Codable {
    /// Cell totals, column-major over the kept table.
    let totals: [Double]
    /// K × K covariance of the cell totals.
    let totalsCovariance: Matrix
    /// K × K covariance of the cell proportions `p̂ₖ = T̂ₖ/ΣT̂`: `J V Jᵀ` with
    /// `J = (I − p̂1ᵀ)/W` under linearization (Binder), the replicate
    /// covariance of replicate proportions under replicate weights (as R
    /// `svymean` computes it on a replicate design).
    let proportionsCovariance: Matrix

    init(cells: DesignCells, parts: DesignParts) throws(BarometerError) {
        let t = cells.table, K = t.rowCount * t.columnCount
        var totals = [Double](repeating: 0, count: K)
        for j in 0..<t.columnCount { for i in 0..<t.rowCount { totals[i + t.rowCount * j] = t.counts[i, j] } }
        let W = t.total
        self.totals = totals
        let p = totals.map { $0 / W }
        // The kept cells' totals: accumulated (merged partial states), the respondents' cells as one
        // chunk (weights-only and replicate designs), or the design's rows straight into the grouped kernel.
        let accumulated: DesignCellTotalsAccumulator?, cellOf: (CellKey) -> Int?
        if let acc = parts.accumulated {
            accumulated = acc
            cellOf = { cells.keptCell[$0] }
        } else {
            accumulated = try Self.accumulate(cells: cells, parts: parts)
            cellOf = { Int($0.row.code) }
        }
        if let acc = accumulated, acc.kind == .replicate {
            (self.totalsCovariance, self.proportionsCovariance)
                = try acc.replicateCovariances(cellOf: cellOf, cellCount: K, totals: totals, proportions: p)
        } else {
            let v: Matrix
            if let acc = accumulated {
                v = try acc.totalsCovariance(cellOf: cellOf, cellCount: K)
            } else {
                // Strata/PSUs in memory: the design's rows are already grouped by stratum and PSU
                // (``PSUOrder``), so the kernel sums each PSU's cells within one stratum at a time
                // (O(K² + that stratum's PSU cells) memory); no PSU × cell table of the whole design.
                // Calibrated weights: every row carries a residual, so the rows go to the kernel too.
                let w = parts.weights.values
                v = try w.withUnsafeBufferPointer { (wp) throws(BarometerError) -> Matrix in
                    try parts.sampling.linearizationCovariance(groups: cells.cellOfRow, groupCount: K) { wp[$0] }
                }
            }
            self.totalsCovariance = v
            // V(p̂) = (V − p̂ v1ᵀ − v1 p̂ᵀ + (1ᵀV1) p̂p̂ᵀ)/W², v1 = V·1.
            var v1 = [Double](repeating: 0, count: K)
            for l in 0..<K { for k in 0..<K { v1[k] += v[k, l] } }
            var s11 = 0.0
            for k in 0..<K { s11 += v1[k] }
            var vp = Matrix(rows: K, columns: K)
            let w2 = W * W
            for l in 0..<K { for k in 0..<K {
                vp[k, l] = (v[k, l] - p[k] * v1[l] - v1[k] * p[l] + s11 * p[k] * p[l]) / w2
            } }
            self.proportionsCovariance = vp
        }
    }
}

extension DesignCellCovariance {
    /// The kept cells of `cells` as one chunk of a ``DesignCellTotalsAccumulator``
    /// (cell keys carry the kept cell number) for weights-only and replicate designs; nil for
    /// strata/PSU designs (the rows go to the grouped kernel, which sums the same PSU cell totals
    /// stratum by stratum) and for calibrated weights without replicate weights.
    static func accumulate(cells: DesignCells, parts: DesignParts) throws(BarometerError) -> DesignCellTotalsAccumulator? {
        var acc: DesignCellTotalsAccumulator
        let sampling: DesignTotalsChunk.Sampling
        if let d = parts.design {
            guard let a = DesignCellTotalsAccumulator(design: d), a.kind != .clustered else { return nil }
            acc = a
            sampling = DesignTotalsChunk.Sampling(d)
        } else {
            acc = DesignCellTotalsAccumulator(kind: .independent)
            sampling = .independent
        }
        let K = cells.table.rowCount * cells.table.columnCount
        let keys = (0..<K).map { CellKey(row: CategoryKey(rank: 0, code: Double($0), text: ""), column: CategoryKey(rank: 0, code: 0, text: "")) }
        try acc.add(.init(cells: cells.cellOfRow, keys: keys, weights: parts.weights.values, domainRows: cells.domainPSUs,
                          sampling: sampling))
        return acc
    }
}

extension DesignCells {
    /// Largest number of free cells `(r−1)(c−1)` the design-based tests take:
    /// their matrices are dense in that space (memory O(cells²), time
    /// O(((r−1)(c−1))³)); beyond it they stop with
    /// ``BarometerError/sizeLimitExceeded(what:size:limit:)`` before any
    /// large allocation.
    static let maximumFreeCells = 1_000

    /// Throws when the table is beyond ``maximumFreeCells``.
    func checkSize(_ test: String) throws(BarometerError) {
        let d = table.degreesOfFreedom
        guard d <= Self.maximumFreeCells else {
            throw .sizeLimitExceeded(
                what: "\(test): free cells (r−1)(c−1) of the \(table.rowCount) × \(table.columnCount) table "
                    + "(recode the variables into fewer categories)",
                size: d, limit: Self.maximumFreeCells)
        }
    }
}
