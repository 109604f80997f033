/// Goodman and Kruskal's τ (concentration coefficient) in both directions,
/// as SPSS CROSSTABS reports it under `/STATISTICS LAMBDA`.
///
/// Column variable dependent: `τ_C|R = (W Σᵢⱼ fᵢⱼ²/rᵢ − Σⱼ cⱼ²)/(W² − Σⱼ cⱼ²)`;
/// row dependent likewise with rows and columns exchanged. ASE₁ is the
/// multinomial delta-method standard error. The significance is SPSS's
/// χ² approximation (Margolin & Light 1974): `(W − 1)(c − 1) τ_C|R` (resp.
/// `(W − 1)(r − 1) τ_R|C`) referred to χ² on `(r − 1)(c − 1)` df; T and
/// ASE₀ are not defined. For a 2 × 2 table both equal φ².
public struct GoodmanKruskalTau: Sendable, Equatable, Codable {
    /// Row variable dependent, τ_R|C.
    public let rowDependent: AssociationEstimate
    /// Column variable dependent, τ_C|R.
    public let columnDependent: AssociationEstimate

    /// τ for a validated table; nil components never occur since a
    /// ``TwoWayCounts`` has at least two non-empty rows and columns.
    init(table t: TwoWayCounts) {
        let f = t.counts, R = t.rowCount, C = t.columnCount, W = t.total
        let df = Double(t.degreesOfFreedom)

        /// τ with the "given" margin `g` (indexed by the first subscript of
        /// `cell`) and the dependent margin `d`.
        func tau(_ nG: Int, _ nD: Int, _ cell: (Int, Int) -> Double, _ g: [Double], _ d: [Double],
                 dependentLevels: Int) -> AssociationEstimate {
            var a = 0.0
            var rowSq = [Double](repeating: 0, count: nG)       // Σ_k f_ak² per given category
            for x in 0..<nG {
                for y in 0..<nD { rowSq[x] += cell(x, y) * cell(x, y) }
                a += rowSq[x] / g[x]
            }
            let b = d.reduce(0) { $0 + $1 * $1 }
            let den = W * W - b
            let value = (W * a - b) / den
            // φ_xy = (∂N − τ ∂D)/D, ∂N = A + W(2f/g − Σf²/g²) − 2d_y, ∂D = 2W − 2d_y
            var s1 = 0.0, s2 = 0.0
            for x in 0..<nG {
                for y in 0..<nD {
                    let fxy = cell(x, y)
                    let dn = a + W * (2 * fxy / g[x] - rowSq[x] / (g[x] * g[x])) - 2 * d[y]
                    let phi = (dn - value * (2 * W - 2 * d[y])) / den
                    s1 += fxy * phi
                    s2 += fxy * phi * phi
                }
            }
            let ase1 = Swift.max(0, s2 - s1 * s1 / W).squareRoot()
            let u = (W - 1) * Double(dependentLevels - 1) * value
            return AssociationEstimate(value: value, ase1: ase1,
                                       pValue: ChiSquared(degreesOfFreedom: df).sf(u))
        }
        columnDependent = tau(R, C, { f[$0, $1] }, t.rowTotals, t.columnTotals, dependentLevels: C)
        rowDependent = tau(C, R, { f[$1, $0] }, t.columnTotals, t.rowTotals, dependentLevels: R)
    }
}
