/// Settings of a correlation analysis. The defaults are Pearson, listwise
/// deletion, user-missing codes ("Don't know", "Refused") excluded,
/// probability weights, 95 % intervals and no multiplicity adjustment.
public struct CorrelationOptions: Sendable {
    /// The coefficient.
    public var method: CorrelationMethod
    /// Listwise or pairwise deletion.
    public var missing: MissingDataRule
    /// Whether user-missing codes are excluded (default) or used as numbers.
    /// System-missing (NaN) is always excluded.
    public var excludeUserMissing: Bool
    /// Which n enters the tests for a weighted design.
    public var weightSemantics: WeightSemantics
    /// Confidence level of the Fisher-z intervals.
    public var confidenceLevel: Double
    /// Multiplicity adjustment over the matrix's distinct pairs.
    public var adjustment: PValueAdjustment
    /// Singular covariance matrices in partial correlations: error or pseudo-inverse.
    public var singularity: SingularityPolicy
    /// Condition-number threshold (of the correlation-scaled matrix) above
    /// which a matrix counts as singular; default 1e12.
    public var conditionLimit: Double
    /// Restrict the analysis to a domain (rows outside it are not used).
    public var domain: Domain?
    /// Polychoric only: two-step (default, as R `polycor::polychor`/`hetcor`)
    /// or joint ML of ρ and the thresholds (`ML = TRUE`).
    public var polychoricEstimator: PolychoricEstimator

    /// - Parameters:
    ///   - method: The coefficient (default Pearson).
    ///   - missing: Listwise (default) or pairwise deletion.
    ///   - excludeUserMissing: Whether user-missing codes are excluded (default) or used as numbers.
    ///   - weightSemantics: Which n enters the tests for a weighted design (default probability weights).
    ///   - confidenceLevel: Confidence level of the Fisher-z intervals (default 0.95).
    ///   - adjustment: Multiplicity adjustment over the distinct pairs (default none).
    ///   - singularity: Error (default) or pseudo-inverse for singular matrices in partial correlations.
    ///   - conditionLimit: Condition number above which a matrix counts as singular (default 1e12).
    ///   - domain: Domain the analysis is restricted to (nil: all rows).
    ///   - polychoricEstimator: Two-step (default) or joint ML, for polychoric correlations.
    public init(method: CorrelationMethod = .pearson, missing: MissingDataRule = .listwise,
                excludeUserMissing: Bool = true, weightSemantics: WeightSemantics = .probability,
                confidenceLevel: Double = 0.95, adjustment: PValueAdjustment = .none,
                singularity: SingularityPolicy = .error, conditionLimit: Double = 1e12, domain: Domain? = nil,
                polychoricEstimator: PolychoricEstimator = .twoStep) {
        self.method = method
        self.missing = missing
        self.excludeUserMissing = excludeUserMissing
        self.weightSemantics = weightSemantics
        self.confidenceLevel = confidenceLevel
        self.adjustment = adjustment
        self.singularity = singularity
        self.conditionLimit = conditionLimit
        self.domain = domain
        self.polychoricEstimator = polychoricEstimator
    }
}
