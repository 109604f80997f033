/// Rao-Scott corrected tests of independence for a weighted two-way table
/// under a survey design (weights-only, strata/PSUs/fpc or replicate
/// weights), following R `survey::svychisq`.
///
/// With `p̂` the weighted cell proportions of the r × c table (empty rows and
/// columns dropped), `m` the respondents in the table (those with valid
/// answers to both, in the domain) and `n` the PSUs of the design:
/// - `X²` is Pearson's statistic of the weighted table rescaled to total `m`
///   (**unadjusted**: not a valid test under weighting; R `svychisq` on
///   `subset(design, valid answers)` prints the same value);
/// - `V̂` is the design covariance of `p̂`: under linearization `J V̂(T̂) Jᵀ`
///   with `J = (I − p̂1ᵀ)/W` and `V̂(T̂)` the covariance of the cell totals
///   (`DesignCellCovariance`: per-PSU cell totals through the grouped
///   linearization engine, `N/(N−1)` with `N` the PSUs of the whole design,
///   as R keeps them for a subset); under replicate weights the replicate
///   covariance of the replicate proportions;
/// - `E` spans the interaction space with four non-zeros per column
///   (`e(a,b) − e(a,0) − e(0,b) + e(0,0)`, a, b ≥ 1), `D = diag(p̂)` with
///   `1/0 := 0`; `E = C·T` for R's orthogonal contrasts C, so
///   `Δ = m (EᵀD⁻¹E)⁻¹ (EᵀD⁻¹V̂D⁻¹E)` is similar to R's Δ: the same
///   generalized design effects `δ₁…δ_d` (Rao & Scott 1984), `d = (r−1)(c−1)`.
///   Both d × d matrices are assembled in O(d²) from the sparse E; `Δ`'s
///   eigenvalues come from `U⁻ᵀBU⁻¹` (`A = UᵀU`).
///
/// Corrections: first order `X²/δ̄ ~ χ²_d` (`svychisq(statistic="Chisq")`
/// p-value; that call prints the unadjusted X²); second order (Satterthwaite)
/// `X²·d₀/tr Δ ~ χ²_{d₀}` with `d₀ = (tr Δ)²/tr Δ²`; and the Rao-Scott F
/// `X²/tr Δ ~ F(d₀, d₀·ν)` (`svychisq(statistic="F")`, R's default), with
/// `ν` the design degrees of freedom of the respondents with valid answers
/// in the domain, R `degf(subset(design, …))` (respondents − 1 for the
/// weights-only design).
///
/// Cost: O(n) for the tabulation; O(n + PSUs + Σ_PSU cells²) (linearization)
/// or O(n·R) (R replicates) for the covariance; O(K² + d³) after that, K = r·c.
/// Memory O(K² + R·K): nothing of size n × K. Checked first, in O(K): empty
/// cells that make `EᵀD⁻¹E` singular (a cycle of empty cells; R fails there
/// too) and tables beyond `DesignCells.maximumFreeCells` free cells
/// (``BarometerError/sizeLimitExceeded(what:size:limit:)``). Sums run in a
/// fixed order and the LAPACK calls on one BLAS thread, so results are
/// bit-identical for any thread count.
public struct RaoScottTest: Sendable, Equatable, Codable {
    /// The weighted table (empty rows and columns dropped).
    public let table: TwoWayCounts
    /// Respondents in the table (unweighted), `m`.
    public let respondents: Int
    /// PSUs of the design (respondents in the domain), `n`.
    public let primarySamplingUnits: Int
    /// Unadjusted Pearson X² of the weighted table rescaled to `m`, on `d` df
    /// (its p-value is NOT design-based; shown for reference only).
    public let unadjusted: ChiSquareTest
    /// Generalized design effects δ (eigenvalues of Δ), descending.
    public let designEffects: [Double]
    /// Mean design effect δ̄ = tr Δ / d.
    public let meanDesignEffect: Double
    /// First-order correction: X²/δ̄ on d df.
    public let firstOrder: ChiSquareTest
    /// Second-order (Satterthwaite) correction: X²·d₀/tr Δ on d₀ df.
    public let secondOrder: ChiSquareTest
    /// The Rao-Scott F statistic X²/tr Δ.
    public let f: Double
    /// Numerator degrees of freedom of F, d₀ = (tr Δ)²/tr Δ².
    public let fNumeratorDF: Double
    /// Denominator degrees of freedom of F, d₀(n − 1).
    public let fDenominatorDF: Double
    /// p-value of F from ``FisherF``.
    public let fPValue: Double
    /// Notes (dropped rows/columns, base).
    public let notes: [String]
    /// The design covariance of the cell totals, kept for the Wald tests on the same table.
    let cellCovariance: DesignCellCovariance?

