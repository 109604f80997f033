#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the weights are adjusted to the targets.
public enum WeightingMethod: String, Sendable, Codable, CaseIterable {
    /// Iterative proportional fitting over the margins in file order (R `rake`, anesrake, weightipy).
    case rake
    /// Calibration with the linear (GREG, chi-square) distance, optionally bounded
    /// (R `calibrate(calfun = "linear", bounds = …)`).
    case linear
    /// Calibration with the raking (exponential) distance, a Newton method
    /// (R `calibrate(calfun = "raking")`); its weights equal `rake`'s.
    case raking
    /// Calibration with the bounded logit distance (R `calibrate(calfun = "logit", bounds = …)`).
    case logit
    /// Post-stratification to one margin, one-way or joint (R `postStratify`).
    case poststrat
}

/// Trimming of the final weights (R `trimWeights`; anesrake's cap).
public struct WeightTrimming: Sendable, Codable, Equatable {
    /// Lowest allowed weight (nil: none).
    public var lower: Double?
    /// Highest allowed weight (nil: none).
    public var upper: Double?
    /// Cap as a multiple of the mean weight (anesrake's `cap`); combined with `upper` by taking the smaller.
    public var capRatio: Double?
    /// Repeat trimming until no weight is outside the bounds (R `strict = TRUE`).
    public var strict: Bool
    /// After trimming, rake (or calibrate) again to the targets, alternating until both hold (anesrake).
    public var rerake: Bool

    /// - Parameters:
    ///   - lower: Lowest allowed weight (nil: none).
    ///   - upper: Highest allowed weight (nil: none).
    ///   - capRatio: Cap as a multiple of the mean weight (nil: none); the smaller of it and `upper` applies.
    ///   - strict: Repeat trimming until no weight is outside the bounds.
    ///   - rerake: Rake (or calibrate) again after trimming, alternating until both hold.
    public init(lower: Double? = nil, upper: Double? = nil, capRatio: Double? = nil, strict: Bool = false, rerake: Bool = false) {
        self.lower = lower
        self.upper = upper
        self.capRatio = capRatio
        self.strict = strict
        self.rerake = rerake
    }
}

/// Options of ``SurveyDesign/weighted(to:options:name:)``.
public struct WeightingOptions: Sendable, Equatable {
    /// Method (default ``WeightingMethod/rake``).
    public var method: WeightingMethod
    /// Bounds (L, U) on the g-weights `w/d` for the calibration methods (logit requires them).
    public var bounds: (lower: Double, upper: Double)?
    /// Convergence criterion: every margin category's achieved share within `epsilon`
    /// of its target share (max absolute deviation on shares). Default 1e-7.
    public var epsilon: Double
    /// Maximum iterations (sweeps for `rake`, Newton steps for calibration);
    /// nil: 1000 for `rake` (anesrake), 50 for calibration (R `calibrate`).
    public var maxIterations: Int?
    /// Return a result flagged as not converged instead of throwing.
    public var allowNonConvergence: Bool
    /// Optional trimming.
    public var trimming: WeightTrimming?

    /// - Parameters:
    ///   - method: Adjustment method (default raking).
    ///   - bounds: Bounds (L, U) on the g-weights `w/d` for calibration (required by logit).
    ///   - epsilon: Largest allowed absolute deviation of an achieved share from its target.
    ///   - maxIterations: Iteration limit (nil: 1000 for `rake`, 50 for calibration).
    ///   - allowNonConvergence: Return a result flagged as not converged instead of throwing.
    ///   - trimming: Optional trimming of the final weights.
    public init(method: WeightingMethod = .rake, bounds: (lower: Double, upper: Double)? = nil, epsilon: Double = 1e-7,
                maxIterations: Int? = nil, allowNonConvergence: Bool = false, trimming: WeightTrimming? = nil) {
        self.method = method
        self.bounds = bounds
        self.epsilon = epsilon
        self.maxIterations = maxIterations
        self.allowNonConvergence = allowNonConvergence
        self.trimming = trimming
    }

    public static func == (a: WeightingOptions, b: WeightingOptions) -> Bool {
        a.method == b.method && a.bounds?.lower == b.bounds?.lower && a.bounds?.upper == b.bounds?.upper
            && a.epsilon == b.epsilon && a.maxIterations == b.maxIterations
            && a.allowNonConvergence == b.allowNonConvergence && a.trimming == b.trimming
    }

