@testable import Barometer
import Foundation
import Testing

/// Thread-count invariance of the grouped (sparse) chunk layout's kernels
/// (`DesignTotalsAccumulator+Grouped.swift`): its replicate products sum each
/// replicate whole on one thread in row order, and the rank sketch of the replicate
/// weights sums fixed row segments, so grouped means and shares must be the same bits
/// whatever the number of threads. Run with 1, 2, 3 and 8 kernel threads
/// (``KernelThreads/override``; BLAS threads set alike) under JK1, BRR, Fay, bootstrap
/// (mse) and SDR replicate designs and a strata/PSU design, on data large enough that
/// every chunk of every path is split over the threads (rows × replicates of the
/// smallest chunk at least ``DesignTotalsAccumulator/groupedReplicateParallelWork``,
/// several 1,024-row blocks). Compared with the single-thread run: the partial states'
/// bytes (`partial mean --by`, `partial share --by`, one pass and two shards merged:
/// the totals as IEEE bits), the finalized estimates, SEs and intervals by `bitPattern`,
/// and the JSON of every result (Swift prints the shortest decimal that reads back to
/// the same double, so equal JSON is equal bits); the in-memory `mean --by` and `share
/// --by` likewise.
@Suite struct GroupedReplicateThreadTests {
    static let rows = 24_000, strata = 12, psusPerStratum = 2
    static var psuCount: Int { strata * psusPerStratum }
    /// Shard cut for the merged states: both shards hold several chunks' worth of work.
    static let cut = 9_000

    /// Data: weight, stratum, PSU (named), 12 groups (some system-missing), a numeric y and a
    /// 1–5 answer (some missing), and replicate weights of each method built from the PSUs.
    static let data: Dataset? = try? build()

    static func build() throws -> Dataset {
        var g = SplitMix(seed: 2222)
        let n = rows, P = psuCount
        let psu = (0..<n).map { _ in Int.random(in: 0..<P, using: &g) }
        let w = (0..<n).map { _ in Double.random(in: 0.5...3, using: &g) }
        let grp = (0..<n).map { _ in Double.random(in: 0..<1, using: &g) < 0.03 ? Double.nan : Double(Int.random(in: 1...12, using: &g)) }
        let y = (0..<n).map { i in Double.random(in: 0..<1, using: &g) < 0.05 ? Double.nan
            : 40 + 3 * (grp[i].isNaN ? 0 : grp[i]) + Double(psu[i] % 5) + Double.random(in: -20...20, using: &g) }
        let q = (0..<n).map { _ in Double.random(in: 0..<1, using: &g) < 0.05 ? Double.nan : Double(Int.random(in: 1...5, using: &g)) }
        var vars = [Variable(name: "w", values: w), Variable(name: "stratum", values: psu.map { Double($0 / psusPerStratum + 1) }),
                    Variable(name: "psu", values: psu.map { Double($0 + 1) }), Variable(name: "grp", values: grp),
                    Variable(name: "y", values: y), Variable(name: "q", values: q)]
        func add(_ name: String, _ factor: (Int) -> Double) { vars.append(Variable(name: name, values: (0..<n).map { w[$0] * factor(psu[$0]) })) }
        for r in 0..<P { add("jk\(r + 1)") { $0 == r ? 0 : Double(P) / Double(P - 1) } }
        for r in 0..<12 {
            // One PSU of each stratum in the half sample (BRR); Fay's ρ = 0.5 on the same halves.
            let first = (0..<strata).map { _ in Bool.random(using: &g) }
            let inHalf = { (p: Int) in first[p / psusPerStratum] == (p % psusPerStratum == 0) }
            add("brr\(r + 1)") { inHalf($0) ? 2 : 0 }
            add("fay\(r + 1)") { inHalf($0) ? 1.5 : 0.5 }
            let draws = (0..<P).map { _ in Double(Int.random(in: 0...3, using: &g)) }
            add("boot\(r + 1)") { draws[$0] }
        }
        for r in 0..<P {
            let step = (0..<P).map { _ in [0.3, 1, 1.7][Int.random(in: 0..<3, using: &g)] }
            add("sdr\(r + 1)") { step[$0] }
        }
        return try Dataset(variables: vars, weightVariable: "w")
    }

    static func names(_ prefix: String, _ count: Int) -> [String] { (1...count).map { "\(prefix)\($0)" } }

    /// (name, replicate count (0: strata/PSUs), design of a dataset, the header's design spec).
    static func designs() -> [(String, Int, (Dataset) throws -> SurveyDesign, [String: String])] {
        let P = psuCount
        return [
            ("strata, PSUs", 0, { try SurveyDesign(data: $0, weight: "w", strata: "stratum", clusters: "psu") },
             ["weight": "w", "strata": "stratum", "psu": "psu"]),
            ("JK1", P, { try SurveyDesign(data: $0, weight: "w", replicateColumns: names("jk", P), method: .jk1) },
             ["weight": "w", "repweights": "jk"]),
            ("BRR", 12, { try SurveyDesign(data: $0, weight: "w", replicateColumns: names("brr", 12), method: .brr) },
             ["weight": "w", "repweights": "brr"]),
            ("Fay", 12, { try SurveyDesign(data: $0, weight: "w", replicateColumns: names("fay", 12), method: .fay, fayRho: 0.5) },
             ["weight": "w", "repweights": "fay"]),
            ("bootstrap, mse", 12, { try SurveyDesign(data: $0, weight: "w", replicateColumns: names("boot", 12), method: .bootstrap,
                                                     mse: true) }, ["weight": "w", "repweights": "boot", "mse": "true"]),
            ("SDR", P, { try SurveyDesign(data: $0, weight: "w", replicateColumns: names("sdr", P), method: .sdr) },
             ["weight": "w", "repweights": "sdr"]),
        ]
    }

