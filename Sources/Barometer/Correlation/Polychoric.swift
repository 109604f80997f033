#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Polychoric and tetrachoric correlations of ordinal items.
///
/// Model: the r × c table arises from cutting a standard bivariate normal
/// (X, Y) with correlation ρ at thresholds `a₁ < … < a_{r−1}` and
/// `b₁ < … < b_{c−1}`. Two-step estimator (Olsson 1979; R
/// `polycor::polychor(ML = FALSE)`): the thresholds are `Φ⁻¹` of the
/// cumulative marginal proportions, then ρ maximises
/// `ℓ(ρ) = Σ n_ij log π_ij(ρ)`, `π_ij = Φ₂(a_i, b_j) − Φ₂(a_{i−1}, b_j) − Φ₂(a_i, b_{j−1}) + Φ₂(a_{i−1}, b_{j−1})`,
/// with the analytic score `∂π_ij/∂ρ` from `∂Φ₂/∂ρ = φ₂` (``BivariateNormal``).
///
/// Maximisation and the convergence check (enforced): the score is evaluated
/// on a grid of ρ over (−0.9995, 0.9995); each sign change from + to − brackets a
/// maximum, refined by bisection to width 1e-14; the bracket with the largest ℓ wins.
/// The result is accepted only if the observed information is positive (a
/// maximum, not a saddle), the Newton step `|ℓ'/ℓ''|` left is below 1e-9, and ℓ
/// at ρ̂ is no lower than at the bracket's ends; otherwise
/// ``BarometerError/noConvergence(_:)``. A table whose likelihood rises up to
/// the boundary (e.g. a zero cell in a 2 × 2 table) has no interior maximum:
/// also `noConvergence`, saying so.
///
/// Standard error: `1/√I` with `I = −ℓ''(ρ̂)` by a central difference of the
/// analytic score (step 1e-6), the thresholds treated as known (as polycor's
/// two-step `std.err`). Wald test `z = ρ̂/SE`; interval `ρ̂ ± z_{1−α/2}·SE`
/// clipped to [−1, 1].
///
/// Joint ML (``PolychoricEstimator/maximumLikelihood``; R `polychor(ML = TRUE)`):
/// ρ and all thresholds maximise ℓ together, from the two-step estimate by
/// Newton's method with enforced convergence, SEs of ρ and every threshold from
/// the inverse observed information (see `jointML(_:start:what:)`).
///
/// Both estimators report polycor's test of bivariate normality at their
/// estimate: likelihood-ratio G² and Pearson X² on rc − r − c df (none for
/// 2 × 2). A table whose total does not exceed the r + c − 1 parameters (e.g.
/// two respondents) is ``BarometerError/insufficientData(_:)`` ("too few rows").
///
/// Weights: the table holds Σw per cell (``CellTally``) rescaled so that its
/// total is the test n (Kish n_eff for probability weights, Σw for frequency
/// weights); ρ̂ does not depend on the rescaling, the SE does.
public enum Polychoric {

    /// Polychoric correlation of a contingency table of (weighted) counts,
    /// rows and columns in category order. Empty rows and columns are dropped.
    /// - Parameters:
    ///   - table: the r × c (weighted) counts, `table[row][column]`.
    ///   - rowName: the row variable's name, for messages.
    ///   - columnName: the column variable's name, for messages.
    ///   - estimator: two-step (default, as polycor) or joint ML.
    /// - Throws: ``BarometerError/constantVariable(_:)`` when fewer than two
    ///   non-empty rows or columns remain, ``BarometerError/insufficientData(_:)``
    ///   when the table total does not exceed the r + c − 1 parameters (e.g. 2 rows),
    ///   ``BarometerError/noConvergence(_:)``,
    ///   ``BarometerError/invalidArgument(_:)`` for negative or non-finite counts.
    public static func estimate(table: [[Double]], rowName: String = "row variable",
                                columnName: String = "column variable",
                                estimator: PolychoricEstimator = .twoStep) throws(BarometerError) -> PolychoricEstimate {
        guard let c0 = table.first?.count, table.allSatisfy({ $0.count == c0 }) else {
            throw .invalidArgument("a polychoric table needs rows of equal length")
        }
        for row in table { for v in row where !(v.isFinite && v >= 0) {
            throw .invalidArgument("table count \(v) is not a finite non-negative number")
        } }
        let rowSums = table.map { $0.reduce(0, +) }
        let colSums = (0..<c0).map { j in table.reduce(0) { $0 + $1[j] } }
        let keepR = rowSums.indices.filter { rowSums[$0] > 0 }
        let keepC = colSums.indices.filter { colSums[$0] > 0 }
        guard keepR.count >= 2 else { throw .constantVariable(rowName) }
        guard keepC.count >= 2 else { throw .constantVariable(columnName) }
        let t = keepR.map { i in keepC.map { j in table[i][j] } }
        let total = keepR.reduce(0) { $0 + rowSums[$1] }
        let parameters = keepR.count + keepC.count - 1
        guard total > Double(parameters) else {
            throw .insufficientData("polychoric \(rowName) × \(columnName): too few rows: n = \(NumberFormat.fixed(total, total == total.rounded() ? 0 : 2)) "
                + "for a \(keepR.count) × \(keepC.count) table, whose model has r + c − 1 = \(parameters) parameters; "
                + "at least \(parameters + 1) are needed")
        }
        let a = try thresholds(keepR.map { rowSums[$0] }, total: total)
        let b = try thresholds(keepC.map { colSums[$0] }, total: total)
        let model = Likelihood(n: t)
        let what = "polychoric \(rowName) × \(columnName)"
        let step = try maximiseRho(model, a: a, b: b, what: what)
        let base = PolychoricEstimate(rho: step.rho, standardError: step.standardError, rowThresholds: a,
                                      columnThresholds: b, logLikelihood: step.logLikelihood, gradient: step.score,
                                      bracket: step.bracket, n: total, tableShape: [t.count, keepC.count])
        switch estimator {
        case .twoStep:
            var e = base
            e.gradientMaxNorm = Swift.abs(step.score)
            let tests = model.normalityTests(model.evaluate([step.rho] + a + b, gradient: false).probabilities)
            e.likelihoodRatioTest = tests?.likelihoodRatio
            e.pearsonTest = tests?.pearson
            return e
        case .maximumLikelihood:
            return try jointML(model, start: base, what: what)
        }
    }

