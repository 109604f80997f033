import Barometer
import BarometerIO
import Foundation
import Testing

/// `barometer weight` and `--targets` on the estimating commands: the README's round trip
/// (rake → report → estimate) on the fixture survey, against R survey
/// (Fixtures/reference/weighting/make_weighting.R, section 6).
@Suite struct WeightingCLITests {
    static let csv = "Fixtures/surveys/kz2019-synthetic.csv"
    static let codebook = "Fixtures/surveys/kz2019-synthetic.codebook.json"
    static let targets = "Fixtures/surveys/kz2019-synthetic.targets.csv"
    let raw: [String: Any]

    init() throws { raw = try #require(try Fixture.json("Fixtures/reference/weighting/expected.json") as? [String: Any]) }

    func temporary(_ ext: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("barometer-weight-\(UUID().uuidString).\(ext)").path
    }

    @Test func weightWritesTheDataAndPrintsTheReport() throws {
        let out = temporary("csv")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try CLI.run(["weight", Self.csv, "--codebook", Self.codebook, "--targets", Self.targets, "--epsilon", "1e-12",
                             "--out", out, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try JSONDecoder().decode(WeightingReport.self, from: Data(r.stdout.utf8))
        #expect(report.converged && report.method == .rake && report.margins.map(\.name) == ["sex", "agegroup", "lang"])
        #expect(report.baseWeight == "wt" && report.weight == "calwt")
        #expect(report.margins[1].categories.map(\.label) == ["18-29", "30-54", "55+"])
        let data = try DatasetLoader.load(out)
        let w = try data.variable("calwt").values
        let want = try #require(raw["kz_rake_weights"] as? [Double])
        let worst = zip(w, want).map { abs($0 - $1) / $1 }.max() ?? 1
        #expect(worst < 1e-8, "worst relative difference \(worst)")
        #expect(try data.variable("q_russia_opinion").values == (try DatasetLoader.load(Fixture.path(Self.csv)).variable("q_russia_opinion").values))
        // Every format prints the report.
        for format in ["table", "markdown", "csv"] {
            let t = try CLI.run(["weight", Self.csv, "--codebook", Self.codebook, "--targets", Self.targets, "--out", out, "--format", format])
            #expect(t.status == 0 && t.stdout.contains("18-29") && t.stdout.contains("Kazakh"), "\(format): \(t.stderr)")
        }
    }

    @Test func savOutputKeepsLabels() throws {
        let out = temporary("sav")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try CLI.run(["weight", Self.csv, "--codebook", Self.codebook, "--targets", Self.targets, "--out", out, "--name", "rakewt"])
        #expect(r.status == 0, "\(r.stderr)")
        let data = try DatasetLoader.load(out)
        #expect(try data.variable("q_russia_opinion").valueLabels[8] == "Don't know")
        #expect(try data.variable("q_russia_opinion").missing == (try DatasetLoader.load(Fixture.path(Self.csv), codebook: Fixture.path(Self.codebook)).variable("q_russia_opinion").missing))
        #expect(data["rakewt"] != nil)
    }

    @Test func estimatingInOneRunUsesTheCalibratedDesign() throws {
        let r = try CLI.run(["share", Self.csv, "--codebook", Self.codebook, "--of", "q_russia_opinion in 1,2", "--all-in-domain",
                             "--ci", "logit", "--targets", Self.targets, "--epsilon", "1e-12", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let est = try #require(obj["estimate"] as? Double), se = try #require(obj["designStandardError"] as? Double)
        #expect(close(est, try #require(raw["kz_rake_fav_mean"] as? Double), rel: 1e-8))
        #expect(close(se, try #require(raw["kz_rake_fav_se"] as? Double), rel: 1e-8))
        #expect((obj["varianceDescription"] as? String)?.contains("calibrated: rake") == true)
        // mean with a stratified design and GREG calibration, against R calibrate().
        let m = try CLI.run(["mean", "Fixtures/reference/weighting/apistrat_w.csv", "api00", "enroll", "yr_rnd", "--weight", "pw", "--strata", "stype",
                             "--fpc", "fpc", "--targets", "Fixtures/reference/weighting/api-targets.json", "--calibration", "linear", "--format", "json"])
        #expect(m.status == 0, "\(m.stderr)")
        let res = try JSONDecoder().decode(DesignEstimates.self, from: Data(m.stdout.utf8))
        let want = try #require(raw["strat_linear_se"] as? [Double])
        for (e, s) in zip(res.estimates, want) { #expect(close(e.standardError, s, rel: 1e-8)) }
        #expect(res.variance.contains("calibrated: linear"))
    }

    @Test func badTargetsAndNonConvergenceFailWithTheirPlace() throws {
        let bad = temporary("csv")
        defer { try? FileManager.default.removeItem(atPath: bad) }
        try "variable,category,target\nsex,Male,0.5\nsex,Female,0.4\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let r = try CLI.run(["weight", Self.csv, "--codebook", Self.codebook, "--targets", bad, "--out", temporary("csv")])
        #expect(r.status != 0 && r.stderr.contains("line 2") && r.stderr.contains("'sex'") && r.stderr.contains("sum to 0.9"), "\(r.stderr)")
        let logit = try CLI.run(["weight", Self.csv, "--codebook", Self.codebook, "--targets", Self.targets, "--calibration", "logit",
                                 "--bounds", "0.9,1.1", "--out", temporary("csv")])
        #expect(logit.status != 0 && logit.stderr.contains("worst margin"), "\(logit.stderr)")
        let noBounds = try CLI.run(["mean", Self.csv, "--codebook", Self.codebook, "wt", "--targets", Self.targets, "--calibration", "logit"])
        #expect(noBounds.status != 0 && noBounds.stderr.contains("finite bounds"), "\(noBounds.stderr)")
    }

    /// The fixture's design weights `dweight` raked to `Fixtures/surveys/kz-targets.csv` (the README's round
    /// trip: rake, report, estimate), against R survey `rake` / `calibrate(calfun = "raking")`
    /// (Fixtures/reference/weighting/make_fixture_rake.R).
    @Test func fixtureDesignWeightsRakedToTheirTargetsMatchR() throws {
        let ref = try #require(try Fixture.json("Fixtures/reference/weighting/fixture-rake.json") as? [String: Any])
        let targets = "Fixtures/surveys/kz-targets.csv"
        let out = temporary("csv")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try CLI.run(["weight", Self.csv, "--codebook", Self.codebook, "--weight", "dweight", "--targets", targets,
                             "--epsilon", "1e-12", "--out", out, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try JSONDecoder().decode(WeightingReport.self, from: Data(r.stdout.utf8))
        #expect(report.converged && report.baseWeight == "dweight" && report.margins.map(\.name) == ["wave", "sex", "agegroup", "lang"])
        #expect(report.margins.allSatisfy { $0.maxDeviation <= 1e-12 })
        #expect(close(report.populationTotal, try #require(ref["dweight_sum"] as? Double), rel: 1e-12))
        #expect(close(report.weightsBefore.efficiency, try #require(ref["base_kish_efficiency"] as? Double), rel: 1e-10))
        #expect(close(report.weightsAfter.efficiency, try #require(ref["rake_kish_efficiency"] as? Double), rel: 1e-8))
        let w = try DatasetLoader.load(out).variable("calwt").values
        let want = try #require(ref["rake_weights"] as? [Double])
        #expect(w.count == want.count)
        let worst = zip(w, want).map { abs($0 - $1) / $1 }.max() ?? 1
        #expect(worst < 1e-8, "worst relative difference \(worst)")
        // Estimate in one run on the raked design: SEs on the calibration residuals, as R.
        let share = try CLI.run(["share", Self.csv, "--codebook", Self.codebook, "--weight", "dweight", "--of", "q_russia_opinion in 1,2",
                                 "--all-in-domain", "--targets", targets, "--epsilon", "1e-12", "--format", "json"])
        #expect(share.status == 0, "\(share.stderr)")
        let obj = try #require(try JSONSerialization.jsonObject(with: Data(share.stdout.utf8)) as? [String: Any])
        #expect(close(try #require(obj["estimate"] as? Double), try #require(ref["rake_fav_mean"] as? Double), rel: 1e-8))
        #expect(close(try #require(obj["designStandardError"] as? Double), try #require(ref["rake_fav_se"] as? Double), rel: 1e-8))
        let mean = try CLI.run(["mean", Self.csv, "q_us_opinion", "--codebook", Self.codebook, "--weight", "dweight",
                                "--targets", targets, "--epsilon", "1e-12", "--format", "json"])
        #expect(mean.status == 0, "\(mean.stderr)")
        let m = try #require(try JSONDecoder().decode(DesignEstimates.self, from: Data(mean.stdout.utf8)).estimates.first)
        #expect(close(m.estimate, try #require(ref["rake_us_mean"] as? Double), rel: 1e-8))
        #expect(close(m.standardError, try #require(ref["rake_us_se"] as? Double), rel: 1e-8))
        // Exponential calibration: the same weights, variances on the GREG residuals (R calibrate).
        let raking = try CLI.run(["share", Self.csv, "--codebook", Self.codebook, "--weight", "dweight", "--of", "q_russia_opinion in 1,2",
                                  "--all-in-domain", "--targets", targets, "--calibration", "raking", "--epsilon", "1e-12", "--format", "json"])
        #expect(raking.status == 0, "\(raking.stderr)")
        let o2 = try #require(try JSONSerialization.jsonObject(with: Data(raking.stdout.utf8)) as? [String: Any])
        #expect(close(try #require(o2["designStandardError"] as? Double), try #require(ref["raking_fav_se"] as? Double), rel: 1e-8))
        #expect(!close(try #require(ref["raking_fav_se"] as? Double), try #require(ref["rake_fav_se"] as? Double), rel: 1e-6))
    }

    /// Every method on the fixture as on the api data (issue 18's acceptance): calibrate linear, logit
    /// and bounded linear to the same margins, postStratify on the joint cells sex × agegroup, and
    /// trimWeights of the raked weights (plain and strict), against R survey 4.1
    /// (make_fixture_rake.R; R's weights stored per group of rows with the same categories and
    /// design weight, `row_group`).
    @Test func fixtureDesignWeightsMatchRForEveryMethod() throws {
        let ref = try #require(try Fixture.json("Fixtures/reference/weighting/fixture-rake.json") as? [String: Any])
        let group = try #require(ref["row_group"] as? [Double]).map { Int($0) - 1 }
        func want(_ name: String) throws -> [Double] {
            let values = try #require(ref["group_weights_" + name] as? [Double], "missing \(name)")
            return group.map { values[$0] }
        }
        func pair(_ key: String) throws -> (Double, Double) {
            let b = try #require(ref[key] as? [Double]); return (b[0], b[1])
        }
        let data = try DatasetLoader.load(Fixture.path(Self.csv), codebook: Fixture.path(Self.codebook))
        let design = try SurveyDesign(data: data, weight: "dweight")
        let margins = try TargetsLoader.load(Fixture.path("Fixtures/surveys/kz-targets.csv"))
        let joint = try TargetsLoader.load(Fixture.path("Fixtures/reference/weighting/kz-targets-joint.json"))
        let (tl, tu) = try pair("trim_bounds")
        let cases: [(String, WeightingTargets, WeightingOptions)] = [
            ("linear", margins, .init(method: .linear, epsilon: 1e-12)),
            ("logit", margins, .init(method: .logit, bounds: try pair("bounds_logit"), epsilon: 1e-12)),
            ("linear_bounded", margins, .init(method: .linear, bounds: try pair("bounds_linear"), epsilon: 1e-12)),
            ("poststrat", joint, .init(method: .poststrat)),
            ("trim", margins, .init(method: .rake, epsilon: 1e-12, trimming: .init(lower: tl, upper: tu))),
            ("trim_strict", margins, .init(method: .rake, epsilon: 1e-12, trimming: .init(lower: tl, upper: tu, strict: true))),
        ]
        for (name, targets, options) in cases {
            let r = try design.weighted(to: targets, options: options)
            let w = try want(name)
            #expect(r.weights.count == w.count)
            let worst = zip(r.weights, w).map { abs($0 - $1) / $1 }.max() ?? 1
            #expect(worst <= 1e-8, "\(name): worst relative difference \(worst)")
        }
        let bounded = try design.weighted(to: margins, options: .init(method: .linear, bounds: try pair("bounds_linear"), epsilon: 1e-12))
        let g = try #require(ref["linear_bounded_grange"] as? [Double])
        #expect(close(bounded.report.gMin, g[0], rel: 1e-8) && close(bounded.report.gMax, g[1], rel: 1e-8))
    }

    /// `partial` cannot calibrate a shard on its own; it refuses `--targets` and says what to do instead.
    @Test func partialRefusesTargets() throws {
        for args in [["partial", "mean", Self.csv, "q_us_opinion"], ["partial", "total", Self.csv, "q_us_opinion"],
                     ["partial", "crosstab", Self.csv, "--rows", "sex", "--cols", "lang"],
                     ["partial", "corr", Self.csv, "q_us_opinion", "q_china_opinion"]] {
            let state = temporary("state")
            let r = try CLI.run(args + ["--codebook", Self.codebook, "--targets", Self.targets, "--state-out", state])
            #expect(r.status != 0 && r.stderr.contains("calibration needs the whole sample") && r.stderr.contains("barometer weight"),
                    "\(args): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: state))
        }
    }
}
