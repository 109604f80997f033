import Barometer
/// Every claim of a memo evaluated on one dataset: the replication table
/// (claim, published, recomputed, 95% CI, verdict).
public struct ClaimEvaluationReport: Sendable, Codable, Equatable, TableRepresentable {
    /// Memo id.
    public let memo: String
    /// Memo title.
    public let title: String
    /// Weight variable of the design, nil when unweighted.
    public let weight: String?
    /// Respondents in the dataset.
    public let respondents: Int
    /// One evaluation per claim, in file order.
    public let evaluations: [ClaimEvaluation]
    /// Where the data comes from (e.g. "SYNTHETIC fixture survey …"),
    /// printed first among the table's notes when set.
    public var dataSource: String?

    /// - Parameters:
    ///   - memo: Memo id.
    ///   - title: Memo title.
    ///   - weight: Weight variable of the design, nil when unweighted.
    ///   - respondents: Respondents in the dataset.
    ///   - evaluations: One evaluation per claim, in file order.
    public init(memo: String, title: String, weight: String?, respondents: Int, evaluations: [ClaimEvaluation]) {
        self.memo = memo
        self.title = title
        self.weight = weight
        self.respondents = respondents
        self.evaluations = evaluations
    }

    /// The evaluation of claim `id`.
    public func evaluation(_ id: String) -> ClaimEvaluation? { evaluations.first { $0.id == id } }

    /// Claims with status `status`.
    public func claims(_ status: ClaimEvaluation.Status) -> [ClaimEvaluation] { evaluations.filter { $0.status == status } }

    /// Whether any claim failed or could not be computed because of an error.
    public var hasFailures: Bool { evaluations.contains { $0.status == .fail || $0.status == .error } }

    public var textTable: TextTable {
        let rows = evaluations.map { e -> [String] in
            let digits = e.rule == .sign || e.rule == .signCI ? 3 : 2
            return [e.id, e.published,
                    e.estimate.map { NumberFormat.fixed($0.value, digits) } ?? "",
                    e.estimate?.confidenceInterval.map { "\(NumberFormat.fixed($0.lower, digits)) to \(NumberFormat.fixed($0.upper, digits))" } ?? "",
                    e.status.rawValue]
        }
        var counts: [String] = []
        for s in ClaimEvaluation.Status.allCases {
            let k = claims(s).count
            if k > 0 { counts.append("\(k) \(s.rawValue)") }
        }
        let notes = (dataSource.map { [$0] } ?? []) + [
            "Dataset: \(respondents) respondents; " + (weight.map { "weighted by \($0)." } ?? "unweighted."),
            "Shares: weighted percent over every respondent in the (domain and) base, Don't know/Refused included unless the claim says 'valid'; design SE by linearization or replicates, 95% CI logit (R svyciprop) with the design's degrees of freedom.",
            "Verdicts: " + counts.joined(separator: ", ") + ".",
        ] + (evaluations.contains { $0.estimate?.base.hasPrefix(RegressionClaimEngine.basePrefix) == true }
             ? ["Regression claims: the coefficient of a design-based GLM (R svyglm; log-odds for logit links), listwise on the model's variables; 95% CI β ± t(df)·SE with the design-based (sandwich) SE and svyglm's residual df."]
             : []) + evaluations.filter { $0.status == .fail || $0.status == .error }.map { "\($0.id): \($0.detail)" }
        return TextTable(title: "Claims of \(title)", headers: ["Claim", "Published", "Recomputed", "95% CI", "Verdict"],
                         alignments: [.left, .right, .right, .right, .left], rows: rows, notes: notes)
    }
}
