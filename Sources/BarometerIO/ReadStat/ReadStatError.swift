import Barometer
import CReadStat

/// Why an SPSS, Stata or SAS file could not be read or written. Every case
/// names the file; ReadStat's own error codes (`readstat_error_t`) map onto
/// these cases (see `ReadStatError.init(code:file:detail:)`).
public enum ReadStatError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file does not exist or cannot be opened.
    case cannotOpen(file: String)
    /// Reading or seeking failed (often: the file is truncated).
    case readFailed(file: String, detail: String)
    /// The bytes do not follow the format (corrupt, truncated or mis-named
    /// file). `detail` carries ReadStat's message.
    case malformed(file: String, detail: String)
    /// A format version ReadStat does not support.
    case unsupportedVersion(file: String)
    /// A compression scheme ReadStat does not support.
    case unsupportedCompression(file: String)
    /// The character encoding (declared by the file or asked for with
    /// `encoding:`) is unknown to iconv.
    case unsupportedEncoding(file: String, encoding: String?)
    /// Text in the file is not valid in its encoding (or, after decoding,
    /// not valid UTF-8). `context` names the variable or label concerned.
    case undecodableText(file: String, encoding: String?, context: String)
    /// Neither the extension nor the first bytes identify a known format.
    case unknownFormat(file: String)
    /// The extension names one format but the file's first bytes are another's.
    case extensionMismatch(file: String, extension: String, detected: String)
    /// The file's contents do not fit the data model (e.g. duplicate
    /// variable names, columns of different lengths).
    case invalidData(file: String, error: BarometerError)
    /// Writing failed; `detail` carries ReadStat's message or the cause.
    case writeFailed(file: String, detail: String)
    /// Memory could not be allocated.
    case outOfMemory(file: String)
    /// Any other ReadStat error code, with its message.
    case library(file: String, code: Int, message: String)

    /// Maps a ReadStat error code; `detail` is the text ReadStat passed to
    /// its error handler, if any.
    /// `reading`: the code came from a parser, so the codes ReadStat names
    /// after writing problems (a name or string too long, a tagged value out
    /// of range …) mean the file is malformed, not that a write failed.
    init(code: readstat_error_t, file: String, detail: String? = nil, encoding: String? = nil, reading: Bool = false) {
        let message = Self.message(code)
        let text = detail.map { "\(message): \($0)" } ?? message
        switch code {
        case READSTAT_ERROR_OPEN: self = .cannotOpen(file: file)
        case READSTAT_ERROR_READ, READSTAT_ERROR_SEEK: self = .readFailed(file: file, detail: text)
        case READSTAT_ERROR_MALLOC: self = .outOfMemory(file: file)
        case READSTAT_ERROR_PARSE, READSTAT_ERROR_COLUMN_COUNT_MISMATCH, READSTAT_ERROR_ROW_COUNT_MISMATCH,
             READSTAT_ERROR_ROW_WIDTH_MISMATCH, READSTAT_ERROR_BAD_FORMAT_STRING,
             READSTAT_ERROR_VALUE_TYPE_MISMATCH, READSTAT_ERROR_BAD_TIMESTAMP_STRING,
             READSTAT_ERROR_BAD_TIMESTAMP_VALUE, READSTAT_ERROR_TOO_FEW_COLUMNS, READSTAT_ERROR_TOO_MANY_COLUMNS:
            self = .malformed(file: file, detail: text)
        case READSTAT_ERROR_UNSUPPORTED_FILE_FORMAT_VERSION: self = .unsupportedVersion(file: file)
        case READSTAT_ERROR_UNSUPPORTED_COMPRESSION: self = .unsupportedCompression(file: file)
        case READSTAT_ERROR_UNSUPPORTED_CHARSET: self = .unsupportedEncoding(file: file, encoding: encoding)
        case READSTAT_ERROR_CONVERT, READSTAT_ERROR_CONVERT_BAD_STRING, READSTAT_ERROR_CONVERT_SHORT_STRING,
             READSTAT_ERROR_CONVERT_LONG_STRING:
            self = .undecodableText(file: file, encoding: encoding, context: text)
        case READSTAT_ERROR_WRITE, READSTAT_ERROR_WRITER_NOT_INITIALIZED, READSTAT_ERROR_NUMERIC_VALUE_IS_OUT_OF_RANGE,
             READSTAT_ERROR_TAGGED_VALUE_IS_OUT_OF_RANGE, READSTAT_ERROR_STRING_VALUE_IS_TOO_LONG,
             READSTAT_ERROR_TAGGED_VALUES_NOT_SUPPORTED, READSTAT_ERROR_NAME_BEGINS_WITH_ILLEGAL_CHARACTER,
             READSTAT_ERROR_NAME_CONTAINS_ILLEGAL_CHARACTER, READSTAT_ERROR_NAME_IS_RESERVED_WORD,
             READSTAT_ERROR_NAME_IS_TOO_LONG, READSTAT_ERROR_NAME_IS_ZERO_LENGTH,
             READSTAT_ERROR_BAD_FREQUENCY_WEIGHT, READSTAT_ERROR_TOO_MANY_MISSING_VALUE_DEFINITIONS,
             READSTAT_ERROR_NOTE_IS_TOO_LONG, READSTAT_ERROR_STRING_REFS_NOT_SUPPORTED,
             READSTAT_ERROR_STRING_REF_IS_REQUIRED, READSTAT_ERROR_ROW_IS_TOO_WIDE_FOR_PAGE:
            self = reading ? .malformed(file: file, detail: text) : .writeFailed(file: file, detail: text)
        default: self = .library(file: file, code: Int(code.rawValue), message: text)
        }
    }

    /// Text from ReadStat (which may echo bytes of a corrupt file) made
    /// safe to print: valid UTF-8 keeps its printable characters, control
    /// characters and invalid bytes become `\xNN`, and at most 300
    /// characters are kept.
    static func printable(_ bytes: UnsafeRawBufferPointer) -> String {
        var out = ""
        func hex(_ b: UInt8) -> String { "\\x" + (b < 16 ? "0" : "") + String(b, radix: 16, uppercase: true) }
        if let s = String(validating: bytes.bindMemory(to: UInt8.self), as: UTF8.self) {
            for u in s.unicodeScalars {
                if out.count >= 300 { return out + "…" }
                if u.properties.generalCategory == .control || u.properties.generalCategory == .format
                    || u.properties.generalCategory == .unassigned || u.properties.generalCategory == .privateUse {
                    if u.value < 0x100 { out += hex(UInt8(u.value)) } else { out += "\\u{" + String(u.value, radix: 16) + "}" }
                } else { out.unicodeScalars.append(u) }
            }
            return out
        }
        for b in bytes {
            if out.count >= 300 { return out + "…" }
            if (0x20...0x7E).contains(b) { out.unicodeScalars.append(Unicode.Scalar(b)) } else { out += hex(b) }
        }
        return out
    }

    static func message(_ code: readstat_error_t) -> String {
        guard let p = readstat_error_message(code) else { return "ReadStat error \(code.rawValue)" }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: strlen(p)), as: UTF8.self)
    }

    /// The file the error concerns.
    public var file: String {
        switch self {
        case .cannotOpen(let f), .readFailed(let f, _), .malformed(let f, _), .unsupportedVersion(let f),
             .unsupportedCompression(let f), .unsupportedEncoding(let f, _), .undecodableText(let f, _, _),
             .unknownFormat(let f), .extensionMismatch(let f, _, _), .invalidData(let f, _),
             .writeFailed(let f, _), .outOfMemory(let f), .library(let f, _, _):
            return f
        }
    }

    public var description: String {
        switch self {
        case .cannotOpen(let f): return "\(f): cannot open the file"
        case .readFailed(let f, let d): return "\(f): read failed (truncated file?): \(d)"
        case .malformed(let f, let d): return "\(f): not a valid file of its format (corrupt or truncated): \(d)"
        case .unsupportedVersion(let f): return "\(f): unsupported file format version"
        case .unsupportedCompression(let f): return "\(f): unsupported compression"
        case .unsupportedEncoding(let f, let e):
            return "\(f): unsupported character encoding" + (e.map { " '\($0)'" } ?? "")
        case .undecodableText(let f, let e, let c):
            return "\(f): text cannot be decoded" + (e.map { " from '\($0)'" } ?? "")
                + " (\(c)); pass the file's code page with encoding:, e.g. WINDOWS-1251"
        case .unknownFormat(let f):
            return "\(f): unknown file format (expected .csv, .sav, .zsav, .por, .dta, .sas7bdat or .xpt)"
        case .extensionMismatch(let f, let x, let d):
            return "\(f): the extension says .\(x) but the contents are \(d)"
        case .invalidData(let f, let e): return "\(f): \(e)"
        case .writeFailed(let f, let d): return "\(f): write failed: \(d)"
        case .outOfMemory(let f): return "\(f): out of memory"
        case .library(let f, let c, let m): return "\(f): ReadStat error \(c): \(m)"
        }
    }
}