    /// The iteration cap in force.
    public var iterationLimit: Int { maxIterations ?? (method == .rake ? 1000 : 50) }

    func validate() throws(BarometerError) {
        guard epsilon.isFinite, epsilon > 0 else { throw .invalidArgument("convergence epsilon \(epsilon) must be positive") }
        guard iterationLimit >= 1 else { throw .invalidArgument("maximum iterations must be at least 1") }
        if let b = bounds {
            guard !b.lower.isNaN, !b.upper.isNaN, b.lower < 1, b.upper > 1 else {
                throw .invalidArgument("bounds (\(b.lower), \(b.upper)) on the g-weights must satisfy L < 1 < U")
            }
            guard method != .rake, method != .poststrat else {
                throw .invalidArgument("bounds apply to calibration (linear, raking, logit), not \(method.rawValue)")
            }
        }
        if method == .logit {
            guard let b = bounds, b.lower.isFinite, b.upper.isFinite else {
                throw .invalidArgument("logit calibration needs finite bounds L < 1 < U (R: 'Logit calibration requires finite bounds')")
            }
        }
        if let t = trimming {
            for (name, x) in [("lower", t.lower), ("upper", t.upper), ("cap", t.capRatio)] {
                if let x, !(x.isFinite && x >= 0) { throw .invalidArgument("trimming \(name) \(x) must be finite and ≥ 0") }
            }
            if let l = t.lower, let u = t.upper, l > u { throw .invalidArgument("trimming lower \(l) exceeds upper \(u)") }
            guard t.lower != nil || t.upper != nil || t.capRatio != nil else { throw .invalidArgument("trimming needs a lower or upper bound or a cap") }
        }
    }
}

/// The calibration problem on the weighted joint table of the margin
/// variables: g-weights are constant within a cell, so every iteration runs
/// over cells, never over respondents.
struct CellProblem: Sendable {
    /// Base (design) weight total per cell.
    let base: [Double]
    /// `category[m][c]`: category of cell c in margin m.
    let category: [[Int32]]
    /// Population totals per margin category.
    let totals: [[Double]]
    /// Population total.
    let populationTotal: Double

    var cellCount: Int { base.count }

    /// Weighted totals per margin category of cell weights `w`.
    func marginTotals(_ w: [Double]) -> [[Double]] {
        totals.indices.map { m in marginTotal(m, w) }
    }

    /// Weighted totals of margin `m`'s categories of cell weights `w` (summed in cell order).
    func marginTotal(_ m: Int, _ w: [Double]) -> [Double] {
        var t = [Double](repeating: 0, count: totals[m].count)
        t.withUnsafeMutableBufferPointer { t in
            w.withUnsafeBufferPointer { w in
                category[m].withUnsafeBufferPointer { cat in
                    for c in 0..<Swift.min(w.count, cat.count) { t[Int(cat[c])] += w[c] }
                }
            }
        }
        return t
    }

    /// Max |achieved − target| / N per margin (deviation on shares).
    func deviations(_ w: [Double]) -> [Double] {
        let t = marginTotals(w)
        return totals.indices.map { m in
            zip(t[m], totals[m]).reduce(0.0) { max($0, abs($1.0 - $1.1) / populationTotal) }
        }
    }

    /// The model matrix of calibration (cells × p): intercept, then for each
    /// margin the indicators of its categories after the first (R's
    /// treatment contrasts), and the matching population totals.
    func modelMatrix() -> (x: Matrix, totals: [Double], columnMargin: [Int]) {
        var p = 1
        for t in totals { p += max(t.count - 1, 0) }
        var x = Matrix(rows: cellCount, columns: p)
        var pop = [populationTotal]
        var owner = [-1]
        for c in 0..<cellCount { x[c, 0] = 1 }
        var col = 1
        for m in totals.indices {
            for k in 1..<max(totals[m].count, 1) {
                for c in 0..<cellCount where Int(category[m][c]) == k { x[c, col] = 1 }
                pop.append(totals[m][k]); owner.append(m); col += 1
            }
        }
        return (x, pop, owner)
    }
}

/// The solution on cells: g-weights per cell and how the iteration went.
struct CellSolution: Sendable {
    var g: [Double]
    var iterations: Int
    var converged: Bool
    var deviations: [Double]
}

