#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Measures of association for a two-way table with the asymptotic standard
/// errors IBM SPSS CROSSTABS reports (IBM SPSS Statistics Algorithms,
/// CROSSTABS; Goodman & Kruskal 1954–1972; Agresti 2010 for the ordinal ones).
///
/// Notation: counts `fᵢⱼ`, margins `rᵢ`, `cⱼ`, total `W`, `q = min(r, c)`;
/// `Cᵢⱼ`/`Dᵢⱼ` the counts concordant/discordant with cell (i, j), `P = Σ fC`,
/// `Q = Σ fD`, `D_r = W² − Σrᵢ²`, `D_c = W² − Σcⱼ²`.
/// - Nominal: φ = √(X²/W) (for 2 × 2 the signed `(f₁₁f₂₂ − f₁₂f₂₁)/√(r₁r₂c₁c₂)`),
///   Cramér's V = √(X²/(W(q−1))), contingency coefficient √(X²/(X²+W)),
///   Tschuprow's T = √(X²/(W·√((r−1)(c−1)))) (Tschuprow 1939; no ASE);
///   significance = Pearson χ² p.
/// - Pairs: concordant `P/2` and discordant `Q/2` (each unordered pair once;
///   weighted pairs Σ f·f' when the counts are weighted).
/// - Goodman-Kruskal λ: C|R `(Σᵢ maxⱼ fᵢⱼ − maxⱼ cⱼ)/(W − maxⱼ cⱼ)`, R|C
///   likewise, symmetric `(Σ maxⱼ fᵢⱼ + Σ maxᵢ fᵢⱼ − r_m − c_m)/(2W − r_m − c_m)`.
///   Ties for a maximum are broken by the first (lowest) index.
/// - Goodman and Kruskal's τ: see ``GoodmanKruskalTau``.
/// - γ = (P − Q)/(P + Q); τ_b = (P − Q)/√(D_rD_c); τ_c = q(P − Q)/(W²(q − 1));
///   Somers' d C|R = (P − Q)/D_r, R|C = (P − Q)/D_c, symmetric (P − Q)/((D_r + D_c)/2).
///
/// ASE₁ is the multinomial delta-method standard error
/// `√(Σ fᵢⱼ φᵢⱼ² − (Σ fᵢⱼ φᵢⱼ)²/W)` with `φᵢⱼ = ∂θ/∂fᵢⱼ` (for τ_c, W is held
/// fixed, as SPSS does); ASE₀ is the same with the influence under
/// independence (λ = 0, or the derivative of P − Q alone for ordinal
/// measures), which reproduces SPSS's ASE₀ formulas. T = value/ASE₀ and the
/// significance is two-sided normal. These agree with the closed forms in
/// `Fixtures/reference/association/make_association.py` to ~1e-13.
///
/// Weighted counts are used as given (SPSS `/COUNT ASIS`); SPSS by default
/// rounds weighted cell counts first. A measure whose denominator is zero
/// (e.g. γ with no untied pairs) is nil and explained in ``notes``.
public struct AssociationMeasures: Sendable, Equatable, Codable {
    /// The table (empty rows/columns dropped).
    public let table: TwoWayCounts
    /// φ.
    public let phi: AssociationEstimate
    /// Cramér's V.
    public let cramersV: AssociationEstimate
    /// Contingency coefficient.
    public let contingencyCoefficient: AssociationEstimate
    /// Tschuprow's T (value and the Pearson χ² significance; no ASE).
    public let tschuprowsT: AssociationEstimate
    /// Number of concordant pairs, `P/2` (weighted when the counts are).
    public let concordantPairs: Double
    /// Number of discordant pairs, `Q/2`.
    public let discordantPairs: Double
    /// Goodman-Kruskal λ.
    public let lambda: DirectionalAssociation?
    /// Goodman and Kruskal's τ (both directions).
    public let goodmanKruskalTau: GoodmanKruskalTau
    /// Goodman-Kruskal γ.
    public let gamma: AssociationEstimate?
    /// Kendall's τ_b.
    public let kendallTauB: AssociationEstimate?
    /// Stuart-Kendall τ_c.
    public let kendallTauC: AssociationEstimate?
    /// Somers' d.
    public let somersD: DirectionalAssociation?
    /// Why a measure is missing.
    public let notes: [String]

