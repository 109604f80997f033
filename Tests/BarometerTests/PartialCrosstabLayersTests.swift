@testable import Barometer
import BarometerIO
import Foundation
import Testing

/// `partial crosstab --stats` with `--layer` / `--by` (issue 22, payload kind 12): one cell-totals
/// state per layer keyed by the layer's categories, plus the design's own state for the layers a
/// shard never saw (``LayeredCellTotalsAccumulator``). Rows sorted by the layer before the random
/// cuts, so most shards miss most layers; states round-tripped through their bytes and merged in
/// a random order. Every layer's Rao-Scott, adjusted and unadjusted Wald tests and measures equal
/// the in-memory `crosstab --stats` of that layer (the layer as a domain of the whole design, as
/// `ContingencyTable.statistics(_:design:domain:includeMissing:)` computes it; the two-way tests
/// are checked against R `svychisq` in `DesignChiSquareTests`) at 1e-12, layer tables exactly,
/// under weights-only, strata/PSU and replicate designs (BRR, Fay with mse, JK1 with mse,
/// bootstrap), with and without a `--where` domain; the CLI's text equals `crosstab`'s.
@Suite struct PartialCrosstabLayersTests {
    typealias A = AccumulationTests
    typealias S = StreamedStatisticsTests

    /// `data` with `g` (a layer: 1, 2 at random) and `h` (a group: 1, 2 at random, system-missing on
    /// a few rows), rows sorted by (g, h) so contiguous shards miss layers.
    static func layered(_ data: Dataset) throws -> Dataset {
        let n = data.rowCount
        var g = [Double](repeating: 0, count: n), h = g
        var rng = SplitMix(seed: 4242)
        for i in 0..<n {
            g[i] = Double(Int.random(in: 1...2, using: &rng))
            h[i] = i % 31 == 5 ? .nan : Double(Int.random(in: 1...2, using: &rng))
        }
        // Sort key: g, then h (missing first), then the row.
        let key: [Double] = (0..<n).map { i in g[i] * 1e6 + (h[i].isNaN ? 0 : h[i]) * 1e4 + Double(i) }
        let order = (0..<n).sorted { key[$0] < key[$1] }
        var vars = data.variables.map { v -> Variable in
            var c = v
            c.values = order.map { v.values[$0] }
            if let s = v.strings { c.strings = order.map { s[$0] } }
            return c
        }
        vars.append(Variable(name: "g", values: order.map { g[$0] }))
        vars.append(Variable(name: "h", values: order.map { h[$0] }))
        return try Dataset(variables: vars)
    }

    typealias Make = (Dataset) throws -> SurveyDesign

    static func designs() throws -> [(String, Dataset, Make, [String: String])] {
        let clustered = try Self.layered(try S.clustered())
        let reps = try Self.layered(try S.withMissingCodes(try DatasetLoader.load(Fixture.path(S.association + "replicate_brr_data.csv"))))
        func make(_ prefix: String, _ count: Int, _ method: ReplicateMethod, mse: Bool) -> Make {
            { try SurveyDesign(data: $0, weight: "w", replicateColumns: (1...count).map { "\(prefix)\($0)" }, method: method,
                               fayRho: method == .fay ? 0.3 : nil, mse: mse) }
        }
        return [
            ("weights-only", clustered, { try SurveyDesign(data: $0, weight: "w") }, ["weight": "w"]),
            ("strata/PSU", clustered, { try SurveyDesign(data: $0, weight: "w", strata: "stratum", clusters: "psu") },
             ["weight": "w", "strata": "stratum", "psu": "psu", "nest": "false", "lonelyPSU": "fail"]),
            ("BRR", reps, make("brr", 16, .brr, mse: false), ["weight": "w"]),
            ("Fay, mse", reps, make("fay", 16, .fay, mse: true), ["weight": "w"]),
            ("JK1, mse", reps, make("jk", 30, .jk1, mse: true), ["weight": "w"]),
            ("bootstrap", reps, make("brr", 16, .bootstrap, mse: false), ["weight": "w"]),
        ]
    }

