@testable import Barometer
import BarometerIO
import Foundation
import Testing

/// `partial banner` / `merge` (issue 22): banner states over random row shards
/// (2–8), round-tripped through their bytes and merged in random orders,
/// against the in-memory book on the whole data — itself checked against
/// R survey (`BannerBookTests`) and against the grouped design engine
/// (`BannerAccumulatorTests`). Counts, df and letters exactly; estimates,
/// SEs, statistics and p-values at 1e-12 (`BannerAccumulatorTests.expectEqual`).
@Suite struct PartialBannerTests {
    static let dir = "Fixtures/reference/banner/"

    /// Runs `partial banner` with `args` on every shard file of `parts`, merges the states
    /// (`dir/<prefix>_<k>.state`) in a random order and expects the text `banner` prints on the whole file (non-empty,
    /// identical) and its JSON (`AccumulationTests.compareJSON`); returns the states.
    static func mergedPartialsPrintTheWholeBook(_ args: [String], parts: [String], whole: String, codebook cb: String,
                                                dir: URL, prefix: String, _ g: inout SplitMix, label: String) throws -> [String] {
        var states: [String] = []
        for (k, p) in parts.enumerated() {
            let out = dir.appendingPathComponent("\(prefix)_\(k).state").path
            let r = try CLI.run(["partial", "banner", p, "--codebook", cb] + args + ["--state-out", out])
            #expect(r.status == 0, "\(r.stderr)")
            states.append(out)
        }
        states.shuffle(using: &g)
        let merged = try CLI.run(["merge"] + states)
        let single = try CLI.run(["banner", whole, "--codebook", cb] + args)
        #expect(merged.status == 0 && single.status == 0, "\(merged.stderr) \(single.stderr)")
        #expect(!single.stdout.isEmpty && merged.stdout == single.stdout, "\(label): printed book")
        let mj = try CLI.run(["merge"] + states + ["--format", "json"])
        let sj = try CLI.run(["banner", whole, "--codebook", cb] + args + ["--format", "json"])
        AccumulationTests.compareJSON(try JSONSerialization.jsonObject(with: Data(mj.stdout.utf8)),
                                      try JSONSerialization.jsonObject(with: Data(sj.stdout.utf8)), path: label)
        return states
    }

    static func data() throws -> Dataset { try BannerBookTests.data("banner_survey.csv") }

    static func designs(_ d: Dataset) throws -> [(String, SurveyDesign, [String: String])] {
        [("weights-only", try SurveyDesign(data: d, weight: "wt"), ["weight": "wt"]),
         ("strata and PSUs", try SurveyDesign(data: d, weight: "wt", strata: "stratum", clusters: "psu", nest: true),
          ["weight": "wt", "strata": "stratum", "psu": "psu", "nest": "true"]),
         ("PSUs only", try SurveyDesign(data: d, weight: "wt", clusters: "psu"), ["weight": "wt", "psu": "psu"]),
         ("unweighted", try SurveyDesign(data: d), [:])]
    }

    /// One state per shard of `cuts` (each round-tripped through its bytes), merged in a random order.
    static func merged(_ data: Dataset, _ cuts: [Range<Int>], _ g: inout SplitMix,
                       _ build: (Dataset) throws -> PartialResult) throws -> PartialResult {
        var states = try cuts.map { r in try PartialResult.decode(try build(try AccumulationTests.rows(data, r)).encoded()) }
        states.shuffle(using: &g)
        var m = states[0]
        for s in states.dropFirst() { try m.merge(s) }
        return try PartialResult.decode(m.encoded())
    }

    static func book(_ r: PartialResult) throws -> BannerBook {
        guard case .banner(let b) = try r.finalize() else { throw BarometerError.invalidArgument("not a banner") }
        return b
    }

