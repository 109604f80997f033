/// The storage type of a CSV column: numbers (`Double`, NaN = system-missing)
/// or text.
public enum CSVColumnType: String, Sendable, Codable, CaseIterable {
    case numeric
    case string
}