    /// The Rao-Scott tests for the table of `rowIndex` × `columnIndex`.
    /// - Parameters:
    ///   - rowIndex: row category per respondent (−1 = excluded), as
    ///     ``CategoryCoding/index`` gives.
    ///   - rowCount: the number of row categories.
    ///   - columnIndex: column category per respondent (−1 = excluded).
    ///   - columnCount: the number of column categories.
    ///   - weights: the design's weights.
    ///   - domain: restricts the table and the design to a subpopulation
    ///     (as `svychisq` on `subset(design, domain)`).
    /// - Throws: ``BarometerError/lengthMismatch(variable:expected:actual:)``,
    ///   ``BarometerError/invalidArgument(_:)`` for an index out of range,
    ///   ``BarometerError/emptyDomain(_:)``, ``BarometerError/insufficientData(_:)``
    ///   for fewer than 2 PSUs or fewer than 2 non-empty rows/columns, and
    ///   ``BarometerError/singularMatrix(variables:conditionNumber:)`` when
    ///   zero cells make `CᵀD⁻¹C` singular.
    public init(rowIndex: [Int32], rowCount: Int, columnIndex: [Int32], columnCount: Int,
                weights: Weights, domain: Domain? = nil) throws(BarometerError) {
        try self.init(rowIndex: rowIndex, rowCount: rowCount, columnIndex: columnIndex, columnCount: columnCount,
                      domain: domain, parts: .weightsOnly(weights))
    }

