// Barometer's side of the peer comparison (Benchmarks/peers/run.sh).
//   PeerRunner TASK DATADIR REPEATS  ->  one JSON line {task, tool, times, blas}
// Data loading is outside the timed region, as for the Python and R peers.
import Barometer
import Foundation
import BarometerIO
#if canImport(Glibc)
import Glibc
#endif

struct RunnerError: Error, CustomStringConvertible { let description: String }

func loadMatrix(_ dir: String, _ name: String) throws -> Dataset {
    let meta = try String(contentsOfFile: "\(dir)/\(name).json", encoding: .utf8)
    func field(_ key: String) -> String? {
        guard let r = meta.range(of: "\"\(key)\": ") else { return nil }
        return String(meta[r.upperBound...].prefix { $0 != "," && $0 != "}" })
    }
    guard let n = field("n").flatMap({ Int($0) }), let p = field("p").flatMap({ Int($0) }),
          let namesStart = meta.range(of: "\"names\": [") else { throw RunnerError(description: "bad metadata for \(name)") }
    let names = meta[namesStart.upperBound...].prefix { $0 != "]" }
        .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
    guard let f = fopen("\(dir)/\(name).f64", "rb") else { throw RunnerError(description: "cannot open \(name).f64") }
    defer { fclose(f) }
    var vars: [Variable] = []
    for j in 0..<p {
        var col = [Double](repeating: 0, count: n)
        let got = col.withUnsafeMutableBufferPointer { fread($0.baseAddress, 8, n, f) }
        guard got == n else { throw RunnerError(description: "short read in \(name)") }
        vars.append(Variable(name: names[j], level: .scale, values: col))
    }
    return try Dataset(variables: vars)
}

/// Process CPU time (all threads), seconds.
func processCPUSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Process CPU time of each repetition, beside the wall times.
nonisolated(unsafe) var cpuTimes: [Double] = []

func timed(_ repeats: Int, _ body: () throws -> Void) rethrows -> [Double] {
    var out: [Double] = []
    for _ in 0..<repeats {
        let c0 = processCPUSeconds(), t0 = BLASRuntime.monotonicSeconds()
        try body()
        out.append(BLASRuntime.monotonicSeconds() - t0)
        cpuTimes.append(processCPUSeconds() - c0)
    }
    return out
}

