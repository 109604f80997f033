import Barometer
@testable import BarometerIO
import Foundation
import Testing

/// The parallel split of ``CSVReader`` (``CSVPieces``): files cut into pieces
/// at line feeds, parsed on several threads and merged in order, read exactly
/// as Python's `csv` module and `float()` read them
/// (Fixtures/reference/csv/make_pieces_reference.py), and report errors at
/// their true line whatever the cut and the number of threads.
@Suite struct CSVPiecesTests {
    static let chunkSizes = [1, 2, 3, 5, 7, 16, 64, 100, 1000, 4 << 20]
    static let threadCounts = [1, 2, 3, 4]

    func options(_ chunk: Int, _ threads: Int) -> CSVOptions {
        var o = CSVOptions(chunkSize: chunk)
        o.threads = threads
        return o
    }

    func read(_ text: String, chunk: Int, threads: Int) throws -> Dataset {
        try CSVReader.read(string: text, options: options(chunk, threads))
    }

    /// The error thrown by `body`, asserting it is a `CSVError`.
    func csvError(_ body: () throws -> Dataset) -> CSVError? {
        do { _ = try body(); return nil } catch let e as CSVError { return e } catch { return nil }
    }

    struct PiecesRef: Decodable {
        let header: [String]
        let numeric: [String: [String?]]
        let strings: [String: [String]]
    }

    func check(_ data: Dataset, against ref: PiecesRef, _ label: String) throws {
        #expect(data.variableNames == ref.header, "\(label)")
        for (name, cells) in ref.numeric {
            let v = try data.variable(name)
            #expect(!v.isString && v.values.count == cells.count, "\(name) \(label)")
            guard v.values.count == cells.count else { continue }
            for (i, (x, b)) in zip(v.values, cells).enumerated() {
                if let b {
                    #expect(String(x.bitPattern, radix: 16).leftPadded(16) == b, "\(name)[\(i)] = \(x) \(label)")
                } else {
                    #expect(x.isNaN, "\(name)[\(i)] should be system-missing \(label)")
                }
            }
        }
        for (name, cells) in ref.strings {
            #expect(try data.variable(name).strings == cells, "\(name) \(label)")
        }
    }

    /// Every line feed is a cut for chunk sizes 1 and 2, inside and outside quoted
    /// fields; CRLF, lone CR, blank lines; `late` is typed numeric and `note` text
    /// only after the first piece.
    @Test(arguments: threadCounts)
    func piecesMatchPythonCSVModule(threads: Int) throws {
        let ref = try Fixture.decode(PiecesRef.self, "Fixtures/reference/csv/pieces.json")
        let path = Fixture.path("Fixtures/csv/pieces.csv")
        for chunk in Self.chunkSizes {
            try check(try CSVReader.read(path: path, codebook: nil, options: options(chunk, threads)),
                      against: ref, "file, chunk \(chunk), \(threads) threads")
        }
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        try check(try CSVReader.read(bytes: bytes, options: options(5, threads)), against: ref, "bytes, \(threads) threads")
    }

    /// Pages of the mapped file are given back as the merge passes them (here
    /// page by page); what is read afterwards is unchanged.
    @Test(arguments: [1, 2])
    func releasingParsedPagesKeepsTheResult(threads: Int) throws {
        let ref = try Fixture.decode(PiecesRef.self, "Fixtures/reference/csv/pieces.json")
        guard let file = try MappedFile(path: Fixture.path("Fixtures/csv/pieces.csv"), releaseStep: 1) else {
            Issue.record("fixture not mapped")
            return
        }
        for chunk in [16, 300] {
            let data = try withExtendedLifetime(file) {
                try CSVReader.read(contiguous: file.bytes, count: file.count, codebook: nil,
                                   options: options(chunk, threads), release: { file.release(upTo: $0) })
            }
            try check(data, against: ref, "released pages, chunk \(chunk), \(threads) threads")
        }
    }

