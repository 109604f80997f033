#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Kendall's τ_b of two paired samples by Knight's (1966) O(n log n)
/// algorithm: sort by (x, y), count tied pairs in x and jointly, then count
/// the discordant pairs as the swaps of a merge sort of y.
///
/// `τ_b = (n₀ − n₁ − n₂ + n₃ − 2·swaps) / √((n₀ − n₁)(n₀ − n₂))` with
/// `n₀ = n(n−1)/2`, `n₁`, `n₂` the pairs tied in x, in y, `n₃` tied in both.
/// The test is the large-sample normal approximation with the tie-corrected
/// variance of `S = C − D` (Kendall 1970, eq. 4.4; the formula of
/// `scipy.stats.kendalltau(method="asymptotic")`):
/// `var S = (v₀ − v_x − v_y)/18 + 2 t_x t_y / (n(n−1)) + t2_x t2_y / (9 n(n−1)(n−2))`.
struct KendallTau: Sendable {
    let tau: Double
    let z: Double
    let pValue: Double
    /// Asymptotic standard error of τ_b under independence, `√var S / √((n₀−n₁)(n₀−n₂))`.
    let standardError: Double

    /// τ_b of (x[i], y[i]); both arrays complete and of equal length ≥ 2.
    /// Returns nil when either variable is constant (τ_b undefined).
    init?(x: [Double], y: [Double]) {
        let n = x.count
        guard n >= 2, y.count == n else { return nil }
        let order = (0..<n).sorted { (a: Int, b: Int) -> Bool in
            if x[a] != x[b] { return x[a] < x[b] }
            if y[a] != y[b] { return y[a] < y[b] }
            return a < b
        }
        var xs = order.map { x[$0] }
        var ys = order.map { y[$0] }
        // ties in x and joint ties, from the (x, y)-sorted order
        var n1 = 0.0, n3 = 0.0, xt2 = 0.0, xt5 = 0.0
        var i = 0
        while i < n {
            var j = i + 1
            while j < n && xs[j] == xs[i] { j += 1 }
            let t = Double(j - i)
            n1 += t * (t - 1) / 2; xt2 += t * (t - 1) * (t - 2); xt5 += t * (t - 1) * (2 * t + 5)
            var a = i
            while a < j {
                var b = a + 1
                while b < j && ys[b] == ys[a] { b += 1 }
                let u = Double(b - a)
                n3 += u * (u - 1) / 2
                a = b
            }
            i = j
        }
        // discordant pairs = inversions of y (strictly greater before smaller)
        var buffer = ys
        let swaps = Double(Self.mergeCount(&ys, &buffer, 0, n))
        xs.removeAll()
        var n2 = 0.0, yt2 = 0.0, yt5 = 0.0
        i = 0
        while i < n {
            var j = i + 1
            while j < n && ys[j] == ys[i] { j += 1 }
            let t = Double(j - i)
            n2 += t * (t - 1) / 2; yt2 += t * (t - 1) * (t - 2); yt5 += t * (t - 1) * (2 * t + 5)
            i = j
        }
        let nd = Double(n)
        let n0 = nd * (nd - 1) / 2
        guard n0 - n1 > 0, n0 - n2 > 0 else { return nil }
        let s = n0 - n1 - n2 + n3 - 2 * swaps
        let denom = (n0 - n1).squareRoot() * (n0 - n2).squareRoot()
        tau = Swift.min(1, Swift.max(-1, s / denom))
        let m = nd * (nd - 1)
        var v = (m * (2 * nd + 5) - xt5 - yt5) / 18 + 2 * n1 * n2 / m
        if n > 2 { v += xt2 * yt2 / (9 * m * (nd - 2)) }
        if v > 0 {
            z = s / v.squareRoot()
            pValue = erfc(Swift.abs(z) / 2.0.squareRoot())
            standardError = v.squareRoot() / denom
        } else {
            z = .nan; pValue = .nan; standardError = .nan
        }
    }

