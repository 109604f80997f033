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
        /// Published-trend / published-only claims: nothing to recompute;
        /// checked for internal consistency only.
        case notRecomputable = "not-recomputable"
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

    /// - Parameters:
    ///   - id: Unique id within the file (lowercase letters, digits, `.`, `_`, `-`).
    ///   - location: Memo title and table or paragraph.
    ///   - statement: The statement in our own words.
    ///   - figure: The published figure; nil for a sign-only claim.
    ///   - computation: How to recompute it.
    ///   - verdict: The verdict rule.
    ///   - expectedSign: The expected sign, for ``VerdictRule/sign``.
    ///   - note: Our reading of the wording, the base, assumptions.
    public init(id: String, location: ClaimLocation, statement: String, figure: PublishedFigure?,
                computation: ClaimComputation, verdict: VerdictRule, expectedSign: Sign? = nil, note: String? = nil) {
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
        try figure?.validate(claim: id, kind: computation.kind)
        let kind = computation.kind
        switch verdict {
        case .roundingInterval, .confidenceInterval:
            guard figure != nil else {
                throw .invalidClaim(claim: id, field: "figure", reason: "verdict '\(verdict.rawValue)' needs a published figure")
            }
            guard kind.isRecomputable else {
                throw .invalidClaim(claim: id, field: "verdict", reason: "a '\(kind.rawValue)' claim cannot be recomputed; use 'not-recomputable'")
            }
        case .sign:
            guard expectedSign != nil else {
                throw .invalidClaim(claim: id, field: "expectedSign", reason: "verdict 'sign' needs 'positive' or 'negative'")
            }
            guard [.correlation, .partialCorrelation, .groupDifference].contains(kind) else {
                throw .invalidClaim(claim: id, field: "verdict", reason: "verdict 'sign' fits correlations and differences, not '\(kind.rawValue)'")
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
