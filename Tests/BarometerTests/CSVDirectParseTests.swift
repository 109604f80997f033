import Barometer
@testable import BarometerIO
import Foundation
import Testing

/// The direct parse of a whole file (`CSVDestination`): each piece's records
/// are counted first and its numbers written straight into the final arrays.
/// It must read every input exactly as the copying path (the per-piece
/// buffers merged in order) and the sequential streaming reader: the same
/// columns bit for bit, the same kinds, the same error at the same line and
/// column, whatever the cut and the number of threads; and it must actually
/// be taken (not silently fall back) on valid input.
@Suite struct CSVDirectParseTests {
    static let chunkSizes = [1, 2, 3, 5, 7, 16, 64, 4 << 20]
    static let threadCounts = [1, 2, 3, 4]

    func options(_ chunk: Int, _ threads: Int) -> CSVOptions {
        var o = CSVOptions(chunkSize: chunk)
        o.threads = threads
        return o
    }

    /// The direct parse alone (nil: it declined or was abandoned).
    func direct(_ bytes: [UInt8], chunk: Int, threads: Int) throws -> Dataset? {
        let o = options(chunk, threads)
        return try bytes.withUnsafeBufferPointer { b throws -> Dataset? in
            guard let base = b.baseAddress else { return nil }
            var parser = CSVParser(options: o, codebook: nil)
            let start = try parser.parse(base, count: b.count, eof: true, oneRecord: true)
            guard let (header, columns) = try CSVReader.readDirect(base, from: start, to: b.count, parser: &parser,
                                                                    options: o, release: nil) else { return nil }
            return try CSVReader.assemble(header: header, columns: columns, codebook: nil)
        }
    }

    /// The copying path alone (per-piece buffers merged in order).
    func copying(_ bytes: [UInt8], chunk: Int, threads: Int) throws -> Dataset {
        let o = options(chunk, threads)
        return try bytes.withUnsafeBufferPointer { b throws -> Dataset in
            guard let base = b.baseAddress else { throw CSVError.noHeader }
            var parser = CSVParser(options: o, codebook: nil)
            let start = try parser.parse(base, count: b.count, eof: true, oneRecord: true)
            try CSVPieces.parse(base, from: start, to: b.count, into: &parser, pieceSize: chunk, threads: threads)
            let (header, columns) = try parser.finish()
            return try CSVReader.assemble(header: header, columns: columns, codebook: nil)
        }
    }

    func sequential(_ bytes: [UInt8]) -> Result<Dataset, Error> {
        var source = MemoryByteSource(bytes: bytes)
        return Result { try CSVReader.read(from: &source, codebook: nil, options: CSVOptions()) }
    }

    func same(_ a: Dataset, _ b: Dataset) -> Bool {
        a.variableNames == b.variableNames && zip(a.variables, b.variables).allSatisfy { x, y in
            x.isString == y.isString && x.strings == y.strings && x.values.map(\.bitPattern) == y.values.map(\.bitPattern)
        }
    }

