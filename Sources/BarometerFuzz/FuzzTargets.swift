import Foundation
import Barometer
import BarometerIO
import BarometerClaims
import BarometerReports

/// Entry points of the project's fuzz harnesses (libFuzzer, `make fuzz`) and
/// of their regression replay (`FuzzRegressionTests`, run by `make test`).
///
/// Each target takes arbitrary bytes and must return normally: any typed
/// error is fine; a trap, a sanitizer report, a hang or unbounded memory is
/// a bug, and so is a broken invariant, which the target returns as a
/// description (the fuzz driver aborts on it, the replay test fails). Inputs that once crashed live in `Fixtures/fuzz/<name>/` and are
/// replayed by every test run; the same directory seeds the fuzzer's corpus.
///
/// Adding a harness for a new parser: write its function (a few lines) in
/// `FuzzTargets+<Name>.swift`, add one line to ``all``, and drop a few small
/// valid inputs into `Fixtures/fuzz/<name>/` as seeds.
public enum FuzzTargets {
    /// One harness: its name (= the directory of its regression inputs) and body.
    public struct Target: Sendable {
        public let name: String
        /// nil, or the invariant the input broke.
        public let run: @Sendable (Data) -> String?
    }

    /// Every harness, by name. One line per harness.
    public static let all: [Target] = [
        Target(name: "csv", run: csv),
        Target(name: "codebook", run: codebook),
        Target(name: "claims", run: claims),
        Target(name: "readstat", run: readStat),
        Target(name: "domain", run: domainExpression),
        Target(name: "formula", run: formula),
        Target(name: "banner", run: bannerSpecification),
        Target(name: "state", run: stateFile),
        Target(name: "targets", run: targets),
    ]

    /// The harness called `name`.
    public static func target(_ name: String) -> Target? { all.first { $0.name == name } }
}

// MARK: - CSV reader

extension FuzzTargets {
    /// Reads the bytes as CSV twice, streamed through a small buffer (the
    /// pipe path: records carried over between reads) and held in memory cut
    /// into as many pieces parsed on 2 threads (the file path), and reports
    /// any disagreement (the reader promises identical values, types and
    /// errors whatever the pieces); then tabulates the first variable as
    /// `freq` would.
    @Sendable static func csv(_ data: Data) -> String? {
        let bytes = [UInt8](data)
        // About 16 pieces (at least 7 bytes each): every input crosses piece
        // boundaries, and work stays linear in its size.
        var options = CSVOptions(chunkSize: max(7, bytes.count / 16))
        options.threads = 2
        let one = Result { try CSVReader.readStreamed(bytes: bytes, codebook: nil, options: options) }
        let many = Result { try CSVReader.read(bytes: bytes, codebook: nil, options: options) }
        do {
            switch (one, many) {
            case (.success(let a), .success(let b)):
                guard sameData(a, b) else { return "the in-memory pieces and the streamed reading give different data" }
                if let v = a.variables.first, a.rowCount > 0, let design = try? SurveyDesign(data: a) {
                    _ = try? FrequencyTable(design, variable: v.name, missing: .showMissing)
                }
                return nil
            case (.failure(let a), .failure(let b)):
                return "\(a)" == "\(b)" ? nil : "errors differ: \(a) (streamed) vs \(b) (pieces)"
            case (.success, .failure(let b)): return "only the in-memory pieces failed: \(b)"
            case (.failure(let a), .success): return "only the streamed reading failed: \(a)"
            }
        }
    }

    /// Same names, types and bit-identical values (NaN payloads included).
    static func sameData(_ a: Dataset, _ b: Dataset) -> Bool {
        guard a.variableNames == b.variableNames, a.rowCount == b.rowCount else { return false }
        for (x, y) in zip(a.variables, b.variables) {
            guard x.strings == y.strings, x.values.count == y.values.count,
                  zip(x.values, y.values).allSatisfy({ $0.bitPattern == $1.bitPattern }) else { return false }
        }
        return true
    }
}

// MARK: - Codebook and claim files

extension FuzzTargets {
    /// Decodes the bytes as a codebook; on success applies it to a small
    /// CSV whose header holds the codebook's variables.
    @Sendable static func codebook(_ data: Data) -> String? {
        guard let book = try? Codebook.decode(data) else { return nil }
        let names = book.variables.prefix(8).map(\.name).filter { !$0.contains(",") && !$0.contains("\"") && !$0.contains("\n") && !$0.contains("\r") && !$0.isEmpty }
        guard !names.isEmpty else { return nil }
        let csv = names.joined(separator: ",") + "\n" + names.map { _ in "1" }.joined(separator: ",") + "\n"
            + names.map { _ in "9" }.joined(separator: ",") + "\n"
        _ = try? CSVReader.read(string: csv, codebook: book)
        return nil
    }

    /// Loads the bytes as a claim file; on success runs the consistency
    /// checks of its published figures and draws them in the report charts.
    @Sendable static func claims(_ data: Data) -> String? {
        guard let file = try? ClaimFileLoader.decode(data) else { return nil }
        _ = try? ConsistencyReport(file)
        let figures = file.claims.compactMap { $0.figure?.value }
        guard !figures.isEmpty else { return nil }
        ChartFuzzing.draw(figures: figures)
        return nil
    }
}

// MARK: - ReadStat

extension FuzzTargets {
    /// Reads the bytes as an SPSS/Stata/SAS file (format from the magic
    /// bytes, else from the length), with and without a declared encoding,
    /// and touches what a command would touch.
    @Sendable static func readStat(_ data: Data) -> String? {
        let head = [UInt8](data.prefix(1024))
        let formats = ReadStatFormat.allCases
        let format = ReadStatFormat.detect(head) ?? formats[data.count % formats.count]
        // From memory (ReadStat's custom I/O handlers): no temporary file per input.
        let bytes = [UInt8](data)
        for encoding in [nil, "WINDOWS-1251"] as [String?] {
            if let file = try? ReadStatReader.read(bytes: bytes, name: "fuzz input", format: format, options: ReadStatOptions(encoding: encoding)) {
                for v in file.dataset.variables {
                    _ = CategoryCoding(v)
                    for i in 0..<min(v.count, 64) { _ = v.extendedMissingTag(atRow: i); _ = v.status(atRow: i) }
                }
            }
        }
        return nil
    }
}
