/// The storage type of a CSV column: numbers (`Double`, NaN = system-missing)
/// or text.
public enum CSVColumnType: String, Sendable, Codable, CaseIterable {
    /// Numbers: every non-missing cell parses as a `Double`; empty cells and missing tokens are NaN.
    case numeric
    /// Text, kept verbatim (missing tokens included).
    case string
}