    /// The `read(2)` streaming path (input that cannot be mapped, such as a pipe) reads the same.
    @Test func streamingPathMatchesPythonCSVModule() throws {
        let ref = try Fixture.decode(PiecesRef.self, "Fixtures/reference/csv/pieces.json")
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: Fixture.path("Fixtures/csv/pieces.csv"))))
        for chunk in [1, 7, 4 << 20] {
            var source = MemoryByteSource(bytes: bytes)
            try check(try CSVReader.read(from: &source, codebook: nil, options: CSVOptions(chunkSize: chunk)),
                      against: ref, "stream, chunk \(chunk)")
        }
    }

    /// A quoted field with 60 line feeds spans many pieces; the records around it are intact.
    @Test(arguments: threadCounts)
    func quotedFieldSpanningCuts(threads: Int) throws {
        let inner = (1...60).map { "l\($0)" }.joined(separator: "\n")
        var text = "n,s\n"
        for i in 1...20 { text += "\(i),plain\n" }
        text += "21,\"\(inner)\"\r\n"
        for i in 22...40 { text += "\(i),\"q\r\n\(i)\"\r\n" }
        let expectedS = Array(repeating: "plain", count: 20) + [inner] + (22...40).map { "q\r\n\($0)" }
        for chunk in [1, 3, 8, 30, 200] {
            let d = try read(text, chunk: chunk, threads: threads)
            #expect(try d.variable("n").values == (1...40).map(Double.init), "chunk \(chunk)")
            #expect(try d.variable("s").strings == expectedS, "chunk \(chunk)")
        }
    }

    /// CRLF everywhere (cuts fall after the LF of a CRLF), and a file with only lone CRs (no cut at all).
    @Test(arguments: threadCounts)
    func crlfAndLoneCR(threads: Int) throws {
        let rows = (1...50).map { "\($0),\(Double($0) / 4)" }
        for sep in ["\r\n", "\r"] {
            let text = "a,b" + sep + rows.joined(separator: sep) + sep
            for chunk in [1, 2, 9, 64] {
                let d = try read(text, chunk: chunk, threads: threads)
                #expect(try d.variable("a").values == (1...50).map(Double.init), "\(sep.debugDescription) chunk \(chunk)")
                #expect(try d.variable("b").values == (1...50).map { Double($0) / 4 }, "\(sep.debugDescription) chunk \(chunk)")
            }
        }
    }

    /// 1-based physical line just after `prefix` (header = line 1): one plus
    /// its line ends (LF, CRLF or a lone CR, each once).
    func line(after prefix: String) -> Int {
        let b = Array(prefix.utf8)
        var n = 1
        for (i, c) in b.enumerated() where c == 0x0A || (c == 0x0D && (i + 1 == b.count || b[i + 1] != 0x0A)) { n += 1 }
        return n
    }

    /// Errors in a later piece name their true line and column, counted across
    /// quoted line breaks, CRLF and blank lines in earlier pieces.
    @Test(arguments: threadCounts)
    func errorsInLaterPiecesReportTheirLine(threads: Int) throws {
        var head = "n,s\r\n"
        for i in 1...30 { head += i % 5 == 0 ? "\(i),\"a\nb\r\nc\"\r\n\n" : "\(i),x\n" }
        let cases: [(String, (Int) -> CSVError)] = [
            ("oops,y\n", { .nonNumeric(CSVPosition(line: $0, column: 1, name: "n"), value: "oops") }),
            ("1\n", { .tooFewFields(CSVPosition(line: $0, column: 2, name: "s"), expected: 2, actual: 1) }),
            ("1,2,3\n", { .tooManyFields(CSVPosition(line: $0, column: 3), expected: 2) }),
            ("1,a\"b\n", { .strayQuote(CSVPosition(line: $0, column: 2, name: "s")) }),
            ("1,\"open\nnever closed\n", { .unterminatedQuote(CSVPosition(line: $0, column: 2, name: "s")) }),
        ]
        for (bad, expected) in cases {
            let text = head + bad + "5,fine\n6,fine\n"
            let at = line(after: head)
            for chunk in [1, 4, 16, 100, 4 << 20] {
                let e = csvError { try read(text, chunk: chunk, threads: threads) }
                #expect(e == expected(at), "\(bad.debugDescription) chunk \(chunk): \(String(describing: e))")
            }
        }
    }

    /// A column empty in the first piece is typed by the first later value, even
    /// when a later piece, parsed on its own, would have typed it otherwise.
    @Test(arguments: threadCounts)
    func typeDecidedInALaterPiece(threads: Int) throws {
        let blanks = String(repeating: "1,\n", count: 30)
        // Text first, then numbers: a string column (the numbers kept as text, earlier empties "").
        let t1 = "k,c\n" + blanks + "1,abc\n" + String(repeating: "1,5\n", count: 30)
        for chunk in [2, 8, 50] {
            let c = try read(t1, chunk: chunk, threads: threads).variable("c")
            #expect(c.isString && c.strings == Array(repeating: "", count: 30) + ["abc"] + Array(repeating: "5", count: 30),
                    "chunk \(chunk)")
        }
        // Numbers first, then text: an error at the text, line 2 + 30 + 30.
        let t2 = "k,c\n" + blanks + String(repeating: "1,5\n", count: 30) + "1,abc\n" + String(repeating: "1,6\n", count: 30)
        for chunk in [2, 8, 50] {
            let e = csvError { try read(t2, chunk: chunk, threads: threads) }
            #expect(e == .nonNumeric(CSVPosition(line: 62, column: 2, name: "c"), value: "abc"), "chunk \(chunk)")
        }
        // Missing tokens before the text keep their token text; with a space they are trimmed to it.
        let t3 = "k,c\n" + String(repeating: "1, NA \n", count: 20) + "1,word\n" + String(repeating: "1, NA \n", count: 20)
        for chunk in [2, 8, 50] {
            let c = try read(t3, chunk: chunk, threads: threads).variable("c")
            #expect(c.strings == Array(repeating: "NA", count: 20) + ["word"] + Array(repeating: " NA ", count: 20),
                    "chunk \(chunk)")
        }
    }

    /// The codebook is checked against the header before any record is read,
    /// so a misnamed variable is reported even when a record is also wrong,
    /// whatever the chunk size and on both paths (mapped and streamed).
    @Test func codebookIsCheckedBeforeAnyRecord() throws {
        let text = "id,wt\n1,2\n3,4,5\n"
        let cb = try Codebook.decode(Data(#"{"variables": [{"name": "q11"}]}"#.utf8))
        for chunk in [1, 2, 5, 4 << 20] {
            #expect(throws: CodebookError.unknownVariable("q11", suggestions: [])) {
                try CSVReader.read(string: text, codebook: cb, options: options(chunk, 2))
            }
            #expect(throws: CodebookError.unknownVariable("q11", suggestions: [])) {
                var source = MemoryByteSource(bytes: Array(text.utf8))
                return try CSVReader.read(from: &source, codebook: cb, options: CSVOptions(chunkSize: chunk))
            }
        }
    }

    /// Random small files (quotes with line breaks, CR/LF/CRLF, blank lines,
    /// missing tokens, text in numeric columns, ragged records): the parallel
    /// reader at several cuts and thread counts gives the same columns, bit for
    /// bit, or the same error, as the sequential streaming reader (the reader
    /// before the split, kept for pipes).
    @Test func randomFilesReadAsTheSequentialReader() throws {
        var rng = SplitMix(seed: 2026)
        func pick(_ xs: [String]) -> String { xs[Int(rng.next() % UInt64(xs.count))] }
        let numbers = ["1", "-2.5", "3e2", " 4 ", "", "NA", ".", " NA ", "\"5\"", "0.000001", "123456.789012", "-0"]
        let texts = ["x", "\"a,b\"", "\"l1\nl2\"", "\"c\r\nd\"", "\"q\"\"q\"", "\"\n\"", "7", "", "NA"]
        let faults = ["x", "1,2", "a\"b", "\"open", "\"x\"y"]
        let ends = ["\n", "\r\n", "\r", "\n\n"]
        var compared = 0, readOK = 0, readFailed = 0
        for _ in 0..<150 {
            let ncols = 1 + Int(rng.next() % 4)
            // Each column numeric or text; some numeric columns start with a run of empties (typed late).
            let isText = (0..<ncols).map { _ in rng.next() % 3 == 0 }
            let lateFrom = (0..<ncols).map { _ in rng.next() % 2 == 0 ? Int(rng.next() % 20) : 0 }
            let rows = 5 + Int(rng.next() % 40)
            let faultRow = rng.next() % 3 == 0 ? Int(rng.next() % UInt64(rows)) : -1
            var text = (1...ncols).map { "c\($0)" }.joined(separator: ",") + pick(["\n", "\r\n"])
            for r in 0..<rows {
                var row = (0..<ncols).map { j in r < lateFrom[j] ? pick(["", "NA"]) : pick(isText[j] ? texts : numbers) }
                if r == faultRow {
                    let j = Int(rng.next() % UInt64(ncols))
                    if rng.next() % 4 == 0 { row.removeLast() } else { row[j] = pick(faults) }
                }
                text += row.joined(separator: ",") + pick(ends)
            }
            let bytes = Array(text.utf8)
            var source = MemoryByteSource(bytes: bytes)
            let sequential = Result { try CSVReader.read(from: &source, codebook: nil, options: CSVOptions()) }
            if case .success = sequential { readOK += 1 } else { readFailed += 1 }
            for chunk in [1, 3, 17] {
                for threads in [2, 4] {
                    let parallel = Result { try CSVReader.read(bytes: bytes, options: options(chunk, threads)) }
                    compared += 1
                    switch (sequential, parallel) {
                    case (.success(let a), .success(let b)):
                        #expect(a.variableNames == b.variableNames, "\(text.debugDescription)")
                        for (x, y) in zip(a.variables, b.variables) {
                            #expect(x.isString == y.isString && x.strings == y.strings
                                    && x.values.map(\.bitPattern) == y.values.map(\.bitPattern),
                                    "column \(x.name), chunk \(chunk), \(threads) threads: \(text.debugDescription)")
                        }
                    case (.failure(let a), .failure(let b)):
                        #expect(a as? CSVError == b as? CSVError && a as? CSVError != nil,
                                "\(a) vs \(b), chunk \(chunk), \(threads) threads: \(text.debugDescription)")
                    default:
                        Issue.record("sequential \(sequential), parallel \(parallel), chunk \(chunk): \(text.debugDescription)")
                    }
                }
            }
        }
        #expect(compared == 900)
        #expect(readOK >= 30 && readFailed >= 30, "\(readOK) files read, \(readFailed) failed")   // both kinds compared
    }

    @Test func threadsOptionIsValidated() {
        var o = CSVOptions()
        o.threads = 0
        #expect(throws: CSVError.self) { try CSVReader.read(string: "a\n1\n", options: o) }
    }
}

private extension String {
    func leftPadded(_ n: Int) -> String { String(repeating: "0", count: max(0, n - count)) + self }
}
