import Foundation
import Testing

/// Issue 16: a seeded, bounded randomized run of the command-line tool.
/// Random small datasets (0–40 rows; categorical codes with Don't know /
/// Refused and blanks, a continuous variable, weights that are sometimes
/// zero, negative or missing, strata, PSUs, replicate factors, a text
/// column) × every estimating command × random flags, including unknown
/// variables and bad values. Every run must end by itself within the time
/// limit with one of the documented exit codes (README, "Errors and exit
/// codes"): 0 success, 1 an error on the data or a failed verification,
/// 64 a usage error. A signal (trap, crash), a hang or any other code fails.
///
/// `BAROMETER_RANDOM_SEED` and `BAROMETER_RANDOM_RUNS` override the seed
/// (default 16) and the number of runs (default 160; about 10 s of CPU);
/// the run also stops after `BAROMETER_RANDOM_SECONDS` (default 45) of wall
/// time, so a loaded machine runs a prefix of the same seeded sequence.
@Suite struct CLIRandomizedTests {
    /// SplitMix64: a small deterministic generator.
    struct RNG {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
        mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
        mutating func pick<T>(_ xs: [T]) -> T { xs[int(xs.count)] }
        mutating func double() -> Double { Double(next() >> 11) / Double(1 << 53) }
    }

    static let categorical = ["a", "b", "c"]
    static let numeric = ["a", "b", "c", "y"]

    /// A random CSV: header a,b,c,y,w,st,psu,r1..r4,s.
    static func dataset(_ g: inout RNG) -> String {
        let n = g.chance(0.05) ? 0 : 1 + g.int(40)
        let levels = [2 + g.int(3), 2 + g.int(4), 1 + g.int(5)]
        let weightMode = g.int(10)  // 0: a zero weight, 1: a negative one, 2: a blank, else positive
        var s = "a,b,c,y,w,st,psu,r1,r2,r3,r4,s\n"
        for i in 0..<n {
            var cells: [String] = []
            for k in 0..<3 {
                let u = g.double()
                cells.append(u < 0.06 ? "" : u < 0.12 ? "8" : u < 0.15 ? "9" : String(1 + g.int(levels[k])))
            }
            cells.append(g.chance(0.1) ? "NA" : String(format: "%.3f", g.double() * 100 - 20))
            var w = String(format: "%.4f", 0.2 + g.double() * 3)
            if i == n / 2 {
                switch weightMode { case 0: w = "0"; case 1: w = "-1"; case 2: w = ""; default: break }
            }
            cells.append(w)
            cells.append(String(1 + g.int(3)))
            cells.append(String(1 + g.int(6)))
            for _ in 0..<4 { cells.append(g.chance(0.3) ? "0" : String(format: "%.2f", 0.5 + g.double() * 1.5)) }
            cells.append(g.pick(["yes", "no", "", "\"a, b\""]))
            s += cells.joined(separator: ",") + "\n"
        }
        return s
    }

    static func variable(_ g: inout RNG, _ from: [String]) -> String {
        g.chance(0.04) ? g.pick(["zz", "s", "w", ""]) : g.pick(from)
    }

    static func design(_ g: inout RNG) -> [String] {
        var a: [String] = []
        if g.chance(0.6) { a += ["--weight", g.chance(0.95) ? "w" : "s"] }
        switch g.int(6) {
        case 0: a += ["--strata", "st", "--psu", "psu"] + (g.chance(0.5) ? ["--nest"] : [])
            if g.chance(0.5) { a += ["--lonely-psu", g.pick(["fail", "remove", "adjust", "average", "certainty"])] }
        case 1: a += ["--psu", "psu"]
        case 2: a += ["--repweights", "^r[0-9]$", "--repmethod", g.pick(["jk1", "brr", "fay", "bootstrap", "sdr"]), "--rep-factors"]
            if a.contains("fay") { a += ["--fay-rho", g.pick(["0.5", "0.3"])] }
            if g.chance(0.3) { a += ["--mse"] }
        default: break
        }
        return a
    }