    static func expectSame(_ merged: BannerBook, _ single: BannerBook, _ what: String) {
        BannerAccumulatorTests.expectEqual(merged, single, what)
        #expect(merged.weight == single.weight && merged.variance == single.variance && merged.domain == single.domain
                && merged.test == single.test && merged.levels == single.levels && merged.adjust == single.adjust, "\(what): notes")
        #expect(merged.textTables.map { "\($0)" } == single.textTables.map { "\($0)" }, "\(what): printed book")
    }

    @Test(arguments: [(UInt64(1), 2), (2, 3), (3, 5), (4, 8)])
    func shardsEqualOnePass(seed: UInt64, shards: Int) throws {
        let data = try Self.data()
        var g = SplitMix(seed: seed)
        for (dname, design, spec) in try Self.designs(data) {
            for (sname, banner) in BannerAccumulatorTests.specs() {
                for whereText in [nil, "sex == 1"] {
                    let what = "\(dname), \(sname)\(whereText.map { ", where \($0)" } ?? ""), \(shards) shards"
                    let domain = try whereText.map { try DomainExpression($0).domain(in: data) }
                    let single = try BannerBook(design, specification: banner, domain: domain)
                    let cuts = AccumulationTests.cuts(data.rowCount, shards, &g)
                    let state = try Self.merged(data, cuts, &g) { part in
                        let d = try Self.designs(part).first { $0.0 == dname }!.1
                        var s = spec
                        s["weight"] = d.weights.name ?? ""
                        return try PartialResult.banner(d, specification: banner,
                                                        domain: try whereText.map { try DomainExpression($0).domain(in: part) },
                                                        design: s)
                    }
                    Self.expectSame(try Self.book(state), single, what)
                }
            }
        }
    }

    /// Shards that saw different banner categories, stub categories, response codes, strata
    /// and PSUs (rows grouped by region, then by stratum) merge by key to the single pass,
    /// in either order of merging.
    @Test func shardsOfDifferentCategoriesAndPSUsMergeByKey() throws {
        let data = try Self.data()
        let spec = BannerBookTests.spec(test: .design, adjust: .benjaminiHochberg)
        for key in ["region", "stratum", "reason1"] {
            let v = try data.variable(key)
            let groups = Dictionary(grouping: 0..<data.rowCount) { v.values[$0].isNaN ? -1 : v.values[$0] }
            for (dname, design, dspec) in try Self.designs(data) where dname != "unweighted" {
                let single = try BannerBook(design, specification: spec)
                var states: [PartialResult] = []
                for (_, rows) in groups.sorted(by: { $0.key < $1.key }) {
                    let part = try Dataset(variables: data.variables.map { var c = $0; c.values = rows.map { $0 < c.values.count ? c.values[$0] : .nan }
                                                                       if let s = $0.strings { c.strings = rows.map { s[$0] } }; return c },
                                           weightVariable: data.weightVariable)
                    let d = try Self.designs(part).first { $0.0 == dname }!.1
                    var s = dspec
                    s["weight"] = d.weights.name ?? ""
                    states.append(try PartialResult.banner(d, specification: spec, design: s))
                }
                for order in [states, states.reversed()] {
                    var m = order[0]
                    for s in order.dropFirst() { try m.merge(try PartialResult.decode(s.encoded())) }
                    Self.expectSame(try Self.book(m), single, "\(dname), shards by \(key)")
                }
            }
        }
    }

    /// Merging is associative: ((a b) c) and (a (b c)) give the same book to 1e-12.
    @Test func mergeIsAssociative() throws {
        let data = try Self.data()
        var g = SplitMix(seed: 9)
        let spec = BannerBookTests.spec(test: .design)
        let parts = try AccumulationTests.cuts(data.rowCount, 3, &g).map { r in
            try PartialResult.banner(try SurveyDesign(data: try AccumulationTests.rows(data, r), weight: "wt", strata: "stratum",
                                                      clusters: "psu", nest: true), specification: spec, design: ["nest": "true"])
        }
        var left = parts[0]; try left.merge(parts[1]); try left.merge(parts[2])
        var bc = parts[1]; try bc.merge(parts[2])
        var right = parts[0]; try right.merge(bc)
        Self.expectSame(try Self.book(left), try Self.book(right), "associativity")
    }

    @Test func differentSpecificationsRefuseToMergeNamingThePart() throws {
        let data = try Self.data()
        let design = try SurveyDesign(data: data, weight: "wt")
        let base = try PartialResult.banner(design, specification: BannerBookTests.spec(test: .design), design: [:])
        var spss = BannerBookTests.spec(test: .spss, mean: true); spss.stubs.removeAll { $0.kind == .mean }
        var noMean = BannerBookTests.spec(test: .design); noMean.stubs.removeAll { $0.kind == .mean }
        var levels = BannerBookTests.spec(test: .design); levels.levels = [0.1]
        var nets = BannerBookTests.spec(test: .design); nets.banner[0].nets = nil
        var noNet = BannerBookTests.spec(test: .design); noNet.stubs[0].nets = nil
        for (other, part) in [(noMean, "variables"), (noNet, "'stubs'"), (levels, "'levels'"), (nets, "'banner'")] {
            var a = base
            let b = try PartialResult.banner(design, specification: other, design: [:])
            do { try a.merge(b); Issue.record("\(part): merged") } catch {
                #expect("\(error)".contains(part), "\(part): \(error)")
            }
        }
        var c = try PartialResult.banner(design, specification: spss, design: [:])
        #expect(throws: StateFileError.self) { try c.merge(base) }
        // Another domain or design.
        var d = try PartialResult.banner(design, specification: BannerBookTests.spec(test: .design),
                                         domain: try DomainExpression("sex == 1").domain(in: data), design: [:])
        #expect(throws: StateFileError.self) { try d.merge(base) }
    }

    @Test func unsupportedDesignsAreRefusedSayingWhy() throws {
        // Replicate designs are supported (PartialBannerReplicateTests); strata need named PSUs.
        let data = try Self.data()
        let strataOnly = try SurveyDesign(data: data, weight: "wt", strata: "stratum")
        do { _ = try PartialResult.banner(strataOnly, specification: BannerBookTests.spec(test: .design), design: [:]); Issue.record("strata") }
        catch { #expect("\(error)".contains("--psu")) }
    }

    /// Banner states (weights-only; strata/PSUs within a domain) for the decoder's mutation test
    /// (`AccumulationTests.decoderNeverTrapsOnMutatedStates`).
    static func seedStates() throws -> [[UInt8]] {
        let data = try Self.data()
        return [try PartialResult.banner(try SurveyDesign(data: data, weight: "wt"), specification: BannerBookTests.spec(test: .design),
                                         design: [:]).encoded(),
                try PartialResult.banner(try SurveyDesign(data: data, weight: "wt", strata: "stratum", clusters: "psu", nest: true),
                                         specification: BannerBookTests.spec(test: .design),
                                         domain: try DomainExpression("sex == 1").domain(in: data), design: [:]).encoded()]
    }

    // MARK: CLI

    /// The fixture's rows cut at random into CSV files (header on each).
    static func shardFiles(_ shards: Int, in dir: URL, _ g: inout SplitMix, file: String = "banner_survey.csv") throws -> [String] {
        let text = try String(contentsOfFile: Fixture.path(Self.dir + file), encoding: .utf8)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
        let head = lines.removeFirst()
        return AccumulationTests.cuts(lines.count, shards, &g).enumerated().map { k, r -> String in
            let p = dir.appendingPathComponent("part\(k).csv").path
            FileManager.default.createFile(atPath: p, contents: Data(([head] + lines[r]).joined(separator: "\n").utf8))
            return p
        }
    }

    static let specJSON = """
    {"stubs": [{"variable": "q1", "nets": [{"label": "Favourable", "codes": [1, 2]}]}, {"variable": "q2"},
               {"variable": "score", "kind": "mean"},
               {"variable": "reasons", "kind": "multipleResponse", "nets": [{"label": "Economy or security", "codes": [2, 3]}],
                "variables": ["reason1", "reason2"]}],
     "banner": [{"variable": "region", "nets": [{"label": "North or South", "codes": [1, 2]}]}, {"variable": "sex"}],
     "levels": [0.05, 0.01]}
    """

    /// `partial banner` on CSV files split by rows (2–8 shards) and `merge` in shuffled order print
    /// exactly what `banner` prints on the whole file (text byte for byte; JSON numbers at 1e-12);
    /// `merge --out book.html` writes the book `banner --out` writes (but for the title).
    @Test(arguments: [(UInt64(61), 2), (63, 8)])
    func cliShardsEqualTheWholeFile(seed: UInt64, shards: Int) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-banner-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var g = SplitMix(seed: seed)
        let parts = try Self.shardFiles(shards, in: dir, &g)
        let specPath = dir.appendingPathComponent("spec.json").path
        FileManager.default.createFile(atPath: specPath, contents: Data(Self.specJSON.utf8))
        let cb = Fixture.path(Self.dir + "banner_survey.codebook.json"), whole = Fixture.path(Self.dir + "banner_survey.csv")
        let variants: [[String]] = [
            ["--spec", specPath, "--weight", "wt"],
            ["--spec", specPath, "--weight", "wt", "--strata", "stratum", "--psu", "psu", "--nest"],
            ["--spec", specPath, "--weight", "wt", "--psu", "psu", "--where", "sex == 2", "--base", "all", "--adjust", "holm"],
            ["--rows", "q1", "--rows", "q2", "--cols", "region", "--cols", "sex", "--test", "spss", "--sig", "0.1"],
        ]
        for (v, args) in variants.enumerated() {
            let states = try Self.mergedPartialsPrintTheWholeBook(args, parts: parts, whole: whole, codebook: cb, dir: dir,
                                                                  prefix: "s\(v)", &g, label: "banner \(v)")
            if v == 1 {
                let a = dir.appendingPathComponent("merged.html").path, b = dir.appendingPathComponent("single.html").path
                #expect(try CLI.run(["merge"] + states + ["--out", a]).status == 0)
                #expect(try CLI.run(["banner", whole, "--codebook", cb] + args + ["--out", b]).status == 0)
                let ha = try String(contentsOfFile: a, encoding: .utf8), hb = try String(contentsOfFile: b, encoding: .utf8)
                func body(_ h: String) -> String { h.replacingOccurrences(of: #"Banner book: [^<]*"#, with: "", options: .regularExpression) }
                #expect(!ha.isEmpty && body(ha) == body(hb))
            }
        }
        // Another specification refuses to merge, naming the part.
        let other = dir.appendingPathComponent("other.state").path
        #expect(try CLI.run(["partial", "banner", parts[0], "--codebook", cb, "--spec", specPath, "--weight", "wt", "--sig", "0.1",
                             "--state-out", other]).status == 0)
        let r = try CLI.run(["merge", dir.appendingPathComponent("s0_0.state").path, other])
        #expect(r.status != 0 && r.stderr.contains("'levels'"), "\(r.stderr)")
        // What partial banner cannot merge is refused with the reason.
        let rep = try CLI.run(["partial", "banner", parts[0], "--codebook", cb, "--spec", specPath, "--strata", "stratum",
                               "--state-out", other])
        #expect(rep.status != 0 && rep.stderr.contains("--psu"), "\(rep.stderr)")
        let out = try CLI.run(["partial", "banner", parts[0], "--codebook", cb, "--spec", specPath, "--out", "x.xlsx",
                               "--state-out", other])
        #expect(out.status != 0 && out.stderr.contains("merge"), "\(out.stderr)")
    }

    /// `partial banner` streams the file in chunks (997 bytes to 64 KiB): the merged state prints the
    /// in-memory book.
    @Test(arguments: [997, 4096, 65_536])
    func cliStreamedEqualsInMemory(chunkBytes: Int) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-banner-stream-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let specPath = dir.appendingPathComponent("spec.json").path
        FileManager.default.createFile(atPath: specPath, contents: Data(Self.specJSON.utf8))
        let cb = Fixture.path(Self.dir + "banner_survey.codebook.json"), whole = Fixture.path(Self.dir + "banner_survey.csv")
        for (v, args) in [["--spec", specPath, "--weight", "wt", "--strata", "stratum", "--psu", "psu", "--nest"],
                          ["--spec", specPath, "--weight", "wt", "--where", "region != 3"]].enumerated() {
            let state = dir.appendingPathComponent("s\(v).state").path
            let r = try CLI.run(["partial", "banner", whole, "--codebook", cb] + args + ["--state-out", state, "--chunk-bytes", String(chunkBytes)])
            #expect(r.status == 0, "\(r.stderr)")
            let merged = try CLI.run(["merge", state, "--format", "json"])
            let single = try CLI.run(["banner", whole, "--codebook", cb] + args + ["--format", "json"])
            AccumulationTests.compareJSON(try JSONSerialization.jsonObject(with: Data(merged.stdout.utf8)),
                                          try JSONSerialization.jsonObject(with: Data(single.stdout.utf8)), path: "streamed \(v)")
            #expect(try CLI.run(["merge", state]).stdout == (try CLI.run(["banner", whole, "--codebook", cb] + args)).stdout)
        }
    }
}
