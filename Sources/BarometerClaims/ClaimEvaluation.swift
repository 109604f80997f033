import Barometer
/// The verdict on one claim: published figure, recomputed estimate (with CI
/// when available) and status.
public struct ClaimEvaluation: Sendable, Codable, Equatable {
    /// Outcome of a claim.
    public enum Status: String, Sendable, Codable, CaseIterable {
        /// The recomputed figure satisfies the verdict rule.
        case pass
        /// It does not.
        case fail
        /// The engine for this computation is not available yet.
        case notYetComputable = "not-yet-computable"
        /// A published-trend / published-only claim: nothing to recompute.
        case notRecomputable = "not-recomputable"
        /// The computation failed on this data (unknown variable, empty base…).
        case error
    }

    /// Claim id.
    public let id: String
    /// The claim's statement.
    public let statement: String
    /// The published figure as printed (or the expected sign).
    public let published: String
    /// The set of values the published figure stands for.
    public let publishedInterval: FigureInterval?
    /// Verdict rule applied.
    public let rule: Claim.VerdictRule
    /// The recomputed estimate, when computed.
    public let estimate: ClaimEstimate?
    /// Outcome.
    public let status: Status
    /// Why (the rule's arithmetic, the missing engine, the error).
    public let detail: String

    /// - Parameters:
    ///   - id: Claim id.
    ///   - statement: The claim's statement.
    ///   - published: The published figure as printed (or the expected sign).
    ///   - publishedInterval: The set of values the published figure stands for.
    ///   - rule: Verdict rule applied.
    ///   - estimate: The recomputed estimate, when computed.
    ///   - status: Outcome.
    ///   - detail: Why (the rule's arithmetic, the missing engine, the error).
    public init(id: String, statement: String, published: String, publishedInterval: FigureInterval?,
                rule: Claim.VerdictRule, estimate: ClaimEstimate?, status: Status, detail: String) {
        self.id = id
        self.statement = statement
        self.published = published
        self.publishedInterval = publishedInterval
        self.rule = rule
        self.estimate = estimate
        self.status = status
        self.detail = detail
    }
}
