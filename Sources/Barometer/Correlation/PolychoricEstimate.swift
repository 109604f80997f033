/// A polychoric (tetrachoric for 2 × 2) correlation from ``Polychoric``.
public struct PolychoricEstimate: Sendable, Codable, Equatable {
    /// The maximum-likelihood ρ (two-step: thresholds fixed at their marginal estimates).
    public let rho: Double
    /// `1/√I(ρ̂)`, I the observed information `−∂²ℓ/∂ρ²` of the table total `n`.
    public let standardError: Double
    /// Row thresholds `Φ⁻¹(cumulative row proportions)`, r − 1 of them.
    public let rowThresholds: [Double]
    /// Column thresholds, c − 1 of them.
    public let columnThresholds: [Double]
    /// ℓ(ρ̂) = Σ n_ij log π_ij(ρ̂).
    public let logLikelihood: Double
    /// ∂ℓ/∂ρ at ρ̂ (≈ 0: the convergence check).
    public let gradient: Double
    /// The interval that brackets the maximum: ∂ℓ/∂ρ > 0 at its left end and < 0 at its right end.
    public let bracket: [Double]
    /// Total of the table used in the likelihood (rows, or the weighted total rescaled to the test n).
    public let n: Double
    /// Categories kept (empty rows and columns are dropped): rows × columns.
    public let tableShape: [Int]
}
