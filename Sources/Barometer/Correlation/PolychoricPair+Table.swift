import Foundation

extension PolychoricPair: TableRepresentable {
    /// polycor's printout as a grid: the estimate with its SE and estimator in
    /// the title, one row per threshold (variable, the categories it separates,
    /// estimate, SE under joint ML), the bivariate-normality tests as notes.
    public var textTable: TextTable {
        let e = estimate
        let est = e.estimator == .maximumLikelihood ? "ML est." : "2-step est."
        let title = "Polychoric correlation \(x) × \(y), \(est) = \(NumberFormat.fixed(e.rho, 4)) "
            + "(SE \(NumberFormat.fixed(e.standardError, 4)))"
        var rows: [[String]] = []
        func add(_ name: String, _ cats: [Category], _ t: [Double], _ se: [Double]?) {
            for k in t.indices {
                let between = k + 1 < cats.count ? "\(cats[k].label) | \(cats[k + 1].label)" : ""
                rows.append([name, String(k + 1), between, NumberFormat.fixed(t[k], 4),
                             se.map { NumberFormat.fixed($0[k], 4) } ?? ""])
            }
        }
        add(x, rowCategories, e.rowThresholds, e.rowThresholdStandardErrors)
        add(y, columnCategories, e.columnThresholds, e.columnThresholdStandardErrors)
        var notes: [String] = []
        if let lr = e.likelihoodRatioTest, let x2 = e.pearsonTest {
            notes.append("Test of bivariate normality: likelihood-ratio chi-square = \(NumberFormat.fixed(lr.statistic, 4)), "
                + "df = \(NumberFormat.fixed(lr.degreesOfFreedom, 0)), p = \(CorrelationMatrix.formatP(lr.pValue)); "
                + "Pearson chi-square = \(NumberFormat.fixed(x2.statistic, 4)), p = \(CorrelationMatrix.formatP(x2.pValue))")
        } else {
            notes.append("Test of bivariate normality: none (df = rc − r − c = 0 for a 2 × 2 table)")
        }
        if e.estimator == .maximumLikelihood {
            notes.append("Joint ML: \(e.iterations ?? 0) Newton iterations, max |∂ℓ/∂θ| = \(String(format: "%.1e", e.gradientMaxNorm)); "
                + "SEs from the inverse observed information")
        } else {
            notes.append("Two-step: thresholds from the margins (no SEs, as polycor); SE of ρ with thresholds fixed")
        }
        notes.append("n = \(NumberFormat.fixed(e.n, e.n == e.n.rounded() ? 0 : 2)), table \(e.tableShape.map(String.init).joined(separator: " × "))")
        return TextTable(title: title, headers: ["Variable", "Threshold", "Between", "Estimate", "SE"],
                         alignments: [.left, .right, .left, .right, .right], rows: rows, notes: notes)
    }
}
