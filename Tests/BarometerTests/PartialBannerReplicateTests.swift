@testable import Barometer
import BarometerIO
import Foundation
import Testing

/// `partial banner` / `merge` under replicate-weight designs (issue 22): the banner state keeps per
/// replicate the cell totals Σwᵣ (and Σwᵣy of mean stubs) through ``DesignTotalsAccumulator``'s
/// replicate machinery, so merged shards (2–8, random cuts, random merge order, every state
/// round-tripped through its bytes) print the in-memory book — the grouped design engine's
/// replicate estimates of every column, checked against R survey under JK1 in `BannerBookTests`
/// (`banner_svy.json`, `make_banner_svy.R`). Every replicate method: JK1 (R's weights of
/// `banner_survey_jk1.csv`, with and without mse), JKn with rscales derived from the merged strata,
/// BRR, Fay, bootstrap and SDR (weights built below from the JK1 file's PSUs); with and without a
/// domain, each specification of `BannerAccumulatorTests.specs()` (valid and all bases, no Total,
/// the SPSS test). Estimates, SEs and test statistics at 1e-12, letters equal, df exact
/// (`BannerAccumulatorTests.expectEqual`); the CLI's `partial banner` + `merge` text equals `banner`.
@Suite struct PartialBannerReplicateTests {
    typealias Make = (Dataset, _ shard: Bool) throws -> SurveyDesign

    /// The JK1 file with replicate weights of each other method added (deterministic), built once.
    static let data: Dataset? = try? build()

    static func build() throws -> Dataset {
        var d = try BannerBookTests.data("banner_survey_jk1.csv")
        let n = d.rowCount
        let reps = (1...36).map { String(format: "rep%02d", $0) }
        let jk = try reps.map { try d.variable($0).values }
        let w = try d.variable("wt").values, stratum = try d.variable("stratum").values
        // Each row's PSU: the JK1 replicate that zeroes it.
        let psu = try (0..<n).map { i -> Int in
            guard let r = jk.firstIndex(where: { $0[i] == 0 }) else { throw BarometerError.invalidArgument("row \(i) in no PSU") }
            return r
        }
        var psuStratum = [Double](repeating: 0, count: jk.count), perStratum: [Double: Set<Int>] = [:]
        for i in 0..<n { psuStratum[psu[i]] = stratum[i]; perStratum[stratum[i], default: []].insert(psu[i]) }
        func add(_ name: String, _ values: [Double]) throws { try d.add(Variable(name: name, values: values)) }
        // JKn: delete one PSU, reweight its stratum by n_h/(n_h − 1).
        for q in 0..<jk.count {
            let h = psuStratum[q], nh = Double(perStratum[h]?.count ?? 1)
            try add("jkn\(q + 1)", (0..<n).map { i in psu[i] == q ? 0 : stratum[i] == h ? w[i] * nh / (nh - 1) : w[i] })
        }
        var g = SplitMix(seed: 2207)
        let half = (0..<8).map { _ in (0..<jk.count).map { _ in Bool.random(using: &g) } }
        for r in 0..<8 {
            try add("brr\(r + 1)", (0..<n).map { w[$0] * (half[r][psu[$0]] ? 2 : 0) })
            try add("fay\(r + 1)", (0..<n).map { w[$0] * (half[r][psu[$0]] ? 1.5 : 0.5) })
            let step = (0..<jk.count).map { _ in [0.3, 1, 1.7][Int.random(in: 0..<3, using: &g)] }
            try add("sdr\(r + 1)", (0..<n).map { w[$0] * step[psu[$0]] })
        }
        for r in 0..<10 {
            let draws = (0..<jk.count).map { _ in Double(Int.random(in: 0...3, using: &g)) }
            try add("boot\(r + 1)", (0..<n).map { w[$0] * draws[psu[$0]] })
        }
        return d
    }

    static func names(_ prefix: String, _ count: Int) -> [String] { (1...count).map { "\(prefix)\($0)" } }

