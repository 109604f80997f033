@testable import Barometer
import BarometerIO
import Foundation
import Testing

/// `partial` with `--where`: the domain is evaluated on each shard and enters
/// the accumulator as a 0/1 indicator (rows outside it stay in the design), so
/// partial + merge over random shard splits and merge orders equals the single
/// in-memory pass with the same domain — counts exactly, everything else at
/// 1e-12 (the single pass is checked against R survey / SciPy in the reference
/// suites). Grouped states (`--by`) are `PartialGroupedTests`.
@Suite struct PartialDomainTests {
    typealias A = AccumulationTests

    static func domain(_ text: String, _ data: Dataset) throws -> Domain { try DomainExpression(text).domain(in: data) }

    @Test(arguments: [(UInt64(41), 2), (42, 5), (43, 8)])
    func tablesWithADomainEqualOnePass(seed: UInt64, shards: Int) throws {
        let data = try A.kz()
        for text in ["sex == 1", "agegroup in 1-2 and not q_us_opinion is missing"] {
            let whole = try FrequencyTable(SurveyDesign(data: data), variable: "q_leader_opinion",
                                           domain: Self.domain(text, data), missing: .showMissing)
            let m = try A.merged(data, seed: seed, shards: shards) { d in
                try PartialResult.frequency(SurveyDesign(data: d), variable: "q_leader_opinion", missing: .showMissing,
                                            domain: Self.domain(text, d), design: ["weight": "wt"])
            }
            guard case .frequency(let t) = try m.finalize() else { Issue.record("not a frequency table"); return }
            #expect(t.rows.map(\.count) == whole.rows.map(\.count))
            #expect(t.totalCount == whole.totalCount && t.base == whole.base)
            for (a, b) in zip(t.rows, whole.rows) {
                A.same(a.weightedCount, b.weightedCount, "weighted \(b.category.label)")
                A.same(a.percent, b.percent, "percent")
            }
            #expect(t.textTable == whole.textTable)

            let wholeX = try ContingencyTable(SurveyDesign(data: data), rows: "q_leader_opinion", columns: "agegroup",
                                              domain: Self.domain(text, data), display: .column)
            let mx = try A.merged(data, seed: seed &+ 1, shards: shards) { d in
                try PartialResult.crosstab(SurveyDesign(data: d), rows: "q_leader_opinion", columns: "agegroup", layers: [],
                                           missing: .showMissing, display: .column, domain: Self.domain(text, d),
                                           design: ["weight": "wt"])
            }
            guard case .crosstab(let x) = try mx.finalize() else { Issue.record("not a crosstab"); return }
            #expect(x.base == wholeX.base)
            for (a, b) in zip(x.layers, wholeX.layers) {
                #expect(a.counts == b.counts)
                for (u, v) in zip(a.weighted.joined(), b.weighted.joined()) { A.same(u, v, "cell Σw") }
                for (u, v) in zip(a.columnPercent.joined(), b.columnPercent.joined()) { A.same(u, v, "column %") }
            }
        }
    }

