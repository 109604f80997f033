#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
// API CONTRACT (issue 3, item 7). The signatures below are fixed so that the
// table and correlation engines can code against them; the implementations
// here are placeholders to be replaced by accurate ones (incomplete beta /
// gamma, inverse functions) tested against scipy to 1e-12.

/// The standard normal distribution.
public enum Normal {
    /// Φ(x).
    public static func cdf(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }
    /// 1 − Φ(x), accurate in the upper tail.
    public static func sf(_ x: Double) -> Double { 0.5 * erfc(x / 2.0.squareRoot()) }
    /// Φ⁻¹(p).
    public static func quantile(_ p: Double) -> Double { .nan }
}

/// Student's t with ν degrees of freedom (ν > 0, may be non-integer).
public struct StudentT: Sendable {
    public let degreesOfFreedom: Double
    public init(degreesOfFreedom: Double) { self.degreesOfFreedom = degreesOfFreedom }
    public func cdf(_ t: Double) -> Double { .nan }
    public func sf(_ t: Double) -> Double { .nan }
    /// Two-sided p-value P(|T| ≥ |t|).
    public func twoSidedP(_ t: Double) -> Double { .nan }
    public func quantile(_ p: Double) -> Double { .nan }
}

/// χ² with k degrees of freedom (k > 0, may be non-integer).
public struct ChiSquared: Sendable {
    public let degreesOfFreedom: Double
    public init(degreesOfFreedom: Double) { self.degreesOfFreedom = degreesOfFreedom }
    public func cdf(_ x: Double) -> Double { .nan }
    public func sf(_ x: Double) -> Double { .nan }
    public func quantile(_ p: Double) -> Double { .nan }
}

/// Snedecor's F with (d1, d2) degrees of freedom (non-integer allowed).
public struct FisherF: Sendable {
    public let d1: Double
    public let d2: Double
    public init(d1: Double, d2: Double) { self.d1 = d1; self.d2 = d2 }
    public func cdf(_ x: Double) -> Double { .nan }
    public func sf(_ x: Double) -> Double { .nan }
    public func quantile(_ p: Double) -> Double { .nan }
}

/// Beta(a, b).
public struct BetaDistribution: Sendable {
    public let a: Double
    public let b: Double
    public init(a: Double, b: Double) { self.a = a; self.b = b }
    public func cdf(_ x: Double) -> Double { .nan }
    public func sf(_ x: Double) -> Double { .nan }
    public func quantile(_ p: Double) -> Double { .nan }
}

/// Binomial(n, p).
public struct Binomial: Sendable {
    public let trials: Int
    public let probability: Double
    public init(trials: Int, probability: Double) { self.trials = trials; self.probability = probability }
    public func pmf(_ k: Int) -> Double { .nan }
    /// P(X ≤ k).
    public func cdf(_ k: Int) -> Double { .nan }
    /// P(X > k).
    public func sf(_ k: Int) -> Double { .nan }
    /// Smallest k with P(X ≤ k) ≥ p.
    public func quantile(_ p: Double) -> Int { 0 }
}

/// The hypergeometric distribution (Fisher's exact test): drawing `draws`
/// from `total` items of which `successes` are successes.
public struct Hypergeometric: Sendable {
    public let total: Int
    public let successes: Int
    public let draws: Int
    public init(total: Int, successes: Int, draws: Int) { self.total = total; self.successes = successes; self.draws = draws }
    public func pmf(_ k: Int) -> Double { .nan }
    public func cdf(_ k: Int) -> Double { .nan }
}
