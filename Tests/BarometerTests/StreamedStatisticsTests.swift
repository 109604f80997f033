@testable import Barometer
import BarometerIO
import Foundation
import Testing

/// Accumulators added in the third session of issue 22 (pairwise Pearson,
/// Rao-Scott under a design) and the streamed CSV path (parallel parse of a
/// chunk, only the needed columns): random row shards (2–8), random merge
/// orders, every state round-tripped through its bytes, against the single
/// in-memory pass (which the reference suites check against numpy / R).
@Suite struct StreamedStatisticsTests {
    typealias A = AccumulationTests

    // MARK: pairwise Pearson

    static let pairVariables = ["q_leader_opinion", "q_us_opinion", "q_china_opinion", "agegroup", "q_eeu_benefit"]

    @Test(arguments: [(UInt64(41), 2), (42, 3), (43, 5), (44, 8)])
    func pairwisePearsonShardsEqualOnePass(seed: UInt64, shards: Int) throws {
        let kz = try A.kz()
        for weighted in [true, false] {
            let data = weighted ? kz : try Dataset(variables: kz.variables, weightVariable: nil)
            let design = { (d: Dataset) throws -> SurveyDesign in try SurveyDesign(data: d) }
            let options = CorrelationOptions(missing: .pairwise)
            let whole = try Correlation.matrix(design(data), variables: Self.pairVariables, options: options)
            let m = try A.merged(data, seed: seed &+ (weighted ? 0 : 100), shards: shards) { d in
                try PartialResult.correlation(design(d), variables: Self.pairVariables, options: options,
                                              design: ["weight": weighted ? "wt" : ""])
            }
            guard case .correlation(let c) = try m.finalize() else { Issue.record("not a correlation"); return }
            #expect(c.counts == whole.counts)
            #expect(c.missing == whole.missing && c.rule == whole.rule)
            // Pairwise deletion really differs from listwise here (else the test proves little).
            #expect(Set(whole.counts.joined()).count > 2)
            let p = Self.pairVariables.count
            for i in 0..<p { for j in 0..<p {
                A.same(c.estimates[i][j], whole.estimates[i][j], "r[\(i),\(j)]")
                A.same(c.standardErrors[i][j], whole.standardErrors[i][j], "se[\(i),\(j)]")
                A.samePValue(c.pValues[i][j], whole.pValues[i][j], "p[\(i),\(j)]")
                A.same(c.testSizes[i][j], whole.testSizes[i][j], "n_eff[\(i),\(j)]")
                A.same(c.lower[i][j], whole.lower[i][j], "lower[\(i),\(j)]")
            } }
        }
    }

    /// A pair whose rows never meet on one shard, a constant variable on a
    /// pair's rows, a shard without valid rows: the merged state says what
    /// the single pass says.
    @Test func pairwisePearsonEdgeCasesMergeAsOnePass() throws {
        let nan = Double.nan
        let x: [Double] = [1, 2, 3, 4, nan, nan, nan, 5, 6, 7, 2, 9]
        let y: [Double] = [nan, nan, nan, nan, 1, 2, 3, 3, 3, 3, 3, 3]      // constant where x is valid
        let z: [Double] = [2, 1, 4, 3, 5, 7, 6, 8, 8, 1, 2, 3]
        let w: [Double] = [1, 2, 1, 0.5, 1, 1, 2, 1, 3, 1, 1, 2]
        let data = try Dataset(variables: [Variable(name: "x", values: x), Variable(name: "y", values: y),
                                           Variable(name: "z", values: z), Variable(name: "w", values: w)])
        let options = CorrelationOptions(missing: .pairwise)
        let whole = try Correlation.matrix(SurveyDesign(data: data, weight: "w"), variables: ["x", "y", "z"], options: options)
        for seed in [UInt64(5), 6, 7] {
            let m = try A.merged(data, seed: seed, shards: 4) { d in
                try PartialResult.correlation(SurveyDesign(data: d, weight: "w"), variables: ["x", "y", "z"], options: options,
                                              design: ["weight": "w"])
            }
            guard case .correlation(let c) = try m.finalize() else { Issue.record("not a correlation"); return }
            #expect(c.counts == whole.counts)
            #expect(c.notes == whole.notes)
            #expect(c.estimates[0][1] == nil && whole.estimates[0][1] == nil)
            for i in 0..<3 { for j in 0..<3 { A.same(c.estimates[i][j], whole.estimates[i][j], "r[\(i),\(j)]") } }
        }
    }

