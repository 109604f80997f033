@testable import Barometer
import BarometerIO
import Foundation
import Testing

/// Grouped estimates (`--by`) in partial states: ``GroupedTotalsAccumulator``
/// keyed by the groups' values, merged over random row shards (2–8) in random
/// orders through the state bytes, against the in-memory grouped pass (R
/// `svyby(covmat = TRUE)` + `svycontrast`, checked against R in
/// `GroupedEstimatesTests`): groups, labels and counts exactly; estimates, SEs,
/// intervals and the pairwise differences (which need the covariance between
/// groups) at 1e-12 (replicate SEs at 1e-11); each group's df (R `degf` of the
/// group's subset) and the contrasts' df (the design's or the domain's) equal.
@Suite struct PartialGroupedTests {
    typealias A = AccumulationTests

    struct Case {
        let name: String; let data: Dataset; let y: String; let by: [String]; let domain: String?
        let make: (Dataset) throws -> SurveyDesign; let spec: [String: String]; let seTolerance: Double
    }

    static func cases() throws -> [Case] {
        let kz = try A.kz(), strat = try A.api("apistrat.csv"), clus = try A.api("apiclus1.csv")
        return [
            Case(name: "weights only", data: kz, y: "q_eeu_benefit", by: ["sex", "agegroup"], domain: nil,
                 make: { try SurveyDesign(data: $0) }, spec: ["weight": "wt"], seTolerance: 1e-12),
            Case(name: "weights only, domain", data: kz, y: "agegroup", by: ["lang"], domain: "sex == 2",
                 make: { try SurveyDesign(data: $0) }, spec: ["weight": "wt"], seTolerance: 1e-12),
            Case(name: "strata, PSUs, fpc", data: strat, y: "api00", by: ["awards"], domain: "api99 > 600",
                 make: { try SurveyDesign(data: $0, weight: "pw", strata: "stype", clusters: "snum", fpc: "fpc") },
                 spec: ["weight": "pw", "strata": "stype", "psu": "snum", "fpc": "fpc"], seTolerance: 1e-12),
            Case(name: "clusters", data: clus, y: "api00", by: ["stype"], domain: nil,
                 make: { try SurveyDesign(data: $0, weight: "pw", clusters: "dnum", fpc: "fpc") },
                 spec: ["weight": "pw", "psu": "dnum", "fpc": "fpc"], seTolerance: 1e-12),
            Case(name: "JK1 replicates", data: clus, y: "enroll", by: ["stype", "sch_wide"], domain: nil,
                 make: { try SurveyDesign(data: $0, weight: "pw", replicateColumns: (1...15).map { "jk1_\($0)" }, method: .jk1) },
                 spec: ["weight": "pw", "repweights": "jk1_*"], seTolerance: 1e-11),
        ]
    }

