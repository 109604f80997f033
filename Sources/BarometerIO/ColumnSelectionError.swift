import Barometer
import Foundation

/// A column selection (``CSVOptions/columns``, ``ReadStatOptions/columns``,
/// the `columns` argument of ``DatasetLoader``) names a variable the file
/// does not have.
public enum ColumnSelectionError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// `name` is not a variable of `file`; `suggestions` are close names
    /// (by the rule of `Dataset.variable(_:)`).
    case unknownVariable(String, file: String, suggestions: [String])

    public var description: String {
        switch self {
        case .unknownVariable(let n, let f, let s):
            return "unknown variable '\(n)' in \(f)" + (s.isEmpty ? "" : " (did you mean \(s.map { "'\($0)'" }.joined(separator: ", "))?)")
        }
    }

    /// The same text as ``description``.
    public var errorDescription: String? { description }

    /// Checks that every name of `selection` is in `header` (in sorted order,
    /// so the first unknown name reported does not depend on hashing).
    static func check(_ selection: Set<String>?, header: [String], file: String) throws(ColumnSelectionError) {
        guard let selection else { return }
        let names = Set(header)
        if let missing = selection.sorted().first(where: { !names.contains($0) }) {
            throw .unknownVariable(missing, file: file, suggestions: Codebook.suggestions(missing, header))
        }
    }
}