    /// Polychoric correlation of two variables of a design (user-missing
    /// excluded unless the options say otherwise; listwise over the two).
    public static func estimate(_ design: SurveyDesign, x: String, y: String,
                                options: CorrelationOptions = CorrelationOptions()) throws(BarometerError) -> PolychoricEstimate {
        var o = options
        o.method = .polychoric
        let cols = try CorrelationColumns(design, variables: [x, y], options: o)
        try cols.requireFinite(0); try cols.requireFinite(1)
        var state = PolychoricAccumulator(variableCount: 2, listwise: false)
        try state.add(.init(design: design, cols: cols, options: o))
        let t = table(try state.finalize().pairs[0], cols: cols, options: o)
        return try estimate(table: t.table, rowName: x, columnName: y, estimator: options.polychoricEstimator)
    }

    // MARK: internals

    /// ρ maximising ℓ with the thresholds fixed: grid of the score, bisection
    /// of each + → − sign change to width 1e-14, the highest bracket wins;
    /// accepted only at a maximum (positive information, Newton step < 1e-9,
    /// ℓ no lower than at the bracket's ends). SE `1/√I`, I = −ℓ'' by a
    /// central difference of the analytic score (step 1e-6).
    static func maximiseRho(_ model: Likelihood, a: [Double], b: [Double], what: String) throws(BarometerError)
        -> (rho: Double, standardError: Double, logLikelihood: Double, score: Double, bracket: [Double]) {
        func at(_ rho: Double) -> (logLikelihood: Double, score: Double) {
            let e = model.evaluate([rho] + a + b, gradient: true, thresholds: false)
            guard let s = e.gradient.first else { return (-.infinity, rho < 0 ? .infinity : -.infinity) }
            return (e.logLikelihood, s)
        }
        let limit = 0.9995
        let steps = 200
        let grid = (0...steps).map { -limit + 2 * limit * Double($0) / Double(steps) }
        let scores = grid.map { at($0).score }
        var best: (rho: Double, ll: Double, lo: Double, hi: Double)? = nil
        for s in 0..<steps where scores[s] > 0 && scores[s + 1] <= 0 {
            var lo = grid[s], hi = grid[s + 1]
            var iterations = 0
            while hi - lo > 1e-14 && iterations < 200 {
                let mid = (lo + hi) / 2
                if at(mid).score > 0 { lo = mid } else { hi = mid }
                iterations += 1
            }
            let rho = (lo + hi) / 2
            let ll = at(rho).logLikelihood
            if best == nil || ll > best?.ll ?? -.infinity { best = (rho, ll, grid[s], grid[s + 1]) }
        }
        guard let b0 = best else {
            let side = (scores.first ?? 0) > 0 ? "+1" : "−1"
            throw .noConvergence("\(what): the likelihood has no interior maximum (it increases towards ρ = \(side); zero cells?)")
        }
        let here = at(b0.rho)
        let h = 1e-6
        let info = -(at(b0.rho + h).score - at(b0.rho - h).score) / (2 * h)
        let lEnds = Swift.max(at(b0.lo).logLikelihood, at(b0.hi).logLikelihood)
        guard info > 0, info.isFinite, Swift.abs(here.score / info) < 1e-9, here.logLikelihood >= lEnds else {
            throw .noConvergence("\(what): score \(here.score), information \(info) at ρ = \(b0.rho)")
        }
        return (b0.rho, 1 / info.squareRoot(), here.logLikelihood, here.score, [b0.lo, b0.hi])
    }

