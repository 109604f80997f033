#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The hypergeometric distribution (Fisher's exact test): the number of
/// successes X when drawing `draws` items without replacement from `total`
/// items of which `successes` are successes.
///
/// - `pmf`/`logPMF`: in log space as
///   ln f(k) = ln b(k; K, r) + ln b(n−k; N−K, r) − ln b(n; N, r), r = n/N,
///   with Loader's binomial log-pmf (``Binomial``), so large tables neither
///   overflow nor lose accuracy (as R's `dhyper`).
/// - `cdf`/`sf`: pmf at the end point times a sum of pmf ratios
///   f(j−1)/f(j) = j(N−K−n+j)/((K−j+1)(n−j+1)) running away from the centre,
///   on the tail that does not contain the mean (the other is 1 − that).
///
/// Measured against scipy 1.17 / mpmath (`Fixtures/reference/distributions`,
/// N up to 10⁶): pmf, cdf, sf ≤ 1.3e-13 relative (scipy itself is off by
/// ~1e-10 at N = 10⁶; those references come from mpmath).
/// Support: max(0, n+K−N) … min(n, K); pmf is 0 outside, cdf 0 below and 1 above.
/// Invalid parameters (negative counts, K > N, n > N) give NaN.
public struct Hypergeometric: Sendable {
    /// Population size N (N ≥ 0).
    public let total: Int
    /// Number of successes K in the population (0 ≤ K ≤ N).
    public let successes: Int
    /// Number of draws n without replacement (0 ≤ n ≤ N).
    public let draws: Int
    /// The distribution of successes among `draws` items drawn from `total`; invalid counts give NaN.
    /// - Parameters:
    ///   - total: Population size N.
    ///   - successes: Successes K in the population (K ≤ N).
    ///   - draws: Draws n without replacement (n ≤ N).
    public init(total: Int, successes: Int, draws: Int) { self.total = total; self.successes = successes; self.draws = draws }

    private var isValid: Bool {
        total >= 0 && successes >= 0 && draws >= 0 && successes <= total && draws <= total
    }
    private var lowerSupport: Int { max(0, draws - (total - successes)) }   // no Int overflow
    private var upperSupport: Int { min(draws, successes) }

    /// P(X = k).
    public func pmf(_ k: Int) -> Double { exp(logPMF(k)) }

    /// ln P(X = k) (−∞ outside the support).
    public func logPMF(_ k: Int) -> Double {
        guard isValid else { return .nan }
        if k < lowerSupport || k > upperSupport { return -.infinity }
        let n = Double(total), m = Double(successes), d = Double(draws), x = Double(k)
        if draws == 0 || draws == total { return 0 }   // degenerate: single support point
        let r = d / n, s = (n - d) / n
        return Binomial.logPMF(x, m, r, s) + Binomial.logPMF(d - x, n - m, r, s) - Binomial.logPMF(d, n, r, s)
    }

    /// P(X ≤ k).
    public func cdf(_ k: Int) -> Double { tails(k).lower }

    /// P(X > k), computed directly in the upper tail.
    public func sf(_ k: Int) -> Double { tails(k).upper }

    private func tails(_ k: Int) -> (lower: Double, upper: Double) {
        guard isValid else { return (.nan, .nan) }
        if k < lowerSupport { return (0, 1) }
        if k >= upperSupport { return (1, 0) }
        let n = Double(total), m = Double(successes), d = Double(draws)
        let mean = d * m / n
        if Double(k) < mean {
            // Σ_{j ≤ k} f(j) = f(k)·(1 + ρ_k + ρ_k ρ_{k−1} + …), ρ_j = f(j−1)/f(j).
            var sum = 1.0, term = 1.0, j = Double(k)
            while j > Double(lowerSupport) {
                term *= j * (n - m - d + j) / ((m - j + 1) * (d - j + 1))
                let next = sum + term
                if next == sum { break }
                sum = next
                j -= 1
            }
            let lower = min(1, exp(logPMF(k)) * sum)
            return (lower, 1 - lower)
        }
        // Σ_{j > k} f(j) = f(k+1)·(1 + ρ'_{k+1} + …), ρ'_j = f(j+1)/f(j).
        var sum = 1.0, term = 1.0, j = Double(k + 1)
        while j < Double(upperSupport) {
            term *= (m - j) * (d - j) / ((j + 1) * (n - m - d + j + 1))
            let next = sum + term
            if next == sum { break }
            sum = next
            j += 1
        }
        let upper = min(1, exp(logPMF(k + 1)) * sum)
        return (1 - upper, upper)
    }
}