    /// Domain means and totals under each linearization design kind: rows
    /// outside the domain still count as PSUs, so SEs and df equal the single pass.
    @Test(arguments: [UInt64(51), 52, 53])
    func domainEstimatesEqualOnePass(seed: UInt64) throws {
        struct Case {
            let data: Dataset; let vars: [String]; let domain: String
            let make: (Dataset) throws -> SurveyDesign; let spec: [String: String]
        }
        let kz = try A.kz(), strat = try A.api("apistrat.csv"), clus = try A.api("apiclus1.csv")
        let cases = [
            Case(data: kz, vars: ["q_eeu_benefit", "agegroup"], domain: "sex == 2",
                 make: { try SurveyDesign(data: $0) }, spec: ["weight": "wt"]),
            Case(data: strat, vars: ["api00", "enroll"], domain: "api99 > 600 and awards == 1",
                 make: { try SurveyDesign(data: $0, weight: "pw", strata: "stype", clusters: "snum", fpc: "fpc") },
                 spec: ["weight": "pw", "strata": "stype", "psu": "snum", "fpc": "fpc"]),
            Case(data: clus, vars: ["api00", "api99"], domain: "sch_wide == 1",
                 make: { try SurveyDesign(data: $0, weight: "pw", clusters: "dnum", fpc: "fpc") },
                 spec: ["weight": "pw", "psu": "dnum", "fpc": "fpc"]),
        ]
        var narrower = 0   // cases whose domain misses PSUs (df below the design's)
        for c in cases {
            for total in [false, true] {
                let d = try c.make(c.data), dom = try Self.domain(c.domain, c.data)
                let whole = total ? try d.total(c.vars, domain: dom) : try d.mean(c.vars, domain: dom)
                let m = try A.merged(c.data, seed: seed, shards: 2 + Int(seed % 6)) { part in
                    try PartialResult.estimates(c.make(part), variables: c.vars, total: total, level: 0.95,
                                                domain: Self.domain(c.domain, part), design: c.spec)
                }
                guard case .estimates(let e) = try m.finalize() else { Issue.record("not estimates"); return }
                #expect(e.variance == whole.variance && e.base == whole.base, "\(e.base) vs \(whole.base)")
                #expect(e.estimates.count == whole.estimates.count)
                // The domain's df, R degf(subset(design, …)) (checked against R in the reference
                // suites), from the per-PSU domain flags the states carry: equal to the single pass.
                let domainDF = d.degreesOfFreedom(in: dom)
                if domainDF < d.degreesOfFreedom(in: nil) { narrower += 1 }
                for (a, b) in zip(e.estimates, whole.estimates) {
                    #expect(a.count == b.count, "\(c.domain) \(b.name)")
                    #expect(b.degreesOfFreedom == domainDF)
                    #expect(a.degreesOfFreedom == b.degreesOfFreedom, "merged \(b.name) in \(c.domain): df \(a.degreesOfFreedom)")
                    A.same(a.estimate, b.estimate, "\(b.name) estimate in \(c.domain)")
                    A.same(a.standardError, b.standardError, "\(b.name) SE in \(c.domain) (\(e.variance))")
                    A.same(a.lower, b.lower, "\(b.name) lower")
                    A.same(a.upper, b.upper, "\(b.name) upper")
                    A.same(a.weightedCount, b.weightedCount, "\(b.name) Σw")
                    A.same(a.designEffectReplace, b.designEffectReplace, "\(b.name) deff")
                }
            }
        }
        #expect(narrower >= 2, "the cases should include domains that miss PSUs")
    }

    @Test func domainCorrelationEqualsOnePass() throws {
        let data = try A.kz()
        let vars = ["q_leader_opinion", "q_us_opinion", "agegroup"]
        let text = "sex == 1 and agegroup >= 2"
        let whole = try Correlation.matrix(SurveyDesign(data: data), variables: vars,
                                           options: CorrelationOptions(domain: Self.domain(text, data)))
        let m = try A.merged(data, seed: 61, shards: 6) { d in
            try PartialResult.correlation(SurveyDesign(data: d), variables: vars,
                                          options: CorrelationOptions(domain: Self.domain(text, d)), design: ["weight": "wt"])
        }
        guard case .correlation(let c) = try m.finalize() else { Issue.record("not a correlation"); return }
        #expect(c.counts == whole.counts && c.rule == whole.rule)
        for i in 0..<vars.count { for j in 0..<vars.count {
            A.same(c.estimates[i][j], whole.estimates[i][j], "r[\(i),\(j)]")
            A.same(c.pValues[i][j], whole.pValues[i][j], "p[\(i),\(j)]")
        } }
    }

    /// Shards of different domains are different specs: they refuse to merge.
    @Test func differentDomainsRefuseToMerge() throws {
        let data = try A.kz(), d = try SurveyDesign(data: data)
        var a = try PartialResult.frequency(d, variable: "q_leader_opinion", missing: .showMissing,
                                            domain: Self.domain("sex == 1", data), design: ["weight": "wt"])
        let b = try PartialResult.frequency(d, variable: "q_leader_opinion", missing: .showMissing,
                                            domain: Self.domain("sex == 2", data), design: ["weight": "wt"])
        let none = try PartialResult.frequency(d, variable: "q_leader_opinion", missing: .showMissing, design: ["weight": "wt"])
        for other in [b, none] {
            let e = #expect(throws: StateFileError.self) { try a.merge(other, file: "b.state") }
            #expect(e?.description.contains("options") == true, "\(String(describing: e))")
        }
    }

