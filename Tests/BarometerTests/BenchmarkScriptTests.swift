import Foundation
import Testing

/// The benchmark scripts' own statements (not in CI's benchmark runs, which are too large): the ACS
/// generator's size estimate against what it writes, and `report.py`'s target lines. Run when
/// python3 with numpy is present (the scripts need it).
@Suite struct BenchmarkScriptTests {
    static var available: Bool {
        (try? run(["python3", "-c", "import numpy"]).status) == 0
    }

    static func run(_ args: [String], stdin: String? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = args
        p.currentDirectoryURL = Fixture.root
        let out = Pipe(), err = Pipe(), inp = Pipe()
        p.standardOutput = out; p.standardError = err; p.standardInput = inp
        try p.run()
        if let stdin { inp.fileHandleForWriting.write(Data(stdin.utf8)) }
        try inp.fileHandleForWriting.close()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }

    /// `acs_replicate_bench.sh` states "about N bytes a row" (it said 820 and 8.2 GB at 10⁷; the file is
    /// 6.5 GB): its own generator (the script's Python, run on 5,000 rows) must write within 5 % of N.
    @Test(.enabled(if: available, "python3 with numpy"))
    func acsBenchmarkSizeEstimateMatchesItsGenerator() throws {
        let script = try String(contentsOfFile: Fixture.path("Benchmarks/peers/acs_replicate_bench.sh"), encoding: .utf8)
        let stated = try #require(script.firstMatch(of: /about (\d+) bytes a\s*(?:#\s*)?row/).flatMap { Double($0.1) })
        let lines = script.components(separatedBy: "\n")
        let start = try #require(lines.firstIndex { $0.hasPrefix("python3 - \"$csv\" \"$rows\" <<'EOF'") })
        let end = try #require(lines[(start + 1)...].firstIndex { $0 == "EOF" })
        let generator = lines[(start + 1)..<end].joined(separator: "\n")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("acs-\(UUID().uuidString).csv")
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try Self.run(["python3", "-", file.path, "5000"], stdin: generator)
        #expect(r.status == 0, "\(r.stderr)")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int)
        let perRow = Double(size) / 5000
        #expect(abs(perRow - stated) / perRow < 0.05, "the script says about \(stated) bytes a row; its generator writes \(perRow)")
    }

    /// `report.py` prints issue 21's Pearson target (1.2× of one dsyrk) and no longer issue 7's stale
    /// "within 1.15×" line beside it.
    @Test(.enabled(if: available, "python3 with numpy"))
    func peerReportPrintsOnlyTheCurrentPearsonTarget() throws {
        let rows = [("pearson_1000000_200", 1.0), ("dsyrk_1000000_200", 0.9), ("chunkfloor_1000000_200", 0.95)].map {
            "{\"task\": \"\($0.0)\", \"tool\": \"barometer\", \"times\": [\($0.1)], \"cpu\": [\($0.1)], \"blas\": \"OpenBLAS SkylakeX\"}"
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("results-\(UUID().uuidString).jsonl")
        try rows.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let r = try Self.run(["python3", "Benchmarks/peers/report.py", file.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("within 1.2× of one dsyrk on the SkylakeX kernel (issue 21)"), "\(r.stdout)")
        #expect(!r.stdout.contains("1.15×"), "\(r.stdout)")
    }
}