    /// Quoted fields with delimiters, doubled quotes and line breaks (LF, CRLF,
    /// lone CR) inside; CRLF and lone-CR line ends; blank lines; no final line
    /// end; a column typed only in a later piece; a column that becomes text;
    /// missing tokens: the direct parse is taken and reads as the other two.
    @Test(arguments: threadCounts)
    func directParseMatchesCopyingAndSequentialReaders(threads: Int) throws {
        let numeric = (1...40).map { "\($0),\(Double($0) / 8),\(-$0)" }
        let cases: [String] = [
            "a,b,c\n" + numeric.joined(separator: "\n") + "\n",
            "a,b,c\n" + numeric.joined(separator: "\n"),                                      // no final line end
            "a,b,c\r\n" + numeric.joined(separator: "\r\n") + "\r\n",                         // CRLF
            "a,b,c\r" + numeric.joined(separator: "\r") + "\r",                               // lone CR
            "a,b,c\n\n" + numeric.joined(separator: "\n\n") + "\n\r\n\n",                     // blank lines
            "n,s\n" + (1...30).map { "\($0),\"t,\($0)\"" }.joined(separator: "\n") + "\n",     // quoted delimiters
            "n,s\n" + (1...30).map { "\($0),\"l\n\($0)\"\"q\"" }.joined(separator: "\r\n") + "\r\n", // quoted line breaks
            "n,s\n" + (1...30).map { "\($0),\"c\r\($0)\"" }.joined(separator: "\n") + "\n",    // quoted lone CR
            "n,s\n" + (1...30).map { "\($0),\"x\" " }.joined(separator: "\n"),              // blanks after closing quotes
            "k,c\n" + String(repeating: "1,\n", count: 30) + String(repeating: "2,5.5\n", count: 30),   // typed late
            "k,c\n" + String(repeating: "1,NA\n", count: 20) + "1,word\n" + String(repeating: "3, NA \n", count: 20),
            "k,c\n" + String(repeating: "1,.\n", count: 50),                                  // never typed
            "x\n" + (1...60).map { "\($0)" }.joined(separator: "\n\n") + "\n",                // one column, blank lines
        ]
        var taken = 0
        for text in cases {
            let bytes = Array(text.utf8)
            guard case .success(let reference) = sequential(bytes) else {
                Issue.record("case does not read: \(text.debugDescription)")
                continue
            }
            for chunk in Self.chunkSizes {
                let copied = try copying(bytes, chunk: chunk, threads: threads)
                #expect(same(copied, reference), "copying, chunk \(chunk): \(text.debugDescription)")
                guard let d = try direct(bytes, chunk: chunk, threads: threads) else {
                    // Declined only when the first piece has no record or ends inside a quoted field.
                    #expect(chunk < 4 << 20 && (text.contains("\"l\n") || text.contains("\n\n")),
                            "direct parse not taken, chunk \(chunk): \(text.debugDescription)")
                    continue
                }
                taken += 1
                #expect(same(d, reference), "direct, chunk \(chunk), \(threads) threads: \(text.debugDescription)")
                #expect(same(try CSVReader.read(bytes: bytes, options: options(chunk, threads)), reference))
            }
        }
        #expect(taken >= cases.count * Self.chunkSizes.count - 10, "direct parse taken \(taken) times")
    }

    /// Ragged rows, stray and unterminated quotes, text in a numeric column and
    /// text after a closing quote, late in the file: the direct parse throws the
    /// sequential reader's error (same line and column) at every cut.
    @Test(arguments: threadCounts)
    func directParseThrowsTheSequentialError(threads: Int) throws {
        var head = "n,s\r\n"
        for i in 1...30 { head += i % 5 == 0 ? "\(i),\"a\nb\r\nc\"\r\n\n" : "\(i),x\n" }
        var thrown = 0
        for bad in ["oops,1\n", "1\n", "1,2,3\n", "1,a\"b\n", "1,\"open\nnever closed\n", "1,\"q\"x\n", "1,\"q\" z\n"] {
            let bytes = Array((head + bad + "5,6\n6,7\n").utf8)
            guard case .failure(let expected) = sequential(bytes), let want = expected as? CSVError else {
                Issue.record("case reads: \(bad.debugDescription)")
                continue
            }
            for chunk in Self.chunkSizes {
                // The direct parse throws the error, or declines: a first piece ending inside a quoted
                // field, or one holding a quote error (which the record count rejects as the parser does).
                do {
                    let d = try direct(bytes, chunk: chunk, threads: threads)
                    #expect(d == nil && (chunk < 4 << 20 || bad.contains("\"")), "\(bad.debugDescription) chunk \(chunk): read")
                } catch let e as CSVError {
                    thrown += 1
                    #expect(e == want, "\(bad.debugDescription) chunk \(chunk): \(e)")
                }
                #expect(throws: want) { try CSVReader.read(bytes: bytes, options: options(chunk, threads)) }
            }
        }
        #expect(thrown >= 3 * 4, "the direct parse threw \(thrown) times")
    }

    /// A first piece of long records sizes the arrays too small for the short
    /// records after it: the direct parse is abandoned (nil), and the reader
    /// reads the file on the copying path, with the right values.
    @Test(arguments: threadCounts)
    func destinationTooSmallFallsBackToTheCopyingPath(threads: Int) throws {
        let text = "a,b\n1," + String(repeating: " ", count: 200) + "2\n" + String(repeating: "3,4\n", count: 400)
        let bytes = Array(text.utf8)
        #expect(try direct(bytes, chunk: 256, threads: threads) == nil)
        let d = try CSVReader.read(bytes: bytes, options: options(256, threads))
        #expect(try d.variable("a").values == [1] + Array(repeating: 3, count: 400))
        #expect(try d.variable("b").values == [2] + Array(repeating: 4, count: 400))
    }

    /// Empty inputs, a header alone, a file whose only column turns out to be
    /// text, and one whose only column the codebook types as text (no numeric
    /// destination: the copying path) read as before.
    @Test func edgeInputs() throws {
        #expect(throws: CSVError.noHeader) { try CSVReader.read(string: "") }
        let headerOnly = try CSVReader.read(string: "a,b\n", options: options(1, 2))
        #expect(headerOnly.rowCount == 0 && headerOnly.variableNames == ["a", "b"])
        #expect(try direct(Array("a,b\n".utf8), chunk: 1, threads: 2) == nil)
        let words = (1...20).map { "w\($0)" }.joined(separator: "\n")
        let text = Array(("s\n" + words).utf8)
        #expect(try direct(text, chunk: 4, threads: 2)?.variable("s").strings == (1...20).map { "w\($0)" })
        let cb = try Codebook.decode(Data(#"{"variables": [{"name": "s", "type": "string"}]}"#.utf8))
        #expect(try CSVReader.read(bytes: text, codebook: cb, options: options(4, 2)).variable("s").strings
                == (1...20).map { "w\($0)" })
    }

    /// Long pieces (several of the count's 64 KiB blocks, windows of thousands
    /// of rows written in place): a run of blank lines, a CRLF line end, quoted
    /// fields or a lone CR, placed at the start or end of a block, straddling
    /// two, or in the tail shorter than sixteen bytes. The count equals the
    /// records the sequential reader reads, and the direct parse (pieces of
    /// 64 KiB and 100,000 bytes, 1–3 threads) equals that reader bit for bit.
    @Test func longPiecesCountAndReadAsTheSequentialReader() throws {
        var rng = SplitMix(seed: 21)
        var body = ""
        for _ in 0..<30_000 {
            let digits = Int.random(in: 1...7, using: &rng)
            body += "\(Int.random(in: 0...99, using: &rng)).\(String(repeating: "7", count: digits)),\(Int.random(in: 0...9, using: &rng))\n"
        }
        let plain = Array(body.utf8)
        let block = CSVPieces.countBlockBytes
        let inserts: [[UInt8]] = [Array("\n\n\n".utf8), Array("1,2\r\n".utf8), Array("\"5\",\"6\"\n".utf8), Array("4,5\r".utf8)]
        var checked = 0
        for insert in inserts {
            for at in [0, 5, block - 16, block - 2, block - 1, block, block + 1, 2 * block + 7, plain.count - 9, plain.count] {
                // Cut at the line start at or after `at`, so every record stays whole.
                var cut = min(at, plain.count)
                while cut > 0 && cut < plain.count && plain[cut - 1] != CSVParser.lf { cut += 1 }
                let records = Array(plain[..<cut]) + insert + Array(plain[cut...])
                let bytes = Array("a,b\n".utf8) + records
                guard case .success(let reference) = sequential(bytes) else {
                    Issue.record("does not read: insert \(insert) at \(at)")
                    continue
                }
                let counted = records.withUnsafeBufferPointer { p -> Int? in
                    guard let base = p.baseAddress else { return nil }
                    return CSVPieces.countRecords(base, from: 0, to: p.count, delimiter: UInt8(ascii: ","))
                }
                #expect(counted == reference.rowCount, "insert \(insert) at \(at)")
                for (chunk, threads) in [(block, 2), (100_000, 3), (100_000, 1)] {
                    let d = try direct(bytes, chunk: chunk, threads: threads)
                    #expect(d.map { same($0, reference) } == true, "insert \(insert) at \(at), chunk \(chunk)")
                    checked += 1
                }
            }
        }
        #expect(checked == 120)
    }

    /// The record counts of pieces, against the records the parser reads from
    /// the same bytes; nil where a piece ends inside a quoted field or holds
    /// a stray quote.
    @Test func recordCounts() {
        func count(_ s: String, delimiter: UInt8 = UInt8(ascii: ",")) -> Int? {
            let b = Array(s.utf8)
            return b.withUnsafeBufferPointer { p in
                guard let base = p.baseAddress else { return 0 }
                return CSVPieces.countRecords(base, from: 0, to: b.count, delimiter: delimiter)
            }
        }
        #expect(count("1,2\n3,4\n") == 2)
        #expect(count("1,2\n3,4") == 2)
        #expect(count("\n1,2\n\n\n3,4\n\n") == 2)
        #expect(count("1,2\r\n\r\n3,4\r\n") == 2)
        #expect(count("1,2\r3,4\r\r") == 2)
        #expect(count("1,\"a\nb\"\n3,\"c\r\nd\"\r\n") == 2)
        #expect(count("1,\"a\"\"\nb\"\n") == 1)
        #expect(count("1,\"open\n2,3\n") == nil)
        #expect(count("1,a\"b\n") == nil)
        #expect(count("1,\"q\"x\n") == nil)
        #expect(count("1,2,\n3,4,") == 2)
        #expect(count(" \n") == 1)
        #expect(count("1\t\"a b\" \n2\t3\n", delimiter: 0x09) == 2)
        #expect(count("") == 0)
    }
}
