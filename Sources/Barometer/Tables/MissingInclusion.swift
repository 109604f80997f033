/// Which answers enter a table as categories.
public enum MissingInclusion: String, Sendable, Codable {
    /// Valid codes, then each user-missing code as its own labelled row,
    /// then system-missing (when present).
    case showMissing
    /// Valid codes only; user- and system-missing rows are excluded and
    /// the table's base is the valid answers.
    case excludeMissing
}
