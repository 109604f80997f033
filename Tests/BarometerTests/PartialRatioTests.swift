@testable import Barometer
import BarometerIO
import Foundation
import Testing

/// `partial ratio` (R `svyratio`, and `svyby(…, svyratio)` with `--by`): the ratio of totals
/// accumulated by ``DesignTotalsAccumulator`` (one estimate with its denominator) over random row
/// shards (2–8), every state round-tripped through its bytes and merged in a random order, against
/// the in-memory ``SurveyDesign/ratio(numerator:denominator:domain:level:)`` (itself checked against
/// R `svyratio` in `DesignTests`): counts and df exactly, estimates, SEs and intervals at 1e-12
/// relative, under weights-only, strata/PSU/fpc, cluster and replicate designs (JK1, BRR, Fay,
/// SDR), with and without a `--where` domain; `--by` with `--compare` against the in-memory grouped
/// ratio; and the CLI `partial ratio` + `merge` against `barometer ratio` on the whole file.
@Suite struct PartialRatioTests {
    /// `ratio` computes no design effect (R `svyratio`'s default `deff = FALSE` prints none), so its
    /// table has no deff/deft columns and no "deff:" note (it printed the note over empty columns);
    /// `mean` on the same design keeps both.
    @Test func ratioTextHasNoDesignEffectColumnsOrNote() throws {
        let file = Fixture.path("Fixtures/reference/design/apistrat_jkn.csv")
        let ratio = try CLI.run(["ratio", file, "--numerator", "api_stu", "--denominator", "enroll", "--weight", "pw"])
        let mean = try CLI.run(["mean", file, "api00", "--weight", "pw"])
        #expect(ratio.status == 0 && mean.status == 0, "\(ratio.stderr) \(mean.stderr)")
        #expect(!ratio.stdout.contains("deff") && !ratio.stdout.contains("deft"), "\(ratio.stdout)")
        #expect(mean.stdout.contains("deff:") && mean.stdout.contains("deft"), "\(mean.stdout)")
    }

    typealias A = AccumulationTests

    struct Case {
        let name: String; let data: Dataset; let y: String; let x: String; let by: [String]; let domain: String?
        let make: (Dataset) throws -> SurveyDesign; let spec: [String: String]
    }

    static func cases() throws -> [Case] {
        let kz = try A.kz(), strat = try A.api("apistrat.csv"), clus = try A.api("apiclus1.csv")
        let scd = try DatasetLoader.load(Fixture.path(A.design + "scd.csv")), big = ChunkedDesignTests.data
        let jk1 = (1...15).map { "jk1_\($0)" }
        return [
            Case(name: "weights only", data: kz, y: "q_eeu_benefit", x: "agegroup", by: ["sex"], domain: nil,
                 make: { try SurveyDesign(data: $0) }, spec: ["weight": "wt"]),
            Case(name: "weights only, domain", data: kz, y: "q_us_opinion", x: "q_russia_opinion", by: ["lang", "sex"],
                 domain: "agegroup >= 2", make: { try SurveyDesign(data: $0) }, spec: ["weight": "wt"]),
            Case(name: "strata, PSUs, fpc", data: strat, y: "api_stu", x: "enroll", by: ["awards"], domain: "api99 > 600",
                 make: { try SurveyDesign(data: $0, weight: "pw", strata: "stype", clusters: "snum", fpc: "fpc") },
                 spec: ["weight": "pw", "strata": "stype", "psu": "snum", "fpc": "fpc"]),
            Case(name: "clusters, fpc", data: clus, y: "api00", x: "api99", by: ["stype"], domain: nil,
                 make: { try SurveyDesign(data: $0, weight: "pw", clusters: "dnum", fpc: "fpc") },
                 spec: ["weight": "pw", "psu": "dnum", "fpc": "fpc"]),
            Case(name: "JK1", data: clus, y: "api_stu", x: "enroll", by: ["stype"], domain: nil,
                 make: { try SurveyDesign(data: $0, weight: "pw", replicateColumns: jk1, method: .jk1) },
                 spec: ["weight": "pw", "repweights": "jk1_*"]),
            Case(name: "JK1, domain", data: clus, y: "api00", x: "api99", by: ["sch_wide"], domain: "enroll > 300",
                 make: { try SurveyDesign(data: $0, weight: "pw", replicateColumns: jk1, method: .jk1, mse: true) },
                 spec: ["weight": "pw", "repweights": "jk1_*", "mse": "true"]),
            Case(name: "BRR", data: scd, y: "alive", x: "arrests", by: ["ESA"], domain: nil,
                 make: { try SurveyDesign(data: $0, weight: "w", replicateColumns: (1...4).map { "brr_\($0)" }, method: .brr) },
                 spec: ["weight": "w", "repweights": "brr_*"]),
            Case(name: "Fay", data: scd, y: "alive", x: "arrests", by: ["ESA"], domain: nil,
                 make: { try SurveyDesign(data: $0, weight: "w", replicateColumns: (1...4).map { "fay_\($0)" }, method: .fay,
                                          fayRho: 0.3) },
                 spec: ["weight": "w", "repweights": "fay_*"]),
            Case(name: "SDR, 34,000 rows", data: big, y: "y", x: "x", by: ["st"], domain: "d == 1",
                 make: { try SurveyDesign(data: $0, weight: "w", replicateColumns: (1...12).map { "rw\($0)" }, method: .sdr) },
                 spec: ["weight": "w", "repweights": "rw*"]),
        ]
    }

