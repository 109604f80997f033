/// How rows with a missing value (user-missing code or system-missing) are deleted.
public enum MissingDataRule: String, Sendable, Codable {
    /// A row enters only when every analysed variable is valid: one base for the whole matrix.
    case listwise
    /// Each pair uses the rows where both of its variables are valid; the n of
    /// each pair is reported. The matrix need not be positive semi-definite.
    case pairwise
}
