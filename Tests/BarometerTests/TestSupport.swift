import Foundation
import Testing

/// Paths and JSON loading for fixtures committed under `Fixtures/`.
enum Fixture {
    /// The repository root, found from this source file's location.
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
    static func path(_ relative: String) -> String { url(relative).path }

    static func json(_ relative: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url(relative)))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ relative: String) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(contentsOf: url(relative)))
    }
}

/// |a − b| ≤ rel · max(|a|, |b|, tiny): relative comparison used against references.
func close(_ a: Double, _ b: Double, rel: Double = 1e-10, abs absTol: Double = 0) -> Bool {
    if a == b { return true }
    if a.isNaN || b.isNaN { return false }
    return Swift.abs(a - b) <= max(rel * max(Swift.abs(a), Swift.abs(b)), absTol)
}

/// Runs the `barometer` executable built next to the test bundle
/// (`make test` builds it before testing).
enum CLI {
    struct Result { let status: Int32; let stdout: String; let stderr: String }

    static func binary() throws -> URL {
        let exe = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        var dir = exe.deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("barometer")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "barometer binary not found near \(exe.path); run `swift build` first"])
    }

    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        let p = Process()
        p.executableURL = try binary()
        p.arguments = arguments
        p.currentDirectoryURL = Fixture.root
        var e = ProcessInfo.processInfo.environment
        for (k, v) in environment { e[k] = v }
        p.environment = e
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let r = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: r, as: UTF8.self))
    }

    /// Runs `executable` with its standard error sent to a temporary file (so neither pipe can
    /// fill while the other is read) and returns its exit status, standard output and that log.
    static func runLoggingStderr(_ executable: URL, _ arguments: [String],
                                 environment: [String: String]? = nil) throws -> (status: Int32, stdout: String, log: String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-log-\(UUID().uuidString).txt")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: log) }
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments
        p.currentDirectoryURL = Fixture.root
        if let environment { p.environment = environment }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = try FileHandle(forWritingTo: log)
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    /// Runs the CLI under `/usr/bin/time -v` and returns its peak resident set size (KiB,
    /// "Maximum resident set size"; 0 when the report has none), exit status and output.
    static func peakRSS(_ arguments: [String]) throws -> (kib: Int, status: Int32, stdout: String) {
        let r = try runLoggingStderr(URL(fileURLWithPath: "/usr/bin/time"), ["-v", try binary().path] + arguments)
        let line = r.log.split(separator: "\n").first { $0.contains("Maximum resident set size") } ?? ""
        return (Int(line.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "") ?? 0, r.status, r.stdout)
    }
}

/// A tiny seeded generator (SplitMix64), so random test data and splits are the same on every run.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
