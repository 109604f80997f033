/// Where something is in a CSV file: a physical line (1-based, the header
/// is line 1, every LF, CRLF or lone CR counts once, including those inside
/// quoted fields) and a field (1-based column), with the column's header
/// name when there is one.
public struct CSVPosition: Sendable, Equatable, CustomStringConvertible {
    /// Physical 1-based line on which the field (or record) starts.
    public var line: Int
    /// 1-based field number within the record.
    public var column: Int
    /// The header name of that column, if known.
    public var name: String?

    /// - Parameters:
    ///   - line: Physical 1-based line on which the field (or record) starts.
    ///   - column: 1-based field number within the record.
    ///   - name: The header name of that column, if known.
    public init(line: Int, column: Int, name: String? = nil) {
        self.line = line
        self.column = column
        self.name = name
    }

    /// `line N, column M ('name')`, or `line N, column M` without a name.
    public var description: String {
        "line \(line), column \(column)" + (name.map { " ('\($0)')" } ?? "")
    }
}
