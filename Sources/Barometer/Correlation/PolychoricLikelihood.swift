#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Polychoric {
    /// The polychoric log-likelihood of an r × c table and its analytic
    /// gradient in θ = (ρ, a₁ … a_{r−1}, b₁ … b_{c−1}) (internal).
    ///
    /// `ℓ = Σ n_ij log π_ij`, `π_ij = F(a_i, b_j) − F(a_{i−1}, b_j) − F(a_i, b_{j−1}) + F(a_{i−1}, b_{j−1})`,
    /// `F = Φ₂(·, ·; ρ)`, `a₀ = b₀ = −∞`, `a_r = b_c = +∞`. With `W_ij = n_ij / π_ij`:
    /// - `∂ℓ/∂ρ = Σ W_ij Δ_ij φ₂` (`∂F/∂ρ = φ₂`),
    /// - `∂ℓ/∂a_k = Σ_j (W_kj − W_{k+1,j}) [G(a_k, b_j) − G(a_k, b_{j−1})]`, `G(h, k) = ∂F/∂h = φ(h) Φ((k − ρh)/√(1−ρ²))`,
    /// - `∂ℓ/∂b_k` likewise with the roles of rows and columns exchanged.
    struct Likelihood {
        /// Cell counts, rows × columns (empty rows and columns already dropped).
        let n: [[Double]]
        var r: Int { n.count }
        var c: Int { n.first?.count ?? 0 }
        /// Table total.
        var total: Double { n.reduce(0) { $0 + $1.reduce(0, +) } }
        /// Parameters: 1 + (r − 1) + (c − 1).
        var parameterCount: Int { r + c - 1 }

        struct Evaluation {
            /// ℓ(θ); −∞ outside the parameter space (|ρ| ≥ 1, unordered thresholds, a cell with n > 0 and π = 0).
            let logLikelihood: Double
            /// ∂ℓ/∂θ (empty unless asked for; only ∂ℓ/∂ρ when `thresholds` is false).
            let gradient: [Double]
            /// π_ij.
            let probabilities: [[Double]]
        }

        /// Splits θ into (ρ, a with ±∞ ends, b with ±∞ ends).
        func unpack(_ theta: [Double]) -> (rho: Double, a: [Double], b: [Double]) {
            (theta[0], [-.infinity] + Array(theta[1..<r]) + [.infinity],
             [-.infinity] + Array(theta[r..<(r + c - 1)]) + [.infinity])
        }

        /// ℓ at θ; the gradient when `gradient` (thresholds included when `thresholds`).
        func evaluate(_ theta: [Double], gradient: Bool, thresholds: Bool = true) -> Evaluation {
            let (rho, a, b) = unpack(theta)
            let invalid = Evaluation(logLikelihood: -.infinity, gradient: [], probabilities: [])
            guard rho.isFinite, Swift.abs(rho) < 1, theta.allSatisfy({ $0.isFinite }) else { return invalid }
            for i in 1...r where !(a[i] > a[i - 1]) { return invalid }
            for j in 1...c where !(b[j] > b[j - 1]) { return invalid }
            var cdf = [[Double]](repeating: [Double](repeating: 0, count: c + 1), count: r + 1)
            for i in 0...r { for j in 0...c { cdf[i][j] = BivariateNormal.cdf(a[i], b[j], rho: rho) } }
            var p = [[Double]](repeating: [Double](repeating: 0, count: c), count: r)
            var w = p
            var ll = 0.0
            for i in 1...r { for j in 1...c {
                let pij = Swift.max(0, cdf[i][j] - cdf[i - 1][j] - cdf[i][j - 1] + cdf[i - 1][j - 1])
                p[i - 1][j - 1] = pij
                let nij = n[i - 1][j - 1]
                guard nij > 0 else { continue }
                guard pij > 0 else { return invalid }
                ll += nij * log(pij)
                w[i - 1][j - 1] = nij / pij
            } }
            guard gradient else { return Evaluation(logLikelihood: ll, gradient: [], probabilities: p) }
            var g = [Double](repeating: 0, count: thresholds ? r + c - 1 : 1)
            var pdf = [[Double]](repeating: [Double](repeating: 0, count: c + 1), count: r + 1)
            for i in 0...r { for j in 0...c { pdf[i][j] = BivariateNormal.density(a[i], b[j], rho: rho) } }
            for i in 1...r { for j in 1...c {
                g[0] += w[i - 1][j - 1] * (pdf[i][j] - pdf[i - 1][j] - pdf[i][j - 1] + pdf[i - 1][j - 1])
            } }
            guard thresholds else { return Evaluation(logLikelihood: ll, gradient: g, probabilities: p) }
            let s = (1 - rho * rho).squareRoot()
            // G(h, k) = ∂Φ₂(h, k)/∂h for finite h
            func partial(_ h: Double, _ k: Double) -> Double {
                if k == .infinity { return Normal.pdf(h) }
                if k == -.infinity { return 0 }
                return Normal.pdf(h) * Normal.cdf((k - rho * h) / s)
            }
            for k in 1..<r {
                for j in 1...c {
                    let d = partial(a[k], b[j]) - partial(a[k], b[j - 1])
                    g[k] += (w[k - 1][j - 1] - w[k][j - 1]) * d
                }
            }
            for k in 1..<c {
                for i in 1...r {
                    let d = partial(b[k], a[i]) - partial(b[k], a[i - 1])
                    g[r - 1 + k] += (w[i - 1][k - 1] - w[i - 1][k]) * d
                }
            }
            return Evaluation(logLikelihood: ll, gradient: g, probabilities: p)
        }

        /// The Hessian of ℓ by central differences of the analytic gradient
        /// with Richardson extrapolation (steps h and h/2, h = 1e-4·max(1, |θ_k|),
        /// capped at a quarter of the distance to the neighbouring thresholds, or
        /// to ±1 for ρ, so that every step stays inside the parameter space):
        /// error O(h⁴) plus rounding of order ε‖∇ℓ terms‖/h; symmetrised.
        /// Nil when a step leaves the parameter space anyway.
        func hessian(_ theta: [Double]) -> [[Double]]? {
            let m = theta.count
            var h = [[Double]](repeating: [Double](repeating: 0, count: m), count: m)
            for k in 0..<m {
                var room = Double.infinity
                if k == 0 {
                    room = 1 - Swift.abs(theta[0])
                } else {
                    // thresholds of the same variable: rows 1..<r, columns r..<m
                    let lo = k < r ? 1 : r, hi = k < r ? r - 1 : m - 1
                    if k > lo { room = Swift.min(room, theta[k] - theta[k - 1]) }
                    if k < hi { room = Swift.min(room, theta[k + 1] - theta[k]) }
                }
                let step = Swift.min(1e-4 * Swift.max(1, Swift.abs(theta[k])), room / 4)
                func difference(_ d: Double) -> [Double]? {
                    var up = theta, down = theta
                    up[k] += d; down[k] -= d
                    let gu = evaluate(up, gradient: true).gradient, gd = evaluate(down, gradient: true).gradient
                    guard gu.count == m, gd.count == m else { return nil }
                    return (0..<m).map { (gu[$0] - gd[$0]) / (2 * d) }
                }
                guard let d1 = difference(step), let d2 = difference(step / 2) else { return nil }
                for i in 0..<m { h[i][k] = (4 * d2[i] - d1[i]) / 3 }
            }
            for i in 0..<m { for j in (i + 1)..<Swift.max(m, i + 1) {
                let s = (h[i][j] + h[j][i]) / 2
                h[i][j] = s; h[j][i] = s
            } }
            return h
        }

        /// Bivariate-normality tests at fitted π (polycor's "Test of bivariate
        /// normality"): G² = 2 Σ n log(n / Nπ) (0·log 0 = 0) and Pearson
        /// X² = Σ (n − Nπ)² / Nπ, df = rc − r − c. Nil when df = 0 (2 × 2)
        /// or a fitted cell underflows to 0.
        func normalityTests(_ p: [[Double]]) -> (likelihoodRatio: ChiSquareTest, pearson: ChiSquareTest)? {
            let df = r * c - r - c
            guard df > 0, p.count == r else { return nil }
            let total = self.total
            var g2 = 0.0, x2 = 0.0
            for i in 0..<r { for j in 0..<c {
                let e = total * p[i][j]
                guard e > 0 else { return nil }
                let o = n[i][j]
                if o > 0 { g2 += o * log(o / e) }
                x2 += (o - e) * (o - e) / e
            } }
            return (ChiSquareTest(name: "Likelihood-ratio chi-square (bivariate normality)", statistic: 2 * g2,
                                  degreesOfFreedom: Double(df)),
                    ChiSquareTest(name: "Pearson chi-square (bivariate normality)", statistic: x2,
                                  degreesOfFreedom: Double(df)))
        }
    }
}