    static func command(_ g: inout RNG, file: String) -> [String] {
        let fmt = ["--format", g.pick(["table", "json", "csv", "markdown"])]
        switch g.int(9) {
        case 0: return ["describe", file] + fmt
        case 1: return ["freq", file, variable(&g, categorical + ["y", "s"])] + (g.chance(0.5) ? ["--weight", "w"] : [])
            + (g.chance(0.3) ? ["--exclude-missing"] : []) + fmt
        case 2: return [g.pick(["mean", "total"]), file] + (0...g.int(2)).map { _ in variable(&g, numeric) } + design(&g)
            + (g.chance(0.2) ? ["--level", g.pick(["0.9", "0.99", "1.5"])] : []) + fmt
        case 3:
            var a = ["crosstab", file, "--rows", variable(&g, categorical), "--cols", variable(&g, categorical)]
            if g.chance(0.2) { a += ["--layer", variable(&g, categorical)] }
            if g.chance(0.6) {
                a += ["--stats", g.pick(["chisq", "lr", "fisher", "raoscott", "phi,cramer,cc", "lambda,gamma", "taub,tauc,somers", "residuals", "all"])]
            }
            if g.chance(0.3) { a += ["--percent", g.pick(["row", "col", "total"])] }
            if g.chance(0.3) { a += ["--exclude-missing"] }
            return a + design(&g) + fmt
        case 4:
            var a = ["share", file, "--of", "\(variable(&g, categorical)) in \(g.pick(["1", "1,2", "2,3", "8"]))"]
            if g.chance(0.4) { a += ["--among", "\(variable(&g, categorical)) in \(g.pick(["1", "1,2", "9"]))"] }
            if g.chance(0.4) { a += ["--by", variable(&g, categorical)] }
            if g.chance(0.5) { a += ["--ci", g.pick(["wald", "wilson", "clopper-pearson", "agresti-coull", "logit", "korn-graubard"])] }
            if g.chance(0.2) { a += ["--all-in-domain"] }
            return a + design(&g) + fmt
        case 5:
            var a = ["corr", file] + (0...(1 + g.int(2))).map { _ in variable(&g, numeric) }
            if g.chance(0.5) { a += ["--method", g.pick(["pearson", "spearman", "kendall", "polychoric"])] }
            if g.chance(0.3) { a += ["--pairwise"] }
            if g.chance(0.3) { a += ["--adjust", g.pick(["holm", "bonferroni", "bh"])] }
            if g.chance(0.2) { a += ["--frequency-weights"] }
            return a + design(&g) + fmt
        case 6:
            var a = ["pcorr", file] + (0...(1 + g.int(2))).map { _ in variable(&g, numeric) }
            if g.chance(0.5) { a += ["--control", variable(&g, numeric)] }
            if g.chance(0.3) { a += ["--method", "spearman"] }
            if g.chance(0.2) { a += ["--pseudo-inverse"] }
            return a + design(&g) + fmt
        case 7:
            var a = ["mrset", file] + (0...(1 + g.int(2))).map { _ in variable(&g, categorical) }
            if g.chance(0.3) { a += ["--exclude", g.pick(["8", "1,9"])] }
            if g.chance(0.3) { a += ["--among", "a in 1,2"] }
            if g.chance(0.4) { a += ["--weight", "w"] }
            return a + fmt
        default:
            // Usage errors: unknown options, bad enum values, missing arguments.
            return g.pick([["freq", file], ["crosstab", file, "--rows", "a"], ["corr", file, "a", "--method", "bogus"],
                           ["mean", file, "y", "--repweights", "r"], ["share", file], ["freq", file, "a", "--bogus"]])
        }
    }

    /// Runs the tool with a time limit; nil status when it had to be killed.
    static func run(_ args: [String], seconds: Double) throws -> (status: Int32?, signal: Bool, stderr: String) {
        let p = Process()
        p.executableURL = try CLI.binary()
        p.arguments = args
        p.environment = ProcessInfo.processInfo.environment.merging(["OPENBLAS_NUM_THREADS": "1"]) { $1 }
        let err = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        try p.run()
        let deadline = Date().addingTimeInterval(seconds)
        while p.isRunning && Date() < deadline { usleep(2_000) }
        if p.isRunning { p.terminate(); p.waitUntilExit(); return (nil, false, "") }
        let e = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        return (p.terminationStatus, p.terminationReason == .uncaughtSignal, e)
    }

    @Test func randomDatasetsCommandsAndFlags() throws {
        let env = ProcessInfo.processInfo.environment
        let seed = UInt64(env["BAROMETER_RANDOM_SEED"] ?? "") ?? 16
        let runs = Int(env["BAROMETER_RANDOM_RUNS"] ?? "") ?? 160
        let budget = Double(env["BAROMETER_RANDOM_SECONDS"] ?? "") ?? 45
        var g = RNG(state: seed)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-random-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var codes: [Int32: Int] = [:]
        let start = Date()
        var done = 0
        for i in 0..<runs {
            if i >= 40 && Date().timeIntervalSince(start) > budget { break }
            done += 1
            let file = dir.appendingPathComponent("d\(i % 40).csv").path
            if i < 40 { try Self.dataset(&g).write(toFile: file, atomically: true, encoding: .utf8) }
            let args = Self.command(&g, file: file)
            let r = try Self.run(args, seconds: 30)
            let repro = "seed \(seed), run \(i): barometer \(args.joined(separator: " "))\n\(r.stderr.prefix(400))"
            guard let status = r.status else { Issue.record("hang (killed after 30 s): \(repro)"); continue }
            #expect(!r.signal, "signal \(status): \(repro)")
            #expect([0, 1, 64].contains(status), "exit \(status): \(repro)")
            if status == 1 { #expect(r.stderr.hasPrefix("Error: "), "exit 1 without an error message: \(repro)") }
            codes[status, default: 0] += 1
        }
        // The mix must exercise both successes and errors.
        #expect((codes[0] ?? 0) > done / 5 && (codes[1] ?? 0) > 0 && (codes[64] ?? 0) > 0, "\(codes)")
        print("CLIRandomizedTests: \(done) of \(runs) runs in \(String(format: "%.1f", Date().timeIntervalSince(start))) s, exit codes \(codes.sorted { $0.key < $1.key })")
    }
}
