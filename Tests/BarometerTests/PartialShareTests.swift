@testable import Barometer
import BarometerIO
import Foundation
import Testing

/// `partial share` (payload kind 8), `partial freq --by` (kind 9) and `partial crosstab --by`:
/// states over random row shards (2–8), round-tripped through their bytes and merged in random
/// orders, against the single in-memory pass (which `ShareTests`, `DesignTests` and the table
/// suites check against R survey / SciPy). Counts and df exactly, estimates and weighted counts
/// at 1e-12, SEs and interval ends at 1e-11 (as the other Partial*Tests), every interval method.
@Suite struct PartialShareTests {
    typealias A = AccumulationTests

    struct Case {
        let name: String
        let data: Dataset
        let of: String, codes: Set<Double>
        let by: String?
        let among: (String, Set<Double>)?
        let domain: String?
        let make: (Dataset) throws -> SurveyDesign
        let spec: [String: String]
    }

    static func cases() throws -> [Case] {
        let kz = try A.kz(), strat = try A.api("apistrat.csv"), clus = try A.api("apiclus1.csv")
        let scd = try DatasetLoader.load(Fixture.path(A.design + "scd.csv"))
        let weighted: (Dataset) throws -> SurveyDesign = { try SurveyDesign(data: $0, weight: "wt") }
        let stratified: (Dataset) throws -> SurveyDesign = {
            try SurveyDesign(data: $0, weight: "pw", strata: "stype", clusters: "snum", fpc: "fpc")
        }
        let cluster: (Dataset) throws -> SurveyDesign = { try SurveyDesign(data: $0, weight: "pw", clusters: "dnum", fpc: "fpc") }
        let jk1: (Dataset) throws -> SurveyDesign = {
            try SurveyDesign(data: $0, weight: "pw", replicateColumns: (1...15).map { "jk1_\($0)" }, method: .jk1)
        }
        let sdr: (Dataset) throws -> SurveyDesign = {
            try SurveyDesign(data: $0, weight: "w", replicateColumns: (1...4).map { "sdr_\($0)" }, method: .sdr)
        }
        return [
            Case(name: "weights-only by agegroup", data: kz, of: "q_us_opinion", codes: [1, 2], by: "agegroup", among: nil,
                 domain: nil, make: weighted, spec: ["weight": "wt"]),
            Case(name: "weights-only by lang within sex == 1", data: kz, of: "q_russia_opinion", codes: [1], by: "lang",
                 among: nil, domain: "sex == 1", make: weighted, spec: ["weight": "wt"]),
            Case(name: "weights-only among q_russia_opinion in {1,2}", data: kz, of: "q_us_opinion", codes: [1, 2], by: nil,
                 among: ("q_russia_opinion", [1, 2]), domain: nil, make: weighted, spec: ["weight": "wt"]),
            Case(name: "strata/PSU with fpc by stype", data: strat, of: "awards", codes: [1], by: "stype", among: nil,
                 domain: nil, make: stratified, spec: ["weight": "pw", "strata": "stype", "psu": "snum", "fpc": "fpc"]),
            Case(name: "strata/PSU with fpc, one share within api99 > 500", data: strat, of: "sch_wide", codes: [1], by: nil,
                 among: nil, domain: "api99 > 500", make: stratified, spec: ["weight": "pw", "strata": "stype", "psu": "snum", "fpc": "fpc"]),
            Case(name: "clusters with fpc by stype", data: clus, of: "awards", codes: [1], by: "stype", among: nil, domain: nil,
                 make: cluster, spec: ["weight": "pw", "psu": "dnum", "fpc": "fpc"]),
            Case(name: "JK1 by stype within api99 > 600", data: clus, of: "awards", codes: [1], by: "stype", among: nil,
                 domain: "api99 > 600", make: jk1, spec: ["weight": "pw", "repweights": "jk1_*"]),
            Case(name: "JK1 among stype in {1}", data: clus, of: "sch_wide", codes: [1], by: nil, among: ("stype", [1]),
                 domain: nil, make: jk1, spec: ["weight": "pw", "repweights": "jk1_*"]),
            Case(name: "SDR by ESA", data: scd, of: "alive", codes: [1], by: "ESA", among: nil, domain: nil, make: sdr,
                 spec: ["weight": "w", "repweights": "sdr_*"]),
        ]
    }

