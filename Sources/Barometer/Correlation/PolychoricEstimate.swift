/// How ``Polychoric`` estimates ρ and the thresholds.
public enum PolychoricEstimator: String, Sendable, Codable, CaseIterable {
    /// Thresholds `Φ⁻¹` of the cumulative marginal proportions, then ρ by ML
    /// given them (Olsson 1979; R `polycor::polychor(ML = FALSE)`, the default there and here).
    case twoStep = "two-step"
    /// ρ and all thresholds maximised jointly (R `polycor::polychor(ML = TRUE)`),
    /// standard errors of all of them from the inverse observed information.
    case maximumLikelihood = "ml"
}

/// A polychoric (tetrachoric for 2 × 2) correlation from ``Polychoric``.
public struct PolychoricEstimate: Sendable, Codable, Equatable {
    /// The maximum-likelihood ρ (two-step: thresholds fixed at their marginal estimates).
    public let rho: Double
    /// `1/√I(ρ̂)`, I the observed information `−∂²ℓ/∂ρ²` of the table total `n`
    /// (two-step, thresholds treated as known, as polycor); joint ML: `√V₁₁`,
    /// `V = (−∇²ℓ)⁻¹` over ρ and the thresholds (polycor's `sqrt(diag(var))[1]`).
    public let standardError: Double
    /// Row thresholds, r − 1 of them (two-step: `Φ⁻¹(cumulative row proportions)`).
    public let rowThresholds: [Double]
    /// Column thresholds, c − 1 of them.
    public let columnThresholds: [Double]
    /// ℓ(ρ̂) = Σ n_ij log π_ij(ρ̂).
    public let logLikelihood: Double
    /// ∂ℓ/∂ρ at ρ̂ (≈ 0: the convergence check).
    public let gradient: Double
    /// The interval that brackets the maximum in ρ (thresholds held at their
    /// estimates): ∂ℓ/∂ρ > 0 at its left end and < 0 at its right end.
    public let bracket: [Double]
    /// Total of the table used in the likelihood (rows, or the weighted total rescaled to the test n).
    public let n: Double
    /// Categories kept (empty rows and columns are dropped): rows × columns.
    public let tableShape: [Int]
    /// Two-step or joint ML.
    public var estimator: PolychoricEstimator = .twoStep
    /// Standard errors of ``rowThresholds`` (joint ML; nil for two-step, as
    /// polycor prints none there).
    public var rowThresholdStandardErrors: [Double]? = nil
    /// Standard errors of ``columnThresholds`` (joint ML).
    public var columnThresholdStandardErrors: [Double]? = nil
    /// Joint ML: `V = (−∇²ℓ)⁻¹`, the inverse observed information over
    /// (ρ, row thresholds, column thresholds) in that order (polycor's `var`).
    public var covariance: [[Double]]? = nil
    /// Largest |∂ℓ/∂θ| over the parameters estimated (ρ; joint ML: ρ and the
    /// thresholds) at the estimate: the enforced gradient-norm check.
    public var gradientMaxNorm: Double = 0
    /// Newton iterations of the joint ML (nil for two-step).
    public var iterations: Int? = nil
    /// Test of bivariate normality, likelihood ratio: `G² = 2 Σ n_ij log(n_ij / n π̂_ij)`
    /// on df = rc − r − c (polycor's "Test of bivariate normality"; polycor adds
    /// 1e-6 to each cell inside the log, which shifts its figure by about
    /// 2e-6 per non-empty cell). Nil for a 2 × 2 table (df = 0).
    public var likelihoodRatioTest: ChiSquareTest? = nil
    /// Test of bivariate normality, Pearson `X² = Σ (n_ij − n π̂_ij)² / n π̂_ij`, same df.
    public var pearsonTest: ChiSquareTest? = nil
}

/// One pair of a polychoric ``CorrelationMatrix``: the full ``PolychoricEstimate``
/// (thresholds, their SEs under joint ML, the bivariate-normality tests) with
/// the categories its rows and columns are (empty categories dropped), so
/// threshold k lies between category k and k + 1 (as polycor's printout).
public struct PolychoricPair: Sendable, Codable, Equatable {
    /// Row variable.
    public let x: String
    /// Column variable.
    public let y: String
    /// The categories of `x` kept in the table, in order.
    public let rowCategories: [Category]
    /// The categories of `y` kept in the table, in order.
    public let columnCategories: [Category]
    /// The estimate.
    public let estimate: PolychoricEstimate
}
