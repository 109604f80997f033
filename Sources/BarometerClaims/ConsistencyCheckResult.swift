import Barometer
/// The outcome of one ``ConsistencyCheck``: consistent or not, the interval
/// computed from the rounded figures, and an explanation when it fails.
public struct ConsistencyCheckResult: Sendable, Codable, Equatable {
    /// Check id.
    public let id: String
    /// Check kind.
    public let kind: ConsistencyCheck.Kind
    /// What was checked.
    public let description: String
    /// Whether the published figures can all be true at once.
    public let consistent: Bool
    /// The published figures involved, as printed.
    public let published: String
    /// The computed interval (sum of parts; the meeting of two statements),
    /// when the check has one.
    public let interval: FigureInterval?
    /// `repercentaged`: the interval of `100 · part / denominator`, per row.
    public let rowIntervals: [FigureInterval]?
    /// `at-most-100`: the interval left for the answers not published (`100 − Σ`, clipped at 0).
    public let residual: FigureInterval?
    /// The arithmetic, in words.
    public let detail: String
    /// A possible cause, when inconsistent and the claim file gives one.
    public let explanation: String?

    /// Each parameter sets the property of the same name.
    public init(id: String, kind: ConsistencyCheck.Kind, description: String, consistent: Bool, published: String,
                interval: FigureInterval?, rowIntervals: [FigureInterval]? = nil, residual: FigureInterval? = nil,
                detail: String, explanation: String?) {
        self.id = id
        self.kind = kind
        self.description = description
        self.consistent = consistent
        self.published = published
        self.interval = interval
        self.rowIntervals = rowIntervals
        self.residual = residual
        self.detail = detail
        self.explanation = explanation
    }
}
