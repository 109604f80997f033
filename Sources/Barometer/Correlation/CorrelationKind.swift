/// Which association a correlation result holds.
public enum CorrelationKind: String, Sendable, Codable {
    /// Ordinary (zero-order) correlations.
    case zeroOrder
    /// Partial correlations of each pair given the listed controls Z
    /// (Schur complement `Σ_AA − Σ_AZ Σ_ZZ⁻¹ Σ_ZA`).
    case partial
    /// Each pair given all the other variables (from the precision matrix).
    case partialGivenOthers
    /// Semi-partial (part) correlation: the controls removed from x only.
    case semipartialX
    /// Semi-partial (part) correlation: the controls removed from y only.
    case semipartialY
}