    @Test(arguments: [(UInt64(91), 2), (92, 3), (93, 5), (94, 8)])
    func layersOfMergedShardsEqualOnePass(seed: UInt64, shards: Int) throws {
        for (name, data, make, spec) in try Self.designs() {
            // (layers, by, domain, include missing): a layer, a group (its missing rows in no layer), both.
            let cases: [([String], [String], Bool, Bool)] = [(["g"], [], false, true), ([], ["h"], true, false),
                                                            (["g"], ["h"], false, false)]
            for (layers, by, useDomain, includeMissing) in cases {
                let design = try make(data)
                let domainOf = { (d: Dataset) throws -> Domain? in
                    useDomain ? Domain(mask: try d.variable("y").values.map { $0 != 5 }, description: "y != 5") : nil
                }
                let domain = try domainOf(data)
                let table = try ContingencyTable(design, rows: "x", columns: "y", layers: layers, by: by, domain: domain,
                                                 missing: .showMissing)
                let whole = try table.statistics([.raoscott, .cramer], design: design, domain: domain, includeMissing: includeMissing)
                let m = try A.merged(data, seed: seed, shards: shards) { d in
                    try PartialResult.crosstabStatistics(make(d), rows: "x", columns: "y", layers: layers, by: by,
                                                         missing: .showMissing, display: nil, statistics: "raoscott,cramer",
                                                         includeMissing: includeMissing, weightsAsFrequencies: false,
                                                         domain: try domainOf(d), design: spec)
                }
                let what = "\(name), layers \(layers), by \(by), domain \(useDomain), missing included \(includeMissing)"
                guard case .crosstabStatistics(let t, let stats, _) = try m.finalize() else {
                    Issue.record("\(what): not a crosstab with statistics"); continue
                }
                #expect(t.layers.count == table.layers.count && t.layers.count >= 2, "\(what): layers")
                #expect(stats.count == whole.count, "\(what): one set of statistics per layer")
                for (k, (merged, single)) in zip(stats, whole).enumerated() {
                    #expect(t.layers[k].counts == table.layers[k].counts, "\(what): layer \(k + 1) counts")
                    #expect(merged.lines.map(\.statistic) == single.lines.map(\.statistic), "\(what): layer \(k + 1)")
                    #expect(merged.lines.contains { $0.statistic == "Rao-Scott F" }, "\(what): layer \(k + 1) Rao-Scott")
                    // The library names the domain `y != 5 and layer k`, the command `layer k and y != 5`.
                    let notes = single.notes.filter { !$0.hasPrefix("Tests and measures use") }
                        .map { $0.replacingOccurrences(of: "y != 5 and layer \(k + 1)", with: "layer \(k + 1) and y != 5") }
                    #expect(merged.notes == notes, "\(what): layer \(k + 1) notes")
                    for (a, b) in zip(merged.lines, single.lines) {
                        A.same(a.value, b.value, "\(what), layer \(k + 1): \(b.statistic)")
                        #expect(a.degreesOfFreedom == b.degreesOfFreedom || close(a.degreesOfFreedom ?? 0, b.degreesOfFreedom ?? 0, rel: 1e-12),
                                "\(what), layer \(k + 1): \(b.statistic) df")
                        #expect(a.denominatorDF == b.denominatorDF || close(a.denominatorDF ?? 0, b.denominatorDF ?? 0, rel: 1e-12),
                                "\(what), layer \(k + 1): \(b.statistic) denominator df")
                        A.same(a.pValue, b.pValue, "\(what), layer \(k + 1): \(b.statistic) p")
                    }
                }
            }
        }
    }

    /// A layered state for the decoder's mutation test and the `state` fuzz seeds (strata/PSUs; JK1).
    static func seedStates() throws -> [[UInt8]] {
        let designs = try Self.designs()
        return try [designs[1], designs[4]].map { (_, data, make, spec) in
            try PartialResult.crosstabStatistics(make(data), rows: "x", columns: "y", layers: ["g"], by: ["h"],
                                                 missing: .showMissing, display: nil, statistics: "raoscott", includeMissing: false,
                                                 weightsAsFrequencies: false, design: spec).encoded()
        }
    }

    // MARK: CLI

    /// `data` written as CSV (numbers as they print, NaN empty).
    static func csv(_ data: Dataset, to path: String) {
        var lines = [data.variableNames.joined(separator: ",")]
        for i in 0..<data.rowCount {
            lines.append(data.variables.map { v in v.values[i].isNaN ? "" : Variable.formatCode(v.values[i]) }.joined(separator: ","))
        }
        FileManager.default.createFile(atPath: path, contents: Data(lines.joined(separator: "\n").utf8))
    }

    /// `partial crosstab --stats --layer/--by` on CSV shards (4, cut after sorting by the layer) and
    /// streamed in small chunks, `merge` in a shuffled order: the text `crosstab` prints on the
    /// whole file, byte for byte, and its JSON at 1e-12.
    @Test func cliLayeredStatisticsEqualTheWholeFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-layers-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var g = SplitMix(seed: 95)
        let designs = try Self.designs()
        let files = [("clustered", designs[0].1), ("replicates", designs[2].1)].map { (name, data) -> String in
            let p = dir.appendingPathComponent("\(name).csv").path
            Self.csv(data, to: p)
            return p
        }
        let runs: [(Int, [String])] = [
            (0, ["--weight", "w", "--layer", "g", "--stats", "raoscott,cramer"]),
            (0, ["--weight", "w", "--strata", "stratum", "--psu", "psu", "--by", "h", "--stats", "chisq", "--where", "x != 9"]),
            (0, ["--weight", "w", "--strata", "stratum", "--psu", "psu", "--layer", "g", "--stats", "all", "--where", "x != 9"]),
            (0, ["--weight", "w", "--psu", "psu", "--layer", "g", "--by", "h", "--stats", "raoscott", "--where", "x != 9"]),
            (1, ["--weight", "w", "--repweights", "^fay", "--repmethod", "fay", "--fay-rho", "0.3", "--mse", "--layer", "g",
                 "--stats", "raoscott"]),
            (1, ["--weight", "w", "--repweights", "^jk", "--repmethod", "jk1", "--by", "h", "--stats", "chisq,cramer",
                 "--where", "y != 5"]),
        ]
        for f in 0..<2 {
            let mine = runs.filter { $0.0 == f }.map(\.1)
            for args in mine {   // every run prints one set of tests per layer
                let text = try CLI.run(["crosstab", files[f], "--rows", "x", "--cols", "y"] + args)
                #expect(text.status == 0 && text.stdout.contains("layer 2"), "\(args): \(text.stderr)")
            }
            _ = try S.cliCrosstabMergesEqualTheWholeFile(files[f], shards: 4, dir: dir, chunkBytes: 1500, &g, runs: mine)
        }
    }
}
