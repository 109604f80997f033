/// One correlation with its inference, in the manner of R `survey`
/// estimators: value, standard error, confidence interval, test.
///
/// - `standardError` is `√((1 − r²)/df)` (the t test's SE; Pearson and
///   Spearman) or the asymptotic SE of τ_b under independence (Kendall) or the
///   observed-information SE (polychoric).
/// - `pValue` is two-sided: t test with `df = n − 2 − |Z|` (Pearson, Spearman,
///   partial), normal z test (Kendall τ_b, scipy's asymptotic variance),
///   Wald z (polychoric).
/// - The interval is Fisher's z: `tanh(atanh r ± z_{1−α/2} / √(n − 3 − |Z|))`.
/// - `n` is the number of rows used; `testSize` is the n entering the tests
///   (rows; Kish n_eff or Σw when weighted, see ``WeightSemantics``).
public struct CorrelationEstimate: Sendable, Codable, Equatable {
    /// The first variable of the pair.
    public let x: String
    /// The second variable of the pair.
    public let y: String
    /// The variables partialled out (empty for a zero-order correlation).
    public let controls: [String]
    /// Pearson, Spearman, Kendall τ_b or polychoric.
    public let method: CorrelationMethod
    /// Zero-order, partial or semi-partial.
    public let kind: CorrelationKind
    /// The coefficient, nil when undefined (no complete rows, constant within the pair).
    public let r: Double?
    /// Rows used (complete on the pair and the controls).
    public let n: Int
    /// The n entering the tests: rows, Kish n_eff (probability weights) or Σw (frequency weights).
    public let testSize: Double
    /// The t test's df, `testSize − 2 − |controls|`; nil for the z tests (Kendall, polychoric).
    public let degreesOfFreedom: Double?
    /// The standard error described above; nil when undefined (|r| = 1, too few rows).
    public let standardError: Double?
    /// Two-sided p-value of r = 0; nil when undefined.
    public let pValue: Double?
    /// The p-value after the matrix's multiplicity adjustment (nil without one).
    public let adjustedPValue: Double?
    /// Lower end of the Fisher-z interval (the observed-information Wald interval for polychoric).
    public let lower: Double?
    /// Upper end of the interval.
    public let upper: Double?
    /// The interval's level, e.g. 0.95.
    public let confidenceLevel: Double
    /// The deletion rule, missing-value handling, weighting and base.
    public let rule: String
    /// Whether a partial correlation used the flagged pseudo-inverse of a near-singular Σ
    /// (``SingularityPolicy``) instead of a Cholesky factor.
    public let usedPseudoInverse: Bool
}
