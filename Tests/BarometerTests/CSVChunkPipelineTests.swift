import Barometer
@testable import BarometerIO
import Foundation
import Testing

/// The pipelined chunk reader of ``CSVReader/forEachChunk(path:codebook:options:chunkBytes:_:)``
/// (a reader thread parses chunk k + 1 while the caller accumulates chunk k):
/// for several chunk sizes and thread counts (1 = the sequential pass), the
/// chunks handed to `body` are the ones the chunk rule defines (every record
/// that ends within `chunkBytes` of the chunk's start, the size doubled when
/// none does), in file order, with the values the file was written with; a
/// malformed row in a later chunk is thrown at its line and column only after
/// every earlier chunk went through `body`; `body` throwing stops the pass.
@Suite struct CSVChunkPipelineTests {
    static let chunkSizes = [700, 5_000, 90_000, 300_000]
    static let threadCounts = [1, 2, 3, 4]
    static let header = "id,x,note,g\n"

    /// A generated file: its path, each record's end offset (after its line feed), first physical line and values.
    struct File {
        let path: String
        let ends: [Int]
        let lines: [Int]
        let size: Int
        let x: [Double]
        let g: [Double]
        let note: [String]
    }

    /// `rows` records `id,x,note,g`: x = id/8 − 300 (exact in binary), g = id mod 12,
    /// a note quoted with a delimiter every 7th row and with a line feed inside
    /// every 97th; row `bad` (if any) has `badField` as its x.
    static func makeFile(rows: Int, bad: Int? = nil, badField: String = "oops") throws -> File {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("chunks.csv").path
        var text = Self.header
        var ends: [Int] = [], lines: [Int] = [], xs: [Double] = [], gs: [Double] = [], notes: [String] = []
        var size = text.utf8.count, line = 2
        for i in 0..<rows {
            let x = Double(i) / 8 - 300, g = Double(i % 12)
            var note = "n\(i)", field = note
            if i % 97 == 5 { note = "two\nlines \(i)"; field = "\"\(note)\"" }
            else if i % 7 == 3 { note = "a,b \(i)"; field = "\"\(note)\"" }
            let xField = i == bad ? badField : "\(x)"
            let record = "\(i),\(xField),\(field),\(Int(g))\n"
            text += record
            size += record.utf8.count
            ends.append(size); lines.append(line)
            line += note.contains("\n") ? 2 : 1
            xs.append(x); gs.append(g); notes.append(note)
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return File(path: path, ends: ends, lines: lines, size: size, x: xs, g: gs, note: notes)
    }

    /// The rows of each chunk by the chunk rule, from the records' byte offsets alone.
    static func expectedChunkRows(_ file: File, chunkBytes: Int) -> [Int] {
        var counts: [Int] = [], pos = Self.header.utf8.count, row = 0
        while row < file.ends.count {
            var size = chunkBytes
            while true {
                if pos + size >= file.size { counts.append(file.ends.count - row); return counts }
                var r = row
                while r < file.ends.count && file.ends[r] <= pos + size { r += 1 }
                if r == row { size *= 2; continue }
                counts.append(r - row); pos = file.ends[r - 1]; row = r
                break
            }
        }
        return counts
    }

    static func options(_ threads: Int) -> CSVOptions {
        var o = CSVOptions()
        o.threads = threads
        return o
    }

    @Test(arguments: chunkSizes)
    func chunksAreTheRuleSChunksWithTheFileSValues(chunkBytes: Int) throws {
        let file = try Self.makeFile(rows: 12_000)
        defer { try? FileManager.default.removeItem(atPath: (file.path as NSString).deletingLastPathComponent) }
        let expected = Self.expectedChunkRows(file, chunkBytes: chunkBytes)
        #expect(expected.count > 1 || chunkBytes >= file.size)
        for threads in Self.threadCounts {
            var rows: [Int] = [], x: [Double] = [], g: [Double] = [], note: [String] = []
            try CSVReader.forEachChunk(path: file.path, codebook: nil, options: Self.options(threads), chunkBytes: chunkBytes) { d in
                rows.append(d.rowCount)
                x += try d.variable("x").values
                g += try d.variable("g").values
                note += try d.variable("note").strings ?? []
            }
            #expect(rows == expected, "chunk rows, \(chunkBytes) bytes, \(threads) threads")
            #expect(x.map(\.bitPattern) == file.x.map(\.bitPattern), "x, \(chunkBytes) bytes, \(threads) threads")
            #expect(g == file.g && note == file.note, "g and note, \(chunkBytes) bytes, \(threads) threads")
        }
    }

    /// The error of a malformed row in a later chunk: the same error (line, column, variable,
    /// cell) as the whole-file reader, thrown after `body` saw exactly the chunks before it.
    @Test(arguments: chunkSizes)
    func malformedRowInALaterChunkIsThrownInItsTurn(chunkBytes: Int) throws {
        let bad = 9_431
        for (field, kind) in [("oops", "text"), ("1\",2", "quote")] {
            let file = try Self.makeFile(rows: 12_000, bad: bad, badField: field)
            defer { try? FileManager.default.removeItem(atPath: (file.path as NSString).deletingLastPathComponent) }
            let line = file.lines[bad]
            let expectedError: CSVError = kind == "text"
                ? .nonNumeric(CSVPosition(line: line, column: 2, name: "x"), value: "oops")
                : .strayQuote(CSVPosition(line: line, column: 2, name: "x"))
            #expect(throws: expectedError) { try CSVReader.read(path: file.path, codebook: nil, options: .default) }
            // The chunks before the bad row's chunk, by the chunk rule.
            var before = 0
            for n in Self.expectedChunkRows(file, chunkBytes: chunkBytes) {
                if before + n > bad { break }
                before += n
            }
            for threads in Self.threadCounts {
                var seen = 0, calls = 0
                #expect(throws: expectedError, "\(kind), \(chunkBytes) bytes, \(threads) threads") {
                    try CSVReader.forEachChunk(path: file.path, codebook: nil, options: Self.options(threads),
                                               chunkBytes: chunkBytes) { d in
                        seen += d.rowCount; calls += 1
                        let x = try d.variable("x").values
                        #expect(x.allSatisfy { !$0.isNaN })
                    }
                }
                #expect(seen == before, "rows through body before the error, \(kind), \(chunkBytes) bytes, \(threads) threads")
            }
        }
    }