    /// The CLI: `partial … --where` on CSV shards merged in shuffled order equals the
    /// command with `--where` on the whole file (JSON at 1e-12); `--by` is `PartialGroupedTests`.
    @Test func cliPartialWithWhereEqualsTheWholeFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-where-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var g = SplitMix(seed: 71)
        let parts = try A.shardedSurvey(into: 5, in: dir, &g)
        let cb = Fixture.path(A.codebook), whole = Fixture.path(A.survey)
        let domain = ["--where", "sex == 2 and agegroup in 1-2"]
        let commands: [[String]] = [
            ["freq", "q_leader_opinion"],
            ["crosstab", "--rows", "q_leader_opinion", "--cols", "agegroup", "--percent", "row"],
            ["mean", "q_eeu_benefit", "agegroup"],
            ["total", "q_eeu_benefit"],
            ["corr", "q_leader_opinion", "q_us_opinion", "agegroup"],
        ]
        for (c, cmd) in commands.enumerated() {
            var states: [String] = []
            for (k, p) in parts.enumerated() {
                let out = dir.appendingPathComponent("s\(c)_\(k).state").path
                let r = try CLI.run(["partial", cmd[0], p, "--codebook", cb] + cmd.dropFirst() + domain
                                    + ["--state-out", out, "--chunk-bytes", "4096"])
                #expect(r.status == 0, "\(r.stderr)")
                states.append(out)
            }
            let merged = try CLI.run(["merge"] + states.shuffled(using: &g) + ["--format", "json"])
            let single = try CLI.run([cmd[0], whole, "--codebook", cb] + cmd.dropFirst() + domain + ["--format", "json"])
            #expect(merged.status == 0 && single.status == 0, "\(merged.stderr) \(single.stderr)")
            // mean/total: the domain's df (R degf(subset)) on both sides, so df and intervals compare too.
            let m = try JSONSerialization.jsonObject(with: Data(merged.stdout.utf8))
            let w = try JSONSerialization.jsonObject(with: Data(single.stdout.utf8))
            A.compareJSON(m, w, path: cmd[0] + " --where")
        }
    }
}

/// Accumulators added for `partial`: multiple-response sets and polychoric
/// correlations (the pair tables), over random shard splits and merge orders,
/// against the in-memory results — which go through the same accumulator and
/// are checked against SPSS-style hand counts and R polycor in their suites.
@Suite struct PartialTablesTests {
    typealias A = AccumulationTests

    @Test(arguments: [(UInt64(81), 2), (82, 4), (83, 8)])
    func multipleResponseShardsEqualOnePass(seed: UInt64, shards: Int) throws {
        let data = try A.kz()
        let vars = ["q_russia_reason1", "q_russia_reason2"]
        for (missing, text) in [(MissingInclusion.showMissing, nil), (.excludeMissing, "lang == 1" as String?)] {
            let dom = try text.map { try DomainExpression($0).domain(in: data) }
            let whole = try MultipleResponseSet(SurveyDesign(data: data), variables: vars, excluding: [99], domain: dom,
                                                missing: missing)
            let m = try A.merged(data, seed: seed, shards: shards) { d in
                try PartialResult.multipleResponse(SurveyDesign(data: d), variables: vars, excluding: [99],
                                                   domain: try text.map { try DomainExpression($0).domain(in: d) },
                                                   missing: missing, design: ["weight": "wt"])
            }
            guard case .multipleResponse(let s) = try m.finalize() else { Issue.record("not a response set"); return }
            #expect(s.rows.map(\.category) == whole.rows.map(\.category))
            #expect(s.rows.map(\.count) == whole.rows.map(\.count))
            #expect(s.caseCount == whole.caseCount && s.responseCount == whole.responseCount && s.subsetCount == whole.subsetCount)
            #expect(s.base == whole.base)
            for (a, b) in zip(s.rows, whole.rows) {
                A.same(a.weightedCount, b.weightedCount, "Σw \(b.category.label)")
                A.same(a.percentOfCases, b.percentOfCases, "% of cases")
                A.same(a.percentOfSubset, b.percentOfSubset, "% of subset")
            }
            A.same(s.caseWeighted, whole.caseWeighted, "cases Σw")
        }
    }

    @Test(arguments: [(UInt64(91), 3), (92, 7)])
    func polychoricShardsEqualOnePass(seed: UInt64, shards: Int) throws {
        let data = try A.kz()
        let vars = ["q_leader_opinion", "q_us_opinion", "q_china_opinion", "agegroup"]
        for (missing, estimator) in [(MissingDataRule.pairwise, PolychoricEstimator.twoStep), (.listwise, .maximumLikelihood)] {
            let options = CorrelationOptions(method: .polychoric, missing: missing, polychoricEstimator: estimator)
            let whole = try Correlation.matrix(SurveyDesign(data: data), variables: vars, options: options)
            let m = try A.merged(data, seed: seed, shards: shards) { d in
                try PartialResult.correlation(SurveyDesign(data: d), variables: vars, options: options, design: ["weight": "wt"])
            }
            guard case .correlation(let c) = try m.finalize() else { Issue.record("not a correlation"); return }
            #expect(c.counts == whole.counts && c.rule == whole.rule)
            for i in 0..<vars.count { for j in 0..<vars.count {
                A.same(c.estimates[i][j], whole.estimates[i][j], "\(missing) \(estimator) rho[\(i),\(j)]")
                A.same(c.testSizes[i][j], whole.testSizes[i][j], "n[\(i),\(j)]")
                Self.near(c.pValues[i][j], whole.pValues[i][j], rel: 1e-6, "p[\(i),\(j)]")
            } }
            let (pa, pb) = (c.polychoric ?? [], whole.polychoric ?? [])
            #expect(pa.count == pb.count && pa.count == vars.count * (vars.count - 1) / 2)
            for (a, b) in zip(pa, pb) {
                #expect(a.rowCategories == b.rowCategories && a.columnCategories == b.columnCategories)
                A.same(a.estimate.rho, b.estimate.rho, "rho \(a.x)×\(a.y)")
                Self.near(a.estimate.standardError, b.estimate.standardError, rel: 1e-8, "SE \(a.x)×\(a.y)")
                for (u, v) in zip(a.estimate.rowThresholds + a.estimate.columnThresholds,
                                  b.estimate.rowThresholds + b.estimate.columnThresholds) { A.same(u, v, "threshold") }
                A.same(a.estimate.likelihoodRatioTest?.statistic, b.estimate.likelihoodRatioTest?.statistic, "LR")
            }
        }
    }