    static func compare(_ a: GroupedEstimates, _ b: GroupedEstimates, _ what: String, se tol: Double) throws {
        #expect(a.estimateName == b.estimateName && a.by == b.by && a.base == b.base && a.variance == b.variance, "\(what)")
        #expect(a.degreesOfFreedom == b.degreesOfFreedom, "\(what): contrast df \(a.degreesOfFreedom) vs \(b.degreesOfFreedom)")
        #expect(a.groups.map(\.label) == b.groups.map(\.label), "\(what): groups")
        #expect(a.groups.map(\.categories) == b.groups.map(\.categories))
        for (g, h) in zip(a.groups, b.groups) {
            #expect(g.count == h.count && g.note == h.note && g.groupDegreesOfFreedom == h.groupDegreesOfFreedom,
                    "\(what) \(h.label): n \(g.count)/\(h.count), df \(g.groupDegreesOfFreedom)/\(h.groupDegreesOfFreedom)")
            A.same(g.weightedCount, h.weightedCount, "\(what) \(h.label) Σw")
            guard let e = g.estimate, let f = h.estimate else { #expect(g.estimate == nil && h.estimate == nil); continue }
            #expect(e.degreesOfFreedom == f.degreesOfFreedom)
            A.same(e.estimate, f.estimate, "\(what) \(h.label) estimate")
            for (u, v, name) in [(e.standardError, f.standardError, "SE"), (e.lower, f.lower, "lower"), (e.upper, f.upper, "upper")] {
                #expect(close(u, v, rel: tol), "\(what) \(h.label) \(name): merged \(u) vs one pass \(v)")
            }
            if let d = e.designEffectReplace, let d2 = f.designEffectReplace {
                #expect((d.isNaN && d2.isNaN) || close(d, d2, rel: tol), "\(what) \(h.label) deff")
            } else { #expect(e.designEffectReplace == nil && f.designEffectReplace == nil) }
        }
        let da = try a.pairwiseDifferences(adjustment: .holm), db = try b.pairwiseDifferences(adjustment: .holm)
        #expect(da.contrasts.map(\.label) == db.contrasts.map(\.label) && da.skipped == db.skipped)
        #expect(!da.contrasts.isEmpty)
        // A difference of two close group estimates cancels: its rounding is that of the estimates
        // (1e-12 of their size), not of the difference.
        let size = b.groups.compactMap { $0.estimate.map { abs($0.estimate) } }.max() ?? 1
        for (c, d) in zip(da.contrasts, db.contrasts) {
            #expect(close(c.estimate, d.estimate, rel: 1e-12, abs: 1e-12 * size), "\(what) \(d.label) difference")
            #expect(close(c.standardError, d.standardError, rel: tol), "\(what) \(d.label) difference SE")
            #expect(c.degreesOfFreedom == d.degreesOfFreedom)
            if let p = c.adjustedPValue, let q = d.adjustedPValue { #expect(close(p, q, rel: 1e-9, abs: 1e-15), "\(what) \(d.label) p") }
        }
    }

    @Test(arguments: [(UInt64(401), 2), (402, 3), (403, 5), (404, 8)])
    func groupedMeansAndTotalsEqualOnePass(seed: UInt64, shards: Int) throws {
        for c in try Self.cases() {
            let d = try c.make(c.data), dom = try c.domain.map { try DomainExpression($0).domain(in: c.data) }
            for statistic in ["mean", "total"] {
                let whole = statistic == "mean" ? try d.mean(c.y, by: c.by, domain: dom) : try d.total(c.y, by: c.by, domain: dom)
                let m = try A.merged(c.data, seed: seed, shards: shards) { part in
                    try PartialResult.grouped(c.make(part), statistic: statistic, variables: [c.y], by: c.by, level: 0.95,
                                              compare: true, adjustment: .holm,
                                              domain: try c.domain.map { try DomainExpression($0).domain(in: part) },
                                              design: c.spec)
                }
                guard case .grouped(let list, let compare, let adjustment) = try m.finalize(), let merged = list.first else {
                    Issue.record("not grouped estimates"); return
                }
                #expect(list.count == 1 && compare && adjustment == .holm)
                try Self.compare(merged, whole, "\(c.name) \(statistic) by \(c.by)", se: c.seTolerance)
            }
        }
    }

    /// Shares by group: the group means of the 0/1 answer among the valid answers (R svyby of I(y %in% codes)).
    @Test(arguments: [(UInt64(411), 4), (412, 7)])
    func groupedSharesEqualOnePass(seed: UInt64, shards: Int) throws {
        let data = try A.kz(), d = try SurveyDesign(data: data)
        let whole = try d.share(of: "q_leader_opinion", in: [1, 2], by: ["agegroup"])
        let m = try A.merged(data, seed: seed, shards: shards) { part in
            try PartialResult.grouped(SurveyDesign(data: part), statistic: "share", variables: ["q_leader_opinion"], codes: [1, 2],
                                      by: ["agegroup"], level: 0.95, compare: true, adjustment: .none, design: ["weight": "wt"])
        }
        guard case .grouped(let list, _, _) = try m.finalize(), let merged = list.first else { Issue.record("not grouped"); return }
        try Self.compare(merged, whole, "share by agegroup", se: 1e-12)
    }

    /// The CLI: `partial mean|total --by … [--compare]` on CSV shards, merged in shuffled order,
    /// prints what the command prints on the whole file (JSON at 1e-12, counts and df exact).
    @Test func cliPartialByEqualsTheWholeFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-by-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var g = SplitMix(seed: 421)
        let parts = try A.shardedSurvey(into: 5, in: dir, &g)
        let cb = Fixture.path(A.codebook), whole = Fixture.path(A.survey)
        let commands: [[String]] = [
            ["mean", "q_eeu_benefit", "agegroup", "--by", "sex", "--compare"],
            ["total", "q_eeu_benefit", "--by", "agegroup", "--by", "sex", "--where", "lang == 1", "--compare", "--adjust", "holm"],
            ["mean", "q_eeu_benefit", "--by", "agegroup >= 2"],
        ]
        for (c, cmd) in commands.enumerated() {
            let (states, merged, single) = try Self.partialsAndWhole(cmd, parts: parts, in: dir, tag: "s\(c)", &g)
            // Differences of close group means cancel (e.g. 3.0 − 3.002): their estimate and t keep the
            // absolute rounding of the means, ~1e-12 of the means' size, magnified relative to the difference.
            A.compareJSON(try JSONSerialization.jsonObject(with: Data(merged.stdout.utf8)),
                          try JSONSerialization.jsonObject(with: Data(single.stdout.utf8)), path: cmd.joined(separator: " "),
                          rel: { $0.contains("differences") && ($0.hasSuffix(".estimate") || $0.hasSuffix(".statistic")) ? 1e-8 : 1e-12 })
            let text = try CLI.run(["merge"] + states)
            let singleText = try CLI.run([cmd[0], whole, "--codebook", cb] + cmd.dropFirst())
            #expect(text.stdout.split(separator: "\n").count == singleText.stdout.split(separator: "\n").count)
        }
    }

    /// `barometer partial CMD` on each CSV shard of the fixture survey (4 KiB chunks), `merge` of
    /// the states in a shuffled order and the command on the whole file, both as JSON.
    static func partialsAndWhole(_ cmd: [String], parts: [String], in dir: URL, tag: String,
                                 _ g: inout SplitMix) throws -> (states: [String], merged: CLI.Result, single: CLI.Result) {
        let cb = Fixture.path(A.codebook), whole = Fixture.path(A.survey)
        var states: [String] = []
        for (k, p) in parts.enumerated() {
            let out = dir.appendingPathComponent("\(tag)_\(k).state").path
            let r = try CLI.run(["partial", cmd[0], p, "--codebook", cb] + cmd.dropFirst()
                                + ["--state-out", out, "--chunk-bytes", "4096"])
            #expect(r.status == 0, "\(r.stderr)")
            states.append(out)
        }
        let merged = try CLI.run(["merge"] + states.shuffled(using: &g) + ["--format", "json"])
        let single = try CLI.run([cmd[0], whole, "--codebook", cb] + cmd.dropFirst() + ["--format", "json"])
        #expect(merged.status == 0 && single.status == 0, "\(merged.stderr) \(single.stderr)")
        return (states, merged, single)
    }

    /// The CLI with replicate weights: `partial mean … --repweights --repmethod jk1` (plain, in a
    /// domain, and by group) on row shards of the api cluster sample, merged, against the command on
    /// the whole file: counts and df exact, estimates at 1e-12, SEs and intervals at 1e-11.
    @Test func cliPartialReplicateDesignEqualsTheWholeFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-rep-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let whole = Fixture.path(A.design + "apiclus1.csv")
        var g = SplitMix(seed: 431)
        let parts = try A.shardedCSV(whole, into: 4, in: dir, &g)
        let design = ["--weight", "pw", "--repweights", "jk1_", "--repmethod", "jk1"]
        for (c, cmd) in [["mean", "api00", "enroll"], ["total", "enroll", "--where", "sch_wide == 1"],
                         ["mean", "api00", "--by", "stype", "--compare"]].enumerated() {
            var states: [String] = []
            for (k, p) in parts.enumerated() {
                let out = dir.appendingPathComponent("r\(c)_\(k).state").path
                let r = try CLI.run(["partial", cmd[0], p] + cmd.dropFirst() + design + ["--state-out", out])
                #expect(r.status == 0, "\(r.stderr)")
                states.append(out)
            }
            let merged = try CLI.run(["merge"] + states.shuffled(using: &g) + ["--format", "json"])
            let single = try CLI.run([cmd[0], whole] + cmd.dropFirst() + design + ["--format", "json"])
            #expect(merged.status == 0 && single.status == 0, "\(merged.stderr) \(single.stderr)")
            A.compareJSON(try JSONSerialization.jsonObject(with: Data(merged.stdout.utf8)),
                          try JSONSerialization.jsonObject(with: Data(single.stdout.utf8)), path: cmd.joined(separator: " "),
                          rel: { $0.hasSuffix(".estimate") || $0.hasSuffix("weightedCount") ? 1e-12 : 1e-11 })
        }
    }
}
