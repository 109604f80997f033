/// The respondent-level tabulation behind the design-based tests
/// (``RaoScottTest``, ``AdjustedWaldTest``): the r × c table of weighted
/// counts from per-respondent row/column category indices, tallied through
/// ``CellTally`` (Σw and Σw² per cell), with empty rows/columns dropped.
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

    init(rowIndex: [Int32], rowCount: Int, columnIndex: [Int32], columnCount: Int,
         weights: Weights, domain: Domain?) throws(BarometerError) {
        guard rowIndex.count == columnIndex.count else {
            throw .lengthMismatch(variable: "column index", expected: rowIndex.count, actual: columnIndex.count)
        }
        guard rowCount > 0, columnCount > 0 else { throw .invalidArgument("row and column category counts must be positive") }
        var cell = [Int32](repeating: -1, count: rowIndex.count)
        for k in 0..<rowIndex.count {
            let a = rowIndex[k], b = columnIndex[k]
            if a < 0 || b < 0 { continue }
            guard Int(a) < rowCount, Int(b) < columnCount else {
                throw .invalidArgument("category index (\(a), \(b)) outside \(rowCount) × \(columnCount)")
            }
            cell[k] = a + Int32(rowCount) * b            // column-major cell number
        }
        let tally = try CellTally(cellCount: rowCount * columnCount, index: cell, weights: weights, domain: domain)
        let n = domain?.count ?? weights.count
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
        self.table = t
        self.weightedSquares = s2
        self.respondents = m
        self.domainPSUs = n
        self.designPSUs = weights.count
    }

    /// The design note shared by the design-based tests.
    func note(_ domain: Domain?) -> String {
        "design: weights-only, with replacement, \(domainPSUs) PSUs (respondents"
            + (domain.map { " in \($0.description)" } ?? "") + "); table base \(respondents) respondents with valid answers to both"
    }

    /// Per-respondent indicators of the kept cells (n × K, column-major over
    /// the kept table) and of being in the table (n × 1), zero outside the
    /// domain or for an excluded answer: the estimating columns handed to
    /// ``RatioOfTotals`` for the design covariance of cell totals or proportions.
    func indicators(rowIndex: [Int32], rowCount: Int, columnIndex: [Int32], columnCount: Int,
                    domain: Domain?) -> (cells: Matrix, inTable: Matrix) {
        let t = table, r = t.rowCount
        var keptRow = [Int](repeating: -1, count: rowCount), keptColumn = [Int](repeating: -1, count: columnCount)
        for (pos, i) in t.rowsKept.enumerated() { keptRow[i] = pos }
        for (pos, j) in t.columnsKept.enumerated() { keptColumn[j] = pos }
        var cells = Matrix(rows: rowIndex.count, columns: r * t.columnCount), inTable = Matrix(rows: rowIndex.count, columns: 1)
        for i in 0..<rowIndex.count {
            if let dm = domain, !dm.mask[i] { continue }
            let a = rowIndex[i], b = columnIndex[i]
            guard a >= 0, b >= 0 else { continue }
            let ka = keptRow[Int(a)], kb = keptColumn[Int(b)]
            guard ka >= 0, kb >= 0 else { continue }
            cells[i, ka + r * kb] = 1
            inTable[i, 0] = 1
        }
        return (cells, inTable)
    }
}

/// The parts of a design the design-based tests need: weights, sampling
/// structure or replicate weights, the degrees of freedom and a note.
struct DesignParts: Sendable {
    let weights: Weights
    let sampling: SamplingStructure
    let replicates: ReplicateWeights?
    /// Design degrees of freedom of the domain (nil: respondents in the domain − 1).
    let degreesOfFreedom: Int?
    let note: String?

    /// The weights-only design: each respondent its own PSU, with replacement.
    static func weightsOnly(_ w: Weights) -> DesignParts {
        DesignParts(weights: w, sampling: .independent(rows: w.count), replicates: nil, degreesOfFreedom: nil, note: nil)
    }

    /// A full design (strata, PSUs, fpc or replicates), restricted to `domain` for its df.
    static func full(_ d: SurveyDesign, domain: Domain?) -> DesignParts {
        DesignParts(weights: d.weights, sampling: d.sampling, replicates: d.replicates,
                    degreesOfFreedom: d.degreesOfFreedom(in: domain), note: "design: \(d.varianceDescription)")
    }
}
