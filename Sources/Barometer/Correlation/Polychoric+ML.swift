extension Polychoric {
    /// Largest |∂ℓ/∂θ| accepted at the joint ML, relative to the table total n.
    static let gradientTolerance = 1e-9
    /// Largest Newton step |(−∇²ℓ)⁻¹∇ℓ| accepted at the joint ML.
    static let stepTolerance = 1e-9

    /// Joint ML of ρ and the thresholds (R `polycor::polychor(ML = TRUE)`).
    ///
    /// Newton's method on θ = (ρ, a, b) from the two-step estimate: the
    /// analytic gradient (``Likelihood``), the Hessian by Richardson-extrapolated
    /// central differences of it; the step solves `(−H + μI) Δ = ∇ℓ` by Cholesky
    /// (μ = 0 unless −H is not positive definite, then raised from
    /// 1e-8·max|H_kk| tenfold until it is) and is halved until ℓ does not decrease
    /// and θ stays valid (|ρ| < 1, thresholds increasing). It stops when the
    /// full Newton step is below 1e-12, or below 1e-10 with the gradient check
    /// below already met (at most 100 iterations).
    ///
    /// Convergence is enforced, not assumed (R's `optim` can stop short; see
    /// `Fixtures/reference/correlation/make_polychoric_ml.R`): the result is
    /// returned only if at θ̂ −H is positive definite (a maximum), the largest
    /// gradient component is ≤ 1e-9·n, the Newton step left is ≤ 1e-9, and the
    /// one-dimensional search over ρ with the thresholds fixed at â, b̂
    /// (``maximiseRho``: a grid over (−0.9995, 0.9995) and bisection) finds the
    /// same ρ to 1e-8, so a local maximum in ρ is not taken for the global one.
    /// Otherwise ``BarometerError/noConvergence(_:)`` with the gradient and step.
    ///
    /// Standard errors: `V = (−H)⁻¹` at θ̂ (observed information; polycor inverts
    /// `optim`'s numerical Hessian of −ℓ, the same quantity).
    static func jointML(_ model: Likelihood, start: PolychoricEstimate, what: String) throws(BarometerError) -> PolychoricEstimate {
        let m = model.parameterCount
        let r = model.r
        var theta = [start.rho] + start.rowThresholds + start.columnThresholds
        var current = model.evaluate(theta, gradient: true)
        var iterations = 0
        var converged = false
        while iterations < 100 {
            iterations += 1
            guard let h = model.hessian(theta) else {
                throw .noConvergence("\(what): joint ML left the parameter space at iteration \(iterations)")
            }
            let (delta, shift) = try newtonStep(h, current.gradient)
            let size = delta.map { Swift.abs($0) }.max() ?? 0
            let gNow = current.gradient.map { Swift.abs($0) }.max() ?? .infinity
            // done: a negligible full Newton step, or one below 1e-10 with the gradient check already met
            // (rounding in ℓ can then keep steps of ~1e-11 alive without any gain)
            if shift == 0, size < 1e-12 || (size < 1e-10 && gNow <= gradientTolerance * Swift.max(1, model.total)) {
                converged = true; break
            }
            var t = 1.0
            var accepted = false
            for _ in 0..<60 {
                let trial = zip(theta, delta).map { $0 + t * $1 }
                let e = model.evaluate(trial, gradient: true)
                if e.logLikelihood.isFinite, e.logLikelihood >= current.logLikelihood - 1e-12 * Swift.abs(current.logLikelihood) {
                    theta = trial; current = e; accepted = true
                    break
                }
                t /= 2
            }
            guard accepted else { break }
        }
        // enforced checks at θ̂
        let g = current.gradient
        let gMax = g.map { Swift.abs($0) }.max() ?? .infinity
        guard let h = model.hessian(theta) else {
            throw .noConvergence("\(what): joint ML ended on the boundary of the parameter space")
        }
        var info = Matrix(rows: m, columns: m)
        for i in 0..<m { for j in 0..<m { info[i, j] = -h[i][j] } }
        let factor: CholeskyFactor
        do { factor = try LinearAlgebra.cholesky(info) } catch {
            throw .noConvergence("\(what): joint ML did not reach a maximum (the information matrix is not positive definite)")
        }
        let covariance: Matrix, stepLeft: Double
        do {
            covariance = try factor.inverse()
            let s = try factor.solve(Matrix(rows: m, columns: 1, columnMajor: g))
            stepLeft = s.storage.map { Swift.abs($0) }.max() ?? .infinity
        } catch { throw .linearAlgebra(error) }
        guard gMax <= gradientTolerance * Swift.max(1, model.total), stepLeft <= stepTolerance else {
            throw .noConvergence("\(what): joint ML stopped after \(iterations) iterations\(converged ? "" : " (no further ascent)") "
                + "with gradient max |∂ℓ/∂θ| = \(gMax), Newton step \(stepLeft)")
        }
        let a = Array(theta[1..<r]), b = Array(theta[r..<m])
        let profile = try maximiseRho(model, a: a, b: b, what: what)
        guard Swift.abs(profile.rho - theta[0]) <= 1e-8 else {
            throw .noConvergence("\(what): joint ML reached a local maximum (ρ = \(theta[0])); with its thresholds ℓ is higher at ρ = \(profile.rho)")
        }
        let se = (0..<m).map { covariance[$0, $0].squareRoot() }
        guard se.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw .noConvergence("\(what): joint ML information matrix gives non-finite standard errors")
        }
        let tests = model.normalityTests(current.probabilities)
        var e = PolychoricEstimate(rho: theta[0], standardError: se[0], rowThresholds: a, columnThresholds: b,
                                   logLikelihood: current.logLikelihood, gradient: g[0], bracket: profile.bracket,
                                   n: start.n, tableShape: start.tableShape)
        e.estimator = .maximumLikelihood
        e.rowThresholdStandardErrors = Array(se[1..<r])
        e.columnThresholdStandardErrors = Array(se[r..<m])
        e.covariance = covariance.rowArrays
        e.gradientMaxNorm = gMax
        e.iterations = iterations
        e.likelihoodRatioTest = tests?.likelihoodRatio
        e.pearsonTest = tests?.pearson
        return e
    }

    /// Solves `(−H + μI) Δ = g` by Cholesky, μ = 0 first, then 1e-8·max|H_kk|
    /// raised tenfold until the matrix is positive definite. Returns Δ and μ.
    private static func newtonStep(_ h: [[Double]], _ g: [Double]) throws(BarometerError) -> ([Double], Double) {
        let m = g.count
        let scale = (0..<m).map { Swift.abs(h[$0][$0]) }.max() ?? 1
        var mu = 0.0
        for _ in 0..<30 {
            var a = Matrix(rows: m, columns: m)
            for i in 0..<m { for j in 0..<m { a[i, j] = -h[i][j] } ; a[i, i] += mu }
            if let f = try? LinearAlgebra.cholesky(a),
               let x = try? f.solve(Matrix(rows: m, columns: 1, columnMajor: g)) {
                return (x.storage, mu)
            }
            mu = mu == 0 ? 1e-8 * Swift.max(scale, 1) : mu * 10
        }
        throw .noConvergence("joint ML: no ascent direction (the Hessian is not finite)")
    }
}
