#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SpecialFunctions {
    /// Solves I_x(a, b) = p (equivalently 1 − I_x(a, b) = q) for x; returns
    /// x and y = 1 − x, the smaller of the two computed directly so that both
    /// keep full relative accuracy (needed for t and F quantiles).
    ///
    /// `lower` and `upper` must be complementary (p + q = 1); passing both lets
    /// callers keep the accuracy of a tiny upper-tail probability.
    /// Method: the solution is located on the side of ½ where it lies; a
    /// starting value (Abramowitz & Stegun 26.5.22 for a, b > 1, the small-x
    /// expansion I_x ≈ xᵃ/(a·B(a,b)) otherwise) is refined by Newton's method
    /// on ln(tail) − ln(target), safeguarded by bisection.
    /// Accuracy: ~1e-15 relative in x (limited by the accuracy of I_x).
    /// p = 0 → (0, 1), q = 0 → (1, 0); invalid input → (NaN, NaN).
    public static func inverseIncompleteBeta(_ a: Double, _ b: Double, lower p: Double, upper q: Double) -> (x: Double, y: Double) {
        guard a > 0, b > 0, a.isFinite, b.isFinite, p >= 0, p <= 1, q >= 0, q <= 1 else { return (.nan, .nan) }
        if p == 0 { return (0, 1) }
        if q == 0 { return (1, 0) }
        let half = incompleteBeta(a, b, 0.5, 0.5)
        if p <= half.lower {
            let z = solveBetaBelowHalf(a, b, p, q)
            return (z, 1 - z)
        }
        let z = solveBetaBelowHalf(b, a, q, p)
        return (1 - z, z)
    }

    /// The z in (0, ½] with I_z(α, β) = t (1 − I = s).
    private static func solveBetaBelowHalf(_ alpha: Double, _ beta: Double, _ t: Double, _ s: Double) -> Double {
        let useLower = t <= 0.5
        let start = betaStart(alpha, beta, t, s)
        return MonotoneRoot.solve(start: start, lo: 0, hi: 0.5, increasing: useLower) { z in
            let y = 1 - z
            let tails = incompleteBeta(alpha, beta, z, y)
            let density = betaPrefactor(alpha, beta, z, y) / (z * y)
            if useLower { return (log(tails.lower) - log(t), density / tails.lower) }
            return (log(tails.upper) - log(s), -density / tails.upper)
        }
    }

    private static func betaStart(_ alpha: Double, _ beta: Double, _ t: Double, _ s: Double) -> Double {
        if alpha > 1 && beta > 1 {
            // Abramowitz & Stegun 26.5.22 (as in AS 109): yp = Φ⁻¹(1 − t).
            let yp = t <= 0.5 ? -Normal.quantile(t) : Normal.quantile(s)
            let lambda = (yp * yp - 3) / 6
            let ra = 1 / (2 * alpha - 1), rb = 1 / (2 * beta - 1)
            let h = 2 / (ra + rb)
            let w = yp * (h + lambda).squareRoot() / h - (rb - ra) * (lambda + 5.0 / 6.0 - 2 / (3 * h))
            let x = alpha / (alpha + beta * exp(2 * w))
            if x > 0 && x < 0.5 { return x }
        }
        let target = min(t, 0.5)
        let x = exp((log(target) + log(alpha) + logBeta(alpha, beta)) / alpha)
        return x > 0 && x < 0.5 ? x : 0.25
    }

    /// Solves P(a, x) = p (equivalently Q(a, x) = q) for x ≥ 0.
    ///
    /// Start: Wilson–Hilferty, or the small-x expansion P ≈ xᵃ/Γ(a+1), or the
    /// large-x expansion of Q; refined by safeguarded Newton on
    /// ln(tail) − ln(target), using the smaller tail. Accuracy ~1e-15 relative.
    /// p = 0 → 0, q = 0 → +∞; invalid input → NaN.
    public static func inverseIncompleteGamma(_ a: Double, lower p: Double, upper q: Double) -> Double {
        guard a > 0, a.isFinite, p >= 0, p <= 1, q >= 0, q <= 1 else { return .nan }
        if p == 0 { return 0 }
        if q == 0 { return .infinity }
        let useLower = p <= 0.5
        let z = useLower ? Normal.quantile(p) : -Normal.quantile(q)
        let c = 1 / (9 * a)
        let cube = 1 - c + z * c.squareRoot()
        var start = a * cube * cube * cube
        let small = exp((log(p) + logGamma(a + 1)) / a)
        if !(start > 0) || (useLower && small < start && a < 1) {
            if useLower {
                start = small
            } else {
                let x1 = -log(q)
                start = max(x1 - logGamma(a) + (a - 1) * log(max(1, x1)), 1e-3)
            }
        }
        return MonotoneRoot.solve(start: start, lo: 0, hi: .infinity, increasing: useLower) { x in
            let tails = incompleteGamma(a, x)
            let density = gammaPrefactor(a, x) / x
            if useLower { return (log(tails.lower) - log(p), density / tails.lower) }
            return (log(tails.upper) - log(q), -density / tails.upper)
        }
    }
}
