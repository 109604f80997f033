/// A JSON codebook that cannot be read, does not follow
/// `Fixtures/codebook.schema.json`, or does not fit the CSV it describes.
/// `at` is the JSON path of the offending value, e.g. `variables[2].level`.
public enum CodebookError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The codebook file cannot be read.
    case unreadable(path: String, reason: String)
    /// Not valid JSON, or a value of the wrong type; `at` is the JSON path.
    case invalidJSON(at: String, message: String)
    /// A key the schema does not define (caught so that typos do not pass silently).
    case unknownKey(String, at: String)
    /// A codebook variable that is not a column of the CSV header.
    case unknownVariable(String, suggestions: [String])
    /// The codebook describes the same variable twice.
    case duplicateVariable(String)
    /// The `weight` is not a column of the CSV header.
    case unknownWeight(String, suggestions: [String])
    /// The `weight` names a string column.
    case weightNotNumeric(String)
    /// A value-label key that is not a number (keys are codes written as JSON strings).
    case invalidValueLabelKey(variable: String, key: String)
    /// A missing range that is not `[low, high]` with finite `low ≤ high`.
    case invalidMissingRange(variable: String, range: [Double])
    /// Value labels or missing codes given for a string variable.
    case codesOnStringVariable(String)

    public var description: String {
        func did(_ s: [String]) -> String {
            s.isEmpty ? "" : " (did you mean \(s.map { "'\($0)'" }.joined(separator: ", "))?)"
        }
        switch self {
        case .unreadable(let p, let r): return "cannot read codebook \(p): \(r)"
        case .invalidJSON(let at, let m): return "invalid codebook JSON at \(at.isEmpty ? "top level" : at): \(m)"
        case .unknownKey(let k, let at): return "unknown key '\(k)' in codebook at \(at.isEmpty ? "top level" : at)"
        case .unknownVariable(let n, let s): return "unknown variable '\(n)' in codebook" + did(s)
        case .duplicateVariable(let n): return "variable '\(n)' appears twice in the codebook"
        case .unknownWeight(let n, let s): return "codebook weight '\(n)' is not a variable of the CSV file" + did(s)
        case .weightNotNumeric(let n): return "codebook weight '\(n)' is a string column; weights must be numeric"
        case .invalidValueLabelKey(let v, let k): return "variable '\(v)': value-label key '\(k)' in codebook is not a number"
        case .invalidMissingRange(let v, let r):
            return "variable '\(v)': missing range \(r) in codebook must be [low, high] with finite low ≤ high"
        case .codesOnStringVariable(let v):
            return "variable '\(v)' is a string variable: value labels and missing codes apply to numeric variables only"
        }
    }
}