    /// Measures of association of `counts` (r × c).
    /// - Throws: see ``TwoWayCounts/init(_:)``.
    public init(counts: Matrix) throws(BarometerError) {
        try self.init(table: TwoWayCounts(counts))
    }

    /// Measures of association of a validated table.
    public init(table t: TwoWayCounts) {
        self.table = t
        let tests = IndependenceTests(table: t)
        let f = t.counts, R = t.rowCount, C = t.columnCount, W = t.total
        let x2 = tests.pearson.statistic, p = tests.pearson.pValue
        let q = Double(min(R, C))
        var notes: [String] = []

        // nominal, χ²-based
        if R == 2 && C == 2 {
            let num = f[0, 0] * f[1, 1] - f[0, 1] * f[1, 0]
            let den = (t.rowTotals[0] * t.rowTotals[1] * t.columnTotals[0] * t.columnTotals[1]).squareRoot()
            phi = AssociationEstimate(value: num / den, pValue: p)
        } else {
            phi = AssociationEstimate(value: (x2 / W).squareRoot(), pValue: p)
        }
        cramersV = AssociationEstimate(value: (x2 / (W * (q - 1))).squareRoot(), pValue: p)
        contingencyCoefficient = AssociationEstimate(value: (x2 / (x2 + W)).squareRoot(), pValue: p)
        tschuprowsT = AssociationEstimate(value: (x2 / (W * Double((R - 1) * (C - 1)).squareRoot())).squareRoot(), pValue: p)

        /// √(Σ f φ² − (Σ f φ)²/W) over the table.
        func ase(_ phi: (Int, Int) -> Double) -> Double {
            var s1 = 0.0, s2 = 0.0
            for j in 0..<C { for i in 0..<R {
                let v = phi(i, j), w = f[i, j]
                s1 += w * v
                s2 += w * v * v
            } }
            return Swift.max(0, s2 - s1 * s1 / W).squareRoot()
        }
        func firstMax(_ xs: [Double]) -> Int {
            var best = 0
            for k in xs.indices where xs[k] > xs[best] { best = k }
            return best
        }

        // ---- Goodman-Kruskal lambda ----
        let li = (0..<R).map { i in firstMax((0..<C).map { f[i, $0] }) }   // column of each row's max
        let kj = (0..<C).map { j in firstMax((0..<R).map { f[$0, j] }) }   // row of each column's max
        let l = firstMax(t.columnTotals), k = firstMax(t.rowTotals)
        let cm = t.columnTotals[l], rm = t.rowTotals[k]
        let sr = (0..<R).reduce(0.0) { $0 + f[$1, li[$1]] }
        let sc = (0..<C).reduce(0.0) { $0 + f[kj[$1], $1] }
        func ind(_ b: Bool) -> Double { b ? 1 : 0 }
        if W - cm > 0, W - rm > 0 {
            let lcr = (sr - cm) / (W - cm)
            let lrc = (sc - rm) / (W - rm)
            let ms = 2 * W - rm - cm
            let ls = (sr + sc - rm - cm) / ms
            let cr = AssociationEstimate(
                value: lcr,
                ase1: ase { i, j in (ind(j == li[i]) - ind(j == l) - lcr * (1 - ind(j == l))) / (W - cm) },
                ase0: ase { i, j in (ind(j == li[i]) - ind(j == l)) / (W - cm) })
            let rc = AssociationEstimate(
                value: lrc,
                ase1: ase { i, j in (ind(i == kj[j]) - ind(i == k) - lrc * (1 - ind(i == k))) / (W - rm) },
                ase0: ase { i, j in (ind(i == kj[j]) - ind(i == k)) / (W - rm) })
            let sym = AssociationEstimate(
                value: ls,
                ase1: ase { i, j in
                    let t0 = ind(j == li[i]) + ind(i == kj[j]), t1 = ind(i == k) + ind(j == l)
                    return (t0 - t1 - ls * (2 - t1)) / ms },
                ase0: ase { i, j in
                    (ind(j == li[i]) + ind(i == kj[j]) - ind(i == k) - ind(j == l)) / ms })
            lambda = DirectionalAssociation(symmetric: sym, rowDependent: rc, columnDependent: cr)
        } else {
            lambda = nil
            notes.append("lambda undefined: one category holds every respondent")
        }

        goodmanKruskalTau = GoodmanKruskalTau(table: t)

        // ---- ordinal: concordant / discordant weights per cell ----
        // cum[i][j] = Σ_{h≤i, k≤j} f ; corner sums from it.
        var cum = [[Double]](repeating: [Double](repeating: 0, count: C + 1), count: R + 1)
        for i in 0..<R { for j in 0..<C { cum[i + 1][j + 1] = f[i, j] + cum[i][j + 1] + cum[i + 1][j] - cum[i][j] } }
        func rect(_ r0: Int, _ r1: Int, _ c0: Int, _ c1: Int) -> Double {   // rows r0..<r1, cols c0..<c1
            guard r1 > r0, c1 > c0 else { return 0 }
            return cum[r1][c1] - cum[r0][c1] - cum[r1][c0] + cum[r0][c0]
        }
        var cc = Matrix(rows: R, columns: C), dd = Matrix(rows: R, columns: C)
        var P = 0.0, Q = 0.0
        for j in 0..<C { for i in 0..<R {
            cc[i, j] = rect(0, i, 0, j) + rect(i + 1, R, j + 1, C)
            dd[i, j] = rect(0, i, j + 1, C) + rect(i + 1, R, 0, j)
            P += f[i, j] * cc[i, j]
            Q += f[i, j] * dd[i, j]
        } }
        concordantPairs = P / 2
        discordantPairs = Q / 2
        let dr = W * W - t.rowTotals.reduce(0) { $0 + $1 * $1 }
        let dc = W * W - t.columnTotals.reduce(0) { $0 + $1 * $1 }
        let s = P - Q
        // influence of P − Q is 2(Cᵢⱼ − Dᵢⱼ); null ASE of s/den is ase(2(C−D))/den
        let nullCore = ase { i, j in 2 * (cc[i, j] - dd[i, j]) }
        if P + Q > 0 {
            let g = s / (P + Q)
            gamma = AssociationEstimate(
                value: g,
                ase1: ase { i, j in (2 * (cc[i, j] - dd[i, j]) - g * 2 * (cc[i, j] + dd[i, j])) / (P + Q) },
                ase0: nullCore / (P + Q))
        } else {
            gamma = nil
            notes.append("gamma undefined: no untied pairs")
        }
        if dr > 0, dc > 0 {
            let den = (dr * dc).squareRoot()
            let tb = s / den
            kendallTauB = AssociationEstimate(
                value: tb,
                ase1: ase { i, j in
                    (2 * (cc[i, j] - dd[i, j]) - tb / 2 * (2 * (W - t.rowTotals[i]) * dc + 2 * (W - t.columnTotals[j]) * dr) / den) / den },
                ase0: nullCore / den)
            let tcDen = W * W * (q - 1) / q
            let tcCore = nullCore / tcDen
            kendallTauC = AssociationEstimate(value: s / tcDen, ase1: tcCore, ase0: tcCore)
            let dCR = s / dr, dRC = s / dc, symDen = (dr + dc) / 2, dSym = s / symDen
            somersD = DirectionalAssociation(
                symmetric: AssociationEstimate(
                    value: dSym,
                    ase1: ase { i, j in (2 * (cc[i, j] - dd[i, j]) - dSym * (2 * W - t.rowTotals[i] - t.columnTotals[j])) / symDen },
                    ase0: nullCore / symDen),
                rowDependent: AssociationEstimate(
                    value: dRC,
                    ase1: ase { i, j in (2 * (cc[i, j] - dd[i, j]) - dRC * 2 * (W - t.columnTotals[j])) / dc },
                    ase0: nullCore / dc),
                columnDependent: AssociationEstimate(
                    value: dCR,
                    ase1: ase { i, j in (2 * (cc[i, j] - dd[i, j]) - dCR * 2 * (W - t.rowTotals[i])) / dr },
                    ase0: nullCore / dr))
        } else {
            kendallTauB = nil; kendallTauC = nil; somersD = nil
            notes.append("ordinal measures undefined: all respondents in one row or column")
        }
        self.notes = notes
    }
}
