/// The correlation coefficient to compute.
public enum CorrelationMethod: String, Sendable, Codable, CaseIterable {
    /// Pearson's product-moment correlation (weighted: the correlation of the
    /// weighted covariance matrix, as `np.cov(aweights:)` / R `cov.wt`).
    case pearson
    /// Spearman's ρ: Pearson's r of mid-ranks (ties get the average rank).
    /// Weighted: Pearson's weighted r of weighted mid-ranks
    /// `R_i = W(x < x_i) + ½·W(x = x_i)` (the weighted ridit score), which for
    /// unit weights is the average rank minus ½ and so gives the same ρ.
    case spearman
    /// Kendall's τ_b (tie-corrected), Knight's O(n log n) algorithm; unweighted only.
    case kendall
    /// Polychoric correlation of ordinal items (tetrachoric for two binary items):
    /// two-step maximum likelihood on the bivariate normal, thresholds from the margins.
    case polychoric
}