    static func compare(_ a: ConditionalShare, _ b: ConditionalShare, _ what: String) throws {
        #expect(a.numeratorCount == b.numeratorCount && a.denominatorCount == b.denominatorCount, "\(what): counts")
        #expect(a.degreesOfFreedom == b.degreesOfFreedom, "\(what): df \(a.degreesOfFreedom) vs \(b.degreesOfFreedom)")
        #expect(a.base == b.base && a.among == b.among && a.amongCodes == b.amongCodes && a.codes == b.codes, "\(what): base")
        #expect(a.warnings == b.warnings && a.varianceDescription == b.varianceDescription && a.weight == b.weight, "\(what)")
        #expect(a.designEffectNote == b.designEffectNote, "\(what): deff note")
        for (u, v, n) in [(a.numeratorWeighted, b.numeratorWeighted, "Σw num"), (a.denominatorWeighted, b.denominatorWeighted, "Σw base"),
                          (a.estimate, b.estimate, "p"), (a.effectiveSize, b.effectiveSize, "n_eff"),
                          (a.standardError, b.standardError, "Kish SE")] {
            A.same(u, v, "\(what) \(n)")
        }
        for (u, v, n) in [(a.designStandardError, b.designStandardError, "design SE"),
                          (a.designEffectWithReplacement ?? .nan, b.designEffectWithReplacement ?? .nan, "deff")] {
            #expect((u.isNaN && v.isNaN) || close(u, v, rel: 1e-11), "\(what) \(n): merged \(u) vs one pass \(v)")
        }
        for method in ProportionIntervalMethod.allCases {
            let x = try? a.interval(method), y = try? b.interval(method)
            #expect((x == nil) == (y == nil), "\(what) \(method)")
            guard let x, let y else { continue }
            #expect(x.degenerate == y.degenerate && x.note == y.note, "\(what) \(method)")
            #expect(close(x.lower, y.lower, rel: 1e-11, abs: 1e-14) && close(x.upper, y.upper, rel: 1e-11, abs: 1e-14),
                    "\(what) \(method): merged [\(x.lower), \(x.upper)] vs one pass [\(y.lower), \(y.upper)]")
        }
    }

    @Test(arguments: [(UInt64(801), 2), (802, 3), (803, 5), (804, 8)])
    func sharesMergeToOnePass(seed: UInt64, shards: Int) throws {
        for c in try Self.cases() where c.data.rowCount > shards {   // scd.csv has 6 rows
            let design = try c.make(c.data)
            let dom = try c.domain.map { try DomainExpression($0).domain(in: c.data) }
            let m = try A.merged(c.data, seed: seed, shards: shards) { part in
                try PartialResult.share(c.make(part), of: c.of, in: c.codes, among: c.among?.0, in: c.among?.1 ?? [], by: c.by,
                                        domain: try c.domain.map { try DomainExpression($0).domain(in: part) },
                                        denominator: .validAnswers, method: .standard, level: 0.95, compare: c.by != nil,
                                        design: c.spec)
            }
            switch try m.finalize() {
            case .shareTable(let t, let differences):
                let by = try #require(c.by)
                let whole = try ShareTable(design, of: c.of, in: c.codes, by: by, domain: dom)
                #expect(t.rows.map(\.category) == whole.rows.map(\.category), "\(c.name): rows")
                #expect(t.domain == whole.domain && t.warnings == whole.warnings && t.variable == whole.variable, "\(c.name)")
                #expect(t.textTable.notes == whole.textTable.notes, "\(c.name): notes")
                for (a, b) in zip(t.rows, whole.rows) {
                    #expect((a.share == nil) == (b.share == nil), "\(c.name) \(b.category.label)")
                    if let x = a.share, let y = b.share { try Self.compare(x, y, "\(c.name) [\(b.category.label)]") }
                }
                // --compare: the pairwise differences of the group shares (R svyby + svycontrast).
                let pairs = try design.share(of: c.of, in: c.codes, by: [by], domain: dom).pairwiseDifferences()
                let merged = try #require(differences)
                #expect(merged.contrasts.count == pairs.contrasts.count && merged.skipped == pairs.skipped, "\(c.name)")
                for (a, b) in zip(merged.contrasts, pairs.contrasts) {
                    #expect(a.label == b.label && a.degreesOfFreedom == b.degreesOfFreedom, "\(c.name) \(b.label)")
                    A.same(a.estimate, b.estimate, "\(c.name) \(b.label) difference")
                    #expect(close(a.standardError, b.standardError, rel: 1e-11), "\(c.name) \(b.label) SE")
                }
            case .share(let s):
                let whole = try ConditionalShare(design, of: c.of, in: c.codes, among: c.among?.0, in: c.among?.1 ?? [], domain: dom)
                try Self.compare(s, whole, c.name)
            default: Issue.record("\(c.name): not a share")
            }
        }
    }

    /// Shards that saw different categories of X (and one shard with no answer of a category) merge by key.
    @Test func shardsWithDifferentCategoriesMerge() throws {
        let data = try A.kz()
        let ages = try data.variable("agegroup").values
        var g = SplitMix(seed: 9)
        // Shard 0: agegroup 1 only; shard 1: the others; then shuffled merge.
        let first = try A.rows(data, 0..<data.rowCount)
        func subset(_ keep: (Double) -> Bool) throws -> Dataset {
            let rows = ages.indices.filter { keep(ages[$0]) }
            let vars = first.variables.map { v -> Variable in var c = v; c.values = rows.map { v.values[$0] }
                if let s = v.strings { c.strings = rows.map { s[$0] } }; return c }
            return try Dataset(variables: vars, weightVariable: data.weightVariable)
        }
        let parts = [try subset { $0 == 1 }, try subset { $0 != 1 }].shuffled(using: &g)
        var states = try parts.map { try PartialResult.share(SurveyDesign(data: $0, weight: "wt"), of: "q_us_opinion", in: [1, 2],
                                                              by: "agegroup", denominator: .validAnswers, method: .wilson,
                                                              level: 0.9, design: ["weight": "wt"]) }
        try states[0].merge(states[1])
        guard case .shareTable(let t, _) = try PartialResult.decode(states[0].encoded()).finalize() else {
            Issue.record("not a share table"); return
        }
        // Rows are X's categories over the whole data: agegroup 1 below, the others after.
        let whole = try ShareTable(SurveyDesign(data: subset { _ in true }, weight: "wt"), of: "q_us_opinion", in: [1, 2],
                                   by: "agegroup", method: .wilson, level: 0.9)
        #expect(t.rows.map(\.category) == whole.rows.map(\.category))
        for (a, b) in zip(t.rows, whole.rows) {
            if let x = a.share, let y = b.share { try Self.compare(x, y, "agegroup \(b.category.label)") }
        }
    }

    @Test(arguments: [(UInt64(811), 2), (812, 4), (813, 8)])
    func groupedTablesMergeToOnePass(seed: UInt64, shards: Int) throws {
        let data = try A.kz()
        let dom = try DomainExpression("lang == 1").domain(in: data)
        for missing in [MissingInclusion.showMissing, .excludeMissing] {
            for domain in [nil, dom] {
                let design = try SurveyDesign(data: data, weight: "wt")
                let whole = try FrequencyTable.grouped(design, variable: "q_us_opinion", by: ["agegroup", "sex"], domain: domain,
                                                       missing: missing)
                let m = try A.merged(data, seed: seed, shards: shards) { part in
                    try PartialResult.groupedFrequency(SurveyDesign(data: part, weight: "wt"), variable: "q_us_opinion",
                                                       by: ["agegroup", "sex"], missing: missing,
                                                       domain: domain == nil ? nil : try DomainExpression("lang == 1").domain(in: part),
                                                       design: ["weight": "wt"])
                }
                guard case .groupedFrequency(let g) = try m.finalize() else { Issue.record("not grouped frequencies"); return }
                #expect(g.base == whole.base && g.by == whole.by && g.kind == whole.kind)
                #expect(g.groups.map(\.label) == whole.groups.map(\.label) && g.groups.map(\.count) == whole.groups.map(\.count))
                for (a, b) in zip(g.groups, whole.groups) {
                    A.same(a.weightedCount, b.weightedCount, "\(b.label) Σw")
                    let x = try #require(a.result), y = try #require(b.result)
                    #expect(x.rows.map(\.count) == y.rows.map(\.count) && x.rows.map(\.category) == y.rows.map(\.category), "\(b.label)")
                    for (u, v) in zip(x.rows, y.rows) {
                        A.same(u.weightedCount, v.weightedCount, "\(b.label) \(v.category.label) Σw")
                        A.same(u.percent, v.percent, "\(b.label) \(v.category.label) %")
                        A.same(u.validPercent, v.validPercent, "\(b.label) \(v.category.label) valid %")
                    }
                }
                // crosstab --by: the groups are layers of one keyed table.
                let table = try ContingencyTable(design, rows: "q_us_opinion", columns: "lang", by: ["agegroup"], domain: domain,
                                                 missing: missing)
                let mt = try A.merged(data, seed: seed &+ 1, shards: shards) { part in
                    try PartialResult.crosstab(SurveyDesign(data: part, weight: "wt"), rows: "q_us_opinion", columns: "lang", layers: [],
                                               by: ["agegroup"], missing: missing, display: nil,
                                               domain: domain == nil ? nil : try DomainExpression("lang == 1").domain(in: part),
                                               design: ["weight": "wt"])
                }
                guard case .crosstab(let t) = try mt.finalize() else { Issue.record("not a crosstab"); return }
                #expect(t.layerCategories == table.layerCategories && t.layers.count == table.layers.count)
                #expect(t.rowCategories == table.rowCategories && t.columnCategories == table.columnCategories)
                for (a, b) in zip(t.layers, table.layers) {
                    #expect(a.counts == b.counts && a.categories == b.categories)
                    for (u, v) in zip(a.weighted.joined(), b.weighted.joined()) { A.same(u, v, "layer cell Σw") }
                }
            }
        }
    }

    /// `barometer partial share|freq --by|crosstab --by` on CSV files split by rows, merged in a
    /// shuffled order, print what the command prints on the whole file (text exactly; JSON numbers
    /// at 1e-12, SEs and intervals 1e-11); states of different options refuse to merge.
    @Test func cliPartialAndMergeEqualTheWholeFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-partial-share-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var g = SplitMix(seed: 78)
        let parts = try A.shardedSurvey(into: 4, in: dir, &g)
        let cb = Fixture.path(A.codebook), whole = Fixture.path(A.survey)
        let commands: [[String]] = [
            ["share", "--of", "q_us_opinion in 1,2", "--by", "agegroup", "--weight", "wt"],
            ["share", "--of", "q_us_opinion in 1,2", "--by", "agegroup", "--weight", "wt", "--compare", "--adjust", "holm",
             "--where", "sex == 1", "--ci", "korn-graubard"],
            ["share", "--of", "q_us_opinion in 1,2", "--weight", "wt", "--among", "q_russia_opinion in 1,2", "--ci", "xlogit"],
            ["share", "--of", "q_us_opinion in 1,2,77", "--weight", "wt", "--among", "agegroup >= 2", "--ci", "likelihood",
             "--all-in-domain", "--level", "0.9"],
            ["freq", "q_us_opinion", "--by", "agegroup", "--by", "sex", "--weight", "wt", "--exclude-missing", "--where", "lang == 2"],
            ["crosstab", "--rows", "q_us_opinion", "--cols", "sex", "--by", "agegroup", "--percent", "row", "--weight", "wt"],
        ]
        for (c, cmd) in commands.enumerated() {
            var states: [String] = []
            for (k, p) in parts.enumerated() {
                let out = dir.appendingPathComponent("s\(c)_\(k).state").path
                let r = try CLI.run(["partial", cmd[0], p, "--codebook", cb] + cmd.dropFirst() + ["--state-out", out])
                #expect(r.status == 0, "\(cmd): \(r.stderr)")
                states.append(out)
            }
            let merged = try CLI.run(["merge"] + states.shuffled(using: &g) + ["--format", "json"])
            let single = try CLI.run([cmd[0], whole, "--codebook", cb] + cmd.dropFirst() + ["--format", "json"])
            #expect(merged.status == 0 && single.status == 0, "\(cmd): \(merged.stderr)")
            let a = try JSONSerialization.jsonObject(with: Data(merged.stdout.utf8))
            let b = try JSONSerialization.jsonObject(with: Data(single.stdout.utf8))
            A.compareJSON(a, b, path: cmd.joined(separator: " ")) { p in
                p.contains("tandardError") || p.contains("ower") || p.contains("pper") || p.contains("esignEffect")
                    || p.contains("ariance") || p.contains("Value") || p.hasSuffix(".t") ? 1e-11 : 1e-12
            }
            let text = try CLI.run(["merge"] + states.shuffled(using: &g))
            let singleText = try CLI.run([cmd[0], whole, "--codebook", cb] + cmd.dropFirst())
            #expect(text.stdout == singleText.stdout, "\(cmd): text")
            #expect(text.stderr == singleText.stderr, "\(cmd): warnings")
        }
        // Headers that differ refuse to merge, naming what differs.
        let other = dir.appendingPathComponent("other.state").path
        let r = try CLI.run(["partial", "share", parts[0], "--codebook", cb, "--of", "q_us_opinion in 1", "--by", "agegroup",
                             "--weight", "wt", "--state-out", other])
        #expect(r.status == 0, "\(r.stderr)")
        let mix = try CLI.run(["merge", dir.appendingPathComponent("s0_1.state").path, other])
        #expect(mix.status != 0 && mix.stderr.contains("cannot merge") && mix.stderr.contains("options"), "\(mix.stderr)")
        let byOther = dir.appendingPathComponent("by.state").path
        _ = try CLI.run(["partial", "freq", parts[0], "--codebook", cb, "q_us_opinion", "--by", "lang", "--weight", "wt",
                         "--state-out", byOther])
        let mixBy = try CLI.run(["merge", dir.appendingPathComponent("s4_1.state").path, byOther])
        #expect(mixBy.status != 0 && mixBy.stderr.contains("cannot merge") && mixBy.stderr.contains("variables"), "\(mixBy.stderr)")
        // crosstab --stats --by writes the tests of every group (PartialCrosstabLayersTests checks them against the whole file).
        let stats = try CLI.run(["partial", "crosstab", parts[0], "--codebook", cb, "--rows", "q_us_opinion", "--cols", "sex",
                                 "--by", "agegroup", "--stats", "chisq", "--state-out", dir.appendingPathComponent("x.state").path])
        #expect(stats.status == 0, "\(stats.stderr)")
    }
}
