/// One design-based estimate: value, standard error, confidence interval
/// with the design's degrees of freedom, and design effects.
public struct DesignEstimate: Sendable, Codable, Equatable {
    /// What is estimated, e.g. `mean(api00)` or `api_stu/enroll`.
    public let name: String
    /// The estimate.
    public let estimate: Double
    /// Its standard error.
    public let standardError: Double
    /// Confidence interval `estimate ± t_{df, 1−α/2} · SE`.
    public let lower: Double
    public let upper: Double
    /// Confidence level, e.g. 0.95.
    public let level: Double
    /// Degrees of freedom of the t quantile (the design's).
    public let degreesOfFreedom: Int
    /// Design effect against simple random sampling without replacement of
    /// the same size (R `deff = TRUE`), when defined.
    public let designEffect: Double?
    /// Design effect against sampling with replacement (R `deff = "replace"`).
    public let designEffectReplace: Double?
    /// Respondents with non-zero weight that entered the estimate.
    public let count: Int
    /// Σw over the rows that entered it.
    public let weightedCount: Double

    /// √deff (Kish's deft), when the design effect is defined.
    public var deft: Double? { designEffect.map { $0.squareRoot() } }
    /// Effective sample size n / deff (with replacement).
    public var effectiveSize: Double? { designEffectReplace.map { Double(count) / $0 } }
}

/// Estimates from one call, with the design and base they refer to.
public struct DesignEstimates: Sendable, Codable, Equatable, TableRepresentable {
    /// `mean`, `total`, `ratio` or `proportion`.
    public let kind: String
    /// The estimates.
    public let estimates: [DesignEstimate]
    /// How variances were computed.
    public let variance: String
    /// The base: domain and missing-data rule.
    public let base: String
    /// The weight variable (nil: unweighted).
    public let weight: String?

    public var textTable: TextTable {
        let rows = estimates.map { e in
            [e.name, NumberFormat.fixed(e.estimate, 4), NumberFormat.fixed(e.standardError, 4),
             NumberFormat.fixed(e.lower, 4), NumberFormat.fixed(e.upper, 4), String(e.degreesOfFreedom),
             NumberFormat.fixed(e.designEffect, 3), NumberFormat.fixed(e.deft, 3), String(e.count)]
        }
        let level = estimates.first.map { NumberFormat.fixed($0.level * 100, 0) } ?? "95"
        return TextTable(title: "Design-based \(kind)",
                         headers: ["Estimate of", "Value", "SE", "\(level)% CI low", "\(level)% CI high", "df", "deff", "deft", "n"],
                         rows: rows,
                         notes: ["Base: \(base).", "Weight: \(weight ?? "none (unweighted)").", "Variance: \(variance).",
                                 kind.contains("correlation")
                                    ? "CI: tanh(atanh r ± t(df)·SE/(1 − r²)) (Fisher z, inside [−1, 1]); SE by the delta method on the design covariance of the moments, or by replicates."
                                    : "CI: estimate ± t(df)·SE; deff against SRS without replacement of the same size (R survey's deff)."])
    }
}
