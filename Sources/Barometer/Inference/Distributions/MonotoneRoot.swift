/// Safeguarded Newton iteration for quantiles: solves g(x) = 0 for a
/// monotone g on a bracket [lo, hi], where g is typically
/// ln(tail(x)) − ln(target) (log space keeps relative accuracy in the tails).
/// Any Newton step that leaves the current bracket (or is NaN) is replaced by
/// a bisection step — geometric when the bracket spans orders of magnitude —
/// so the iteration always terminates. Stops when a step changes x by less
/// than ~4 ulp or the bracket collapses.
enum MonotoneRoot {
    static func solve(
        start: Double, lo: Double, hi: Double, increasing: Bool,
        maxIterations: Int = 400,
        _ residual: (Double) -> (g: Double, slope: Double)
    ) -> Double {
        var lo = lo, hi = hi
        var x = start
        if !(x > lo && x < hi) { x = midpoint(lo, hi) }
        for _ in 0..<maxIterations {
            let (g, slope) = residual(x)
            if g == 0 { return x }
            if g.isNaN { x = midpoint(lo, hi); continue }
            // Keep the root bracketed.
            if (g > 0) == increasing { hi = x } else { lo = x }
            var next = x - g / slope
            if !(next > lo && next < hi) { next = midpoint(lo, hi) }
            if abs(next - x) <= 4 * Double.ulpOfOne * abs(x) { return next }
            if !(next > lo && next < hi) { return x }   // bracket collapsed to adjacent doubles
            x = next
        }
        return x
    }

    static func midpoint(_ lo: Double, _ hi: Double) -> Double {
        if hi == .infinity { return lo > 0 ? 4 * lo : 1 }
        if lo == -.infinity { return hi < 0 ? 4 * hi : -1 }
        if lo > 0 && hi > 8 * lo { return (lo.squareRoot() * hi.squareRoot()) }
        if lo == 0 && hi > 0 { return hi / 16 }
        return lo + (hi - lo) / 2
    }
}
