/// What to do when the covariance matrix behind a partial correlation is
/// singular or numerically so (condition number above the threshold).
public enum SingularityPolicy: String, Sendable, Codable {
    /// Throw ``BarometerError/singularMatrix(variables:conditionNumber:)`` naming the collinear variables.
    case error
    /// Use the Moore-Penrose pseudo-inverse (eigenvalues below the tolerance
    /// dropped); the result is flagged ``CorrelationMatrix/usedPseudoInverse``.
    case pseudoInverse
}
