#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Pearson's χ² and the likelihood-ratio G² test of independence for a
/// two-way table of counts, with expected counts and adjusted standardized
/// residuals, as IBM SPSS CROSSTABS reports them.
///
/// With `f` the counts, `rᵢ`, `cⱼ` the margins, `W` the total and
/// `Eᵢⱼ = rᵢcⱼ/W`:
/// - Pearson `X² = Σ (fᵢⱼ − Eᵢⱼ)² / Eᵢⱼ`,
/// - likelihood ratio `G² = 2 Σ_{fᵢⱼ>0} fᵢⱼ ln(fᵢⱼ / Eᵢⱼ)`,
/// - both on `(r − 1)(c − 1)` degrees of freedom, p-values from ``ChiSquared``,
/// - adjusted standardized residual `(fᵢⱼ − Eᵢⱼ) / √(Eᵢⱼ (1 − rᵢ/W)(1 − cⱼ/W))`
///   (Haberman 1973), approximately N(0, 1) under independence.
///
/// Weighted counts are used as given (SPSS `/COUNT ASIS`): the tests then
/// treat weights as frequencies, which is wrong for sampling weights; use
/// ``RaoScottTest`` for design-based inference. Empty rows and columns are
/// dropped (see ``TwoWayCounts``). When any expected count is below 5 the
/// result carries a warning like SPSS's footnote ("k cells (x%) have
/// expected count less than 5. The minimum expected count is m.").
/// Accuracy: closed forms, summed in fixed row-major order; agree with
/// scipy/R to ~1e-13 relative.
public struct IndependenceTests: Sendable, Equatable, Codable {
    /// The table the tests were computed on (empty rows/columns removed).
    public let table: TwoWayCounts
    /// Pearson's χ².
    public let pearson: ChiSquareTest
    /// Likelihood-ratio G².
    public let likelihoodRatio: ChiSquareTest
    /// Expected counts `Eᵢⱼ` of the kept table.
    public let expected: Matrix
    /// Adjusted standardized residuals of the kept table.
    public let adjustedResiduals: Matrix
    /// Number of cells with expected count below 5.
    public let cellsWithExpectedBelow5: Int
    /// The smallest expected count.
    public let minimumExpected: Double
    /// Warnings (small expected counts) and notes (dropped rows/columns).
    public let notes: [String]

    /// Tests independence in `counts` (r × c, weighted or unweighted).
    /// - Throws: see ``TwoWayCounts/init(_:)``.
    public init(counts: Matrix) throws(BarometerError) {
        try self.init(table: TwoWayCounts(counts))
    }

    /// Tests independence in an already validated table.
    public init(table t: TwoWayCounts) {
        self.table = t
        let r = t.rowCount, c = t.columnCount
        var e = Matrix(rows: r, columns: c)
        var adj = Matrix(rows: r, columns: c)
        var x2 = 0.0, g2 = 0.0, small = 0
        var minE = Double.infinity
        for i in 0..<r {
            for j in 0..<c {
                let eij = t.expected(i, j)
                let f = t.counts[i, j]
                e[i, j] = eij
                x2 += (f - eij) * (f - eij) / eij
                if f > 0 { g2 += f * log(f / eij) }
                if eij < 5 { small += 1 }
                minE = min(minE, eij)
                let v = eij * (1 - t.rowTotals[i] / t.total) * (1 - t.columnTotals[j] / t.total)
                adj[i, j] = (f - eij) / v.squareRoot()
            }
        }
        let df = Double(t.degreesOfFreedom)
        self.pearson = ChiSquareTest(name: "Pearson chi-square", statistic: x2, degreesOfFreedom: df)
        self.likelihoodRatio = ChiSquareTest(name: "Likelihood ratio", statistic: 2 * g2, degreesOfFreedom: df)
        self.expected = e
        self.adjustedResiduals = adj
        self.cellsWithExpectedBelow5 = small
        self.minimumExpected = minE
        var notes = t.notes
        if small > 0 {
            let pct = NumberFormat.fixed(100 * Double(small) / Double(r * c), 1)
            notes.append("warning: \(small) cells (\(pct)%) have expected count less than 5. "
                + "The minimum expected count is \(NumberFormat.fixed(minE, 2)).")
        }
        self.notes = notes
    }
}