    /// (name, design of a dataset (a shard or the whole), the header's design spec).
    static func designs() -> [(String, Make, [String: String])] {
        let jk1 = (1...36).map { String(format: "rep%02d", $0) }
        return [
            ("JK1", { d, _ in try SurveyDesign(data: d, weight: "wt", replicateColumns: jk1, method: .jk1) },
             ["weight": "wt", "repweights": "rep"]),
            ("JK1, mse", { d, _ in try SurveyDesign(data: d, weight: "wt", replicateColumns: jk1, method: .jk1, mse: true) },
             ["weight": "wt", "repweights": "rep", "mse": "true"]),
            ("JKn, rscales from the strata", { d, shard in
                try SurveyDesign(data: d, weight: "wt", replicateColumns: names("jkn", 36), method: .jkn, strata: "stratum",
                                 partial: shard) }, ["weight": "wt", "repweights": "jkn", "strata": "stratum"]),
            ("BRR", { d, _ in try SurveyDesign(data: d, weight: "wt", replicateColumns: names("brr", 8), method: .brr) },
             ["weight": "wt", "repweights": "brr"]),
            ("Fay", { d, _ in try SurveyDesign(data: d, weight: "wt", replicateColumns: names("fay", 8), method: .fay, fayRho: 0.5) },
             ["weight": "wt", "repweights": "fay"]),
            ("bootstrap, mse", { d, _ in
                try SurveyDesign(data: d, weight: "wt", replicateColumns: names("boot", 10), method: .bootstrap, mse: true) },
             ["weight": "wt", "repweights": "boot", "mse": "true"]),
            ("SDR", { d, _ in try SurveyDesign(data: d, weight: "wt", replicateColumns: names("sdr", 8), method: .sdr) },
             ["weight": "wt", "repweights": "sdr"]),
        ]
    }

    @Test(arguments: [(UInt64(71), 2), (72, 3), (73, 5), (74, 8)])
    func shardsEqualTheInMemoryBook(seed: UInt64, shards: Int) throws {
        let data = try #require(Self.data)
        var g = SplitMix(seed: seed)
        for (dname, make, spec) in Self.designs() {
            let whole = try make(data, false)
            for (sname, banner) in BannerAccumulatorTests.specs() {
                // No domain or one of two, by (seed, specification): each specification meets each.
                for whereText in [[nil, "sex == 1", "region != 2"][Int(seed + UInt64(sname.count)) % 3]] {
                    let what = "\(dname), \(sname)\(whereText.map { ", where \($0)" } ?? ""), \(shards) shards"
                    let domain = try whereText.map { try DomainExpression($0).domain(in: data) }
                    let single = try BannerBook(whole, specification: banner, domain: domain)
                    let cuts = AccumulationTests.cuts(data.rowCount, shards, &g)
                    let state = try PartialBannerTests.merged(data, cuts, &g) { part in
                        try PartialResult.banner(try make(part, true), specification: banner,
                                                 domain: try whereText.map { try DomainExpression($0).domain(in: part) },
                                                 design: spec)
                    }
                    PartialBannerTests.expectSame(try PartialBannerTests.book(state), single, what)
                }
            }
        }
    }

    /// Shards that saw different banner and stub categories, response codes and strata (rows
    /// grouped by region, then by stratum) merge by key, in either order; JKn's rscales come from
    /// the strata of all shards.
    @Test func shardsOfDifferentCategoriesMergeByKey() throws {
        let data = try #require(Self.data)
        let banner = BannerBookTests.spec(test: .design, adjust: .benjaminiHochberg)
        for (dname, make, spec) in Self.designs() where dname.hasPrefix("JKn") || dname == "SDR" {
            let single = try BannerBook(try make(data, false), specification: banner)
            for key in ["region", "stratum"] {
                let v = try data.variable(key)
                let groups = Dictionary(grouping: 0..<data.rowCount) { v.values[$0] }
                let states = try groups.keys.sorted().map { k -> PartialResult in
                    let rows = groups[k] ?? []
                    let part = try Dataset(variables: data.variables.map { v in
                        var c = v
                        c.values = rows.map { v.values[$0] }
                        if let s = v.strings { c.strings = rows.map { s[$0] } }
                        return c
                    }, weightVariable: data.weightVariable)
                    return try PartialResult.decode(try PartialResult.banner(try make(part, true), specification: banner,
                                                                             design: spec).encoded())
                }
                for order in [states, states.reversed()] {
                    var m = order[0]
                    for s in order.dropFirst() { try m.merge(s) }
                    PartialBannerTests.expectSame(try PartialBannerTests.book(m), single, "\(dname), shards by \(key)")
                }
            }
        }
    }

