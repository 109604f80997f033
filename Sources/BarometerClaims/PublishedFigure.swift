import Barometer
/// A figure as the memo publishes it, with its rounding.
///
/// The rounding defines the set of true values the printed figure stands
/// for (see ``interval``):
/// - `integer`: `x` stands for `[x − 0.5, x + 0.5)` (round half up);
/// - `oneDecimal`: `[x − 0.05, x + 0.05)`;
/// - `approximate` ("about half"): `[x − tolerance, x + tolerance]`, the
///   tolerance being the claim file's reading of the wording;
/// - `exact`: `[x, x]`.
/// A `lessThan` relation ("below one percent") stands for `[0, x)`, a
/// `greaterThan` relation for `(x, +∞)`.
public struct PublishedFigure: Sendable, Codable, Equatable {
    /// Rounding of the printed figure.
    public enum Rounding: String, Sendable, Codable, CaseIterable {
        /// `x` stands for `[x − 0.5, x + 0.5)`.
        case integer
        /// `x` stands for `[x − 0.05, x + 0.05)`.
        case oneDecimal = "one-decimal"
        /// "About x": `[x − tolerance, x + tolerance]`.
        case approximate
        /// `x` stands for itself, `[x, x]`.
        case exact
    }

    /// What the figure measures.
    public enum Unit: String, Sendable, Codable, CaseIterable {
        /// A percentage (0–100), a number of respondents, or a correlation coefficient (−1…1).
        case percent, count, correlation
    }

    /// How the true value relates to the printed one.
    public enum Relation: String, Sendable, Codable, CaseIterable {
        /// The true value is the printed one, up to rounding.
        case equal
        /// "Below x": the true value lies in `[0, x)`.
        case lessThan = "less-than"
        /// "Above x": the true value lies in `(x, +∞)`.
        case greaterThan = "greater-than"
    }

    /// The printed number.
    public var value: Double
    /// Its unit.
    public var unit: Unit
    /// Its rounding.
    public var rounding: Rounding
    /// Relation of the true value to the printed one (default `equal`).
    public var relation: Relation?
    /// Half-width for `approximate` figures.
    public var tolerance: Double?

    /// - Parameters:
    ///   - value: The printed number.
    ///   - unit: Its unit (default percent).
    ///   - rounding: Its rounding (default integer).
    ///   - relation: Relation of the true value to the printed one (nil: equal).
    ///   - tolerance: Half-width for `approximate` figures.
    public init(value: Double, unit: Unit = .percent, rounding: Rounding = .integer,
                relation: Relation? = nil, tolerance: Double? = nil) {
        self.value = value
        self.unit = unit
        self.rounding = rounding
        self.relation = relation
        self.tolerance = tolerance
    }

    /// The printed figure as text, e.g. `39%`, `3.9%`, `about 50%`, `< 1%`.
    public var display: String {
        let number: String
        switch rounding {
        case .integer: number = NumberFormat.fixed(value, 0)
        case .oneDecimal: number = NumberFormat.fixed(value, 1)
        case .approximate, .exact:
            number = value == value.rounded() ? NumberFormat.fixed(value, 0) : NumberFormat.fixed(value, 1)
        }
        let suffix = unit == .percent ? "%" : ""
        switch relation ?? .equal {
        case .lessThan: return "< \(number)\(suffix)"
        case .greaterThan: return "> \(number)\(suffix)"
        case .equal: return (rounding == .approximate ? "about " : "") + number + suffix
        }
    }

    /// The set of true values this printed figure stands for.
    public var interval: FigureInterval {
        switch relation ?? .equal {
        case .lessThan: return FigureInterval(lower: 0, upper: value, lowerClosed: true, upperClosed: false)
        case .greaterThan: return FigureInterval(lower: value, upper: .infinity, lowerClosed: false, upperClosed: false)
        case .equal: break
        }
        switch rounding {
        case .integer: return FigureInterval(lower: value - 0.5, upper: value + 0.5, lowerClosed: true, upperClosed: false)
        case .oneDecimal: return FigureInterval(lower: value - 0.05, upper: value + 0.05, lowerClosed: true, upperClosed: false)
        case .approximate:
            let t = tolerance ?? 0
            return FigureInterval(lower: value - t, upper: value + t, lowerClosed: true, upperClosed: true)
        case .exact: return FigureInterval(lower: value, upper: value, lowerClosed: true, upperClosed: true)
        }
    }

    func validate(claim id: String) throws(BarometerError) {
        guard value.isFinite else { throw .invalidClaim(claim: id, field: "figure.value", reason: "not a finite number") }
        switch rounding {
        case .integer:
            guard value == value.rounded() else {
                throw .invalidClaim(claim: id, field: "figure.rounding", reason: "'integer' rounding but the value \(value) has decimals")
            }
        case .oneDecimal:
            let tenths = value * 10
            guard Swift.abs(tenths - tenths.rounded()) < 1e-9 else {
                throw .invalidClaim(claim: id, field: "figure.rounding", reason: "'one-decimal' rounding but the value \(value) has more than one decimal")
            }
        case .approximate:
            guard let t = tolerance, t.isFinite, t > 0 else {
                throw .invalidClaim(claim: id, field: "figure.tolerance", reason: "an 'approximate' figure needs a positive tolerance")
            }
        case .exact: break
        }
        if unit == .percent, !(0...100).contains(value) {
            throw .invalidClaim(claim: id, field: "figure.value", reason: "a percent must lie in 0...100, found \(value)")
        }
        if unit == .correlation, !(-1...1).contains(value) {
            throw .invalidClaim(claim: id, field: "figure.value", reason: "a correlation must lie in -1...1, found \(value)")
        }
        if unit == .count, !(0...Self.maximumCount).contains(value) {
            throw .invalidClaim(claim: id, field: "figure.value",
                                reason: "a count must lie in 0...\(NumberFormat.fixed(Self.maximumCount, 0)) (2^53, the largest exact whole number), found \(value)")
        }
        if let t = tolerance, !(t.isFinite && t >= 0 && t <= Self.maximumCount) {
            throw .invalidClaim(claim: id, field: "figure.tolerance", reason: "must be a finite non-negative number, found \(t)")
        }
    }

    /// Largest published count accepted (2^53: every whole number up to it is exact in a `Double`).
    public static let maximumCount: Double = 9_007_199_254_740_992

    /// Units a figure of a claim of `kind` may have: shares (marginal,
    /// collapsed, conditional, multiple-response) and group differences are
    /// percents; correlations are correlations; published-only and
    /// published-trend figures (no recomputation) may be any unit.
    static func allowedUnits(for kind: ClaimComputation.Kind) -> [Unit] {
        switch kind {
        case .marginalShare, .collapsedShare, .conditionalShare, .multipleResponse, .groupDifference: return [.percent]
        case .correlation, .partialCorrelation: return [.correlation]
        case .publishedTrend, .publishedOnly: return Unit.allCases
        case .regression: return []         // sign claims only (Claim.validate says so first)
        }
    }

    /// Checks that this figure's unit fits a claim of `kind` (see ``allowedUnits(for:)``).
    func validate(claim id: String, kind: ClaimComputation.Kind) throws(BarometerError) {
        let allowed = Self.allowedUnits(for: kind)
        guard allowed.contains(unit) else {
            throw .invalidClaim(claim: id, field: "figure.unit",
                                reason: "a '\(kind.rawValue)' claim publishes a \(allowed.map(\.rawValue).joined(separator: " or ")), not a \(unit.rawValue)")
        }
        try validate(claim: id)
    }
}