let args = CommandLine.arguments
guard args.count == 4, let repeats = Int(args[3]) else {
    print("usage: PeerRunner TASK DATADIR REPEATS")
    exit(2)
}
let task = args[1], dir = args[2]
let parts = task.split(separator: "_").map(String.init)
var times: [Double]? = nil
var extra = ""
do {
    switch parts[0] {
    case "pearson", "spearman", "pcorrmatrix":
        let data = try loadMatrix(dir, "cont_\(parts[1])_\(parts[2])")
        let design = SurveyDesign.unweighted(data)
        let names = data.variableNames
        switch parts[0] {
        case "pearson": times = try timed(repeats) { _ = try Correlation.matrix(design, variables: names) }
        case "spearman": times = try timed(repeats) { _ = try Correlation.matrix(design, variables: names, options: .init(method: .spearman)) }
        default: times = try timed(repeats) { _ = try Correlation.partialMatrixGivenOthers(design, variables: names) }
        }
    case "dsyrk":
        let data = try loadMatrix(dir, "cont_\(parts[1])_\(parts[2])")
        let n = data.rowCount, p = data.variables.count
        var x = Matrix(rows: n, columns: p)
        for (j, v) in data.variables.enumerated() { x.storage.replaceSubrange((j * n)..<((j + 1) * n), with: v.values) }
        var c = Matrix(rows: p, columns: p)
        times = try timed(repeats) { try LinearAlgebra.syrk(x, into: &c) }
    case "chunkfloor":
        // The floor for data held as separate column arrays, with Barometer's
        // scheme: two fixed row partitions (even and odd 4,096-row chunks), each
        // copying its chunks of the 200 columns (no centring, no sums) and
        // calling a single-threaded dsyrk into its own sum. Barometer's Pearson
        // path minus its arithmetic.
        let data = try loadMatrix(dir, "cont_\(parts[1])_\(parts[2])")
        let n = data.rowCount, p = data.variables.count, rows = 4096
        let cols = data.variables.map(\.values)
        let chunks = (n + rows - 1) / rows
        final class Sum: @unchecked Sendable { var c = Matrix(rows: 0, columns: 0) }
        let threads = BLASRuntime.threadCount
        times = try timed(repeats) {
            let sums = [Sum(), Sum()]
            _ = BLASRuntime.setThreadCount(1)
            DispatchQueue.concurrentPerform(iterations: 2) { part in
                var chunk = Matrix(rows: min(rows, n), columns: p)
                var c = Matrix(rows: p, columns: p)
                for k in stride(from: part, to: chunks, by: 2) {
                    let start = k * rows, len = min(rows, n - start)
                    if len != chunk.rows { chunk = Matrix(rows: len, columns: p) }
                    chunk.storage.withUnsafeMutableBufferPointer { a in
                        for j in 0..<p { cols[j].withUnsafeBufferPointer { x in
                            (a.baseAddress! + j * len).update(from: x.baseAddress! + start, count: len)
                        } }
                    }
                    try? LinearAlgebra.syrk(chunk, transpose: true, alpha: 1, beta: 1, into: &c)
                }
                sums[part].c = c
            }
            _ = BLASRuntime.setThreadCount(threads)
            for i in sums[0].c.storage.indices { sums[0].c.storage[i] += sums[1].c.storage[i] }
        }
    case "pairwise":
        let data = try loadMatrix(dir, "pairwise_\(parts[1])_\(parts[2])")
        let design = SurveyDesign.unweighted(data)
        times = try timed(repeats) { _ = try Correlation.matrix(design, variables: data.variableNames, options: .init(missing: .pairwise)) }
    case "pcorrpairs":
        let data = try loadMatrix(dir, "cont_\(parts[1])_200")
        let design = SurveyDesign.unweighted(data)
        let xs = (1...50).map { "x\($0)" }
        times = try timed(repeats) { _ = try Correlation.partialMatrix(design, variables: xs, controlling: ["x51"]) }
    case "table", "alltables":
        let data = try loadMatrix(dir, "cat_\(parts[1])_50")
        let design = try SurveyDesign(data: data, weight: "wt")
        if parts[0] == "table" {
            times = try timed(repeats) { _ = try ContingencyTable(design, rows: "q1", columns: "q2") }
        } else {
            let qs = (1...50).map { "q\($0)" }
            times = try timed(repeats) { _ = try BannerTable(design, rows: qs, columns: qs) }
        }
    case "shares":
        let data = try loadMatrix(dir, "shares_\(parts[1])")
        let design = try SurveyDesign(data: data, weight: "wt")
        times = try timed(repeats) { _ = try ShareTable(design, of: "yes", in: [1], by: "region", method: .logit) }
    case "groupmeans", "groupdiffs":
        // grouped means with SEs (R svyby(~y, ~g, svymean)) under strata and PSUs; groupdiffs adds
        // the k × k covariance and every pairwise difference (svyby(covmat = TRUE) + svycontrast)
        let data = try loadMatrix(dir, "groups_\(parts[1])_\(parts[2])")
        let design = try SurveyDesign(data: data, weight: "wt", strata: "st", clusters: "psu")
        if parts[0] == "groupmeans" {
            times = try timed(repeats) { _ = try design.mean("y", by: ["g"], covariance: false) }
        } else {
            times = try timed(repeats) { _ = try design.mean("y", by: ["g"]).pairwiseDifferences() }
        }
    case "banner":
        // banner_N_Q: Q questions × 5 banner variables (Total + 20 columns), design-based column tests.
        let data = try loadMatrix(dir, "banner_\(parts[1])")
        let design = try SurveyDesign(data: data, weight: "wt")
        let q = Int(parts[2]) ?? 100
        let spec = BannerSpecification(stubs: (1...q).map { .init(variable: "q\($0)") },
                                       banner: (1...5).map { .init(variable: "g\($0)") }, levels: [0.05, 0.01])
        times = try timed(repeats) { _ = try BannerBook(design, specification: spec) }
    case "csv":
        times = try timed(repeats) { _ = try CSVReader.read(path: "\(dir)/ingest.csv") }
    case "rake":
        // Issue 18: IPF to 6 margins (40 categories) from base weights 1, to 1e-7 on shares,
        // including the checks of the targets against the data, the report and the calibrated design.
        let data = try loadMatrix(dir, "rake_\(parts[1])")
        let targets = try TargetsLoader.load("\(dir)/rake_\(parts[1])_targets.csv")
        let design = SurveyDesign.unweighted(data)
        var achieved = 0.0, iterations = 0
        times = try timed(repeats) {
            let r = try design.weighted(to: targets, options: WeightingOptions(method: .rake, epsilon: 1e-7))
            achieved = r.report.margins.map(\.maxDeviation).max() ?? .nan
            iterations = r.report.iterations
        }
        extra = ", \"iterations\": \(iterations), \"maxDeviation\": \(achieved)"
    case "reps":
        let data = try loadMatrix(dir, "reps_\(parts[1])")
        let ys = (1...50).map { "y\($0)" }
        let rw = (1...200).map { "rw\($0)" }
        times = try timed(repeats) {
            let design = try SurveyDesign(data: data, weight: "wt", replicateColumns: rw, method: .jk1)
            _ = try design.mean(ys)
        }
    default:
        break
    }
} catch {
    print("{\"task\": \"\(task)\", \"tool\": \"barometer\", \"error\": \"\(error)\"}")
    exit(1)
}
let blas = "\(BLASRuntime.implementation), \(BLASRuntime.threadCount) threads"
if let t = times {
    print("{\"task\": \"\(task)\", \"tool\": \"barometer\", \"times\": [\(t.map { String($0) }.joined(separator: ", "))], "
          + "\"cpu\": [\(cpuTimes.map { String($0) }.joined(separator: ", "))], \"blas\": \"\(blas)\"\(extra)}")
} else {
    print("{\"task\": \"\(task)\", \"tool\": \"barometer\", \"error\": \"not applicable\"}")
}
