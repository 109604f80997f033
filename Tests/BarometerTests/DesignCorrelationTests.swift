import Barometer
import BarometerIO
import Foundation
import Testing

/// Design-based SEs of correlations and partial correlations against
/// independent R computations (Fixtures/reference/design/make_design_extras.R):
/// the delta method on svymean's moment covariance, svyvar's covariance of the
/// covariance matrix, and correlations recomputed per JK1 replicate.
@Suite struct DesignCorrelationTests {
    static let dir = "Fixtures/reference/design/"
    let ref: [String: Any]
    init() throws { ref = try #require(try Fixture.json(Self.dir + "expected-extras.json") as? [String: Any]) }

    func expect(_ e: DesignEstimate, _ key: String, rel: Double = 1e-9) throws {
        let d = try #require(ref[key] as? [String: Any])
        let est = try #require(d["estimate"] as? Double), se = try #require(d["se"] as? Double)
        #expect(close(e.estimate, est, rel: 1e-12), "\(key): \(e.estimate) vs \(est)")
        #expect(close(e.standardError, se, rel: rel), "\(key) SE: \(e.standardError) vs \(se)")
        #expect(e.lower < e.estimate && e.estimate < e.upper && e.lower >= -1 && e.upper <= 1)
    }

    func load(_ f: String) throws -> Dataset { try DatasetLoader.load(Fixture.path(Self.dir + f)) }

    @Test func linearizedCorrelationAndPartialCorrelation() throws {
        let strat = try SurveyDesign(data: load("apistrat.csv"), weight: "pw", strata: "stype", fpc: "fpc")
        try expect(strat.correlation("api00", "api99"), "corr_strat_api00_api99")
        try expect(strat.correlation("api00", "api99", controlling: ["enroll"]), "pcorr_strat_api00_api99_enroll")
        let clus = try SurveyDesign(data: load("apiclus1.csv"), weight: "pw", clusters: "dnum", fpc: "fpc")
        try expect(clus.correlation("api00", "enroll"), "corr_clus1_api00_enroll")
        try expect(clus.correlation("api00", "api99", controlling: ["enroll"]), "pcorr_clus1_api00_api99_enroll")
    }

    @Test func replicateCorrelation() throws {
        let data = try load("apiclus1.csv")
        let jk1 = try SurveyDesign(data: data, weight: "pw", replicateColumns: (1...15).map { "jk1_\($0)" }, method: .jk1,
                                   scale: 0.9333333333333333 * (1 - 15.0 / 757))
        try expect(jk1.correlation("api00", "enroll"), "corr_jk1_api00_enroll", rel: 1e-10)
    }

    @Test func degenerateInputsAreTypedErrors() throws {
        let d = try SurveyDesign(data: load("apistrat.csv"), weight: "pw", strata: "stype", fpc: "fpc")
        #expect(throws: BarometerError.self) { try d.correlation("api00", "api00") }
        #expect(throws: BarometerError.self) { try d.correlation("api00", "api99", controlling: ["api99"]) }
        // A constant within the domain.
        #expect(throws: BarometerError.constantVariable("stype")) {
            try d.correlation("api00", "stype", domain: try d.domain("stype", in: [1]))
        }
    }
}

/// Design effects of shares against R `svymean(..., deff = TRUE / "replace")`.
@Suite struct ShareDesignEffectTests {
    @Test(arguments: ["strat", "clus1"])
    func shareDesignEffects(design key: String) throws {
        let dir = "Fixtures/reference/design/"
        let ref = try #require(try Fixture.json(dir + "expected-extras.json") as? [String: Any])
        let expected = try #require(ref["share_deff_\(key)"] as? [String: Any])
        let design = key == "strat"
            ? try SurveyDesign(data: DatasetLoader.load(Fixture.path(dir + "apistrat.csv")), weight: "pw", strata: "stype", fpc: "fpc")
            : try SurveyDesign(data: DatasetLoader.load(Fixture.path(dir + "apiclus1.csv")), weight: "pw", clusters: "dnum", fpc: "fpc")
        let share = try ConditionalShare(design, of: "sch_wide", in: [1], method: .logit)
        let deff = try #require(share.designEffect), deffReplace = try #require(share.designEffectReplace)
        #expect(close(deff, try #require(expected["deff"] as? Double), rel: 1e-9))
        #expect(close(deffReplace, try #require(expected["deffReplace"] as? Double), rel: 1e-9))
    }
}