/// A calibration distance function of R `survey` (`cal.linear`, `cal.raking`,
/// `cal.logit`): `g = 1 + Fm1(u)` and its derivative, with bounds (L, U) on g.
struct CalibrationDistance: Sendable {
    enum Kind: Sendable { case linear, raking, logit }
    let kind: Kind
    let lower: Double
    let upper: Double

    /// `F(u) − 1`.
    func fm1(_ u: Double) -> Double {
        switch kind {
        case .linear: return min(max(u + 1, lower), upper) - 1
        case .raking: return min(max(exp(u), lower), upper) - 1
        case .logit:
            let L = lower, U = upper, A = (U - L) / ((U - 1) * (1 - L)), e = exp(A * u)
            return (L * (U - 1) + U * (1 - L) * e) / (U - 1 + (1 - L) * e) - 1
        }
    }

    /// `F'(u)`.
    func derivative(_ u: Double) -> Double {
        switch kind {
        case .linear: return (u < upper - 1 && u > lower - 1) ? 1 : 0
        case .raking: return (u < upper - 1 && u > lower - 1) ? exp(u) : 0
        case .logit:
            let L = lower, U = upper, A = (U - L) / ((U - 1) * (1 - L)), e = exp(A * u)
            let den = U - 1 + (1 - L) * e
            return U * (1 - L) * e * A / den - ((L * (U - 1) + U * (1 - L) * e) * ((1 - L) * e * A)) / (den * den)
        }
    }
}

enum CellSolver {
    /// Iterative proportional fitting: one sweep adjusts each margin in turn;
    /// after each sweep the criterion (max deviation on shares ≤ ε) is checked.
    static func rake(_ p: CellProblem, epsilon: Double, maxIterations: Int) -> CellSolution {
        var w = p.base
        var dev = p.deviations(w)
        if dev.allSatisfy({ $0 <= epsilon }) { return CellSolution(g: ratio(w, p.base), iterations: 0, converged: true, deviations: dev) }
        for it in 1...maxIterations {
            for m in p.totals.indices {
                let t = p.marginTotal(m, w)
                let f = zip(p.totals[m], t).map { target, now in now > 0 ? target / now : (target == 0 ? 0 : .infinity) }
                if f.contains(.infinity) {
                    // A category whose every cell was zeroed by another margin: unreachable.
                    return CellSolution(g: ratio(w, p.base), iterations: it, converged: false, deviations: p.deviations(w))
                }
                w.withUnsafeMutableBufferPointer { w in
                    f.withUnsafeBufferPointer { f in
                        p.category[m].withUnsafeBufferPointer { cat in
                            for c in 0..<Swift.min(w.count, cat.count) { w[c] *= f[Int(cat[c])] }
                        }
                    }
                }
            }
            dev = p.deviations(w)
            if dev.allSatisfy({ $0 <= epsilon }) { return CellSolution(g: ratio(w, p.base), iterations: it, converged: true, deviations: dev) }
        }
        return CellSolution(g: ratio(w, p.base), iterations: maxIterations, converged: false, deviations: dev)
    }

    /// Post-stratification: `g = T_k / Σ_{cells of k} d` in the one margin.
    static func postStratify(_ p: CellProblem) -> CellSolution {
        let t = p.marginTotals(p.base)[0]
        var g = [Double](repeating: 0, count: p.cellCount)
        for c in g.indices { let k = Int(p.category[0][c]); g[c] = p.totals[0][k] / t[k] }
        let w = zip(p.base, g).map(*)
        return CellSolution(g: g, iterations: 1, converged: true, deviations: p.deviations(w))
    }

