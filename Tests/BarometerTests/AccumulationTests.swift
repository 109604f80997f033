@testable import Barometer
import BarometerIO
import Foundation
import Testing

/// Partial results over random row shards, merged in random orders (through
/// the state file), against the single in-memory pass — which the reference
/// suites check against R survey / SciPy. Counts must agree exactly, every
/// other number to 1e-12 relative.
@Suite struct AccumulationTests {
    static let survey = "Fixtures/surveys/kz2019-synthetic.csv"
    static let codebook = "Fixtures/surveys/kz2019-synthetic.codebook.json"
    static let design = "Fixtures/reference/design/"

    static func kz() throws -> Dataset { try DatasetLoader.load(Fixture.path(survey), codebook: Fixture.path(codebook)) }
    static func api(_ f: String) throws -> Dataset { try DatasetLoader.load(Fixture.path(design + f)) }

    /// Rows `r` of `data` (same variables and codebook).
    static func rows(_ data: Dataset, _ r: Range<Int>) throws -> Dataset {
        let vars = data.variables.map { v -> Variable in
            var c = v
            c.values = Array(v.values[r])
            if let s = v.strings { c.strings = Array(s[r]) }
            return c
        }
        return try Dataset(variables: vars, weightVariable: data.weightVariable)
    }

    /// `shards` random non-empty row ranges covering 0..<n.
    /// The fixture survey's rows cut at random into `shards` CSV files in `dir`
    /// (each with the header), in row order; returns their paths.
    static func shardedSurvey(into shards: Int, in dir: URL, _ g: inout SplitMix) throws -> [String] {
        try shardedCSV(Fixture.path(survey), into: shards, in: dir, &g)
    }

    /// Runs `barometer partial COMMAND shard --codebook … ARGUMENTS --state-out …` on each shard
    /// (expecting success) and returns the state files' paths, named `prefix` + shard index.
    static func partialStates(_ command: String, shards: [String], codebook: String, arguments: [String],
                              in dir: URL, prefix: String) throws -> [String] {
        try shards.enumerated().map { k, shard in
            let out = dir.appendingPathComponent("\(prefix)\(k).state").path
            let r = try CLI.run(["partial", command, shard, "--codebook", codebook] + arguments + ["--state-out", out])
            #expect(r.status == 0, "\(r.stderr)")
            return out
        }
    }

