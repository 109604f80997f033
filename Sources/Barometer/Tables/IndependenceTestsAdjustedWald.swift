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
/// `X²_W = Yᵀ V̂_Y⁻¹ Y`, and with `d = (r−1)(c−1)` and `ν` the design degrees
/// of freedom of the respondents with valid answers to both variables in the
/// domain (R `degf(subset(design, …))`; `n − 1` for the weights-only design)
/// the statistic `F = X²_W (ν − d + 1)/(d ν)` is referred to
/// `F(d, ν − d + 1)` (Fellegi 1980; Thomas & Rao 1987). The unadjusted Wald
/// F `X²_W/d` on `(d, ν)` (R `statistic = "Wald"`) is reported beside it.
///
/// `V̂_Y = J V̂(T̂) Jᵀ` is assembled from the K × K design covariance of the
/// cell totals (`DesignCellCovariance`: per-PSU cell totals, never an
/// n × cells matrix) and its row/column aggregates in O(K² + d²); the solve
/// goes through ``LinearAlgebra/cholesky(_:relativeTolerance:)``. Empty
/// cells and tables beyond `DesignCells.maximumFreeCells` free cells are
/// rejected before any large allocation.
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
    /// The unadjusted Wald F, `X²_W / d`, referred to `F(d, ν)`: R
    /// `svychisq(statistic = "Wald")` (only valid when ν is large against d).
    public let unadjustedF: Double
    /// Denominator df of the unadjusted Wald F, ν (the domain's design df).
    public let unadjustedDenominatorDF: Double
    /// p-value of the unadjusted Wald F.
    public let unadjustedPValue: Double
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
                      domain: domain, parts: .full(design))
    }

    init(rowIndex: [Int32], rowCount: Int, columnIndex: [Int32], columnCount: Int, domain: Domain?,
         parts: DesignParts) throws(BarometerError) {
        let cells = try DesignCells(rowIndex: rowIndex, rowCount: rowCount, columnIndex: columnIndex,
                                    columnCount: columnCount, weights: parts.weights, domain: domain)
        try self.init(cells: cells, domain: domain, parts: parts, covariance: nil)
    }

    /// The test from an existing tabulation; `covariance` (when the
    /// Rao-Scott test already computed it) is reused.
    init(cells: DesignCells, domain: Domain?, parts: DesignParts,
         covariance: DesignCellCovariance?) throws(BarometerError) {
        let t = cells.table
        self.table = t
        let r = t.rowCount, c = t.columnCount, K = r * c, d = (r - 1) * (c - 1)
        // Cheap conditions first: df, then empty cells (the covariance of the
        // d free interaction totals has rank at most the number of non-empty
        // cells), then the size limit.
        let designDF = parts.degreesOfFreedom(cells)
        let nu = Double(designDF)
        let ddf = nu - Double(d) + 1
        guard ddf > 0 else {
            throw .insufficientData("the adjusted Wald test needs more design degrees of freedom than free cells: \(designDF) for \(d) free cells")
        }
        var nonEmpty = 0
        for j in 0..<c { for i in 0..<r where t.counts[i, j] > 0 { nonEmpty += 1 } }
        guard nonEmpty >= d else {
            throw .singularMatrix(variables: ["cell totals: \(K - nonEmpty) of the \(K) cells are empty, fewer non-empty cells than the \(d) free cells"],
                                  conditionNumber: .infinity)
        }
        try cells.checkSize("adjusted Wald test")
        let W = t.total, R = t.rowTotals, C = t.columnTotals
        // free cells (i ≥ 1, j ≥ 1), column-major: u = (i − 1) + (r − 1)(j − 1)
        var y = [Double](repeating: 0, count: d)
        for j in 1..<c { for i in 1..<r { y[(i - 1) + (r - 1) * (j - 1)] = t.counts[i, j] - R[i] * C[j] / W } }
        // V_Y = J V Jᵀ with J_u = e_u − (C_j/W)ρ_i − (R_i/W)γ_j + (R_iC_j/W²)1 (ρ_i, γ_j the row and
        // column indicators): every entry from V and its row/column/grand aggregates, O(K² + d²).
        let cov: DesignCellCovariance
        if let covariance { cov = covariance } else { cov = try DesignCellCovariance(cells: cells, parts: parts) }
        let v = cov.totalsCovariance
        var vr = Matrix(rows: K, columns: r), vc = Matrix(rows: K, columns: c)
        var v1 = [Double](repeating: 0, count: K)
        for l in 0..<K {
            let il = l % r, jl = l / r
            for k in 0..<K { let x = v[k, l]; vr[k, il] += x; vc[k, jl] += x; v1[k] += x }
        }
        var rr = Matrix(rows: r, columns: r), rc = Matrix(rows: r, columns: c), cc = Matrix(rows: c, columns: c)
        var r1 = [Double](repeating: 0, count: r), c1 = [Double](repeating: 0, count: c), s11 = 0.0
        for k in 0..<K {
            let ik = k % r, jk = k / r
            for i2 in 0..<r { rr[ik, i2] += vr[k, i2] }
            for j2 in 0..<c { rc[ik, j2] += vc[k, j2]; cc[jk, j2] += vc[k, j2] }
            r1[ik] += v1[k]; c1[jk] += v1[k]; s11 += v1[k]
        }
        var vy = Matrix(rows: d, columns: d)
        for jv in 1..<c { for iv in 1..<r {
            let vv = (iv - 1) + (r - 1) * (jv - 1), kv = iv + r * jv
            let av = C[jv] / W, bv = R[iv] / W, gvv = R[iv] * C[jv] / (W * W)
            for ju in 1..<c { for iu in 1..<r {
                let uu = (iu - 1) + (r - 1) * (ju - 1)
                if uu > vv { continue }
                let ku = iu + r * ju
                let au = C[ju] / W, bu = R[iu] / W, gu = R[iu] * C[ju] / (W * W)
                var x = v[ku, kv] - av * vr[ku, iv] - bv * vc[ku, jv] + gvv * v1[ku]
                x -= au * (vr[kv, iu] - av * rr[iu, iv] - bv * rc[iu, jv] + gvv * r1[iu])
                x -= bu * (vc[kv, ju] - av * rc[iv, ju] - bv * cc[ju, jv] + gvv * c1[ju])
                x += gu * (v1[kv] - av * r1[iv] - bv * c1[jv] + gvv * s11)
                vy[uu, vv] = x; vy[vv, uu] = x
            } }
        } }
        let stat: Double
        do {
            stat = try BLASRuntime.withSingleThreadedBLAS { () throws -> Double in
                let chol = try LinearAlgebra.cholesky(vy)
                let x = try chol.solve(Matrix(rows: d, columns: 1, columnMajor: y))
                return (0..<d).reduce(0) { $0 + y[$1] * x.storage[$1] }
            }
        } catch let e as LinearAlgebraError {
            if case .notPositiveDefinite = e {
                throw .singularMatrix(variables: ["cell totals (empty or degenerate cells)"], conditionNumber: nil)
            }
            throw .linearAlgebra(e)
        } catch {
            throw .invalidArgument("\(error)")
        }
        self.wald = stat
        self.numeratorDF = Double(d)
        self.denominatorDF = ddf
        self.f = stat * ddf / (Double(d) * nu)
        self.pValue = FisherF(d1: Double(d), d2: ddf).sf(f)
        self.unadjustedF = stat / Double(d)
        self.unadjustedDenominatorDF = nu
        self.unadjustedPValue = FisherF(d1: Double(d), d2: nu).sf(stat / Double(d))
        self.notes = t.notes + [parts.note(cells, domain, degreesOfFreedom: designDF)]
    }
}
