@testable import Barometer
import BarometerIO
import Foundation
import Testing

/// JKn replicate designs on shards without given rscales: R `as.svrepdesign(type = "JKn")`'s
/// `rscale_r = (n_h − 1)/n_h` (times `1 − f_h` with an fpc) needs every PSU of the stratum that
/// replicate r deletes, which a shard does not hold, so each state keeps the strata counts
/// (``JackknifeStrata``: PSUs per stratum label, each replicate's deleted stratum and fpc) and the
/// merged state derives the rscales by the in-memory rule. On R's JKn replicate weights of the
/// stratified api sample (`Fixtures/reference/design/make_design.R`; the in-memory rscales and
/// mean equal R's in `DesignTests`), random row shards (2–8) merged in random orders through their
/// bytes equal the single pass: rscales exactly, counts and df exactly, estimates, SEs and
/// intervals at 1e-12; with an fpc too; and the CLI's `partial` + `merge` of mean, ratio `--by`,
/// `crosstab --stats` and `share --by` print what the commands print on the whole file (JSON at
/// 1e-12; text identical but for the crosstab's Rao-Scott df, see the test).
@Suite struct PartialJackknifeTests {
    typealias A = AccumulationTests
    static let reps = (1...200).map { "jkn_\($0)" }

    static func design(_ d: Dataset, fpc: Bool, partial: Bool) throws -> SurveyDesign {
        try SurveyDesign(data: d, weight: "pw", replicateColumns: reps, method: .jkn, strata: "stype",
                         fpc: fpc ? "fpc" : nil, partial: partial)
    }

