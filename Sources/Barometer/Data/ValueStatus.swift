/// How a single value counts in an analysis.
///
/// User-missing codes ("Don't know", "Refused") and system-missing (an
/// empty cell, NaN) are kept apart so that tables can show them as their
/// own rows and every analysis can state which it excluded.
public enum ValueStatus: String, Sendable, Codable {
    /// A substantive answer.
    case valid
    /// A code declared missing by the codebook (e.g. 8 "Don't know").
    case userMissing
    /// No value at all (empty cell or NaN).
    case systemMissing
}
