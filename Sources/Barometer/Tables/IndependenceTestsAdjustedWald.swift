/// The design-based Wald test of independence with the adjusted-F
/// correction, under a weights-only design, as R
/// `survey::svychisq(statistic = "adjWald")` computes it.
///
/// With `T̂ᵢⱼ`, `R̂ᵢ`, `Ĉⱼ`, `N̂` the estimated cell, row, column and grand
/// totals, `Yᵢⱼ = T̂ᵢⱼ − R̂ᵢĈⱼ/N̂` for the cells with `i ≥ 2, j ≥ 2` (R's
/// choice of (r−1)(c−1) free cells), and `V̂_Y` its linearization variance
/// (`N/(N−1)` times the centred cross-products of the respondents'
/// influence vectors; `N` the design's PSU count, respondents outside the
/// table contributing zero):
/// `X²_W = Yᵀ V̂_Y⁻¹ Y`, and with `d = (r−1)(c−1)`, `ν = n − 1` (`n` the PSUs
/// of the domain) the statistic `F = X²_W (ν − d + 1)/(d ν)` is referred to
/// `F(d, ν − d + 1)` (Fellegi 1980; Thomas & Rao 1987).
///
/// Sums go through ``CellTally`` (per-cell Σw²) and the solve through
/// ``LinearAlgebra/cholesky(_:relativeTolerance:)``.
public struct AdjustedWaldTest: Sendable, Equatable, Codable {
    /// The weighted table (empty rows and columns dropped).
    public let table: TwoWayCounts
    /// The Wald statistic `Yᵀ V̂⁻¹ Y` (unadjusted).
    public let wald: Double
    /// The adjusted F.
    public let f: Double
    /// Numerator df, d.
    public let numeratorDF: Double
    /// Denominator df, ν − d + 1.
    public let denominatorDF: Double
    /// p-value from ``FisherF``.
    public let pValue: Double
    /// Notes (dropped rows/columns, base).
    public let notes: [String]

    /// The adjusted Wald test for the table of `rowIndex` × `columnIndex`;
    /// parameters as for ``RaoScottTest``.
    /// - Throws: the errors of ``RaoScottTest``; ``BarometerError/insufficientData(_:)``
    ///   when `ν − d + 1 ≤ 0` (too few PSUs for the number of cells);
    ///   ``BarometerError/singularMatrix(variables:conditionNumber:)`` when
    ///   `V̂_Y` is singular (e.g. empty cells).
    public init(rowIndex: [Int32], rowCount: Int, columnIndex: [Int32], columnCount: Int,
                weights: Weights, domain: Domain? = nil) throws(BarometerError) {
        try self.init(rowIndex: rowIndex, rowCount: rowCount, columnIndex: columnIndex, columnCount: columnCount,
                      domain: domain, parts: .weightsOnly(weights))
    }

    /// The same test under a full survey design (strata, PSUs, fpc or
    /// replicate weights), as `svychisq(..., statistic = "adjWald")`: the
    /// covariance of the cell totals comes from ``RatioOfTotals`` under the
    /// design and `V(Y) = J V(N) Jᵀ` (J the derivative of the free
    /// interaction totals Y with respect to the cell totals N); `ν` is the
    /// domain's design degrees of freedom.
    public init(design: SurveyDesign, rowIndex: [Int32], rowCount: Int, columnIndex: [Int32], columnCount: Int,
                domain: Domain? = nil) throws(BarometerError) {
        try self.init(rowIndex: rowIndex, rowCount: rowCount, columnIndex: columnIndex, columnCount: columnCount,
                      domain: domain, parts: .full(design, domain: domain))
    }

    init(rowIndex: [Int32], rowCount: Int, columnIndex: [Int32], columnCount: Int, domain: Domain?,
         parts: DesignParts) throws(BarometerError) {
        let weights = parts.weights, designDF = parts.degreesOfFreedom, designNote = parts.note
        let cells = try DesignCells(rowIndex: rowIndex, rowCount: rowCount, columnIndex: columnIndex,
                                    columnCount: columnCount, weights: weights, domain: domain)
        let t = cells.table
        self.table = t
        let r = t.rowCount, c = t.columnCount, d = (r - 1) * (c - 1)
        let nu = Double(designDF ?? (cells.domainPSUs - 1))
        let ddf = nu - Double(d) + 1
        guard ddf > 0 else {
            throw .insufficientData("the adjusted Wald test needs more design degrees of freedom than free cells: \(Int(nu)) for \(d) free cells")
        }
        let W = t.total, R = t.rowTotals, C = t.columnTotals
        // free cells (i ≥ 1, j ≥ 1), column-major: u = (i − 1) + (r − 1)(j − 1)
        var y = [Double](repeating: 0, count: d)
        for j in 1..<c { for i in 1..<r { y[(i - 1) + (r - 1) * (j - 1)] = t.counts[i, j] - R[i] * C[j] / W } }
        // Jacobian of Y_ij = N_ij − R_i C_j / W with respect to the cell totals N_ab:
        // [i=a][j=b] − [i=a]C_j/W − [j=b]R_i/W + R_iC_j/W²
        var jac = Matrix(rows: r * c, columns: d)
        for b in 0..<c { for a in 0..<r {
            for j in 1..<c { for i in 1..<r {
                var h = R[i] * C[j] / (W * W)
                if i == a { h -= C[j] / W }
                if j == b { h -= R[i] / W }
                if i == a && j == b { h += 1 }
                jac[a + r * b, (i - 1) + (r - 1) * (j - 1)] = h
            } }
        } }
        // Design covariance of the kept cell totals (the one variance path).
        let indicators = cells.indicators(rowIndex: rowIndex, rowCount: rowCount, columnIndex: columnIndex,
                                          columnCount: columnCount, domain: domain).cells
        let vN = try RatioOfTotals(numerators: indicators)
            .evaluate(weights: weights, sampling: parts.sampling, replicates: parts.replicates).covariance
        let stat: Double
        do {
            let v = try LinearAlgebra.multiply(jac, try LinearAlgebra.multiply(vN, jac), transposeA: true)
            let chol = try LinearAlgebra.cholesky(v)
            let x = try chol.solve(Matrix(rows: d, columns: 1, columnMajor: y))
            stat = (0..<d).reduce(0) { $0 + y[$1] * x.storage[$1] }
        } catch .notPositiveDefinite {
            throw .singularMatrix(variables: ["cell totals (empty or degenerate cells)"], conditionNumber: nil)
        } catch {
            throw .linearAlgebra(error)
        }
        self.wald = stat
        self.numeratorDF = Double(d)
        self.denominatorDF = ddf
        self.f = stat * ddf / (Double(d) * nu)
        self.pValue = FisherF(d1: Double(d), d2: ddf).sf(f)
        self.notes = t.notes + [designNote ?? cells.note(domain)]
    }
}
