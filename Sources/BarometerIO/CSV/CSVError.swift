/// A CSV file that cannot be read or does not follow RFC 4180 and the
/// reader's typing rules. Every case that concerns the file's content
/// carries a ``CSVPosition``, so the message reads
/// `line N, column M ('name'): …`.
public enum CSVError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file does not exist.
    case fileNotFound(path: String)
    /// The file exists but cannot be opened or read (permissions, a directory, an I/O error).
    case unreadable(path: String, reason: String)
    /// The file is empty (or holds only a byte-order mark and blank lines): no header row.
    case noHeader
    /// A header field is empty (after trimming spaces).
    case emptyHeaderName(CSVPosition)
    /// A header name occurs twice; `firstColumn` is where it first occurs.
    case duplicateHeaderName(CSVPosition, firstColumn: Int)
    /// A record has more fields than the header; the position is the first extra field.
    case tooManyFields(CSVPosition, expected: Int)
    /// A record has fewer fields than the header; the position is the first missing column.
    case tooFewFields(CSVPosition, expected: Int, actual: Int)
    /// A value in a numeric column is neither a number, empty, nor a missing token.
    case nonNumeric(CSVPosition, value: String)
    /// A quoted field is still open at the end of the file; the position is its opening quote.
    case unterminatedQuote(CSVPosition)
    /// A double quote inside an unquoted field (RFC 4180 requires such a field to be quoted).
    case strayQuote(CSVPosition)
    /// Something other than a delimiter or line end follows a closing quote.
    case unexpectedAfterQuote(CSVPosition, character: String)
    /// A header name or a string cell is not valid UTF-8.
    case invalidUTF8(CSVPosition)
    /// The reader's options are invalid (chunk size, delimiter).
    case invalidOptions(String)
    /// A NUL byte in a header name or a string cell (binary data, or a UTF-16
    /// file read as UTF-8), which the reader does not accept silently.
    case nulByte(CSVPosition)

    public var description: String {
        switch self {
        case .fileNotFound(let p): return "CSV file not found: \(p)"
        case .unreadable(let p, let r): return "cannot read CSV file \(p): \(r)"
        case .noHeader: return "line 1, column 1: empty file: no header row"
        case .emptyHeaderName(let at): return "\(at): empty header name"
        case .duplicateHeaderName(let at, let first):
            return "\(at): duplicate header name (first used in column \(first))"
        case .tooManyFields(let at, let n):
            return "\(at): too many fields: the header has \(n) column\(n == 1 ? "" : "s")"
        case .tooFewFields(let at, let n, let got):
            return "\(at): too few fields: \(got) of \(n)"
        case .nonNumeric(let at, let v):
            return "\(at): non-numeric value '\(v)' in a numeric column"
        case .unterminatedQuote(let at): return "\(at): quoted field not terminated before the end of the file"
        case .strayQuote(let at): return "\(at): stray double quote in an unquoted field (quote the whole field and double the quote)"
        case .unexpectedAfterQuote(let at, let c):
            return "\(at): unexpected '\(c)' after a closing quote (expected a delimiter or a line end)"
        case .invalidUTF8(let at): return "\(at): invalid UTF-8"
        case .invalidOptions(let s): return "invalid CSV options: \(s)"
        case .nulByte(let at): return "\(at): NUL byte in a text field (binary data, or a UTF-16 file? save the file as UTF-8 text)"
        }
    }
}