    static func domain(_ c: Case, _ data: Dataset) throws -> Domain? {
        try c.domain.map { try DomainExpression($0).domain(in: data) }
    }

    @Test(arguments: [(UInt64(501), 2), (502, 3), (503, 5), (504, 8)])
    func ratioShardsEqualOnePass(seed: UInt64, shards: Int) throws {
        for c in try Self.cases() where c.data.rowCount >= shards {
            let whole = try c.make(c.data).ratio(numerator: c.y, denominator: c.x, domain: try Self.domain(c, c.data))
            let m = try A.merged(c.data, seed: seed, shards: shards) { part in
                try PartialResult.ratio(c.make(part), numerator: c.y, denominator: c.x, level: 0.95,
                                        domain: try Self.domain(c, part), design: c.spec)
            }
            #expect(m.header.statistic == "ratio")
            guard case .estimates(let e) = try m.finalize() else { Issue.record("\(c.name): not estimates"); continue }
            #expect(e.kind == whole.kind && e.variance == whole.variance && e.base == whole.base && e.weight == whole.weight,
                    "\(c.name)")
            #expect(e.estimates.count == 1 && whole.estimates.count == 1)
            for (a, b) in zip(e.estimates, whole.estimates) {
                let what = "\(c.name), \(shards) shards: \(b.name)"
                #expect(a.name == b.name && a.count == b.count, "\(what): n \(a.count) vs \(b.count)")
                #expect(a.degreesOfFreedom == b.degreesOfFreedom, "\(what): df \(a.degreesOfFreedom) vs \(b.degreesOfFreedom)")
                #expect(a.designEffect == nil && b.designEffect == nil && a.designEffectReplace == nil)
                for (u, v, part) in [(a.estimate, b.estimate, "estimate"), (a.weightedCount, b.weightedCount, "Σw"),
                                     (a.standardError, b.standardError, "SE"), (a.lower, b.lower, "lower"),
                                     (a.upper, b.upper, "upper")] {
                    #expect(close(u, v, rel: 1e-12), "\(what) \(part): merged \(u) vs one pass \(v)")
                }
            }
        }
    }

    @Test(arguments: [(UInt64(511), 2), (512, 4), (513, 7)])
    func groupedRatioShardsEqualOnePass(seed: UInt64, shards: Int) throws {
        for c in try Self.cases() where c.data.rowCount >= shards {
            let whole = try c.make(c.data).ratio(numerator: c.y, denominator: c.x, by: c.by, domain: try Self.domain(c, c.data))
            let m = try A.merged(c.data, seed: seed, shards: shards) { part in
                try PartialResult.grouped(c.make(part), statistic: "ratio", variables: [c.y], denominator: c.x, by: c.by,
                                          level: 0.95, compare: true, adjustment: .holm,
                                          domain: try Self.domain(c, part), design: c.spec)
            }
            guard case .grouped(let list, let compare, let adjustment) = try m.finalize(), let merged = list.first else {
                Issue.record("\(c.name): not grouped estimates"); continue
            }
            #expect(list.count == 1 && compare && adjustment == .holm)
            try PartialGroupedTests.compare(merged, whole, "\(c.name) ratio by \(c.by)", se: 1e-12)
        }
    }

    @Test func ratioStatesRefuseWhatTheyCannotMerge() throws {
        let strat = try A.api("apistrat.csv")
        // Strata without named PSUs: per-respondent PSUs have no name shared across shards.
        #expect(throws: BarometerError.self) {
            try PartialResult.ratio(SurveyDesign(data: strat, weight: "pw", strata: "stype", fpc: "fpc"),
                                    numerator: "api_stu", denominator: "enroll", level: 0.95, design: [:])
        }
        #expect(throws: BarometerError.self) {
            try PartialResult.grouped(SurveyDesign(data: strat, weight: "pw"), statistic: "ratio", variables: ["api_stu", "api00"],
                                      denominator: "enroll", by: ["stype"], level: 0.95, compare: false, adjustment: .none,
                                      design: [:])
        }
        let d = try SurveyDesign(data: strat, weight: "pw")
        var a = try PartialResult.ratio(d, numerator: "api_stu", denominator: "enroll", level: 0.95, design: ["weight": "pw"])
        let flipped = try PartialResult.ratio(d, numerator: "enroll", denominator: "api_stu", level: 0.95, design: ["weight": "pw"])
        let mean = try PartialResult.estimates(d, variables: ["api_stu", "enroll"], total: false, level: 0.95, design: ["weight": "pw"])
        for (other, word) in [(flipped, "variables"), (mean, "statistic")] {
            let e = #expect(throws: StateFileError.self) { try a.merge(other, file: "b.state") }
            #expect(e?.description.contains(word) == true, "\(String(describing: e))")
        }
    }

    /// The CLI: `partial ratio` on CSV row shards (4 KiB streamed chunks), `merge` of the states
    /// in a shuffled order, against `barometer ratio` on the whole file: the same text, and JSON
    /// with counts and df exact and every other number at 1e-12 (a difference of two close group
    /// ratios at 1e-12 of the ratios' size).
    @Test func cliPartialRatioEqualsTheWholeFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-ratio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var g = SplitMix(seed: 521)
        let strat = Fixture.path(A.design + "apistrat.csv"), clus = Fixture.path(A.design + "apiclus1.csv")
        let stratParts = try A.shardedCSV(strat, into: 4, in: dir.appendingPathComponent("s", isDirectory: true).creating(), &g)
        let clusParts = try A.shardedCSV(clus, into: 5, in: dir.appendingPathComponent("c", isDirectory: true).creating(), &g)
        let runs: [(file: String, parts: [String], args: [String])] = [
            (strat, stratParts, ["--numerator", "api_stu", "--denominator", "enroll", "--weight", "pw"]),
            (strat, stratParts, ["--numerator", "api_stu", "--denominator", "enroll", "--weight", "pw", "--strata", "stype",
                                 "--psu", "snum", "--fpc", "fpc", "--where", "api99 > 600"]),
            (strat, stratParts, ["--numerator", "api00", "--denominator", "api99", "--weight", "pw", "--strata", "stype",
                                 "--psu", "snum", "--by", "awards", "--compare", "--adjust", "holm"]),
            (clus, clusParts, ["--numerator", "api_stu", "--denominator", "enroll", "--weight", "pw", "--psu", "dnum",
                               "--fpc", "fpc", "--by", "stype", "--compare"]),
            (clus, clusParts, ["--numerator", "api_stu", "--denominator", "enroll", "--weight", "pw",
                               "--repweights", "jk1_", "--repmethod", "jk1"]),
            (clus, clusParts, ["--numerator", "api00", "--denominator", "api99", "--weight", "pw", "--repweights", "jk1_",
                               "--repmethod", "jk1", "--mse", "--by", "sch_wide", "--compare", "--where", "enroll > 300"]),
        ]
        for (c, run) in runs.enumerated() {
            var states: [String] = []
            for (k, p) in run.parts.enumerated() {
                let out = dir.appendingPathComponent("r\(c)_\(k).state").path
                let r = try CLI.run(["partial", "ratio", p] + run.args + ["--state-out", out, "--chunk-bytes", "4096"])
                #expect(r.status == 0, "\(r.stderr)")
                states.append(out)
            }
            let order = states.shuffled(using: &g)
            let merged = try CLI.run(["merge"] + order + ["--format", "json"])
            let single = try CLI.run(["ratio", run.file] + run.args + ["--format", "json"])
            #expect(merged.status == 0 && single.status == 0, "\(merged.stderr) \(single.stderr)")
            let what = run.args.joined(separator: " ")
            A.compareJSON(try JSONSerialization.jsonObject(with: Data(merged.stdout.utf8)),
                          try JSONSerialization.jsonObject(with: Data(single.stdout.utf8)), path: what,
                          rel: { $0.contains("differences") && ($0.hasSuffix(".estimate") || $0.hasSuffix(".statistic")) ? 1e-9 : 1e-12 })
            let text = try CLI.run(["merge"] + order), singleText = try CLI.run(["ratio", run.file] + run.args)
            #expect(text.status == 0 && text.stdout == singleText.stdout, "\(what)\n\(text.stdout)\nvs\n\(singleText.stdout)")
        }
    }
}

extension URL {
    /// Creates this directory (and its parents) and returns it.
    func creating() throws -> URL {
        try FileManager.default.createDirectory(at: self, withIntermediateDirectories: true)
        return self
    }
}