    /// Thresholds Φ⁻¹ of the cumulative proportions (all but the last category).
    static func thresholds(_ margins: [Double], total: Double) throws(BarometerError) -> [Double] {
        var cum = 0.0
        var out: [Double] = []
        for m in margins.dropLast() {
            cum += m
            let q = Normal.quantile(cum / total)
            guard q.isFinite else { throw .invalidArgument("threshold Φ⁻¹(\(cum / total)) is not finite") }
            out.append(q)
        }
        return out
    }

    /// The table of pair `t` (``PolychoricAccumulator``) as r × c weighted
    /// counts in category order, rescaled to the test n, with its row count,
    /// test n and categories.
    static func table(_ t: TableAccumulator.Output, cols: CorrelationColumns, options: CorrelationOptions)
        -> (table: [[Double]], count: Int, size: Double, rows: [Category], columns: [Category]) {
        let rows = t.categories.first ?? [], columns = t.categories.last ?? []
        let kx = rows.count, ky = columns.count, tally = t.tally
        let count = tally.totalCount
        let size = cols.testSize(count: count, sumW: tally.totalWeighted, sumW2: tally.totalWeightedSquares,
                                 semantics: options.weightSemantics)
        let scale = tally.totalWeighted > 0 ? size / tally.totalWeighted : 0
        // TableAccumulator lays cells out first variable fastest.
        let table = (0..<kx).map { i in (0..<ky).map { j in tally.weighted[i + kx * j] * scale } }
        return (table, count, size, rows, columns)
    }

    /// Fills a polychoric correlation matrix (listwise or pairwise).
    /// The design's rows are added as one chunk to a ``PolychoricAccumulator``
    /// (the pair tables), then finalized as a streamed or merged state is.
    static func fill(_ acc: inout CorrelationAccumulator, design: SurveyDesign, cols: CorrelationColumns,
                     options: CorrelationOptions) throws(BarometerError) {
        var state = PolychoricAccumulator(variableCount: cols.names.count, listwise: options.missing == .listwise)
        try state.add(.init(design: design, cols: cols, options: options))
        try fill(&acc, state: state, cols: cols, options: options)
    }

    /// Fills the matrix from accumulated pair tables: each pair's ρ, SE,
    /// Wald p and interval, thresholds and normality tests.
    static func fill(_ acc: inout CorrelationAccumulator, state: PolychoricAccumulator, cols: CorrelationColumns,
                     options: CorrelationOptions) throws(BarometerError) {
        let p = cols.names.count
        let (tables, own) = try state.finalize()
        for i in 0..<p {
            for j in (i + 1)..<max(p, i + 1) {
                let t = table(tables[state.pair(i, j)], cols: cols, options: options)
                if t.count == 0 {
                    acc.set(i, j, r: nil, n: 0, size: 0)
                    acc.notes.append("\(cols.names[i]) × \(cols.names[j]): 0 complete rows, r undefined")
                    continue
                }
                let e = try estimate(table: t.table, rowName: cols.names[i], columnName: cols.names[j],
                                     estimator: options.polychoricEstimator)
                acc.set(i, j, r: e.rho, n: t.count, size: t.size)
                let keptRows = t.table.indices.filter { r in t.table[r].contains { $0 > 0 } }
                let keptColumns = t.columns.indices.filter { c in t.table.contains { $0[c] > 0 } }
                acc.polychoricPairs.append(PolychoricPair(x: cols.names[i], y: cols.names[j],
                                                          rowCategories: keptRows.map { t.rows[$0] },
                                                          columnCategories: keptColumns.map { t.columns[$0] }, estimate: e))
                let z = e.rho / e.standardError
                let pval = 2 * Normal.sf(Swift.abs(z))
                acc.override[i][j] = (e.standardError, pval.isFinite ? pval : nil)
                acc.override[j][i] = acc.override[i][j]
                let q = Normal.quantile(0.5 + options.confidenceLevel / 2)
                let lo = Swift.max(-1, e.rho - q * e.standardError), hi = Swift.min(1, e.rho + q * e.standardError)
                acc.intervals[i][j] = (lo.isFinite ? lo : nil, hi.isFinite ? hi : nil)
                acc.intervals[j][i] = acc.intervals[i][j]
            }
            acc.set(i, i, r: 1, n: own[i], size: Double(own[i]))
        }
    }
}
