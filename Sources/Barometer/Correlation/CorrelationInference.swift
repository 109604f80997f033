#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tests and intervals for a correlation coefficient (internal).
enum CorrelationInference {
    struct Result { var se: Double?; var p: Double?; var lower: Double?; var upper: Double?; var df: Double? }

    /// t test with `df = n − 2 − k` and the Fisher-z interval with
    /// `SE_z = 1/√(n − 3 − k)`; `k` = number of controls.
    static func tTest(r: Double, n: Double, controls k: Int, level: Double) -> Result {
        var out = Result(se: nil, p: nil, lower: nil, upper: nil, df: nil)
        let df = n - 2 - Double(k)
        guard df > 0, r.isFinite else { return out }
        out.df = df
        let oneMinus = Swift.max(0, 1 - r * r)
        out.se = (oneMinus / df).squareRoot()
        if oneMinus == 0 {
            out.p = 0
        } else {
            let t = r * (df / oneMinus).squareRoot()
            out.p = finite(StudentT(degreesOfFreedom: df).twoSidedP(t))
        }
        let zdf = n - 3 - Double(k)
        if zdf > 0 {
            let q = Normal.quantile(0.5 + level / 2)
            let z = atanh(Swift.max(-1, Swift.min(1, r)))
            let h = q / zdf.squareRoot()
            out.lower = finite(tanh(z - h)); out.upper = finite(tanh(z + h))
            if Swift.abs(r) == 1 { out.lower = r; out.upper = r }
        }
        return out
    }

    static func finite(_ x: Double) -> Double? { x.isFinite ? x : nil }

    /// r clamped to [−1, 1]: only rounding-level excess can occur (the
    /// matrices are positive semi-definite up to rounding).
    static func clamp(_ r: Double) -> Double { Swift.max(-1, Swift.min(1, r)) }
}
