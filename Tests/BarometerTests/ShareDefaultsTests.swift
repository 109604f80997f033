import Barometer
import BarometerIO
import Foundation
import Testing

/// Issue 15's defaults against R survey 4.1 (Fixtures/reference/shares/make_defaults.R):
/// design effects with and without replacement (and when the latter is not
/// given), svyciprop's six interval methods on whole samples and domains under
/// stratified, cluster and JK1 designs, replicate designs with an fpc as
/// `as.svrepdesign` builds them, and codes that match nothing.
@Suite struct ShareDefaultsTests {
    static let ref = "Fixtures/reference/shares/defaults.json"
    let raw: [String: Any]
    init() throws { raw = try #require(try Fixture.json(Self.ref) as? [String: Any]) }

    func entry(_ key: String) throws -> [String: Any] { try #require(raw[key] as? [String: Any], "\(key)") }
    /// A number, or the TRUE column of a two-column R result (svymean of a logical).
    func value(_ e: [String: Any], _ key: String) -> Double? {
        if let x = e[key] as? Double { return x }
        if let a = e[key] as? [Any], a.count == 2 { return a[1] as? Double }
        return nil
    }

    static func data(_ file: String) throws -> Dataset { try DatasetLoader.load(Fixture.path(file)) }

    /// The designs of make_defaults.R.
    static func design(_ key: String) throws -> SurveyDesign {
        let strat = "Fixtures/reference/design/apistrat.csv", scaled = "Fixtures/reference/shares/apistrat_scaled.csv"
        switch key {
        case "strat": return try SurveyDesign(data: data(strat), weight: "pw", strata: "stype", fpc: "fpc")
        case "nofpc": return try SurveyDesign(data: data(strat), weight: "pw", strata: "stype")
        case "clus1": return try SurveyDesign(data: data("Fixtures/reference/design/apiclus1.csv"), weight: "pw", clusters: "dnum", fpc: "fpc")
        case "scaled_fpc": return try SurveyDesign(data: data(scaled), weight: "pw_n", strata: "stype", fpc: "fpc")
        case "scaled": return try SurveyDesign(data: data(scaled), weight: "pw_n", strata: "stype")
        case "low_fpc": return try SurveyDesign(data: data(scaled), weight: "pw_low", strata: "stype", fpc: "fpc")
        case "jk1": return try SurveyDesign(data: data("Fixtures/reference/design/apiclus1.csv"), weight: "pw",
                                            replicateColumns: (1...15).map { "jk1_\($0)" }, method: .jk1, fpc: "fpc")
        default: throw BarometerError.invalidArgument(key)
        }
    }

    /// Checks one estimate's design effects against R's: with replacement equal
    /// to `deff = "replace"`; without replacement equal to `deff = TRUE` only
    /// when the design has an fpc and R's number is a positive finite one,
    /// otherwise nil with a note. Never negative or infinite.
    func checkDeff(_ with: Double?, _ without: Double?, legacy: Double?, note: String?, r: [String: Any], hasFPC: Bool,
                   _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let rWith = value(r, "deff_replace"), rWithout = value(r, "deff")
        #expect(close(with ?? .nan, rWith ?? -1, rel: 1e-9), "\(what) deff with replacement \(String(describing: with)) vs R \(String(describing: rWith))", sourceLocation: sourceLocation)
        #expect(legacy == without, "\(what): designEffect is the without-replacement deff", sourceLocation: sourceLocation)
        for d in [with, without].compactMap({ $0 }) { #expect(d.isFinite && d >= 0, "\(what): deff \(d)", sourceLocation: sourceLocation) }
        if hasFPC, let rw = rWithout, rw.isFinite, rw > 0 {
            #expect(close(without ?? .nan, rw, rel: 1e-9), "\(what) deff without replacement \(String(describing: without)) vs R \(rw)", sourceLocation: sourceLocation)
        } else {
            #expect(without == nil, "\(what): no without-replacement deff (fpc: \(hasFPC), R: \(String(describing: rWithout)))", sourceLocation: sourceLocation)
            if hasFPC { #expect(note != nil, "\(what): a note says why", sourceLocation: sourceLocation) }
        }
    }

    @Test(arguments: ["strat", "nofpc", "clus1", "scaled_fpc", "scaled", "low_fpc", "jk1"])
    func designEffectsFollowR(_ key: String) throws {
        let d = try Self.design(key)
        let fpc = key.hasSuffix("fpc") && key != "nofpc" || key == "strat" || key == "clus1" || key == "jk1"
        #expect(d.hasPopulationSize == fpc)
        for (kind, name) in [("mean", "api00"), ("total", "enroll")] {
            let r = try entry("deff_\(key)_\(kind)_\(name)")
            let e = try #require((kind == "mean" ? d.mean([name]) : d.total([name])).estimates.first)
            #expect(close(e.standardError, try #require(value(r, "se")), rel: 1e-10), "\(key) \(kind) SE")
            checkDeff(e.designEffectWithReplacement, e.designEffectWithoutReplacement, legacy: e.designEffect,
                      note: e.designEffectNote, r: r, hasFPC: fpc, "\(key) \(kind)(\(name))")
            #expect(e.designEffectReplace == e.designEffectWithReplacement)
            #expect(e.deft == e.designEffectWithReplacement.map { $0.squareRoot() })
        }
        for (suffix, among) in [("share_schwide", nil), ("share_schwide_stype1", "stype")] as [(String, String?)] {
            let r = try entry("deff_\(key)_\(suffix)")
            let s = try ConditionalShare(d, of: "sch_wide", in: [1], among: among, in: [1])
            #expect(close(s.estimate, try #require(value(r, "estimate")), rel: 1e-12))
            #expect(close(s.designStandardError, try #require(value(r, "se")), rel: 1e-10), "\(key) \(suffix) SE")
            checkDeff(s.designEffectWithReplacement, s.designEffectWithoutReplacement, legacy: s.designEffect,
                      note: s.designEffectNote, r: r, hasFPC: fpc, "\(key) \(suffix)")
        }
    }

    /// R's svytotal(deff = TRUE) prints −3.15 when Σw < n (its svymean gives NA with a
    /// warning): Barometer gives no number, says why, and names both in JSON.
    @Test func negativeDesignEffectIsNeverPrinted() throws {
        let r = try entry("deff_low_fpc_total_enroll")
        #expect(try #require(value(r, "deff")) < 0)                       // what R prints
        let warnings = try #require(raw["warnings"] as? String)
        #expect(warnings.contains("Sample size greater than population size"))
        let total = try Self.design("low_fpc").total(["enroll"])
        let e = try #require(total.estimates.first)
        #expect(e.designEffectWithoutReplacement == nil && e.designEffect == nil)
        #expect(e.designEffectNote?.contains("sample size greater than population size") == true)
        let json = try OutputFormat.renderJSON(total)
        #expect(json.contains("\"designEffectWithReplacement\"") && json.contains("\"designEffectNote\""))
        #expect(!json.contains("\"designEffect\" :") && !json.contains("\"designEffectWithoutReplacement\""))
        let text = OutputFormat.table.render(total.textTable)
        #expect(text.contains("WITH replacement") && !text.contains("-3.15"))
    }

    struct CipropCase { let key: String; let design: String; let of: String; let among: Double? }
    static let cipropCases: [CipropCase] = [
        .init(key: "strat_schwide", design: "strat", of: "sch_wide", among: nil),
        .init(key: "strat_awards_90", design: "strat", of: "awards", among: nil),
        .init(key: "strat_schwide_stype1", design: "strat", of: "sch_wide", among: 1),
        .init(key: "strat_schwide_stype3", design: "strat", of: "sch_wide", among: 3),
        .init(key: "clus1_schwide", design: "clus1", of: "sch_wide", among: nil),
        .init(key: "clus1_awards_stype1", design: "clus1", of: "awards", among: 1),
        .init(key: "jk1_awards", design: "jk1", of: "awards", among: nil),
        .init(key: "jk1_awards_stype1", design: "jk1", of: "awards", among: 1),
    ]

    @Test(arguments: 0..<8)
    func everySvycipropMethodMatchesR(_ index: Int) throws {
        let c = Self.cipropCases[index]
        let r = try entry("ciprop_\(c.key)")
        let level = try #require(r["level"] as? Double)
        let d = try Self.design(c.design)
        let s = try ConditionalShare(d, of: c.of, in: [1], among: c.among == nil ? nil : "stype", in: c.among.map { [$0] } ?? [],
                                     level: level)
        #expect(close(s.estimate, try #require(r["estimate"] as? Double), rel: 1e-9), "\(c.key) estimate")
        #expect(close(s.designStandardError, try #require(r["se"] as? Double), rel: 1e-10), "\(c.key) SE")
        #expect(s.degreesOfFreedom == (try #require(r["degf"] as? Double)), "\(c.key) df")
        // The default is R svyciprop's default.
        #expect(s.interval.method == .logit && ProportionIntervalMethod.standard == .logit)
        func expect(_ m: ProportionIntervalMethod, _ key: String, rel: Double) throws {
            let i = try s.interval(m, level: level)
            let e = try #require(r[key] as? [Any])
            let lo = try #require(e[0] as? Double), hi = try #require(e[1] as? Double)
            #expect(close(i.lower, lo, rel: rel) && close(i.upper, hi, rel: rel), "\(c.key) \(key): \(i.lower), \(i.upper) vs R \(lo), \(hi)")
        }
        // R's logit is a svyglm fit (glm convergence ~1e-9; on a replicate design, replicate fits).
        try expect(.logit, "logit", rel: c.design == "jk1" ? 1e-6 : 1e-8)
        try expect(.xlogit, "xlogit", rel: 1e-10)
        try expect(.asin, "asin", rel: 1e-10)
        try expect(.mean, "mean", rel: 1e-10)
        try expect(.kornGraubard, "beta", rel: 1e-9)
        if c.design != "jk1" {
            // The exact root of R's own scaled profile deviance; svyciprop interpolates a spline through it.
            try expect(.likelihood, "likelihood_exact", rel: 1e-8)
            try expect(.likelihood, "likelihood", rel: 1e-4)
        } else {
            // R returns NA for method = "likelihood" on a replicate design; Barometer says so.
            let e = try #require(r["likelihood"] as? [Any])
            #expect(e[0] is NSNull)
            #expect(throws: BarometerError.self) { try s.interval(.likelihood, level: level) }
        }
        #expect(s.interval == (try s.interval(.logit, level: level)))
    }

    /// ShareTable rows equal the single shares (default method) and R on the domains.
    @Test func shareTableDefaultIsSvyciprop() throws {
        let t = try ShareTable(Self.design("strat"), of: "sch_wide", in: [1], by: "stype")
        #expect(t.method == .logit)
        for (code, key) in [(1.0, "strat_schwide_stype1"), (3.0, "strat_schwide_stype3")] {
            let s = try #require(t.rows.first { $0.category.code == code }?.share)
            let e = try #require(try entry("ciprop_\(key)")["logit"] as? [Double])
            #expect(close(s.interval.lower, e[0], rel: 1e-8) && close(s.interval.upper, e[1], rel: 1e-8))
        }
    }

    @Test func replicateDesignsWithAnFPCMatchAsSvrepdesign() throws {
        let jk1 = try Self.design("jk1")
        let reps = try #require(jk1.replicates)
        #expect(close(reps.scale, try #require(raw["jk1fpc_scale"] as? Double), rel: 1e-14))
        #expect(jk1.hasPopulationSize)
        for (est, key) in [(try jk1.mean(["api00"]), "jk1fpc_mean_api00"), (try jk1.total(["enroll"]), "jk1fpc_total_enroll")] {
            let r = try entry(key)
            #expect(close(est.estimates[0].standardError, try #require(r["se"] as? Double), rel: 1e-10), "\(key)")
        }
        let data = try Self.data("Fixtures/reference/design/apistrat_jkn.csv")
        let jkn = try SurveyDesign(data: data, weight: "pw", replicateColumns: (1...200).map { "jkn_\($0)" }, method: .jkn,
                                   strata: "stype", fpc: "fpc")
        let rs = try #require(raw["jknfpc_rscales"] as? [Double])
        let mine = try #require(jkn.replicates).rscales
        #expect(mine.count == rs.count && zip(mine, rs).allSatisfy { close($0, $1, rel: 1e-14) })
        #expect(close(try jkn.mean(["api00"]).estimates[0].standardError, try #require(try entry("jknfpc_mean_api00")["se"] as? Double), rel: 1e-10))
        // No convention for the other methods, and not together with an explicit scale.
        #expect(throws: BarometerError.self) {
            try SurveyDesign(data: data, weight: "pw", replicateColumns: ["jkn_1", "jkn_2"], method: .bootstrap, fpc: "fpc")
        }
        #expect(throws: BarometerError.self) {
            try SurveyDesign(data: Self.data("Fixtures/reference/design/apiclus1.csv"), weight: "pw",
                             replicateColumns: (1...15).map { "jk1_\($0)" }, method: .jk1, scale: 0.9, fpc: "fpc")
        }
    }

    @Test func cliAcceptsFPCWithReplicateWeights() throws {
        let out = try CLI.run(["mean", "Fixtures/reference/design/apiclus1.csv", "api00", "--weight", "pw",
                               "--repweights", "^jk1_", "--repmethod", "jk1", "--fpc", "fpc", "--format", "json"])
        #expect(out.status == 0, "\(out.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
        let est = try #require((obj["estimates"] as? [[String: Any]])?.first)
        #expect(close(try #require(est["standardError"] as? Double), try #require(try entry("jk1fpc_mean_api00")["se"] as? Double), rel: 1e-10))
        let both = try CLI.run(["mean", "Fixtures/reference/design/apiclus1.csv", "api00", "--weight", "pw",
                                "--repweights", "^jk1_", "--repmethod", "jk1", "--fpc", "fpc", "--rep-scale", "1"])
        #expect(both.status != 0 && both.stderr.contains("--fpc"))
    }

    /// `barometer share --ci NAME` takes R's method names; without --ci it is R's default.
    @Test func cliIntervalNamesAndDefault() throws {
        let r = try entry("ciprop_strat_schwide_stype1")
        for (name, key, rel) in [(nil, "logit", 1e-8), ("likelihood", "likelihood_exact", 1e-8), ("asin", "asin", 1e-10),
                                 ("xlogit", "xlogit", 1e-10), ("mean", "mean", 1e-10), ("korn-graubard", "beta", 1e-9)] as [(String?, String, Double)] {
            let out = try CLI.run(["share", "Fixtures/reference/design/apistrat.csv", "--weight", "pw", "--strata", "stype", "--fpc", "fpc",
                                   "--of", "sch_wide in 1", "--among", "stype in 1", "--format", "json"] + (name.map { ["--ci", $0] } ?? []))
            #expect(out.status == 0, "\(out.stderr)")
            let obj = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
            let ci = try #require(obj["interval"] as? [String: Any])
            #expect(ci["method"] as? String == (name ?? "logit"))
            let e = try #require(r[key] as? [Double])
            let lo = try #require(ci["lower"] as? Double), hi = try #require(ci["upper"] as? Double)
            #expect(close(lo, e[0], rel: rel) && close(hi, e[1], rel: rel), "\(key)")
            let deff = try #require(obj["designEffectWithReplacement"] as? Double)
            let rDeff = try #require(value(try entry("deff_strat_share_schwide_stype1"), "deff_replace"))
            #expect(close(deff, rDeff, rel: 1e-9))
        }
    }

    @Test func codesThatMatchNothingAreWarned() throws {
        let d = try Self.design("strat")
        let s = try ConditionalShare(d, of: "sch_wide", in: [5], among: "stype", in: [1, 7])
        #expect(s.estimate == 0)
        #expect(s.warnings.count == 2)
        #expect(s.warnings[0].contains("code 5 of sch_wide") && s.warnings[0].contains("sch_wide has: 0, 1"))
        #expect(s.warnings[1].contains("code 7 of stype") && s.warnings[1].contains("stype has: 1, 2, 3"))
        #expect(OutputFormat.table.render(s.textTable).contains("Warning: code 5 of sch_wide"))
        #expect(try ConditionalShare(d, of: "sch_wide", in: [0, 1]).warnings.isEmpty)
        let t = try ShareTable(d, of: "sch_wide", in: [2], by: "stype")
        #expect(t.warnings.count == 1 && t.warnings[0].contains("code 2 of sch_wide"))
        // Labelled codes nobody chose are not warned: the codebook names them.
        let kz = "Fixtures/surveys/kz2019-synthetic"
        let out = try CLI.run(["share", kz + ".csv", "--codebook", kz + ".codebook.json", "--of", "q_us_opinion in 5", "--format", "json"])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stderr.contains("warning: code 5 of q_us_opinion matches no answer and no value label"))
        #expect(out.stdout.contains("\"warnings\""))
    }

    /// The examples: with weights scaled to n, no negative or infinite deff anywhere.
    @Test func fixtureSurveyPrintsNoNegativeDeff() throws {
        let kz = "Fixtures/surveys/kz2019-synthetic"
        let out = try CLI.run(["mean", kz + ".csv", "--codebook", kz + ".codebook.json", "q_russia_opinion", "q_us_opinion", "--format", "json"])
        #expect(out.status == 0, "\(out.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(out.stdout.utf8)) as? [String: Any])
        for (e, v) in zip(try #require(obj["estimates"] as? [[String: Any]]), ["q_russia_opinion", "q_us_opinion"]) {
            let r = try entry("deff_kz2019_mean_\(v)")
            let with = try #require(e["designEffectWithReplacement"] as? Double)
            #expect(close(with, try #require(value(r, "deff_replace")), rel: 1e-9), "\(v): \(with)")
            #expect(close(try #require(e["standardError"] as? Double), try #require(value(r, "se")), rel: 1e-10))
            #expect(e["designEffect"] == nil && e["designEffectWithoutReplacement"] == nil)
        }
        let table = try CLI.run(["mean", kz + ".csv", "--codebook", kz + ".codebook.json", "q_russia_opinion", "q_us_opinion"])
        #expect(table.stdout.contains("WITH replacement") && table.stdout.contains("needs a population size"))
    }
}
