import ArgumentParser
import Barometer
import BarometerIO
import Foundation

/// A mistyped subcommand gets a suggestion ("did you mean 'freq'?") before
/// ArgumentParser reports unexpected arguments.
enum SubcommandSuggestion {
    /// The error text for `arguments` (without the program name), or nil when
    /// the first argument is an option or a known subcommand.
    static func message(_ arguments: [String], known: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-"), !known.contains(first) else { return nil }
        let typed = first.lowercased()
        var ranked: [(name: String, d: Int)] = known.map { (name: String) -> (name: String, d: Int) in (name, distance(typed, name)) }
        ranked.sort { (a: (name: String, d: Int), b: (name: String, d: Int)) -> Bool in a.d < b.d || (a.d == b.d && a.name < b.name) }
        let limit = max(2, typed.count / 3)
        let close: [String] = ranked.filter { $0.d <= limit || $0.name.hasPrefix(typed) }.map { $0.name }
        var text = "Error: unknown subcommand '\(first)'."
        if let best = close.first {
            text += " Did you mean '\(best)'?"
            if close.count > 1 { text += " (also: \(close.dropFirst().prefix(3).map { "'\($0)'" }.joined(separator: ", ")))" }
        }
        text += "\nSubcommands: \(known.filter { $0 != "help" }.joined(separator: ", ")). See 'barometer --help'."
        return text
    }

    /// Damerau-Levenshtein distance (adjacent transpositions count 1).
    static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a), y = Array(b)
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: y.count + 1), count: x.count + 1)
        for i in 0...x.count { d[i][0] = i }
        for j in 0...y.count { d[0][j] = j }
        for i in 1...x.count {
            for j in 1...y.count {
                let cost = x[i - 1] == y[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, x[i - 1] == y[j - 2], x[i - 2] == y[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
            }
        }
        return d[x.count][y.count]
    }
}

/// `--delimiter`: one ASCII character, or `tab` / `\t`.
func parseDelimiter(_ text: String) throws -> UInt8 {
    switch text.lowercased() {
    case "tab", "\\t", "\t": return UInt8(ascii: "\t")
    case "comma": return UInt8(ascii: ",")
    case "semicolon": return UInt8(ascii: ";")
    case "pipe": return UInt8(ascii: "|")
    default:
        guard text.unicodeScalars.count == 1, let s = text.unicodeScalars.first, s.isASCII,
              s != "\"", s != "\n", s != "\r" else {
            throw ValidationError("--delimiter must be one ASCII character other than a quote or line break, or 'tab' (got '\(text)')")
        }
        return UInt8(s.value)
    }
}

/// The inputs a run read, for `--provenance`.
final class ProvenanceRecorder: @unchecked Sendable {
    static let shared = ProvenanceRecorder()
    private let lock = NSLock()
    private var inputs: [Provenance.Input] = []
    /// Whether `--provenance` was given (read once from the command line).
    let enabled: Bool = CommandLine.arguments.dropFirst().contains("--provenance")

    func record(_ input: Provenance.Input) {
        lock.lock(); defer { lock.unlock() }
        inputs.append(input)
    }

    /// Hashes a regular file that was read (no-op unless `--provenance`).
    func recordFile(_ path: String?) throws {
        guard enabled, let path, path != "-" else { return }
        record(try SHA256.file(path))
    }

    var provenance: Provenance {
        lock.lock(); defer { lock.unlock() }
        return Provenance(inputs: inputs, options: Array(CommandLine.arguments.dropFirst()))
    }
}

/// Loads a data file, honouring `-` (standard input) and, with
/// `--provenance`, recording the SHA-256 of what was read (standard input is
/// then read whole first, so the digest is of the parsed bytes).
func loadRecorded(_ path: String, codebook: String?, options: ReadStatOptions, csv: CSVOptions?,
                  columns: Set<String>? = nil) throws -> Dataset {
    let recorder = ProvenanceRecorder.shared
    defer { try? recorder.recordFile(codebook) }
    if recorder.enabled && (path == "-" || path == "/dev/stdin") {
        let bytes = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        recorder.record(Provenance.Input(path: path, sha256: SHA256.hexDigest(of: bytes), bytes: bytes.count))
        let book = try codebook.map { (p: String) throws(CodebookError) -> Codebook in try Codebook.load(path: p) }
        var o = csv ?? .default
        o.columns = columns
        return try CSVReader.read(bytes: bytes, codebook: book, options: o)
    }
    let data = try DatasetLoader.load(path, codebook: codebook, options: options, csv: csv, columns: columns)
    try recorder.recordFile(path)
    return data
}

/// A result with a top-level `provenance` object added to its JSON.
struct WithProvenance<T: Encodable>: Encodable {
    let value: T
    let provenance: Provenance
    private enum Key: String, CodingKey { case provenance }
    func encode(to encoder: any Encoder) throws {
        try value.encode(to: encoder)
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(provenance, forKey: .provenance)
    }
}

/// The JSON of `value`, with `provenance` when `--provenance` was given.
func renderJSONWithProvenance<T: Encodable>(_ value: T, _ output: OutputOptions) throws -> String {
    guard output.provenance else { return try OutputFormat.renderJSON(value) }
    return try OutputFormat.renderJSON(WithProvenance(value: value, provenance: ProvenanceRecorder.shared.provenance))
}

/// A grid with the provenance lines added to its notes when `--provenance` was given.
func withProvenanceNotes(_ table: TextTable, _ output: OutputOptions) -> TextTable {
    guard output.provenance else { return table }
    var t = table
    t.notes += ProvenanceRecorder.shared.provenance.lines
    return t
}