    /// Tolerances of the polychoric path: ρ and thresholds are exact maxima (1e-12),
    /// but the SE is 1/√I with I a central difference of the score (step 1e-6),
    /// which turns table sums that differ in the last bit into ~1e-11 relative;
    /// tiny p-values (1e-98) amplify that by z² — so SE and CI at 1e-8, p at 1e-6
    /// (the iterative-method tolerances of the reference suites), gradients
    /// (convergence diagnostics) against the ML criterion 1e-9·n.
    static func near(_ a: Double?, _ b: Double?, rel: Double, _ what: String) {
        guard let x = a, let y = b else { #expect(a == nil && b == nil, "\(what)"); return }
        #expect(x == y || abs(x - y) <= rel * max(abs(x), abs(y)), "\(what): merged \(x) vs one pass \(y)")
    }

    static func polychoricTolerance(_ path: String) -> Double {
        if path.hasSuffix("gradient") || path.hasSuffix("gradientMaxNorm") { return .infinity }   // checked against 1e-9·n
        if path.contains("pValue") { return 1e-6 }
        if path.contains(".estimates") || path.contains("Thresholds") || path.hasSuffix(".rho") { return 1e-12 }
        return 1e-8
    }

    /// The CLI: `partial mrset` and `partial corr --method polychoric` on CSV shards.
    @Test func cliPartialMRSetAndPolychoricEqualTheWholeFile() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-mr-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var g = SplitMix(seed: 101)
        let parts = try A.shardedSurvey(into: 4, in: dir, &g)
        let cb = Fixture.path(A.codebook), whole = Fixture.path(A.survey)
        let commands: [[String]] = [
            ["mrset", "q_russia_reason1", "q_russia_reason2", "--exclude", "99", "--where", "agegroup >= 2"],
            ["corr", "q_leader_opinion", "q_us_opinion", "agegroup", "--method", "polychoric", "--pairwise"],
            ["corr", "q_leader_opinion", "q_us_opinion", "--method", "polychoric", "--estimator", "ml"],
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
            #expect(merged.status == 0 && single.status == 0, "\(merged.stderr) \(single.stderr)")
            A.compareJSON(try JSONSerialization.jsonObject(with: Data(merged.stdout.utf8)),
                          try JSONSerialization.jsonObject(with: Data(single.stdout.utf8)), path: cmd.joined(separator: " "),
                          rel: cmd.contains("polychoric") ? Self.polychoricTolerance : { _ in 1e-12 })
            if cmd.contains("polychoric"), let j = try JSONSerialization.jsonObject(with: Data(merged.stdout.utf8)) as? [String: Any],
               let pairs = j["polychoric"] as? [[String: Any]] {
                #expect(!pairs.isEmpty)
                for p in pairs {
                    // the ML convergence criterion: max |∂ℓ/∂θ| ≤ 1e-9·n (Polychoric+ML)
                    let e = p["estimate"] as? [String: Any]
                    let g = (e?["gradientMaxNorm"] as? Double) ?? .infinity, n = (e?["n"] as? Double) ?? 1
                    #expect(g <= 1e-9 * max(1, n), "merged gradient \(g), n = \(n)")
                }
            }
            let table = try CLI.run(["merge"] + states)
            let singleTable = try CLI.run([cmd[0], whole, "--codebook", cb] + cmd.dropFirst())
            if cmd[0] == "mrset" { #expect(table.stdout == singleTable.stdout) }
            #expect(table.stdout.split(separator: "\n").count == singleTable.stdout.split(separator: "\n").count)
        }
    }
}