    /// Everything computed with one thread count: state bytes, result JSON, and the
    /// grouped results' numbers as bit patterns.
    struct Run: Equatable {
        var states: [String: [UInt8]] = [:]
        var json: [String: String] = [:]
        var bits: [String: [UInt64]] = [:]
    }

    static func bits(_ g: GroupedEstimates) -> [UInt64] {
        g.groups.flatMap { group -> [UInt64] in
            [group.weightedCount.bitPattern] + (group.estimate.map { e in
                [e.estimate, e.standardError, e.lower, e.upper, e.designEffectReplace ?? .nan].map(\.bitPattern)
            } ?? [])
        }
    }

    static func run(_ make: (Dataset) throws -> SurveyDesign, spec: [String: String], threads: Int) throws -> Run {
        let data = try #require(Self.data)
        let blas = BLASRuntime.threadCount
        defer { _ = BLASRuntime.setThreadCount(blas) }
        _ = BLASRuntime.setThreadCount(threads)
        return try KernelThreads.$override.withValue(threads) {
            var out = Run()
            let design = try make(data)
            let mean = try design.mean("y", by: ["grp"])
            let share = try design.share(of: "q", in: [1, 2], by: ["grp"])
            out.json["mean"] = try OutputFormat.renderJSON(mean)
            out.json["share"] = try OutputFormat.renderJSON(share)
            out.bits["mean"] = bits(mean)
            out.bits["share"] = bits(share)
            func states(_ d: Dataset) throws -> [String: PartialResult] {
                let part = try make(d)
                return ["mean": try PartialResult.grouped(part, statistic: "mean", variables: ["y"], by: ["grp"], level: 0.95,
                                                          compare: true, adjustment: .none, design: spec),
                        "share": try PartialResult.share(part, of: "q", in: [1, 2], by: "grp", denominator: .validAnswers,
                                                         method: .standard, level: 0.95, design: spec)]
            }
            let whole = try states(data)
            let first = try states(AccumulationTests.rows(data, 0..<cut))
            let second = try states(AccumulationTests.rows(data, cut..<rows))
            for (name, state) in whole {
                var merged = try PartialResult.decode(try #require(second[name]).encoded())
                try merged.merge(PartialResult.decode(try #require(first[name]).encoded()))
                for (label, s) in [("one pass", state), ("two shards", merged)] {
                    out.states["\(name), \(label)"] = s.encoded()
                    switch try s.finalize() {
                    case .grouped(let list, _, _):
                        out.bits["\(name), \(label)"] = list.flatMap(bits)
                        out.json["\(name), \(label)"] = try OutputFormat.renderJSON(list)
                    case .shareTable(let table, _):
                        out.json["\(name), \(label)"] = try OutputFormat.renderJSON(table)
                    default: Issue.record("\(name): unexpected result")
                    }
                }
            }
            return out
        }
    }

    @Test func groupedMeansAndSharesAreBitIdenticalForAnyThreadCount() throws {
        // Every chunk of every path is large enough to be split: the in-memory chunks (16,384 rows and
        // the rest), both shards and their chunks.
        let chunk = SurveyDesign.designChunkRows
        let smallest = [Self.rows % chunk, Self.cut, (Self.rows - Self.cut) % chunk].filter { $0 > 0 }.min() ?? 0
        #expect(smallest > 4 * 1024)
        for (name, replicates, make, spec) in Self.designs() {
            if replicates > 0 {
                #expect(smallest * replicates >= DesignTotalsAccumulator.groupedReplicateParallelWork, "\(name): chunks too small to split")
            }
            let one = try Self.run(make, spec: spec, threads: 1)
            #expect(one.states.count == 4 && one.json.count == 6 && one.bits.count == 4)
            #expect(one.bits.values.allSatisfy { !$0.isEmpty })
            for threads in [2, 3, 8] {
                let other = try Self.run(make, spec: spec, threads: threads)
                for key in one.states.keys.sorted() {
                    #expect(other.states[key] == one.states[key], "\(name), \(threads) threads: state of \(key)")
                }
                for key in one.bits.keys.sorted() {
                    #expect(other.bits[key] == one.bits[key], "\(name), \(threads) threads: numbers of \(key)")
                }
                for key in one.json.keys.sorted() {
                    #expect(other.json[key] == one.json[key], "\(name), \(threads) threads: JSON of \(key)")
                }
            }
        }
    }

    /// The override gives the kernels the thread count asked for, bounded by their parts.
    @Test func overrideSetsTheKernelThreads() {
        #expect(KernelThreads.$override.withValue(3) { KernelThreads.count(limit: 12) } == 3)
        #expect(KernelThreads.$override.withValue(8) { KernelThreads.count(limit: 5) } == 5)
    }
}
