import Barometer
import BarometerIO
import BarometerClaims
import Foundation

/// Axis ticks bounded by construction: the step is a "nice" number
/// (1, 2 or 5 × 10^k, never below `minimumStep`) chosen from the range so that
/// there are at most `maxIntervals` intervals, whatever the data. Non-finite
/// bounds fall back to `0...minimumStep`, and no unchecked `Double` is ever
/// converted to `Int` (labels are formatted by ``label(_:)``).
struct AxisTicks {
    /// Lower end of the axis (a multiple of `step`, ≤ the data's minimum).
    let lower: Double
    /// Upper end of the axis (a multiple of `step`, ≥ the data's maximum).
    let upper: Double
    /// Distance between ticks.
    let step: Double
    /// The tick positions, `lower, lower + step, …, upper` (at most `maxIntervals + 1`).
    let values: [Double]

    /// - Parameters:
    ///   - low, high: the data range to cover (either order; non-finite values ignored).
    ///   - minimumStep: smallest step (10 for percent charts: ticks at 0, 10, 20, …).
    ///   - maxIntervals: most intervals drawn (≥ 1).
    init(covering low: Double, _ high: Double, minimumStep: Double = 10, maxIntervals: Int = 10) {
        let m = Swift.max(1, maxIntervals)
        let minStep = minimumStep.isFinite && minimumStep > 0 ? minimumStep : 1
        // The largest finite span whose step still stays finite.
        let limit = Double.greatestFiniteMagnitude / 64
        var lo = low.isFinite ? Swift.min(Swift.max(low, -limit), limit) : 0
        var hi = high.isFinite ? Swift.min(Swift.max(high, -limit), limit) : 0
        if lo > hi { swap(&lo, &hi) }
        let raw = Swift.max(minStep, (hi - lo) / Double(m))
        var step = minStep
        if raw > minStep {
            let magnitude = Foundation.pow(10, Foundation.floor(Foundation.log10(raw)))
            step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        }
        var lower = Foundation.floor(lo / step) * step
        var upper = Swift.max(lower + step, Foundation.ceil(hi / step) * step)
        // Rounding to whole steps can add an interval at each end.
        var steps = ((upper - lower) / step).rounded()
        while steps > Double(m) + 2 { step *= 2; lower = Foundation.floor(lo / step) * step; upper = Swift.max(lower + step, Foundation.ceil(hi / step) * step); steps = ((upper - lower) / step).rounded() }
        self.lower = lower
        self.upper = upper
        self.step = step
        var v: [Double] = []
        var i = 0.0
        while i <= steps, v.count <= m + 2 { v.append(lower + i * step); i += 1 }
        self.values = v
    }

    /// `x` clamped to the axis (bars beyond it are drawn to the edge).
    func clamp(_ x: Double) -> Double {
        guard x.isFinite else { return x.isNaN ? lower : (x > 0 ? upper : lower) }
        return Swift.min(Swift.max(x, lower), upper)
    }

    /// A tick label: whole numbers without a decimal point, others with up
    /// to two decimals; any finite magnitude (no `Int` conversion).
    static func label(_ x: Double) -> String {
        guard x.isFinite else { return "" }
        let r = (x * 100).rounded() / 100
        if r == r.rounded() { return String(format: "%.0f", r == 0 ? 0 : r) }
        return String(format: "%.2f", r).replacingOccurrences(of: "0$", with: "", options: .regularExpression)
    }
}
