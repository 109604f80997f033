/// What survey weights mean for inference. Point estimates are the same
/// either way; only the sample size entering t tests and confidence
/// intervals differs.
public enum WeightSemantics: String, Sendable, Codable {
    /// Sampling (probability) weights: tests use Kish's effective size
    /// `n_eff = (Σw)² / Σw²` of the rows used (for unit weights this is n).
    case probability
    /// Frequency weights (a row stands for w identical respondents): tests use Σw.
    case frequency
}