    /// Newton calibration as R `survey:::grake`: λ ← λ + T⁺·(t − Σ d F(xᵀλ) x),
    /// T = Σ d F'(xᵀλ) x xᵀ (pseudo-inverse through LAPACK `dsyevd`, R's
    /// `MASS::ginv` tolerance 256 ε), step halving while g is not finite, and
    /// R's rescaling of the weights when every population total exceeds 20
    /// times the sample total. Stops when the criterion on shares holds.
    static func calibrate(_ p: CellProblem, distance: CalibrationDistance, epsilon: Double,
                          maxIterations: Int) throws(BarometerError) -> CellSolution {
        let (x, pop, _) = p.modelMatrix()
        let C = p.cellCount, q = x.columns
        var ww = p.base
        var sampleTotal = try la { () throws(LinearAlgebraError) in try LinearAlgebra.gemv(x, ww, transpose: true) }
        var scale: Double? = nil
        let scales = zip(pop, sampleTotal).map { $0 / $1 }
        if let lo = scales.min(), lo > 20 {
            let s = scales.reduce(0, +) / Double(scales.count)
            scale = s
            ww = ww.map { $0 * s }
            sampleTotal = sampleTotal.map { $0 * s }
        }
        var eta = [Double](repeating: 0, count: q)
        var xeta = [Double](repeating: 0, count: C)
        func evaluate(_ xeta: [Double]) -> (fm1: [Double], dF: [Double]) {
            (xeta.map(distance.fm1), xeta.map(distance.derivative))
        }
        var (fm1, dF) = evaluate(xeta)
        func deviations() -> [Double] { p.deviations(zip(ww, fm1).map { $0 * (1 + $1) }) }
        var iter = 1
        var converged = false
        while true {
            // T = Xᵀ diag(ww·F') X and the misfit t − sample total − Xᵀ(ww·Fm1).
            var scaled = x
            for j in 0..<q { for c in 0..<C { scaled[c, j] *= ww[c] * dF[c] } }
            let tmat = try la { () throws(LinearAlgebraError) in try LinearAlgebra.multiply(scaled, x, transposeA: true) }
            let adj = try la { () throws(LinearAlgebraError) in try LinearAlgebra.gemv(x, zip(ww, fm1).map(*), transpose: true) }
            let misfit = (0..<q).map { pop[$0] - sampleTotal[$0] - adj[$0] }
            var deta = try pseudoInverseSolve(tmat, misfit)
            for j in 0..<q { eta[j] += deta[j] }
            xeta = try la { () throws(LinearAlgebraError) in try LinearAlgebra.gemv(x, eta) }
            (fm1, dF) = evaluate(xeta)
            while iter < maxIterations && (fm1.contains { !$0.isFinite } || dF.contains { !$0.isFinite }) {
                iter += 1
                deta = deta.map { $0 / 2 }
                for j in 0..<q { eta[j] -= deta[j] }
                xeta = try la { () throws(LinearAlgebraError) in try LinearAlgebra.gemv(x, eta) }
                (fm1, dF) = evaluate(xeta)
            }
            if fm1.contains(where: { !$0.isFinite }) { break }
            if deviations().allSatisfy({ $0 <= epsilon }) { converged = true; break }
            iter += 1
            if iter > maxIterations { iter = maxIterations; break }
        }
        let g = fm1.map { (1 + $0) * (scale ?? 1) }
        let dev = g.allSatisfy(\.isFinite) ? p.deviations(zip(p.base, g).map(*)) : p.totals.map { _ in Double.infinity }
        return CellSolution(g: g, iterations: iter, converged: converged, deviations: dev)
    }

    /// `A⁺ b` for symmetric positive semi-definite A, with R `MASS::ginv`'s rule:
    /// eigenvalues above 256 ε times the largest are inverted, the rest dropped.
    /// The eigen-decomposition runs with the BLAS on one thread: OpenBLAS's `dsyevd` differs in
    /// the last bits between thread counts (as for Rao-Scott), and results must not.
    static func pseudoInverseSolve(_ a: Matrix, _ b: [Double]) throws(BarometerError) -> [Double] {
        let eigen: Result<(values: [Double], vectors: Matrix?), LinearAlgebraError> = BLASRuntime.withSingleThreadedBLAS {
            Result { () throws(LinearAlgebraError) in try LinearAlgebra.symmetricEigen(a, vectors: true) }
        }
        let (values, vectorsOpt) = try la { () throws(LinearAlgebraError) in try eigen.get() }
        guard let v = vectorsOpt, let top = values.map(abs).max(), top > 0 else { return b.map { _ in 0 } }
        let n = a.rows
        let vtb = try la { () throws(LinearAlgebraError) in try LinearAlgebra.gemv(v, b, transpose: true) }
        var scaled = [Double](repeating: 0, count: n)
        for k in 0..<n where abs(values[k]) > 256 * Double.ulpOfOne * top { scaled[k] = vtb[k] / values[k] }
        return try la { () throws(LinearAlgebraError) in try LinearAlgebra.gemv(v, scaled) }
    }

    static func ratio(_ w: [Double], _ d: [Double]) -> [Double] { zip(w, d).map { $1 > 0 ? $0 / $1 : 1 } }

    static func la<T>(_ body: () throws(LinearAlgebraError) -> T) throws(BarometerError) -> T {
        do { return try body() } catch { throw .linearAlgebra(error) }
    }
}