    @Test(arguments: [(UInt64(601), 2), (602, 3), (603, 5), (604, 8)])
    func jackknifeShardsEqualOnePass(seed: UInt64, shards: Int) throws {
        let data = try A.api("apistrat_jkn.csv")
        for fpc in [false, true] {
            let whole = try Self.design(data, fpc: fpc, partial: false)
            let spec = ["weight": "pw", "repweights": "jkn_*", "strata": "stype", "fpc": fpc ? "fpc" : ""]
            // The merged strata counts give the in-memory rscales, bit for bit.
            let m = try A.merged(data, seed: seed, shards: shards) { part in
                try PartialResult.estimates(Self.design(part, fpc: fpc, partial: true), variables: ["api00", "enroll"],
                                            total: false, level: 0.95, design: spec)
            }
            guard case .totals(var acc) = m.payload else { Issue.record("not design totals"); return }
            #expect(acc.rscales.allSatisfy(\.isNaN) || shards == 1)
            try acc.resolveJackknife()
            #expect(acc.rscales == (try #require(whole.replicates)).rscales, "fpc \(fpc): rscales")
            for (statistic, expected) in [("mean", try whole.mean(["api00", "enroll"])),
                                          ("total", try whole.total(["api00", "enroll"])),
                                          ("ratio", try whole.ratio(numerator: "api_stu", denominator: "enroll"))] {
                let merged = try A.merged(data, seed: seed, shards: shards) { part in
                    let d = try Self.design(part, fpc: fpc, partial: true)
                    return statistic == "ratio"
                        ? try PartialResult.ratio(d, numerator: "api_stu", denominator: "enroll", level: 0.95, design: spec)
                        : try PartialResult.estimates(d, variables: ["api00", "enroll"], total: statistic == "total",
                                                      level: 0.95, design: spec)
                }
                guard case .estimates(let e) = try merged.finalize() else { Issue.record("not estimates"); return }
                #expect(e.variance == expected.variance && e.estimates.count == expected.estimates.count)
                for (a, b) in zip(e.estimates, expected.estimates) {
                    let what = "JKn\(fpc ? " with fpc" : ""), \(shards) shards: \(b.name)"
                    #expect(a.count == b.count && a.degreesOfFreedom == b.degreesOfFreedom,
                            "\(what): n \(a.count)/\(b.count), df \(a.degreesOfFreedom)/\(b.degreesOfFreedom)")
                    for (u, v, part) in [(a.estimate, b.estimate, "estimate"), (a.standardError, b.standardError, "SE"),
                                         (a.lower, b.lower, "lower"), (a.upper, b.upper, "upper")] {
                        #expect(close(u, v, rel: 1e-12), "\(what) \(part): merged \(u) vs one pass \(v)")
                    }
                }
            }
            let byWhole = try whole.mean("api00", by: ["awards"])
            let byMerged = try A.merged(data, seed: seed, shards: shards) { part in
                try PartialResult.grouped(Self.design(part, fpc: fpc, partial: true), statistic: "mean", variables: ["api00"],
                                          by: ["awards"], level: 0.95, compare: true, adjustment: .none, design: spec)
            }
            guard case .grouped(let list, _, _) = try byMerged.finalize(), let g = list.first else { Issue.record("not grouped"); return }
            try PartialGroupedTests.compare(g, byWhole, "JKn mean by awards", se: 1e-12)
        }
    }

    /// A replicate that zeroes no row of any shard has no stratum: refused after merging, as the
    /// in-memory design refuses it; replicates that zero rows of two strata in different shards
    /// (no "first row" across shards) and states of given and derived rscales refuse to merge.
    @Test func jackknifeStatesThatCannotBeResolvedAreRefused() throws {
        let data = try A.api("apistrat_jkn.csv")
        var broken = data
        var v = try broken.variable("jkn_7")
        v.values = try data.variable("pw").values   // deletes nothing
        v.name = "jkn_7"
        try broken.replace(v)
        #expect(throws: BarometerError.self) { try Self.design(broken, fpc: false, partial: false) }
        let parts = [0..<90, 90..<200].map { try? A.rows(broken, $0) }.compactMap { $0 }
        var m = try PartialResult.estimates(Self.design(parts[0], fpc: false, partial: true), variables: ["api00"], total: false,
                                            level: 0.95, design: [:])
        try m.merge(try PartialResult.estimates(Self.design(parts[1], fpc: false, partial: true), variables: ["api00"],
                                                total: false, level: 0.95, design: [:]))
        let e = #expect(throws: BarometerError.self) { try m.finalize() }
        #expect(e?.description.contains("JKn replicate 7 deletes no PSU") == true, "\(String(describing: e))")
        // Replicate 1 zeroes a row of another stratum in a second shard.
        var twice = data
        var w1 = try data.variable("jkn_1")
        let s = try data.variable("stype")
        let first = try #require(w1.values.firstIndex(of: 0))
        let other = try #require(s.values.lastIndex { $0 != s.values[first] })
        w1.values[other] = 0
        try twice.replace(w1)
        let a = try A.rows(twice, 0..<(first + 1)), b = try A.rows(twice, (first + 1)..<200)
        #expect(other > first)
        var left = try PartialResult.estimates(Self.design(a, fpc: false, partial: true), variables: ["api00"], total: false,
                                               level: 0.95, design: [:])
        let right = try PartialResult.estimates(Self.design(b, fpc: false, partial: true), variables: ["api00"], total: false,
                                                level: 0.95, design: [:])
        let e2 = #expect(throws: StateFileError.self) { try left.merge(right) }
        #expect(e2?.description.contains("zeroes rows of strata") == true, "\(String(describing: e2))")
        // Derived and given rscales do not mix.
        let given = try SurveyDesign(data: b, weight: "pw", replicateColumns: Self.reps, method: .jkn,
                                     rscales: try #require(try Self.design(data, fpc: false, partial: false).replicates).rscales)
        var c = try PartialResult.estimates(Self.design(a, fpc: false, partial: true), variables: ["api00"], total: false,
                                            level: 0.95, design: [:])
        #expect(throws: StateFileError.self) {
            try c.merge(try PartialResult.estimates(given, variables: ["api00"], total: false, level: 0.95, design: [:]))
        }
    }

    /// Format 3 added the JKn strata counts, format 4 the replicate banner totals and layered crosstab
    /// tests, format 5 the frequency tables of several variables; format-2, -3 and -4 states (the fuzz
    /// seeds written before, among them single-variable `freq` and `freq --by` states) are still read,
    /// finalized, and re-encoded as format 5 to the same result.
    @Test func formatTwoThreeAndFourStatesAreStillRead() throws {
        for (file, version) in [("seed-replicate-mean", 2), ("seed-banner", 2), ("seed-freq", 2), ("seed-freq-by", 2),
                                ("seed-jkn-mean-fpc", 3), ("seed-jkn-crosstab-raoscott", 3), ("seed-banner-replicate", 4),
                                ("seed-crosstab-layers-strata", 4)] {
            let seed = try Array(Data(contentsOf: URL(fileURLWithPath: Fixture.path("Fixtures/fuzz/state/" + file))))
            #expect(seed[8] == UInt8(version) && PartialResult.formatVersion == 5, "\(file)")
            let s = try PartialResult.decode(seed)
            let again = try PartialResult.decode(s.encoded())
            #expect(s.encoded()[8] == 5 && again.header == s.header, "\(file)")
            #expect("\(try s.finalize())" == "\(try again.finalize())", "\(file)")
        }
    }

    /// The CLI on CSV row shards of the JKn file, merged in a shuffled order, against the command on
    /// the whole file: the same text, and JSON at 1e-12 with counts and df exact.
    @Test func cliPartialJackknifeEqualsTheWholeFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-jkn-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var g = SplitMix(seed: 611)
        let whole = Fixture.path(A.design + "apistrat_jkn.csv")
        let parts = try A.shardedCSV(whole, into: 5, in: dir, &g)
        let design = ["--weight", "pw", "--repweights", "jkn_", "--repmethod", "jkn", "--strata", "stype"]
        let commands: [[String]] = [
            ["mean", "api00", "enroll"],
            ["mean", "api00", "--fpc", "fpc", "--where", "api99 > 600"],
            ["ratio", "--numerator", "api_stu", "--denominator", "enroll", "--by", "awards", "--compare"],
            ["crosstab", "--rows", "sch_wide", "--cols", "awards", "--stats", "raoscott"],
            ["share", "--of", "awards in 1", "--by", "sch_wide", "--compare"],
        ]
        for (c, cmd) in commands.enumerated() {
            var states: [String] = []
            for (k, p) in parts.enumerated() {
                let out = dir.appendingPathComponent("j\(c)_\(k).state").path
                let r = try CLI.run(["partial", cmd[0], p] + cmd.dropFirst() + design + ["--state-out", out, "--chunk-bytes", "4096"])
                #expect(r.status == 0, "\(cmd): \(r.stderr)")
                states.append(out)
            }
            let order = states.shuffled(using: &g)
            let merged = try CLI.run(["merge"] + order + ["--format", "json"])
            let single = try CLI.run([cmd[0], whole] + cmd.dropFirst() + design + ["--format", "json"])
            #expect(merged.status == 0 && single.status == 0, "\(merged.stderr) \(single.stderr)")
            guard merged.status == 0, single.status == 0 else { continue }
            A.compareJSON(try JSONSerialization.jsonObject(with: Data(merged.stdout.utf8)),
                          try JSONSerialization.jsonObject(with: Data(single.stdout.utf8)), path: cmd.joined(separator: " "),
                          rel: { $0.contains("differences") && ($0.hasSuffix(".estimate") || $0.hasSuffix(".statistic")) ? 1e-9 : 1e-12 })
            // The text too (the crosstab's Rao-Scott df of this 2 × 2 table was 0.9999999999999999 in one
            // pass and 1 merged, printed "1.000" and "1": d₀ of one free cell is now exactly 1 in both).
            if cmd[0] == "crosstab", let j = try JSONSerialization.jsonObject(with: Data(single.stdout.utf8)) as? [String: Any] {
                let dfs = Self.numbers(named: "degreesOfFreedom", in: j)
                #expect(!dfs.isEmpty && dfs.allSatisfy { $0 == 1 }, "\(dfs)")
            }
            let text = try CLI.run(["merge"] + order), singleText = try CLI.run([cmd[0], whole] + cmd.dropFirst() + design)
            #expect(text.stdout == singleText.stdout, "\(cmd)\n\(text.stdout)\nvs\n\(singleText.stdout)")
        }
    }

    /// Every number stored under `key` anywhere in a decoded JSON value.
    static func numbers(named key: String, in json: Any) -> [Double] {
        if let d = json as? [String: Any] {
            return d.flatMap { k, v in (k == key ? [(v as? NSNumber)?.doubleValue].compactMap { $0 } : []) + numbers(named: key, in: v) }
        }
        if let a = json as? [Any] { return a.flatMap { numbers(named: key, in: $0) } }
        return []
    }
}
