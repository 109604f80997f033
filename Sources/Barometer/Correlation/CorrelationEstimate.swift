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
    public let x: String
    public let y: String
    public let controls: [String]
    public let method: CorrelationMethod
    public let kind: CorrelationKind
    /// The coefficient, nil when undefined (no complete rows, constant within the pair).
    public let r: Double?
    public let n: Int
    public let testSize: Double
    public let degreesOfFreedom: Double?
    public let standardError: Double?
    public let pValue: Double?
    public let adjustedPValue: Double?
    public let lower: Double?
    public let upper: Double?
    public let confidenceLevel: Double
    /// The deletion rule, missing-value handling, weighting and base.
    public let rule: String
    public let usedPseudoInverse: Bool
}
