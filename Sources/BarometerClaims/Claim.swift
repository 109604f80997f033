import Barometer
/// One quantitative statement of a memo: where it appears, what it says,
/// the published figure, how to recompute it, and the rule that decides
/// whether the recomputation confirms it.
public struct Claim: Sendable, Codable, Equatable {
    /// How the verdict is decided.
    public enum VerdictRule: String, Sendable, Codable, CaseIterable {
        /// The recomputed value lies in the figure's rounding interval
        /// (``PublishedFigure/interval``).
        case roundingInterval = "rounding-interval"
        /// The figure's rounding interval meets the estimate's 95% CI.
        case confidenceInterval = "confidence-interval"
        /// The recomputed coefficient has ``Claim/expectedSign``.
        case sign
        /// The recomputed coefficient has ``Claim/expectedSign`` and its whole
        /// 95% confidence interval lies on that side of zero (a sign that the
        /// data distinguish from no association).
        case signCI = "sign-ci"
        /// Published-trend / published-only claims: nothing to recompute;
        /// checked for internal consistency only.
        case notRecomputable = "not-recomputable"
        /// A `group-difference` claim that two groups do not differ by more
        /// than ``Claim/margin`` (percentage points): two one-sided t tests
        /// at 5% (Schuirmann's TOST), i.e. pass when the 90% CI of the
        /// difference lies inside (−margin, +margin).
        case equivalence
        /// A `group-difference` claim that two groups differ: pass when the
        /// 95% CI of the difference excludes 0 (two-sided t test at 5%) and,
        /// with ``Claim/expectedSign``, lies on that side.
        case difference
    }

    /// Expected sign of a coefficient.
    public enum Sign: String, Sendable, Codable, CaseIterable {
        /// `positive`: the coefficient should be > 0; `negative`: < 0.
        case positive, negative
    }

    /// Unique id within the file (lowercase letters, digits, `.`, `_`, `-`).
    public var id: String
    /// Memo title and table or paragraph.
    public var location: ClaimLocation
    /// The statement in our own words.
    public var statement: String
    /// The published figure; nil for a sign-only claim.
    public var figure: PublishedFigure?
    /// How to recompute it.
    public var computation: ClaimComputation
    /// The verdict rule.
    public var verdict: VerdictRule
    /// For ``VerdictRule/sign``.
    public var expectedSign: Sign?
    /// Our reading of the wording, the base, assumptions.
    public var note: String?
    /// For ``VerdictRule/equivalence``: the largest difference, in
    /// percentage points, that still counts as "no difference" (> 0, ≤ 100).
    public var margin: Double?

    /// - Parameters:
    ///   - id: Unique id within the file (lowercase letters, digits, `.`, `_`, `-`).
    ///   - location: Memo title and table or paragraph.
    ///   - statement: The statement in our own words.
    ///   - figure: The published figure; nil for a sign-only claim.
    ///   - computation: How to recompute it.
    ///   - verdict: The verdict rule.
    ///   - expectedSign: The expected sign, for ``VerdictRule/sign``.
    ///   - note: Our reading of the wording, the base, assumptions.
    ///   - margin: Equivalence margin in percentage points (verdict ``VerdictRule/equivalence`` only).
    public init(id: String, location: ClaimLocation, statement: String, figure: PublishedFigure?,
                computation: ClaimComputation, verdict: VerdictRule, expectedSign: Sign? = nil, note: String? = nil,
                margin: Double? = nil) {
        self.margin = margin
        self.id = id
        self.location = location
        self.statement = statement
        self.figure = figure
        self.computation = computation
        self.verdict = verdict
        self.expectedSign = expectedSign
        self.note = note
    }

    /// Whether `s` is a valid claim, check or memo id.
    public static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, ("a"..."z").contains(first) || ("0"..."9").contains(first) else { return false }
        return s.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "." || $0 == "_" || $0 == "-" }
    }

    /// Semantic validation of this claim.
    /// - Throws: `BarometerError/invalidClaim(claim:field:reason:)`.
    public func validate() throws(BarometerError) {
        guard Self.isIdentifier(id) else {
            throw .invalidClaim(claim: id, field: "id", reason: "ids are lowercase letters, digits, '.', '_' and '-'")
        }
        guard !statement.isEmpty else { throw .invalidClaim(claim: id, field: "statement", reason: "empty") }
        guard !location.memo.isEmpty else { throw .invalidClaim(claim: id, field: "location.memo", reason: "empty") }
        guard !location.part.isEmpty else { throw .invalidClaim(claim: id, field: "location.part", reason: "empty") }
        try computation.validate(claim: id)
        let kind = computation.kind
        if kind == .regression, figure != nil {
            throw .invalidClaim(claim: id, field: "figure",
                                reason: "a 'regression' claim states a coefficient's sign: use verdict 'sign' or 'sign-ci' without a figure")
        }
        try figure?.validate(claim: id, kind: kind)
        if margin != nil && verdict != .equivalence {
            throw .invalidClaim(claim: id, field: "margin", reason: "a margin applies to verdict 'equivalence' only")
        }
        switch verdict {
        case .roundingInterval, .confidenceInterval:
            guard figure != nil else {
                throw .invalidClaim(claim: id, field: "figure", reason: "verdict '\(verdict.rawValue)' needs a published figure")
            }
            guard kind.isRecomputable else {
                throw .invalidClaim(claim: id, field: "verdict", reason: "a '\(kind.rawValue)' claim cannot be recomputed; use 'not-recomputable'")
            }
        case .sign, .signCI:
            guard expectedSign != nil else {
                throw .invalidClaim(claim: id, field: "expectedSign", reason: "verdict '\(verdict.rawValue)' needs 'positive' or 'negative'")
            }
            guard [.correlation, .partialCorrelation, .groupDifference, .regression].contains(kind) else {
                throw .invalidClaim(claim: id, field: "verdict", reason: "verdict '\(verdict.rawValue)' fits correlations, differences and regression coefficients, not '\(kind.rawValue)'")
            }
        case .equivalence, .difference:
            guard kind == .groupDifference else {
                throw .invalidClaim(claim: id, field: "verdict", reason: "verdict '\(verdict.rawValue)' fits 'group-difference' claims, not '\(kind.rawValue)'")
            }
            if verdict == .equivalence {
                guard let m = margin else {
                    throw .invalidClaim(claim: id, field: "margin", reason: "verdict 'equivalence' needs a margin in percentage points")
                }
                guard m.isFinite, m > 0, m <= 100 else {
                    throw .invalidClaim(claim: id, field: "margin", reason: "the margin must be a number of percentage points in (0, 100], found \(m)")
                }
                guard expectedSign == nil else {
                    throw .invalidClaim(claim: id, field: "expectedSign", reason: "an equivalence claim has no expected sign")
                }
            }
        case .notRecomputable:
            guard !kind.isRecomputable else {
                throw .invalidClaim(claim: id, field: "verdict", reason: "a '\(kind.rawValue)' claim is recomputable; 'not-recomputable' is for published-trend and published-only claims")
            }
        }
    }

    func mapped(by m: ClaimMapping) -> Claim {
        var c = self
        c.computation = computation.mapped(by: m)
        return c
    }
}