    struct Stop: Error, Equatable { let after: Int }

    /// `body` throwing midway: its error comes out as thrown, no later chunk reaches `body`,
    /// and the reader thread is stopped (a second pass over the same file runs normally).
    @Test(arguments: threadCounts)
    func bodyThrowingMidwayStopsThePass(threads: Int) throws {
        let file = try Self.makeFile(rows: 12_000)
        defer { try? FileManager.default.removeItem(atPath: (file.path as NSString).deletingLastPathComponent) }
        for chunkBytes in Self.chunkSizes {
            let expected = Self.expectedChunkRows(file, chunkBytes: chunkBytes)
            for stopAfter in Set([1, expected.count / 2, expected.count - 1]) where stopAfter >= 1 && stopAfter < expected.count {
                var calls = 0, rows: [Int] = []
                #expect(throws: Stop(after: stopAfter)) {
                    try CSVReader.forEachChunk(path: file.path, codebook: nil, options: Self.options(threads),
                                               chunkBytes: chunkBytes) { d in
                        calls += 1; rows.append(d.rowCount)
                        if calls == stopAfter { throw Stop(after: stopAfter) }
                    }
                }
                #expect(calls == stopAfter && rows == Array(expected.prefix(stopAfter)), "\(chunkBytes) bytes, \(threads) threads")
            }
        }
        var total = 0
        try CSVReader.forEachChunk(path: file.path, codebook: nil, options: Self.options(threads), chunkBytes: 5_000) { total += $0.rowCount }
        #expect(total == 12_000)
    }

    /// A cancelled task stops at the step after the chunk in `body` (the reader thread is joined).
    @Test func cancellationStopsAfterTheChunkInBody() async throws {
        let file = try Self.makeFile(rows: 12_000)
        defer { try? FileManager.default.removeItem(atPath: (file.path as NSString).deletingLastPathComponent) }
        let expected = Self.expectedChunkRows(file, chunkBytes: 5_000)
        let task = Task { () throws -> Int in
            var calls = 0
            try CSVReader.forEachChunk(path: file.path, codebook: nil, options: Self.options(2), chunkBytes: 5_000) { _ in
                calls += 1
                if calls == 3 { withUnsafeCurrentTask { $0?.cancel() } }
            }
            return calls
        }
        do {
            _ = try await task.value
            Issue.record("expected a cancellation")
        } catch let BarometerError.cancelled(stage, completed, total) {
            #expect(stage == "CSV bytes" && total == file.size)
            // The step after the third chunk: the file offset after its last record.
            let row = expected.prefix(3).reduce(0, +)
            #expect(completed == file.ends[row - 1])
        }
    }
}