    /// Replicate states refuse to merge with states of other replicate parameters or design kinds.
    @Test func otherReplicateParametersRefuseToMerge() throws {
        let data = try #require(Self.data)
        let banner = BannerBookTests.spec(test: .design)
        let designs = Self.designs()
        func state(_ k: Int, _ spec: [String: String]? = nil) throws -> PartialResult {
            try PartialResult.banner(try designs[k].1(data, true), specification: banner, design: spec ?? [:])
        }
        // JK1 with and without mse, JK1 and SDR (other scale), JK1 and weights-only (same header).
        var jk1 = try state(0)
        #expect(throws: StateFileError.self) { try jk1.merge(try state(1)) }
        #expect(throws: StateFileError.self) { try jk1.merge(try state(6)) }
        let plain = try PartialResult.banner(try SurveyDesign(data: data, weight: "wt"), specification: banner, design: [:])
        #expect(throws: StateFileError.self) { try jk1.merge(plain) }
    }

    /// A replicate banner state for the decoder's mutation test and the `state` fuzz seeds.
    static func seedStates() throws -> [[UInt8]] {
        let data = try #require(Self.data)
        let designs = Self.designs()
        return [try PartialResult.banner(try designs[2].1(data, true), specification: BannerBookTests.spec(test: .design),
                                         domain: try DomainExpression("sex == 1").domain(in: data), design: [:]).encoded()]
    }

    // MARK: CLI

    /// `partial banner` with `--repweights`/`--repmethod` on CSV row shards of the JK1 file (2 and
    /// 8 shards), `merge` in a shuffled order: the text `banner` prints on the whole file, byte for
    /// byte, and its JSON at 1e-12.
    @Test(arguments: [(UInt64(81), 2), (82, 8)])
    func cliShardsEqualTheWholeFile(seed: UInt64, shards: Int) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-banner-rep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var g = SplitMix(seed: seed)
        let parts = try PartialBannerTests.shardFiles(shards, in: dir, &g, file: "banner_survey_jk1.csv")
        let specPath = dir.appendingPathComponent("spec.json").path
        FileManager.default.createFile(atPath: specPath, contents: Data(PartialBannerTests.specJSON.utf8))
        let cb = Fixture.path(PartialBannerTests.dir + "banner_survey.codebook.json")
        let whole = Fixture.path(PartialBannerTests.dir + "banner_survey_jk1.csv")
        let variants: [[String]] = [
            ["--spec", specPath, "--weight", "wt", "--repweights", "^rep", "--repmethod", "jk1"],
            ["--spec", specPath, "--weight", "wt", "--repweights", "^rep", "--repmethod", "jk1", "--mse", "--where", "sex == 2",
             "--base", "all", "--adjust", "holm"],
            ["--spec", specPath, "--weight", "wt", "--repweights", "^rep(0[1-9]|1[0-2])$", "--repmethod", "bootstrap"],
        ]
        for (v, args) in variants.enumerated() {
            _ = try PartialBannerTests.mergedPartialsPrintTheWholeBook(args, parts: parts, whole: whole, codebook: cb, dir: dir,
                                                                       prefix: "s\(v)", &g, label: "banner rep \(v)")
        }
    }
}