    /// The same test under a full survey design (strata, PSUs, fpc or
    /// replicate weights), as `svychisq(~row + col, design)`: `V̂` is the
    /// design covariance of `p̂` from ``RatioOfTotals`` (linearization over
    /// PSUs within strata, or replicates), and the F denominator df are
    /// `d₀ · degf`, with `degf` the design degrees of freedom of the
    /// respondents with valid answers to both in the domain, R
    /// `degf(subset(design, …))` (PSUs with a weighted respondent there −
    /// their strata; replicate rank − 1 for replicate designs).
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
    /// adjusted Wald test already computed it) is reused.
    init(cells: DesignCells, domain: Domain?, parts: DesignParts,
         covariance: DesignCellCovariance?) throws(BarometerError) {
        let t = cells.table, m = cells.respondents, n = cells.domainPSUs
        self.table = t
        self.primarySamplingUnits = n
        self.respondents = m

        let r = t.rowCount, c = t.columnCount, K = r * c, d = (r - 1) * (c - 1)
        // Cheap conditions first: empty cells that make CᵀD⁺C singular, then the size limit.
        let zeros = cells.emptyCellCycles()
        guard zeros.cycles == 0 else {
            throw .singularMatrix(
                variables: ["interaction contrasts: \(zeros.emptyCells) of the \(K) cells of the \(r) × \(c) table are empty, "
                    + "and \(zeros.cycles) interaction contrast(s) lie on empty cells only (R svychisq fails the same way); "
                    + "recode into fewer categories"],
                conditionNumber: .infinity)
        }
        try cells.checkSize("Rao-Scott test")
        let W = t.total
        var p = [Double](repeating: 0, count: K)
        for j in 0..<c { for i in 0..<r { p[i + r * j] = t.counts[i, j] / W } }
        let pr = t.rowTotals.map { $0 / W }, pc = t.columnTotals.map { $0 / W }
        var x2 = 0.0
        for j in 0..<c { for i in 0..<r {
            let e = pr[i] * pc[j]
            x2 += (p[i + r * j] - e) * (p[i + r * j] - e) / e
        } }
        x2 *= Double(m)

        // Interaction basis E (free cells a ≥ 1, b ≥ 1, column-major u = (a−1) + (r−1)(b−1)):
        // E_u = e(a,b) − e(a,0) − e(0,b) + e(0,0). It spans the same space as R's orthogonal
        // contrasts C (E = C·T, T invertible), so Δ = m(EᵀD⁺E)⁻¹(EᵀD⁺V̂D⁺E) is similar to R's Δ:
        // same eigenvalues and traces. G = D⁺E has four non-zeros per column.
        var gk = [Int](repeating: 0, count: 4 * d), gv = [Double](repeating: 0, count: 4 * d)
        func inv(_ k: Int) -> Double { p[k] > 0 ? 1 / p[k] : 0 }
        for b in 1..<c { for a in 1..<r {
            let u = (a - 1) + (r - 1) * (b - 1)
            let ks = [a + r * b, a, r * b, 0], sg: [Double] = [1, -1, -1, 1]
            for s in 0..<4 { gk[4 * u + s] = ks[s]; gv[4 * u + s] = sg[s] * inv(ks[s]) }
        } }
        // A = EᵀD⁺E: shared (0,0) always, (a,0) on the same row, (0,b) on the same column, (a,b) on the diagonal.
        var am = Matrix(rows: d, columns: d)
        for v in 0..<d {
            let av = v % (r - 1) + 1, bv = v / (r - 1) + 1
            for u in 0...v {
                let au = u % (r - 1) + 1, bu = u / (r - 1) + 1
                var x = inv(0)
                if au == av { x += inv(au) }
                if bu == bv { x += inv(r * bu) }
                if u == v { x += inv(au + r * bu) }
                am[u, v] = x; am[v, u] = x
            }
        }
        // B = GᵀV̂G from the design covariance of the proportions (16 terms per entry).
        let cov: DesignCellCovariance
        if let covariance { cov = covariance } else { cov = try DesignCellCovariance(cells: cells, parts: parts) }
        let vp = cov.proportionsCovariance
        var bm = Matrix(rows: d, columns: d)
        for v in 0..<d {
            for u in 0...v {
                var x = 0.0
                for s in 0..<4 {
                    let ks = gk[4 * u + s], g1 = gv[4 * u + s]
                    if g1 == 0 { continue }
                    for q in 0..<4 { x += g1 * gv[4 * v + q] * vp[ks, gk[4 * v + q]] }
                }
                bm[u, v] = x; bm[v, u] = x
            }
        }
        // S = U⁻ᵀ B U⁻¹ (A = UᵀU): Y = U·A⁻¹B = U⁻ᵀB, S = U·A⁻¹Yᵀ. Eigenvalues of S = those of A⁻¹B.
        let sMatrix: Matrix, eig: [Double]
        do {
            (sMatrix, eig) = try BLASRuntime.withSingleThreadedBLAS { () throws -> (Matrix, [Double]) in
                let chol = try LinearAlgebra.cholesky(am)
                let y = try LinearAlgebra.multiply(chol.upper, try chol.solve(bm))
                var s = try LinearAlgebra.multiply(chol.upper, try chol.solve(y.transposed))
                for jx in 0..<d { for ix in 0..<jx { let v = (s[ix, jx] + s[jx, ix]) / 2; s[ix, jx] = v; s[jx, ix] = v } }
                return (s, try LinearAlgebra.symmetricEigen(s).values)
            }
        } catch let e as LinearAlgebraError {
            if case .notPositiveDefinite = e {
                throw .singularMatrix(variables: ["interaction contrasts (near-empty cells)"], conditionNumber: nil)
            }
            throw .linearAlgebra(e)
        } catch {
            throw .invalidArgument("\(error)")
        }
        let deltas = eig.map { $0 * Double(m) }.sorted(by: >)
        // tr Δ and tr Δ² straight from S (R: sum(diag(Delta)), sum(diag(Delta %*% Delta))).
        var tr = 0.0, tr2 = 0.0
        for jx in 0..<d {
            tr += sMatrix[jx, jx]
            for ix in 0..<d { tr2 += sMatrix[ix, jx] * sMatrix[ix, jx] }
        }
        // d₀ = (tr Δ)²/tr Δ² = (tr S)²/tr S² (m cancels: taken before scaling, so one free cell,
        // a 2 × 2 table, gives exactly 1, not 0.9999999999999999); in [1, d] for Δ ≥ 0 (Cauchy–Schwarz).
        let ratio = tr * tr / tr2
        let d0 = ratio.isFinite ? min(Double(d), max(1, ratio)) : ratio
        tr *= Double(m)
        self.designEffects = deltas
        self.meanDesignEffect = tr / Double(d)
        let df = Double(d)
        self.unadjusted = ChiSquareTest(name: "Pearson chi-square (unadjusted)", statistic: x2, degreesOfFreedom: df)
        self.firstOrder = ChiSquareTest(name: "Rao-Scott first-order chi-square", statistic: x2 / meanDesignEffect, degreesOfFreedom: df)
        self.secondOrder = ChiSquareTest(name: "Rao-Scott second-order chi-square", statistic: x2 * d0 / tr, degreesOfFreedom: d0)
        self.f = x2 / tr
        self.fNumeratorDF = d0
        self.cellCovariance = cov
        let ddf = parts.degreesOfFreedom(cells)
        guard ddf > 0 else {
            throw .insufficientData("the Rao-Scott F needs design degrees of freedom; the respondents with valid answers give \(ddf)")
        }
        self.fDenominatorDF = d0 * Double(ddf)
        self.fPValue = FisherF(d1: d0, d2: d0 * Double(ddf)).sf(x2 / tr)
        var notes = t.notes
        notes.append(parts.note(cells, domain, degreesOfFreedom: ddf))
        self.notes = notes
    }
}
