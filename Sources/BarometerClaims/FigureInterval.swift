import Barometer
/// An interval of real numbers with open or closed ends: the arithmetic of
/// rounded published figures.
///
/// Rules (all operands of ``dividing(by:)`` positive):
/// - sum: `[a, b) + [c, d) = [a + c, b + d)`; an end is closed only when
///   both operands' ends are;
/// - quotient: `X / Y = (X.lower / Y.upper, X.upper / Y.lower)`, the lower
///   end closed only when `X.lower` and `Y.upper` are, the upper end when
///   `X.upper` and `Y.lower` are;
/// - `c − X = [c − X.upper, c − X.lower]` with the ends' closedness swapped.
///
/// Consistency comparisons use the intervals' closures and allow an
/// absolute slack of ``slack`` (1e-9) so that binary
/// floating point (3.9 − 0.05 = 3.8499999999999996) never turns a touching
/// bound into a spurious inconsistency.
public struct FigureInterval: Sendable, Codable, Equatable, CustomStringConvertible {
    /// Lower end.
    public var lower: Double
    /// Upper end.
    public var upper: Double
    /// Whether `lower` belongs to the interval.
    public var lowerClosed: Bool
    /// Whether `upper` belongs to the interval.
    public var upperClosed: Bool

    /// Absolute tolerance of comparisons.
    public static let slack = 1e-9

    /// - Parameters:
    ///   - lower: Lower end (may be −∞).
    ///   - upper: Upper end (may be +∞).
    ///   - lowerClosed: Whether `lower` belongs to the interval (default true).
    ///   - upperClosed: Whether `upper` belongs to the interval (default true).
    public init(lower: Double, upper: Double, lowerClosed: Bool = true, upperClosed: Bool = true) {
        self.lower = lower
        self.upper = upper
        self.lowerClosed = lowerClosed
        self.upperClosed = upperClosed
    }

    enum CodingKeys: String, CodingKey { case lower, upper, lowerClosed, upperClosed }

    /// Infinite ends are written as `null` (JSON has no infinity).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(lower.isFinite ? lower : nil, forKey: .lower)
        try c.encode(upper.isFinite ? upper : nil, forKey: .upper)
        try c.encode(lowerClosed, forKey: .lowerClosed)
        try c.encode(upperClosed, forKey: .upperClosed)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        lower = try c.decodeIfPresent(Double.self, forKey: .lower) ?? -.infinity
        upper = try c.decodeIfPresent(Double.self, forKey: .upper) ?? .infinity
        lowerClosed = try c.decode(Bool.self, forKey: .lowerClosed)
        upperClosed = try c.decode(Bool.self, forKey: .upperClosed)
    }

    /// The single point `x`.
    public static func point(_ x: Double) -> FigureInterval { FigureInterval(lower: x, upper: x) }

    /// Interval notation, e.g. `[86.00, 88.00)`.
    public var description: String { formatted(decimals: 2) }

    /// Interval notation with `decimals` digits.
    public func formatted(decimals: Int) -> String {
        (lowerClosed ? "[" : "(") + NumberFormat.fixed(lower, decimals) + ", "
            + (upper.isFinite ? NumberFormat.fixed(upper, decimals) : "inf") + (upperClosed ? "]" : ")")
    }

    /// Sum of two intervals.
    public static func + (a: FigureInterval, b: FigureInterval) -> FigureInterval {
        FigureInterval(lower: a.lower + b.lower, upper: a.upper + b.upper,
                       lowerClosed: a.lowerClosed && b.lowerClosed, upperClosed: a.upperClosed && b.upperClosed)
    }

    /// `c − self`.
    public func subtracted(from c: Double) -> FigureInterval {
        FigureInterval(lower: c - upper, upper: c - lower, lowerClosed: upperClosed, upperClosed: lowerClosed)
    }

    /// `self · k` for `k > 0`.
    public func scaled(by k: Double) -> FigureInterval {
        FigureInterval(lower: lower * k, upper: upper * k, lowerClosed: lowerClosed, upperClosed: upperClosed)
    }

    /// `self / d` for intervals of positive numbers.
    /// - Throws: `BarometerError/invalidArgument(_:)` when `d` reaches 0.
    public func dividing(by d: FigureInterval) throws(BarometerError) -> FigureInterval {
        guard d.lower > 0, lower >= 0 else {
            throw .invalidArgument("interval division needs positive intervals, got \(self) / \(d)")
        }
        return FigureInterval(lower: lower / d.upper, upper: upper / d.lower,
                              lowerClosed: lowerClosed && d.upperClosed, upperClosed: upperClosed && d.lowerClosed)
    }

    /// Whether `x` lies in the closure of the interval (within ``slack``).
    ///
    /// Consistency checks use closures: a printed 39 may stand for 38.5
    /// under round-half-down, so only definite contradictions are flagged.
    public func contains(_ x: Double) -> Bool {
        x >= lower - Self.slack && x <= upper + Self.slack
    }

    /// Whether `x` lies in the interval exactly as stated (open ends
    /// excluded, no slack): the verdict rule for a recomputed value against
    /// a rounding interval.
    public func strictlyContains(_ x: Double) -> Bool {
        (lowerClosed ? x >= lower : x > lower) && (upperClosed ? x <= upper : x < upper)
    }

    /// The common part of the closures of two intervals, nil when they do
    /// not meet (within ``slack``).
    public func intersection(_ o: FigureInterval) -> FigureInterval? {
        let lo = Swift.max(lower, o.lower), hi = Swift.min(upper, o.upper)
        guard lo <= hi + Self.slack else { return nil }
        let loC = lower > o.lower ? lowerClosed : (o.lower > lower ? o.lowerClosed : lowerClosed && o.lowerClosed)
        let hiC = upper < o.upper ? upperClosed : (o.upper < upper ? o.upperClosed : upperClosed && o.upperClosed)
        return FigureInterval(lower: lo, upper: Swift.max(lo, hi), lowerClosed: loC, upperClosed: hiC)
    }
}
