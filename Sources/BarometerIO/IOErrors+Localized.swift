import Foundation

/// `LocalizedError`: `localizedDescription` equals ``description``.
extension CSVError: LocalizedError {
    /// The same text as ``description``.
    public var errorDescription: String? { description }

    /// What to fix in the file, where it is clear.
    public var recoverySuggestion: String? {
        switch self {
        case .nonNumeric:
            return "Declare the value as a missing token (CSVOptions.missingTokens) or the column as a string variable in the codebook."
        case .strayQuote, .unterminatedQuote, .unexpectedAfterQuote:
            return "Quote the whole field and double any quote inside it (RFC 4180)."
        case .tooManyFields, .tooFewFields:
            return "Check the delimiter and that every record has as many fields as the header."
        case .nulByte:
            return "Save the file as UTF-8 text (a UTF-16 export has a NUL after every ASCII character)."
        default: return nil
        }
    }
}

/// `LocalizedError`: `localizedDescription` equals ``description``.
extension CodebookError: LocalizedError {
    /// The same text as ``description``.
    public var errorDescription: String? { description }

    /// Close names for unknown variables and weights.
    public var recoverySuggestion: String? {
        switch self {
        case .unknownVariable(_, let s), .unknownWeight(_, let s):
            return s.isEmpty ? "Use the names of the CSV header." : "Did you mean \(s.map { "'\($0)'" }.joined(separator: ", "))?"
        case .unknownKey: return "See Fixtures/codebook.schema.json for the keys a codebook may use."
        default: return nil
        }
    }
}

/// `LocalizedError`: `localizedDescription` equals ``description``.
extension ReadStatError: LocalizedError {
    /// The same text as ``description``.
    public var errorDescription: String? { description }

    /// Encoding hints for text errors; the wrapped error's suggestion for invalid data.
    public var recoverySuggestion: String? {
        switch self {
        case .unsupportedEncoding, .undecodableText:
            return "Pass the file's code page explicitly (ReadStatOptions(encoding:), CLI --encoding), e.g. WINDOWS-1251."
        case .invalidData(_, let e): return e.recoverySuggestion
        default: return nil
        }
    }
}