    /// The rows of the CSV file at `path` cut at random into `shards` files in `dir` (each with the
    /// header), in row order; returns their paths.
    static func shardedCSV(_ path: String, into shards: Int, in dir: URL, _ g: inout SplitMix) throws -> [String] {
        var lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true)
            .map(String.init)
        let head = lines.removeFirst()
        return cuts(lines.count, shards, &g).enumerated().map { k, r -> String in
            let p = dir.appendingPathComponent("part\(k).csv").path
            _ = FileManager.default.createFile(atPath: p, contents: Data(([head] + lines[r]).joined(separator: "\n").utf8))
            return p
        }
    }

    static func cuts(_ n: Int, _ shards: Int, _ g: inout SplitMix) -> [Range<Int>] {
        var points = Set<Int>()
        while points.count < shards - 1 { points.insert(Int.random(in: 1..<n, using: &g)) }
        let p = [0] + points.sorted() + [n]
        return (0..<shards).map { p[$0]..<p[$0 + 1] }
    }

    /// Builds a state per shard, round-trips each through its bytes, merges them in a random order.
    static func merged(_ data: Dataset, seed: UInt64, shards: Int,
                       _ build: (Dataset) throws -> PartialResult) throws -> PartialResult {
        var g = SplitMix(seed: seed)
        var states = try cuts(data.rowCount, shards, &g).map { r in
            try PartialResult.decode(try build(try rows(data, r)).encoded())
        }
        states.shuffle(using: &g)
        var m = states[0]
        for s in states.dropFirst() { try m.merge(s) }
        return try PartialResult.decode(m.encoded())
    }

    static func same(_ a: Double?, _ b: Double?, _ what: String) {
        switch (a, b) {
        case (nil, nil): return
        case (let x?, let y?):
            if x.isNaN && y.isNaN { return }
            #expect(close(x, y, rel: 1e-12, abs: 1e-12 * max(abs(y), 1e-300)) || abs(x - y) <= 1e-12 * max(abs(x), abs(y)),
                    "\(what): merged \(x) vs one pass \(y)")
        default: Issue.record("\(what): merged \(String(describing: a)) vs one pass \(String(describing: b))")
        }
    }

    /// ``same(_:_:_:)`` for a p-value: its relative rounding grows with how far it is in the
    /// tail. For a statistic t with p ≈ e^(−t²/2), δp/p ≈ t²·δt/t ≈ 2|ln p|·δt/t, so a p of
    /// 1e-150 (|ln p| = 345) carries ~700 times the relative rounding of its statistic; the
    /// tolerance is 1e-12·max(1, 2|ln p|). (Seen on OpenBLAS's Zen kernel: 1.5e-12 at p = 1e-150.)
    static func samePValue(_ a: Double?, _ b: Double?, _ what: String) {
        guard let a, let b else { #expect(a == nil && b == nil, "\(what): merged \(String(describing: a)) vs one pass \(String(describing: b))"); return }
        if a.isNaN && b.isNaN { return }
        let tail = b > 0 ? max(1, -2 * log(b)) : 1
        #expect(close(a, b, rel: 1e-12 * tail, abs: 1e-300), "\(what): merged \(a) vs one pass \(b)")
    }

    @Test(arguments: [(UInt64(1), 2), (2, 3), (3, 5), (4, 8)])
    func frequencyShardsEqualOnePass(seed: UInt64, shards: Int) throws {
        let data = try Self.kz()
        for missing in [MissingInclusion.showMissing, .excludeMissing] {
            let whole = try FrequencyTable(SurveyDesign(data: data), variable: "q_leader_opinion", missing: missing)
            let m = try Self.merged(data, seed: seed, shards: shards) { d in
                try PartialResult.frequency(SurveyDesign(data: d), variable: "q_leader_opinion", missing: missing,
                                            design: ["weight": "wt"])
            }
            guard case .frequency(let t) = try m.finalize() else { Issue.record("not a frequency table"); return }
            #expect(t.rows.map(\.category) == whole.rows.map(\.category))
            #expect(t.rows.map(\.count) == whole.rows.map(\.count))
            #expect(t.totalCount == whole.totalCount && t.validCount == whole.validCount)
            for (a, b) in zip(t.rows, whole.rows) {
                Self.same(a.weightedCount, b.weightedCount, "weighted \(b.category.label)")
                Self.same(a.percent, b.percent, "percent")
                Self.same(a.validPercent, b.validPercent, "valid percent")
                Self.same(a.cumulativePercent, b.cumulativePercent, "cumulative percent")
            }
            Self.same(t.effectiveSize, whole.effectiveSize, "Kish n_eff")
            #expect(t.textTable == whole.textTable)
        }
    }

    @Test(arguments: [(UInt64(11), 2), (12, 4), (13, 7)])
    func crosstabShardsEqualOnePass(seed: UInt64, shards: Int) throws {
        let data = try Self.kz()
        let whole = try ContingencyTable(SurveyDesign(data: data), rows: "q_leader_opinion", columns: "sex",
                                         layers: ["agegroup"], display: .row)
        let m = try Self.merged(data, seed: seed, shards: shards) { d in
            try PartialResult.crosstab(SurveyDesign(data: d), rows: "q_leader_opinion", columns: "sex", layers: ["agegroup"],
                                       missing: .showMissing, display: .row, design: ["weight": "wt"])
        }
        guard case .crosstab(let t) = try m.finalize() else { Issue.record("not a crosstab"); return }
        #expect(t.rowCategories == whole.rowCategories && t.columnCategories == whole.columnCategories)
        #expect(t.layerCategories == whole.layerCategories)
        #expect(t.layers.count == whole.layers.count)
        for (a, b) in zip(t.layers, whole.layers) {
            #expect(a.counts == b.counts)
            for (x, y) in zip(a.weighted.joined(), b.weighted.joined()) { Self.same(x, y, "cell Σw") }
            for (x, y) in zip(a.weightedSquares.joined(), b.weightedSquares.joined()) { Self.same(x, y, "cell Σw²") }
            for (x, y) in zip(a.rowPercent.joined(), b.rowPercent.joined()) { Self.same(x, y, "row %") }
        }
    }

    /// Means and totals under each linearization design kind, shard states
    /// merged by key (PSU keys spread over several shards).
    @Test(arguments: [UInt64(21), 22, 23])
    func designEstimatesShardsEqualOnePass(seed: UInt64) throws {
        struct Case { let data: Dataset; let vars: [String]; let make: (Dataset) throws -> SurveyDesign; let spec: [String: String] }
        let kz = try Self.kz(), strat = try Self.api("apistrat.csv"), clus = try Self.api("apiclus1.csv")
        let cases = [
            Case(data: kz, vars: ["q_eeu_benefit", "agegroup"], make: { try SurveyDesign(data: $0) }, spec: ["weight": "wt"]),
            Case(data: strat, vars: ["api00", "enroll"],
                 make: { try SurveyDesign(data: $0, weight: "pw", strata: "stype", clusters: "snum", fpc: "fpc") },
                 spec: ["weight": "pw", "strata": "stype", "psu": "snum", "fpc": "fpc"]),
            Case(data: strat, vars: ["api00"],
                 make: { try SurveyDesign(data: $0, weight: "pw", strata: "stype", clusters: "dnum", nest: true) },
                 spec: ["weight": "pw", "strata": "stype", "psu": "dnum", "nest": "true"]),
            Case(data: clus, vars: ["api00", "api99"],
                 make: { try SurveyDesign(data: $0, weight: "pw", clusters: "dnum", fpc: "fpc") },
                 spec: ["weight": "pw", "psu": "dnum", "fpc": "fpc"]),
        ]
        for c in cases {
            for total in [false, true] {
                let d = try c.make(c.data)
                let whole = total ? try d.total(c.vars) : try d.mean(c.vars)
                let m = try Self.merged(c.data, seed: seed, shards: 2 + Int(seed % 5)) { part in
                    try PartialResult.estimates(c.make(part), variables: c.vars, total: total, level: 0.95, design: c.spec)
                }
                guard case .estimates(let e) = try m.finalize() else { Issue.record("not estimates"); return }
                #expect(e.estimates.count == whole.estimates.count)
                #expect(e.variance == whole.variance && e.base == whole.base)
                for (a, b) in zip(e.estimates, whole.estimates) {
                    #expect(a.name == b.name && a.count == b.count && a.degreesOfFreedom == b.degreesOfFreedom)
                    Self.same(a.estimate, b.estimate, "\(b.name) estimate")
                    Self.same(a.standardError, b.standardError, "\(b.name) SE (\(e.variance))")
                    Self.same(a.lower, b.lower, "\(b.name) lower")
                    Self.same(a.weightedCount, b.weightedCount, "\(b.name) Σw")
                    Self.same(a.designEffectReplace, b.designEffectReplace, "\(b.name) deff (with replacement)")
                }
            }
        }
    }

    /// Replicate designs in partial states: per-replicate totals add, and the degrees of
    /// freedom (rank of the whole n × R replicate-weight matrix − 1, R `degf`) come from the
    /// stacked sketches of the shards' replicate weights reduced to an R × R triangular factor,
    /// so merged df equal the in-memory df — also when the rank is below R (duplicated
    /// replicate columns). Estimates at 1e-12, SEs at 1e-11 (as `ChunkedDesignTests`: the
    /// replicate deviations are small differences of large totals), df exactly; every state
    /// round-trips through its bytes, 2–8 shards, random merge orders.
    @Test(arguments: [(UInt64(301), 2), (302, 3), (303, 5), (304, 8)])
    func replicateDesignShardsEqualOnePass(seed: UInt64, shards: Int) throws {
        struct Case {
            let name: String; let data: Dataset; let vars: [String]; let domain: String?
            let make: (Dataset) throws -> SurveyDesign; let spec: [String: String]
        }
        let clus = try Self.api("apiclus1.csv"), scd = try DatasetLoader.load(Fixture.path(Self.design + "scd.csv"))
        var big = ChunkedDesignTests.data
        for r in 1...4 {   // four replicate columns repeated: R = 16, rank 12, df 11
            var v = try big.variable("rw\(r)"); v.name = "copy\(r)"; try big.add(v)
        }
        let sdr = (1...12).map { "rw\($0)" }
        let cases = [
            Case(name: "JK1", data: clus, vars: ["api00", "enroll"], domain: nil,
                 make: { try SurveyDesign(data: $0, weight: "pw", replicateColumns: (1...15).map { "jk1_\($0)" }, method: .jk1) },
                 spec: ["weight": "pw", "repweights": "jk1_*"]),
            Case(name: "JK1 in a domain", data: clus, vars: ["api00"], domain: "sch_wide == 1",
                 make: { try SurveyDesign(data: $0, weight: "pw", replicateColumns: (1...15).map { "jk1_\($0)" }, method: .jk1) },
                 spec: ["weight": "pw", "repweights": "jk1_*"]),
            Case(name: "BRR", data: scd, vars: ["arrests", "alive"], domain: nil,
                 make: { try SurveyDesign(data: $0, weight: "w", replicateColumns: (1...4).map { "brr_\($0)" }, method: .brr) },
                 spec: ["weight": "w", "repweights": "brr_*"]),
            Case(name: "Fay", data: scd, vars: ["arrests"], domain: nil,
                 make: { try SurveyDesign(data: $0, weight: "w", replicateColumns: (1...4).map { "fay_\($0)" }, method: .fay,
                                          fayRho: 0.3) },
                 spec: ["weight": "w", "repweights": "fay_*"]),
            Case(name: "SDR, 34,000 rows", data: big, vars: ["y", "x"], domain: nil,
                 make: { try SurveyDesign(data: $0, weight: "w", replicateColumns: sdr, method: .sdr) },
                 spec: ["weight": "w", "repweights": "rw*"]),
            Case(name: "SDR, rank 12 of 16", data: big, vars: ["y"], domain: "d == 1",
                 make: { try SurveyDesign(data: $0, weight: "w", replicateColumns: sdr + (1...4).map { "copy\($0)" },
                                          method: .sdr) },
                 spec: ["weight": "w", "repweights": "rw*,copy*"]),
        ]
        for c in cases where c.data.rowCount >= shards {
            for total in [false, true] {
                let d = try c.make(c.data), dom = try c.domain.map { try DomainExpression($0).domain(in: c.data) }
                let whole = total ? try d.total(c.vars, domain: dom) : try d.mean(c.vars, domain: dom)
                let m = try Self.merged(c.data, seed: seed, shards: shards) { part in
                    try PartialResult.estimates(c.make(part), variables: c.vars, total: total, level: 0.95,
                                                domain: try c.domain.map { try DomainExpression($0).domain(in: part) },
                                                design: c.spec)
                }
                guard case .estimates(let e) = try m.finalize() else { Issue.record("not estimates"); return }
                #expect(e.variance == whole.variance && e.base == whole.base)
                #expect(e.estimates.count == whole.estimates.count)
                if c.name.hasPrefix("SDR, rank") { #expect(whole.estimates.first?.degreesOfFreedom == 11) }
                for (a, b) in zip(e.estimates, whole.estimates) {
                    #expect(a.name == b.name && a.count == b.count, "\(c.name) \(b.name)")
                    #expect(a.degreesOfFreedom == b.degreesOfFreedom, "\(c.name) \(b.name): df \(a.degreesOfFreedom) vs \(b.degreesOfFreedom)")
                    Self.same(a.estimate, b.estimate, "\(c.name) \(b.name) estimate")
                    Self.same(a.weightedCount, b.weightedCount, "\(c.name) \(b.name) Σw")
                    for (u, v, what) in [(a.standardError, b.standardError, "SE"), (a.lower, b.lower, "lower"),
                                         (a.upper, b.upper, "upper")] {
                        #expect(close(u, v, rel: 1e-11), "\(c.name) \(b.name) \(what): merged \(u) vs one pass \(v)")
                    }
                }
            }
        }
    }

    /// Per-replicate totals merge (the accumulator itself), with the rank state of the parts.
    @Test func replicateTotalsMerge() throws {
        let data = try Self.api("apiclus1.csv")
        let reps = (1...15).map { "jk1_\($0)" }
        func design(_ d: Dataset) throws -> SurveyDesign {
            try SurveyDesign(data: d, weight: "pw", replicateColumns: reps, method: .jk1)
        }
        let whole = try design(data).mean(["api00", "enroll"])
        var g = SplitMix(seed: 5)
        var acc: DesignTotalsAccumulator? = nil
        for r in Self.cuts(data.rowCount, 4, &g).shuffled(using: &g) {
            let part = try design(Self.rows(data, r))
            let a = try part.meansOrTotalsAccumulator(["api00", "enroll"], domain: nil, total: false, requireAnswers: false,
                                                      shard: true)
            if acc == nil { acc = a } else { try acc?.merge(a) }
        }
        let out = try #require(acc).finalize()
        #expect(out.degreesOfFreedom == whole.estimates[0].degreesOfFreedom)
        for j in 0..<2 {
            Self.same(out.result.estimates[j], whole.estimates[j].estimate, "replicate estimate")
            Self.same(out.result.covariance[j, j].squareRoot(), whole.estimates[j].standardError, "replicate SE")
        }
    }

    @Test func correlationShardsEqualOnePass() throws {
        let data = try Self.kz()
        let vars = ["q_leader_opinion", "q_us_opinion", "q_china_opinion", "agegroup"]
        let whole = try Correlation.matrix(SurveyDesign(data: data), variables: vars)
        for seed in [UInt64(31), 32] {
            let m = try Self.merged(data, seed: seed, shards: 3 + Int(seed % 4)) { d in
                try PartialResult.correlation(SurveyDesign(data: d), variables: vars, options: CorrelationOptions(),
                                              design: ["weight": "wt"])
            }
            guard case .correlation(let c) = try m.finalize() else { Issue.record("not a correlation"); return }
            #expect(c.counts == whole.counts)
            for i in 0..<vars.count { for j in 0..<vars.count {
                Self.same(c.estimates[i][j], whole.estimates[i][j], "r[\(i),\(j)]")
                Self.same(c.pValues[i][j], whole.pValues[i][j], "p[\(i),\(j)]")
                Self.same(c.testSizes[i][j], whole.testSizes[i][j], "n_eff[\(i),\(j)]")
            } }
        }
    }

    // MARK: state file

    func sample() throws -> PartialResult {
        try PartialResult.frequency(SurveyDesign(data: Self.kz()), variable: "q_leader_opinion", missing: .showMissing,
                                    design: ["weight": "wt"])
    }

    @Test func corruptedOrTruncatedStatesAreRejectedByChecksum() throws {
        let bytes = try sample().encoded()
        var flipped = bytes
        flipped[bytes.count / 2] ^= 0x10
        #expect(throws: StateFileError.checksumMismatch("s")) { try PartialResult.decode(flipped, file: "s") }
        for cut in [bytes.count - 1, bytes.count / 2, 20] {
            #expect(throws: StateFileError.checksumMismatch("s")) { try PartialResult.decode(Array(bytes[0..<cut]), file: "s") }
        }
        #expect(throws: StateFileError.notAStateFile("s")) { try PartialResult.decode(Array("id,wt\n1,2\n".utf8), file: "s") }
    }

    @Test func otherFormatVersionsAreRefusedNamingBoth() throws {
        var bytes = try sample().encoded()
        bytes[8] = 7   // version field follows the 8-byte magic
        let e = #expect(throws: StateFileError.self) { try PartialResult.decode(bytes, file: "old.state") }
        #expect(e == .unsupportedVersion("old.state", found: 7, supported: PartialResult.formatVersion))
        #expect(e?.description.contains("version 7") == true
                && e?.description.contains("version \(PartialResult.formatVersion)") == true)
        // 2: design totals carry their degrees-of-freedom rows; 3: JKn strata counts; 4: replicate banner totals, layered
        // crosstab tests; 5: frequency tables of several variables (kind 13)
        #expect(PartialResult.formatVersion == 5)
        bytes[8] = 1   // format 1 is refused too (formats 2, 3 and 4 are still read: PartialJackknifeTests)
        #expect(throws: StateFileError.unsupportedVersion("old.state", found: 1, supported: PartialResult.formatVersion)) {
            try PartialResult.decode(bytes, file: "old.state")
        }
    }

    @Test func statesOfDifferentSpecsRefuseToMerge() throws {
        let data = try Self.kz()
        var a = try sample()
        let otherVar = try PartialResult.frequency(SurveyDesign(data: data), variable: "q_us_opinion", missing: .showMissing,
                                                   design: ["weight": "wt"])
        let otherMissing = try PartialResult.frequency(SurveyDesign(data: data), variable: "q_leader_opinion",
                                                       missing: .excludeMissing, design: ["weight": "wt"])
        let otherDesign = try PartialResult.frequency(SurveyDesign(data: data), variable: "q_leader_opinion",
                                                      missing: .showMissing, design: ["weight": ""])
        let mean = try PartialResult.estimates(SurveyDesign(data: data), variables: ["agegroup"], total: false, level: 0.95,
                                               design: ["weight": "wt"])
        for (other, word) in [(otherVar, "variables"), (otherMissing, "options"), (otherDesign, "design"), (mean, "statistic")] {
            let e = #expect(throws: StateFileError.self) { try a.merge(other, file: "b.state") }
            #expect(e?.description.contains(word) == true, "\(String(describing: e))")
        }
        #expect(otherMissing.header.optionsHash != a.header.optionsHash)
    }

    /// The decoder is a pure function that throws, never traps, on any bytes:
    /// random byte edits, truncations and extensions of valid states of each
    /// kind, with the checksum recomputed so that the parser itself is reached.
    @Test func decoderNeverTrapsOnMutatedStates() throws {
        let data = try Self.kz()
        let d = try SurveyDesign(data: data)
        let seeds = [
            try sample().encoded(),
            try PartialResult.crosstab(d, rows: "sex", columns: "agegroup", layers: [], missing: .showMissing, display: nil,
                                       design: [:]).encoded(),
            try PartialResult.estimates(try SurveyDesign(data: Self.api("apiclus1.csv"), weight: "pw", clusters: "dnum", fpc: "fpc"),
                                        variables: ["api00"], total: false, level: 0.95, design: [:]).encoded(),
            try PartialResult.correlation(d, variables: ["sex", "agegroup"], options: CorrelationOptions(), design: [:]).encoded(),
            // format 2: domain df flags, the replicate rank factor, grouped totals (payload kind 5)
            try PartialResult.estimates(try SurveyDesign(data: Self.api("apiclus1.csv"), weight: "pw", clusters: "dnum", fpc: "fpc"),
                                        variables: ["api00"], total: true, level: 0.95,
                                        domain: try DomainExpression("sch_wide == 1").domain(in: Self.api("apiclus1.csv")),
                                        design: [:]).encoded(),
            try PartialResult.estimates(try SurveyDesign(data: Self.api("apiclus1.csv"), weight: "pw",
                                                         replicateColumns: (1...15).map { "jk1_\($0)" }, method: .jk1),
                                        variables: ["api00"], total: false, level: 0.95, design: [:]).encoded(),
            try PartialResult.grouped(d, statistic: "mean", variables: ["agegroup"], by: ["sex", "lang"], level: 0.95,
                                      compare: true, adjustment: .none, design: [:]).encoded(),
            // crosstab --stats under strata/PSUs (payload kind 7) and replicate weights (kind 10)
            try PartialResult.crosstabStatistics(try SurveyDesign(data: Self.api("apiclus1.csv"), weight: "pw", clusters: "dnum",
                                                                  fpc: "fpc"), rows: "stype", columns: "awards",
                                                 missing: .showMissing, display: nil, statistics: "raoscott", includeMissing: false,
                                                 weightsAsFrequencies: false, design: [:]).encoded(),
            try PartialResult.crosstabStatistics(try SurveyDesign(data: Self.api("apiclus1.csv"), weight: "pw",
                                                                  replicateColumns: (1...15).map { "jk1_\($0)" }, method: .jk1),
                                                 rows: "stype", columns: "awards", missing: .showMissing, display: nil,
                                                 statistics: "raoscott", includeMissing: false, weightsAsFrequencies: false,
                                                 design: [:]).encoded(),
            // ratio (payload kind 2 under strata/PSUs in a domain; kind 5 by group under JK1)
            try PartialResult.ratio(try SurveyDesign(data: Self.api("apiclus1.csv"), weight: "pw", clusters: "dnum", fpc: "fpc"),
                                    numerator: "api_stu", denominator: "enroll", level: 0.95,
                                    domain: try DomainExpression("sch_wide == 1").domain(in: Self.api("apiclus1.csv")),
                                    design: [:]).encoded(),
            try PartialResult.grouped(try SurveyDesign(data: Self.api("apiclus1.csv"), weight: "pw",
                                                       replicateColumns: (1...15).map { "jk1_\($0)" }, method: .jk1),
                                      statistic: "ratio", variables: ["api00"], denominator: "api99", by: ["stype"], level: 0.95,
                                      compare: true, adjustment: .none, design: [:]).encoded(),
        ] + (try PartialBannerTests.seedStates()) + (try PartialBannerReplicateTests.seedStates())
          + (try PartialCrosstabLayersTests.seedStates()) + (try FrequencyListTests.seedStates())
          // format 3: JKn strata counts in a design-totals state (kind 2, with an fpc) and in a kind-10 state
          + (try ["seed-jkn-mean-fpc", "seed-jkn-crosstab-raoscott"].map {
              Array(try Data(contentsOf: URL(fileURLWithPath: Fixture.path("Fixtures/fuzz/state/" + $0))))
          })
        var g = SplitMix(seed: 99)
        var accepted = 0
        for _ in 0..<3000 {
            var b = seeds[Int.random(in: 0..<seeds.count, using: &g)]
            b.removeLast(4)
            switch Int.random(in: 0..<3, using: &g) {
            case 0: for _ in 0..<Int.random(in: 1...4, using: &g) {
                let i = Int.random(in: 12..<b.count, using: &g); b[i] = UInt8.random(in: 0...255, using: &g) }
            case 1: b.removeLast(Int.random(in: 1..<(b.count - 12), using: &g))
            default: b.append(contentsOf: (0..<Int.random(in: 1...16, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) })
            }
            let crc = CRC32.checksum(b)
            withUnsafeBytes(of: crc.littleEndian) { b.append(contentsOf: $0) }
            if let s = try? PartialResult.decode(b) { accepted += 1; _ = try? s.finalize() }
        }
        #expect(accepted < 3000)
    }

    @Test func crc32MatchesZlib() {
        // zlib.crc32(b"123456789") == 0xCBF43926 (the standard check value)
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
    }

    // MARK: CLI

    /// `barometer partial … --state-out` on CSV files split by rows, `barometer merge`
    /// in shuffled order, against the command on the whole file (JSON numbers at 1e-12).
    @Test func cliPartialAndMergeEqualTheWholeFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-partial-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var g = SplitMix(seed: 77)
        let parts = try Self.shardedSurvey(into: 4, in: dir, &g)
        let cb = Fixture.path(Self.codebook), whole = Fixture.path(Self.survey)
        let commands: [[String]] = [
            ["freq", "q_leader_opinion"],
            ["crosstab", "--rows", "q_leader_opinion", "--cols", "sex", "--percent", "row"],
            ["mean", "q_eeu_benefit", "agegroup"],
            ["total", "q_eeu_benefit"],
            ["corr", "q_leader_opinion", "q_us_opinion", "agegroup"],
        ]
        for (c, cmd) in commands.enumerated() {
            var states: [String] = []
            for (k, p) in parts.enumerated() {
                let out = dir.appendingPathComponent("s\(c)_\(k).state").path
                let r = try CLI.run(["partial", cmd[0], p, "--codebook", cb] + cmd.dropFirst() + ["--state-out", out])
                #expect(r.status == 0, "\(r.stderr)")
                states.append(out)
            }
            let merged = try CLI.run(["merge"] + states.shuffled(using: &g) + ["--format", "json"])
            let single = try CLI.run([cmd[0], whole, "--codebook", cb] + cmd.dropFirst() + ["--format", "json"])
            #expect(merged.status == 0 && single.status == 0, "\(merged.stderr)")
            let a = try JSONSerialization.jsonObject(with: Data(merged.stdout.utf8))
            let b = try JSONSerialization.jsonObject(with: Data(single.stdout.utf8))
            Self.compareJSON(a, b, path: cmd[0])
            let table = try CLI.run(["merge"] + states)
            let singleTable = try CLI.run([cmd[0], whole, "--codebook", cb] + cmd.dropFirst())
            if cmd[0] == "freq" || cmd[0] == "crosstab" { #expect(table.stdout == singleTable.stdout) }
        }
        // A corrupted state fails the merge, naming the file.
        let bad = dir.appendingPathComponent("bad.state").path
        var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: dir.appendingPathComponent("s0_0.state").path)))
        bytes[bytes.count / 2] ^= 1
        FileManager.default.createFile(atPath: bad, contents: Data(bytes))
        let r = try CLI.run(["merge", dir.appendingPathComponent("s0_1.state").path, bad])
        #expect(r.status != 0 && r.stderr.contains("bad.state") && r.stderr.contains("checksum"))
        // States of different commands refuse to merge.
        let mix = try CLI.run(["merge", dir.appendingPathComponent("s0_0.state").path, dir.appendingPathComponent("s2_1.state").path])
        #expect(mix.status != 0 && mix.stderr.contains("cannot merge"))
    }

    /// `partial` streams a CSV file in chunks of whole records (here 1–64 KiB of the
    /// file, so hundreds of chunks): merging its one state prints the whole-file result.
    @Test(arguments: [997, 4096, 65_536])
    func cliStreamedPartialEqualsTheWholeFile(chunkBytes: Int) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-stream-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cb = Fixture.path(Self.codebook), whole = Fixture.path(Self.survey)
        for (c, cmd) in [["freq", "q_leader_opinion"], ["mean", "q_eeu_benefit", "agegroup"],
                         ["crosstab", "--rows", "sex", "--cols", "agegroup"], ["corr", "q_us_opinion", "agegroup"]].enumerated() {
            let state = dir.appendingPathComponent("s\(c).state").path
            let r = try CLI.run(["partial", cmd[0], whole, "--codebook", cb] + cmd.dropFirst()
                                + ["--state-out", state, "--chunk-bytes", String(chunkBytes)])
            #expect(r.status == 0, "\(r.stderr)")
            let merged = try CLI.run(["merge", state, "--format", "json"])
            let single = try CLI.run([cmd[0], whole, "--codebook", cb] + cmd.dropFirst() + ["--format", "json"])
            Self.compareJSON(try JSONSerialization.jsonObject(with: Data(merged.stdout.utf8)),
                             try JSONSerialization.jsonObject(with: Data(single.stdout.utf8)), path: cmd[0])
        }
        // A bad weight deep in the file is reported at its row of the file, not of its chunk.
        var text = try String(contentsOfFile: whole, encoding: .utf8).split(separator: "\n").map(String.init)
        var fields = text[3000].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        fields[2] = "-1"
        text[3000] = fields.joined(separator: ",")
        let bad = dir.appendingPathComponent("bad.csv").path
        FileManager.default.createFile(atPath: bad, contents: Data(text.joined(separator: "\n").utf8))
        let r = try CLI.run(["partial", "freq", bad, "--codebook", cb, "q_leader_opinion", "--state-out",
                             dir.appendingPathComponent("bad.state").path, "--chunk-bytes", String(chunkBytes)])
        #expect(r.status != 0 && r.stderr.contains("3000"), "\(r.stderr)")
        // A malformed record deep in the file is reported at its line of the file.
        var broken = try String(contentsOfFile: whole, encoding: .utf8).split(separator: "\n").map(String.init)
        broken[2500] += ",1"
        let malformed = dir.appendingPathComponent("malformed.csv").path
        FileManager.default.createFile(atPath: malformed, contents: Data(broken.joined(separator: "\n").utf8))
        let m = try CLI.run(["partial", "freq", malformed, "--codebook", cb, "q_leader_opinion", "--state-out",
                             dir.appendingPathComponent("m.state").path, "--chunk-bytes", String(chunkBytes)])
        #expect(m.status != 0 && m.stderr.contains("line 2501"), "\(m.stderr)")
    }

    /// Bounded memory: streaming `partial freq` over a 15 MB CSV (400,000 rows) in 1 MiB
    /// chunks peaks (`/usr/bin/time -v`) well below loading the file, and the two print the
    /// same table. Both are measured above the process's own floor (the same streamed
    /// command on a two-row file: runtime, libraries, BLAS buffers, ≈ 40 MB), which at this
    /// size is most of either peak: measured 48 MB streamed, 69 MB loaded, in a debug build.
    /// (`StreamingMemoryBoundTests` checks the absolute 1 GiB bound on a file too large to load.)
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/time")))
    func streamedPeakMemoryStaysBelowLoading() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-rss-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var g = SplitMix(seed: 400)
        var text = "id,wt,q1,q2,q3,q4,q5,income\n"
        text.reserveCapacity(16 << 20)
        for i in 0..<400_000 {
            let w = 0.2 + Double(g.next() % 28_000) / 10_000
            let q = (0..<5).map { _ in String([1, 2, 3, 4, 5, 8, 9][Int(g.next() % 7)]) }
            text += "\(i),\(w),\(q.joined(separator: ",")),\(g.next() % 100_000)\n"
        }
        let csv = dir.appendingPathComponent("big.csv").path
        FileManager.default.createFile(atPath: csv, contents: Data(text.utf8))
        text = ""
        let state = dir.appendingPathComponent("s.state").path
        let loaded = try CLI.peakRSS(["freq", csv, "q1", "--weight", "wt"])
        // Since issue 16 `freq` loads only the columns it uses (q1, wt); loading the whole file is `describe`'s.
        let whole = try CLI.peakRSS(["describe", csv])
        let streamed = try CLI.peakRSS(["partial", "freq", csv, "q1", "--weight", "wt", "--state-out", state,
                                 "--chunk-bytes", String(1 << 20)])
        let tiny = dir.appendingPathComponent("tiny.csv").path
        FileManager.default.createFile(atPath: tiny, contents: Data("id,wt,q1,q2,q3,q4,q5,income\n1,1.5,2,3,4,5,8,100\n".utf8))
        let floor = try CLI.peakRSS(["partial", "freq", tiny, "q1", "--weight", "wt", "--state-out",
                                     dir.appendingPathComponent("tiny.state").path, "--chunk-bytes", String(1 << 20)])
        let merged = try CLI.run(["merge", state])
        #expect(merged.stdout == loaded.stdout)
        #expect(loaded.kib > 0 && streamed.kib > 0 && floor.kib > 0)
        #expect(Double(streamed.kib - floor.kib) < 0.5 * Double(whole.kib - floor.kib),
                "streamed \(streamed.kib) KiB vs the whole file loaded \(whole.kib) KiB, above a floor of \(floor.kib) KiB")
    }

    /// Designs whose state cannot be merged are refused up front, with the reason.
    @Test func unsupportedPartialDesignsAreRefused() throws {
        let strat = try Self.api("apistrat.csv")
        let noPSU = try SurveyDesign(data: strat, weight: "pw", strata: "stype", fpc: "fpc")
        #expect(throws: BarometerError.self) {
            try PartialResult.estimates(noPSU, variables: ["api00"], total: false, level: 0.95, design: [:])
        }
        #expect(throws: BarometerError.self) {
            try PartialResult.correlation(SurveyDesign(data: strat), variables: ["api00", "api99"],
                                          options: CorrelationOptions(method: .spearman), design: [:])
        }
    }

    /// JSON trees equal: same keys and strings, counts exact (integers), other numbers at 1e-12
    /// relative (or at the tolerance `rel` gives for a path, e.g. a numerically differentiated SE).
    static func compareJSON(_ a: Any, _ b: Any, path: String, rel: (String) -> Double = { _ in 1e-12 }) {
        switch (a, b) {
        case (let x as [String: Any], let y as [String: Any]):
            #expect(Set(x.keys) == Set(y.keys), "\(path): keys")
            for (k, v) in y { if let u = x[k] { compareJSON(u, v, path: path + "." + k, rel: rel) } }
        case (let x as [Any], let y as [Any]):
            #expect(x.count == y.count, "\(path): lengths")
            for (i, (u, v)) in zip(x, y).enumerated() { compareJSON(u, v, path: "\(path)[\(i)]", rel: rel) }
        case (let x as NSNumber, let y as NSNumber):
            let (u, v) = (x.doubleValue, y.doubleValue)
            if path.hasSuffix("designEffect") { return }   // (N̂ − n)/N̂ with weights summing to n: ill-conditioned
            let tol = rel(path)
            #expect(u == v || abs(u - v) <= tol * max(abs(u), abs(v)), "\(path): \(u) vs \(v)")
        case (let x as String, let y as String):
            #expect(x == y, "\(path)")
        default:
            #expect(type(of: a) == type(of: b), "\(path): types")
        }
    }
}

/// The Dask.distributed integration (Tests/Integrations/dask/test_dask.py): a
/// LocalCluster with 2 worker processes maps `barometer partial` over row
/// ranges and files and reduces with `barometer merge`; runs when Python can
/// import dask.distributed.
@Suite struct DaskIntegrationTests {
    static var available: Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", "import dask, distributed"]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run(); p.waitUntilExit(); return p.terminationStatus == 0 } catch { return false }
    }

    @Test(.enabled(if: available, "python3 with dask and distributed"), .timeLimit(.minutes(5)))
    func localClusterEqualsSinglePass() throws {
        var env = ProcessInfo.processInfo.environment
        env["BAROMETER"] = try CLI.binary().path
        // stderr (Dask's logs) goes to a file, so neither pipe can fill while the other is read.
        let r = try CLI.runLoggingStderr(URL(fileURLWithPath: "/usr/bin/env"),
                                         ["python3", Fixture.path("Tests/Integrations/dask/test_dask.py")], environment: env)
        let stdout = r.stdout
        #expect(r.status == 0, "\(stdout)\n\(r.log.suffix(3000))")
        #expect(stdout.contains("partial/merge equals the single pass"))
    }
}