    /// Weighted τ_b: every pair (i, j) counts with weight `wᵢwⱼ`,
    /// `τ_w = Σ_{i<j} wᵢwⱼ sgn(xᵢ−xⱼ) sgn(yᵢ−yⱼ) / √(Σ_{x tied not} wᵢwⱼ · Σ_{y tied not} wᵢwⱼ)`,
    /// computed like Knight's algorithm with weighted pair totals
    /// `n₀ = (W² − Σw²)/2`, tie totals per group `(W_g² − Σ_g w²)/2`, and the
    /// weighted discordance from a weighted merge-sort inversion count.
    /// With unit weights it is τ_b. Nil when either variable is constant.
    static func weightedTau(x: [Double], y: [Double], w: [Double]) -> Double? {
        let n = x.count
        guard n >= 2, y.count == n, w.count == n else { return nil }
        let order = (0..<n).sorted { (a: Int, b: Int) -> Bool in
            if x[a] != x[b] { return x[a] < x[b] }
            if y[a] != y[b] { return y[a] < y[b] }
            return a < b
        }
        let xs = order.map { x[$0] }
        var ys = order.map { y[$0] }
        var ws = order.map { w[$0] }
        func pairs(_ s: Double, _ s2: Double) -> Double { (s * s - s2) / 2 }
        var total = 0.0, total2 = 0.0
        for v in ws { total += v; total2 += v * v }
        let n0 = pairs(total, total2)
        var n1 = 0.0, n3 = 0.0
        var i = 0
        while i < n {
            var j = i, s = 0.0, s2 = 0.0
            while j < n && xs[j] == xs[i] { s += ws[j]; s2 += ws[j] * ws[j]; j += 1 }
            n1 += pairs(s, s2)
            var a = i
            while a < j {
                var b = a, t = 0.0, t2 = 0.0
                while b < j && ys[b] == ys[a] { t += ws[b]; t2 += ws[b] * ws[b]; b += 1 }
                n3 += pairs(t, t2)
                a = b
            }
            i = j
        }
        var yb = ys, wb = ws
        let discordant = weightedMerge(&ys, &ws, &yb, &wb, 0, n)
        var n2 = 0.0
        i = 0
        while i < n {
            var j = i, s = 0.0, s2 = 0.0
            while j < n && ys[j] == ys[i] { s += ws[j]; s2 += ws[j] * ws[j]; j += 1 }
            n2 += pairs(s, s2)
            i = j
        }
        guard n0 - n1 > 0, n0 - n2 > 0 else { return nil }
        let sw = n0 - n1 - n2 + n3 - 2 * discordant
        return Swift.min(1, Swift.max(-1, sw / ((n0 - n1).squareRoot() * (n0 - n2).squareRoot())))
    }

    /// Sorts (a, wa)[lo..<hi] by a ascending; returns Σ wᵢwⱼ over inversions.
    private static func weightedMerge(_ a: inout [Double], _ wa: inout [Double], _ buf: inout [Double],
                                      _ wbuf: inout [Double], _ lo: Int, _ hi: Int) -> Double {
        if hi - lo < 2 { return 0 }
        let mid = (lo + hi) / 2
        var sum = weightedMerge(&a, &wa, &buf, &wbuf, lo, mid) + weightedMerge(&a, &wa, &buf, &wbuf, mid, hi)
        var leftWeight = 0.0
        for t in lo..<mid { leftWeight += wa[t] }
        var i = lo, j = mid, k = lo
        while i < mid && j < hi {
            if a[j] < a[i] {
                sum += wa[j] * leftWeight
                buf[k] = a[j]; wbuf[k] = wa[j]; j += 1
            } else {
                leftWeight -= wa[i]
                buf[k] = a[i]; wbuf[k] = wa[i]; i += 1
            }
            k += 1
        }
        while i < mid { buf[k] = a[i]; wbuf[k] = wa[i]; i += 1; k += 1 }
        while j < hi { buf[k] = a[j]; wbuf[k] = wa[j]; j += 1; k += 1 }
        for t in lo..<hi { a[t] = buf[t]; wa[t] = wbuf[t] }
        return sum
    }

    /// Sorts a[lo..<hi] ascending, returning the number of inversions.
    private static func mergeCount(_ a: inout [Double], _ buf: inout [Double], _ lo: Int, _ hi: Int) -> Int {
        if hi - lo < 2 { return 0 }
        let mid = (lo + hi) / 2
        var count = mergeCount(&a, &buf, lo, mid) + mergeCount(&a, &buf, mid, hi)
        var i = lo, j = mid, k = lo
        while i < mid && j < hi {
            if a[j] < a[i] { buf[k] = a[j]; j += 1; count += mid - i } else { buf[k] = a[i]; i += 1 }
            k += 1
        }
        while i < mid { buf[k] = a[i]; i += 1; k += 1 }
        while j < hi { buf[k] = a[j]; j += 1; k += 1 }
        for t in lo..<hi { a[t] = buf[t] }
        return count
    }
}
