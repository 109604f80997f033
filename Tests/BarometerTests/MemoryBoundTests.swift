import Barometer
import BarometerIO
import Foundation
import Testing

/// Peak memory follows the question, not the file (issue 16, item 4):
/// `barometer freq FILE VAR` on a file of many numeric columns stays below
/// the process baseline (`barometer --version`, measured in the same test)
/// plus a bound derived from ONE column's size and the reader's documented
/// working set (README "Robustness"), far below what loading every column
/// would take. Measured with GNU time (`/usr/bin/time -v`, Debian package
/// `time`, installed by `make test`).
@Suite(.serialized) struct MemoryBoundTests {
    static let columns = 200
    static let rows = 50_000

    /// Peak resident set size in bytes of `barometer arguments`, and its standard output.
    static func peakRSS(_ arguments: [String]) throws -> (bytes: Int, stdout: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/time")
        p.arguments = ["-v", try CLI.binary().path] + arguments
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(arguments): \(e)")
        let line = try #require(e.split(separator: "\n").first { $0.contains("Maximum resident set size (kbytes):") }, "\(e)")
        let kb = try #require(Int(line.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""))
        return (kb * 1024, String(decoding: o, as: UTF8.self))
    }

    /// The file's cells: one digit 0–9 from a fixed linear congruential sequence.
    static func cells(rows: Int, columns: Int) -> [UInt8] {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        return (0..<(rows * columns)).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8((state >> 33) % 10)
        }
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-rss-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Weighted counts of column `j` computed here from the generated cells (an independent tally).
    static func counts(_ cells: [UInt8], column j: Int, columns: Int) -> [Int] {
        var c = [Int](repeating: 0, count: 10)
        for r in 0..<(cells.count / columns) { c[Int(cells[r * columns + j])] += 1 }
        return c
    }

    @Test func freqOfOneColumnOfAManyColumnCSVStaysNearOneColumn() throws {
        #expect(FileManager.default.isExecutableFile(atPath: "/usr/bin/time"), "install the Debian package 'time' (make deps)")
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("wide.csv").path
        // 200 numeric columns × 50,000 rows of one digit: 20 MB of text, 80 MB as doubles.
        let block = 1000
        let cells = Self.cells(rows: block, columns: Self.columns)
        var text = Array((0..<Self.columns).map { "c\($0)" }.joined(separator: ",").utf8) + [0x0A]
        var body: [UInt8] = []
        body.reserveCapacity(block * Self.columns * 2)
        for r in 0..<block {
            for j in 0..<Self.columns { body.append(0x30 + cells[r * Self.columns + j]); body.append(j == Self.columns - 1 ? 0x0A : 0x2C) }
        }
        for _ in 0..<(Self.rows / block) { text += body }
        try Data(text).write(to: URL(fileURLWithPath: path))

        let baseline = try Self.peakRSS(["--version"]).bytes
        let run = try Self.peakRSS(["freq", path, "c7", "--format", "json"])
        // The answer is right: n per code is the tally of the generated column, times the repeats.
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let rows = try #require(json["rows"] as? [[String: Any]])
        let expected = Self.counts(cells, column: 7, columns: Self.columns).map { $0 * (Self.rows / block) }
        for row in rows {
            guard let code = (row["category"] as? [String: Any])?["code"] as? Double, let n = row["count"] as? Int else { continue }
            #expect(n == expected[Int(code)], "code \(code)")
        }
        // Bound: baseline + 16 × one column (values, weights, domain and sort copies of the
        // freq pass) + the reader's working set: two 4 MiB pieces (mapped bytes and parsed
        // buffers) per parsing thread and the main parser, plus 8 MiB of allocator slack.
        let column = 8 * Self.rows
        let threads = min(max(ProcessInfo.processInfo.activeProcessorCount, 1), 16)
        let bound = baseline + 16 * column + (threads + 1) * 2 * (4 << 20) + (8 << 20)
        let everyColumn = baseline + 8 * Self.rows * Self.columns
        #expect(bound < everyColumn, "the test needs more rows on \(threads) threads to tell the two apart")
        #expect(run.bytes < bound, "peak RSS \(run.bytes >> 20) MiB ≥ bound \(bound >> 20) MiB (baseline \(baseline >> 20) MiB; all columns as doubles alone: \(everyColumn >> 20) MiB)")
    }

    @Test func freqOfOneVariableOfAManyVariableSAVStaysNearOneColumn() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("wide.sav").path
        // 100 numeric variables × 50,000 cases, written with the project's SAVWriter (uncompressed: 40 MB).
        let columns = 100, block = 1000
        let cells = Self.cells(rows: block, columns: columns)
        var variables: [Variable] = []
        for j in 0..<columns {
            var v = [Double](repeating: 0, count: Self.rows)
            for r in 0..<Self.rows { v[r] = Double(cells[(r % block) * columns + j]) }
            variables.append(Variable(name: "v\(j)", values: v))
        }
        try SAVWriter.write(try Dataset(variables: variables), to: path, compression: .none)
        variables = []

        let baseline = try Self.peakRSS(["--version"]).bytes
        let run = try Self.peakRSS(["freq", path, "v3", "--format", "json"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let rows = try #require(json["rows"] as? [[String: Any]])
        let expected = Self.counts(cells, column: 3, columns: columns).map { $0 * (Self.rows / block) }
        for row in rows {
            guard let code = (row["category"] as? [String: Any])?["code"] as? Double, let n = row["count"] as? Int else { continue }
            #expect(n == expected[Int(code)], "code \(code)")
        }
        // ReadStat reads sequentially through small buffers: baseline + 16 columns + 16 MiB.
        let column = 8 * Self.rows
        let bound = baseline + 16 * column + (16 << 20)
        let everyColumn = baseline + 8 * Self.rows * columns
        #expect(bound < everyColumn)
        #expect(run.bytes < bound, "peak RSS \(run.bytes >> 20) MiB ≥ bound \(bound >> 20) MiB (baseline \(baseline >> 20) MiB; all variables as doubles alone: \(everyColumn >> 20) MiB)")
    }
}