    /// `partial corr --pairwise` over CSV shards and streamed in small chunks equals `corr --pairwise`.
    @Test func cliPairwisePearsonPartialEqualsTheWholeFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-pairwise-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var g = SplitMix(seed: 78)
        let parts = try A.shardedSurvey(into: 5, in: dir, &g)
        let cb = Fixture.path(A.codebook), whole = Fixture.path(A.survey)
        let args = ["q_leader_opinion", "q_us_opinion", "q_china_opinion", "agegroup", "--pairwise", "--where", "sex == 1"]
        let states = try A.partialStates("corr", shards: parts, codebook: cb, arguments: args, in: dir, prefix: "s")
        let streamed = dir.appendingPathComponent("streamed.state").path
        let s = try CLI.run(["partial", "corr", whole, "--codebook", cb] + args + ["--state-out", streamed, "--chunk-bytes", "2000"])
        #expect(s.status == 0, "\(s.stderr)")
        let single = try CLI.run(["corr", whole, "--codebook", cb] + args + ["--format", "json"])
        #expect(single.status == 0, "\(single.stderr)")
        for run in [states.shuffled(using: &g), [streamed]] {
            let merged = try CLI.run(["merge"] + run + ["--format", "json"])
            #expect(merged.status == 0, "\(merged.stderr)")
            A.compareJSON(try JSONSerialization.jsonObject(with: Data(merged.stdout.utf8)),
                          try JSONSerialization.jsonObject(with: Data(single.stdout.utf8)), path: "corr --pairwise")
        }
        // A pairwise state does not merge with a listwise one.
        let listwise = dir.appendingPathComponent("listwise.state").path
        _ = try CLI.run(["partial", "corr", parts[0], "--codebook", cb, "q_leader_opinion", "q_us_opinion", "q_china_opinion",
                         "agegroup", "--where", "sex == 1", "--state-out", listwise])
        let mix = try CLI.run(["merge", states[1], listwise])
        #expect(mix.status != 0 && mix.stderr.contains("cannot merge"), "\(mix.stderr)")
    }

    // MARK: streamed CSV

    /// The streamed path reads only the columns the command needs: a column
    /// that turns from numbers to text deep in the file (an error when read)
    /// does not stop `partial` of a command that does not use it, in chunks
    /// parsed on several threads; a needed column with the same fault fails
    /// naming its line of the file.
    @Test(arguments: [4096, 65_536, 1 << 20])
    func streamedChunksReadOnlyTheNeededColumns(chunkBytes: Int) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-columns-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var g = SplitMix(seed: 91)
        var text = "wt,q1,q2,junk,x\n"
        for i in 0..<20_000 {
            let w = 0.5 + Double(g.next() % 1000) / 1000
            let junk = i == 17_000 ? "oops" : String(g.next() % 100)
            let x = i % 7 == 0 ? "" : String(Double(g.next() % 10_000) / 100)
            text += "\(w),\(g.next() % 5 + 1),\(g.next() % 3 + 1),\(junk),\(x)\n"
        }
        let csv = dir.appendingPathComponent("data.csv").path
        FileManager.default.createFile(atPath: csv, contents: Data(text.utf8))
        for cmd in [["freq", "q1", "--weight", "wt"], ["crosstab", "--rows", "q1", "--cols", "q2", "--weight", "wt"],
                    ["mean", "x", "q1", "--weight", "wt"], ["corr", "x", "q1", "q2", "--pairwise", "--weight", "wt"]] {
            let state = dir.appendingPathComponent("\(cmd[0]).state").path
            let r = try CLI.run(["partial", cmd[0], csv] + cmd.dropFirst() + ["--state-out", state, "--chunk-bytes", String(chunkBytes)])
            #expect(r.status == 0, "\(cmd): \(r.stderr)")
            let merged = try CLI.run(["merge", state, "--format", "json"])
            let single = try CLI.run([cmd[0], csv] + cmd.dropFirst() + ["--format", "json"])
            #expect(single.status == 0, "\(single.stderr)")
            A.compareJSON(try JSONSerialization.jsonObject(with: Data(merged.stdout.utf8)),
                          try JSONSerialization.jsonObject(with: Data(single.stdout.utf8)), path: cmd[0])
        }
        let bad = try CLI.run(["partial", "freq", csv, "junk", "--state-out", dir.appendingPathComponent("bad.state").path,
                               "--chunk-bytes", String(chunkBytes)])
        #expect(bad.status != 0 && bad.stderr.contains("line 17002"), "\(bad.stderr)")
    }

    // MARK: Rao-Scott under a design

    static let association = "Fixtures/reference/association/"

    /// The clustered fixture of the R svychisq reference (`make_raoscott.R`), with its
    /// Don't know (x = 9) and Refused (y = 8) codes declared user-missing.
    static func clustered() throws -> Dataset {
        let data = try DatasetLoader.load(Fixture.path(association + "clustered_data.csv"))
        let vars = data.variables.map { v -> Variable in
            var c = v
            if v.name == "x" { c.missing = MissingValues(codes: [9]) }
            if v.name == "y" { c.missing = MissingValues(codes: [8]) }
            return c
        }
        return try Dataset(variables: vars)
    }

    /// Rao-Scott, adjusted and unadjusted Wald tests of merged shard states equal the
    /// single pass (itself checked against R svychisq by `DesignChiSquareTests`), for the
    /// weights-only and the stratified cluster design, with and without a domain, valid
    /// answers only or with the missing categories.
    @Test(arguments: [(UInt64(51), 2), (52, 3), (53, 5), (54, 8)])
    func raoScottShardsEqualOnePass(seed: UInt64, shards: Int) throws {
        let data = try Self.clustered()
        let designs: [(String, (Dataset) throws -> SurveyDesign, [String: String])] = [
            ("weights-only", { try SurveyDesign(data: $0, weight: "w") }, ["weight": "w"]),
            ("strata/PSU", { try SurveyDesign(data: $0, weight: "w", strata: "stratum", clusters: "psu") },
             ["weight": "w", "strata": "stratum", "psu": "psu", "nest": "false", "lonelyPSU": "fail"]),
        ]
        let domainOf = { (d: Dataset) throws -> Domain in
            Domain(mask: try d.variable("y").values.map { $0 != 5 }, description: "y != 5")
        }
        for (name, make, spec) in designs {
            for (useDomain, includeMissing) in [(false, false), (true, false), (false, true)] {
                let design = try make(data)
                let domain = useDomain ? try domainOf(data) : nil
                let table = try ContingencyTable(design, rows: "x", columns: "y", domain: domain, missing: .showMissing)
                let whole = try table.statistics([.raoscott, .cramer], design: design, domain: domain,
                                                 includeMissing: includeMissing)[0]
                let m = try A.merged(data, seed: seed, shards: shards) { d in
                    try PartialResult.crosstabStatistics(make(d), rows: "x", columns: "y", missing: .showMissing, display: nil,
                                                         statistics: "raoscott,cramer", includeMissing: includeMissing,
                                                         weightsAsFrequencies: false,
                                                         domain: useDomain ? try domainOf(d) : nil, design: spec)
                }
                guard case .crosstabStatistics(let t, let stats, _) = try m.finalize() else {
                    Issue.record("not a crosstab with statistics"); return
                }
                let what = "\(name), domain \(useDomain), missing included \(includeMissing)"
                #expect(t.layers[0].counts == table.layers[0].counts, "\(what)")
                #expect(stats.count == 1)
                let merged = try #require(stats.first)
                #expect(merged.lines.map(\.statistic) == whole.lines.map(\.statistic), "\(what)")
                // The note on which answers were used is the command's (`merge` adds it as `crosstab` does).
                #expect(merged.notes == whole.notes.filter { !$0.hasPrefix("Tests and measures use") }, "\(what)")
                #expect(merged.lines.contains { $0.statistic == "Rao-Scott F" } && merged.lines.contains { $0.statistic == "Adjusted Wald F" })
                for (a, b) in zip(merged.lines, whole.lines) {
                    A.same(a.value, b.value, "\(what): \(b.statistic)")
                    A.same(a.degreesOfFreedom, b.degreesOfFreedom, "\(what): \(b.statistic) df")
                    A.same(a.denominatorDF, b.denominatorDF, "\(what): \(b.statistic) denominator df")
                    A.same(a.pValue, b.pValue, "\(what): \(b.statistic) p")
                }
            }
        }
    }

    /// Replicate designs (`replicate_brr_data.csv` of `make_raoscott_replicates.R`: BRR, Fay with
    /// mse, JK1 with mse, bootstrap weights from the BRR columns): the per-replicate cell totals
    /// of merged shard states (payload kind 10, round-tripped through bytes) give the Rao-Scott,
    /// adjusted and unadjusted Wald tests of the single pass (1e-12; df exactly, from the merged
    /// rank state), with and without a domain, valid answers only or with the missing categories.
    @Test(arguments: [(UInt64(61), 2), (62, 3), (63, 5), (64, 8)])
    func replicateRaoScottShardsEqualOnePass(seed: UInt64, shards: Int) throws {
        let data = try Self.withMissingCodes(try DatasetLoader.load(Fixture.path(Self.association + "replicate_brr_data.csv")))
        func make(_ prefix: String, _ count: Int, _ method: ReplicateMethod, mse: Bool) -> (Dataset) throws -> SurveyDesign {
            { try SurveyDesign(data: $0, weight: "w", replicateColumns: (1...count).map { "\(prefix)\($0)" }, method: method,
                               fayRho: method == .fay ? 0.3 : nil, mse: mse) }
        }
        let designs: [(String, (Dataset) throws -> SurveyDesign)] = [
            ("BRR", make("brr", 16, .brr, mse: false)), ("Fay, mse", make("fay", 16, .fay, mse: true)),
            ("JK1, mse", make("jk", 30, .jk1, mse: true)), ("bootstrap", make("brr", 16, .bootstrap, mse: false)),
        ]
        let domainOf = { (d: Dataset) throws -> Domain in
            Domain(mask: try d.variable("y").values.map { $0 != 5 }, description: "y != 5")
        }
        for (name, make) in designs {
            for (useDomain, includeMissing) in [(false, false), (true, false), (false, true)] {
                let design = try make(data)
                let domain = useDomain ? try domainOf(data) : nil
                let table = try ContingencyTable(design, rows: "x", columns: "y", domain: domain, missing: .showMissing)
                let whole = try table.statistics([.raoscott, .cramer], design: design, domain: domain,
                                                 includeMissing: includeMissing)[0]
                let m = try A.merged(data, seed: seed, shards: shards) { d in
                    try PartialResult.crosstabStatistics(make(d), rows: "x", columns: "y", missing: .showMissing, display: nil,
                                                         statistics: "raoscott,cramer", includeMissing: includeMissing,
                                                         weightsAsFrequencies: false,
                                                         domain: useDomain ? try domainOf(d) : nil, design: ["weight": "w"])
                }
                let bytes = m.encoded()
                let headerLength = (12..<16).reduce(0) { $0 | Int(bytes[$1]) << (8 * ($1 - 12)) }
                #expect(bytes[16 + headerLength] == 10, "payload kind 10")
                guard case .crosstabStatistics(let t, let stats, _) = try m.finalize() else {
                    Issue.record("not a crosstab with statistics"); return
                }
                let what = "\(name), domain \(useDomain), missing included \(includeMissing)"
                #expect(t.layers[0].counts == table.layers[0].counts, "\(what)")
                let merged = try #require(stats.first)
                #expect(merged.lines.map(\.statistic) == whole.lines.map(\.statistic), "\(what)")
                #expect(merged.notes == whole.notes.filter { !$0.hasPrefix("Tests and measures use") }, "\(what)")
                // With the missing categories the table has 16 free cells, more than the BRR/Fay df (15): no
                // adjusted Wald test then (its denominator df would be ≤ 0), in either path (lines compared above).
                #expect(merged.lines.contains { $0.statistic == "Rao-Scott F" }
                        && (includeMissing || merged.lines.contains { $0.statistic == "Adjusted Wald F" }), "\(what)")
                for (a, b) in zip(merged.lines, whole.lines) {
                    A.same(a.value, b.value, "\(what): \(b.statistic)")
                    #expect(a.degreesOfFreedom == b.degreesOfFreedom || close(a.degreesOfFreedom ?? 0, b.degreesOfFreedom ?? 0, rel: 1e-12),
                            "\(what): \(b.statistic) df")
                    #expect(a.denominatorDF == b.denominatorDF || close(a.denominatorDF ?? 0, b.denominatorDF ?? 0, rel: 1e-12),
                            "\(what): \(b.statistic) denominator df")
                    A.same(a.pValue, b.pValue, "\(what): \(b.statistic) p")
                }
                if name == "BRR" && !includeMissing {   // the adjusted Wald's denominator df is the replicate rank − 1 − d + 1: exact
                    let aw = try #require(merged.lines.first { $0.statistic == "Adjusted Wald F" })
                    #expect(aw.denominatorDF == whole.lines.first { $0.statistic == "Adjusted Wald F" }?.denominatorDF)
                }
            }
        }
    }

    /// x (9 Don't know) and y (8 Refused) declared user-missing.
    static func withMissingCodes(_ data: Dataset) throws -> Dataset {
        try Dataset(variables: data.variables.map { v -> Variable in
            var c = v
            if v.name == "x" { c.missing = MissingValues(codes: [9]) }
            if v.name == "y" { c.missing = MissingValues(codes: [8]) }
            return c
        })
    }

    /// `partial crosstab --stats` with replicate weights over CSV shards, and streamed in small
    /// chunks, prints what `crosstab --stats` prints on the whole file (text; JSON at 1e-12);
    /// states of different replicate designs refuse to merge.
    @Test func cliReplicateRaoScottPartialEqualsTheWholeFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-rep-raoscott-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var g = SplitMix(seed: 97)
        let states = try Self.cliCrosstabMergesEqualTheWholeFile(Self.association + "replicate_brr_data.csv", shards: 5, dir: dir,
                                                                 chunkBytes: 2000, &g, runs: [
            ["--weight", "w", "--repweights", "^brr", "--repmethod", "brr", "--stats", "raoscott"],
            ["--weight", "w", "--repweights", "^fay", "--repmethod", "fay", "--fay-rho", "0.3", "--mse", "--stats", "chisq,cramer",
             "--where", "x != 9"],
            ["--weight", "w", "--repweights", "^jk", "--repmethod", "jk1", "--stats", "all", "--exclude-missing"],
        ])
        let mix = try CLI.run(["merge", states[0][0], states[2][1]])
        #expect(mix.status != 0 && mix.stderr.contains("cannot merge"), "\(mix.stderr)")
    }

    /// Runs `partial crosstab` with each of `runs` (after `--rows x --cols y`) on `shards` random row
    /// shards of `file` and streamed over the whole file in `chunkBytes` chunks, and expects `merge`
    /// of each to print what `crosstab` prints on the whole file (text; JSON at 1e-12). Returns the
    /// shard states of each run.
    static func cliCrosstabMergesEqualTheWholeFile(_ file: String, shards: Int, dir: URL, chunkBytes: Int,
                                                   _ g: inout SplitMix, runs: [[String]]) throws -> [[String]] {
        let whole = file.hasPrefix("/") ? file : Fixture.path(file)   // a fixture, or a file written by the test
        let parts = try A.shardedCSV(whole, into: shards, in: dir, &g)
        var all: [[String]] = []
        for (c, args) in runs.enumerated() {
            let cmd = ["--rows", "x", "--cols", "y"] + args
            var states: [String] = []
            for (k, p) in parts.enumerated() {
                let out = dir.appendingPathComponent("s\(c)_\(k).state").path
                let r = try CLI.run(["partial", "crosstab", p] + cmd + ["--state-out", out])
                #expect(r.status == 0, "\(r.stderr)")
                states.append(out)
            }
            all.append(states)
            let streamed = dir.appendingPathComponent("streamed\(c).state").path
            let s = try CLI.run(["partial", "crosstab", whole] + cmd + ["--state-out", streamed, "--chunk-bytes", String(chunkBytes)])
            #expect(s.status == 0, "\(s.stderr)")
            let single = try CLI.run(["crosstab", whole] + cmd + ["--format", "json"])
            let singleText = try CLI.run(["crosstab", whole] + cmd)
            #expect(single.status == 0, "\(single.stderr)")
            for run in [states.shuffled(using: &g), [streamed]] {
                let merged = try CLI.run(["merge"] + run + ["--format", "json"])
                #expect(merged.status == 0, "\(merged.stderr)")
                A.compareJSON(try JSONSerialization.jsonObject(with: Data(merged.stdout.utf8)),
                              try JSONSerialization.jsonObject(with: Data(single.stdout.utf8)), path: "crosstab \(args)")
                #expect(try CLI.run(["merge"] + run).stdout == singleText.stdout, "\(args)")
            }
        }
        return all
    }

    /// `partial crosstab --stats` over CSV shards (and streamed in small chunks) prints what
    /// `crosstab --stats` prints on the whole file, text and JSON; strata without
    /// PSUs are refused; states of different designs refuse to merge.
    @Test func cliRaoScottPartialEqualsTheWholeFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-raoscott-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var g = SplitMix(seed: 79)
        let states = try Self.cliCrosstabMergesEqualTheWholeFile(Self.association + "clustered_data.csv", shards: 4, dir: dir,
                                                                 chunkBytes: 700, &g, runs: [
            ["--weight", "w", "--stats", "raoscott"],
            ["--weight", "w", "--strata", "stratum", "--psu", "psu", "--stats", "chisq,cramer", "--where", "x != 9"],
            ["--weight", "w", "--strata", "stratum", "--psu", "psu", "--stats", "all", "--exclude-missing"],
        ])
        let mix = try CLI.run(["merge", states[0][0], states[1][1]])
        #expect(mix.status != 0 && mix.stderr.contains("cannot merge"), "\(mix.stderr)")
        // Layers and --by are supported (PartialCrosstabLayersTests); strata need named PSUs.
        let parts = try A.shardedCSV(Fixture.path(Self.association + "clustered_data.csv"), into: 2, in: dir, &g)
        let noPSU = try CLI.run(["partial", "crosstab", parts[0], "--rows", "x", "--cols", "y", "--weight", "w",
                                 "--strata", "stratum", "--stats", "raoscott", "--state-out", dir.appendingPathComponent("n.state").path])
        #expect(noPSU.status != 0 && noPSU.stderr.contains("--psu"), "\(noPSU.stderr)")
    }
}
