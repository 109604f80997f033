/// Rao-Scott corrected tests of independence for a weighted two-way table
/// under a weights-only design (each respondent its own PSU, sampled with
/// replacement, one stratum), following R `survey::svychisq`.
///
/// With `p̂` the weighted cell proportions of the r × c table (empty rows and
/// columns dropped), `m` the respondents in the table and `n` the PSUs of the
/// design (respondents in the domain, including those whose answer is
/// excluded, as `svychisq` counts them):
/// - `X²` is Pearson's statistic of the weighted table rescaled to total `m`
///   (**unadjusted**: not a valid test under weighting);
/// - `V̂ = N/(N−1) Σᵢ uᵢuᵢᵀ`, `uᵢ = wᵢ(zᵢ − p̂)/Σw` (linearization variance
///   of `p̂`, `zᵢ` the cell indicator, `uᵢ = 0` outside the table), where
///   `N` is the PSU count of the whole design even for a domain (R `survey`
///   keeps the full design's PSU count when a design is subset, while the
///   F denominator df use the domain's `n − 1`);
/// - `C` spans the interaction contrasts (residuals of the interaction
///   columns on the main effects), `D = diag(p̂)` with `1/0 := 0`;
/// - the generalized design effects `δ₁…δ_d` (Rao & Scott 1984) are the
///   eigenvalues of `Δ = m (CᵀD⁻¹C)⁻¹ (CᵀD⁻¹V̂D⁻¹C)`, `d = (r−1)(c−1)`.
///
/// Corrections: first order `X²/δ̄ ~ χ²_d` (`svychisq(statistic="Chisq")`
/// p-value; that call prints the unadjusted X²); second order (Satterthwaite)
/// `X²·d₀/tr Δ ~ χ²_{d₀}` with `d₀ = (tr Δ)²/tr Δ²`; and the Rao-Scott F
/// `X²/tr Δ ~ F(d₀, d₀(n−1))` (`svychisq(statistic="F")`, R's default).
/// `F`, the corrected p-values and `d₀` do not depend on the rescaling of
/// the table; R rescales X² and Δ to `n` rather than `m`, so its printed
/// X² equals ours times `n/m` when respondents are excluded.
///
/// Accumulation goes through ``CellTally`` (per-cell Σw and Σw², so the
/// variance needs no second pass over respondents); matrix work through
/// ``LinearAlgebra`` (`dsyrk`, `dsyevd`). Deterministic on any thread count.
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

    /// The Rao-Scott tests for the table of `rowIndex` × `columnIndex`.
    /// - Parameters:
    ///   - rowIndex: row category per respondent (−1 = excluded), as
    ///     ``CategoryCoding/index`` gives; `rowCount` categories.
    ///   - columnIndex: column category per respondent (−1 = excluded).
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
    /// `d₀ · degf`, with `degf` the design degrees of freedom of the domain
    /// (PSUs with a weighted respondent in it − their strata; replicate
    /// rank − 1 for replicate designs).
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
        let t = cells.table, m = cells.respondents, n = cells.domainPSUs
        self.table = t
        self.primarySamplingUnits = n
        self.respondents = m

        let r = t.rowCount, c = t.columnCount, K = r * c, d = (r - 1) * (c - 1)
        let W = t.total
        // proportions and Σw² of the kept cells, column-major over the kept table
        var p = [Double](repeating: 0, count: K)
        for j in 0..<c { for i in 0..<r { p[i + r * j] = t.counts[i, j] / W } }
        let pr = t.rowTotals.map { $0 / W }, pc = t.columnTotals.map { $0 / W }
        var x2 = 0.0
        for j in 0..<c { for i in 0..<r {
            let e = pr[i] * pc[j]
            x2 += (p[i + r * j] - e) * (p[i + r * j] - e) / e
        } }
        x2 *= Double(m)

        // Interaction contrasts orthogonal to the main effects: for a in 1..<r,
        // b in 1..<c, C[(i,j),(a,b)] = [i=a][j=b] − [i=a]/c − [j=b]/r + 1/(rc).
        func contrast(_ i: Int, _ j: Int, _ a: Int, _ b: Int) -> Double {
            (i == a && j == b ? 1 : 0) - (i == a ? 1 / Double(c) : 0) - (j == b ? 1 / Double(r) : 0) + 1 / Double(r * c)
        }
        // rows of A-root: C_k / √p_k ; rows of G = D⁻¹C
        var aRoot = Matrix(rows: K, columns: d)
        var g = Matrix(rows: K, columns: d)
        for j in 0..<c { for i in 0..<r {
            let k = i + r * j
            guard p[k] > 0 else { continue }
            let sp = p[k].squareRoot()
            for b in 1..<c { for a in 1..<r {
                let col = (a - 1) + (r - 1) * (b - 1)
                let v = contrast(i, j, a, b)
                aRoot[k, col] = v / sp
                g[k, col] = v / p[k]
            } }
        } }
        // V̂ = design covariance of the kept cells' proportions (one variance
        // path for every design: RatioOfTotals), then B = Gᵀ V̂ G.
        let (indicators, inTable) = cells.indicators(rowIndex: rowIndex, rowCount: rowCount, columnIndex: columnIndex,
                                                     columnCount: columnCount, domain: domain)
        let vhat = try RatioOfTotals(numerators: indicators, denominators: inTable)
            .evaluate(weights: weights, sampling: parts.sampling, replicates: parts.replicates).covariance
        let eig: [Double]
        do {
            let a = try LinearAlgebra.gram(aRoot)
            let bm = try LinearAlgebra.multiply(g, try LinearAlgebra.multiply(vhat, g), transposeA: true)
            // eigenvalues of A⁻¹B via A^{-1/2} B A^{-1/2}
            let ea = try LinearAlgebra.symmetricEigen(a, vectors: true)
            let lmax = ea.values.last ?? 0, lmin = ea.values.first ?? 0
            guard let q = ea.vectors, lmin > Double(d) * 1e-12 * lmax else {
                throw BarometerError.singularMatrix(variables: ["interaction contrasts (zero cells)"],
                                                    conditionNumber: lmin > 0 ? lmax / lmin : .infinity)
            }
            var h = q
            for col in 0..<d { let s = 1 / ea.values[col].squareRoot(); for row in 0..<d { h[row, col] *= s } }
            let aInvHalf = try LinearAlgebra.multiply(h, q, transposeB: true)
            let s = try LinearAlgebra.multiply(try LinearAlgebra.multiply(aInvHalf, bm), aInvHalf)
            var sym = s
            for jx in 0..<d { for ix in 0..<jx { let v = (s[ix, jx] + s[jx, ix]) / 2; sym[ix, jx] = v; sym[jx, ix] = v } }
            eig = try LinearAlgebra.symmetricEigen(sym).values
        } catch let e as LinearAlgebraError {
            throw .linearAlgebra(e)
        } catch let e as BarometerError {
            throw e
        } catch {
            throw .invalidArgument("\(error)")
        }
        let deltas = eig.map { $0 * Double(m) }.sorted(by: >)
        let tr = deltas.reduce(0, +)
        let tr2 = deltas.reduce(0) { $0 + $1 * $1 }
        let d0 = tr * tr / tr2
        self.designEffects = deltas
        self.meanDesignEffect = tr / Double(d)
        let df = Double(d)
        self.unadjusted = ChiSquareTest(name: "Pearson chi-square (unadjusted)", statistic: x2, degreesOfFreedom: df)
        self.firstOrder = ChiSquareTest(name: "Rao-Scott first-order chi-square", statistic: x2 / meanDesignEffect, degreesOfFreedom: df)
        self.secondOrder = ChiSquareTest(name: "Rao-Scott second-order chi-square", statistic: x2 * d0 / tr, degreesOfFreedom: d0)
        self.f = x2 / tr
        self.fNumeratorDF = d0
        let ddf = Double(designDF ?? (n - 1))
        self.fDenominatorDF = d0 * ddf
        self.fPValue = FisherF(d1: d0, d2: d0 * ddf).sf(x2 / tr)
        var notes = t.notes
        notes.append(designNote ?? cells.note(domain))
        self.notes = notes
    }
}
