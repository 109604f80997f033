import Barometer
import BarometerIO
import Foundation
import Testing

/// Design-based quantiles with Woodruff intervals against R survey 4.1 `svyquantile`
/// (Fixtures/reference/quantiles/make_quantiles.R), rules "math" and "hf7".
@Suite struct DesignQuantileTests {
    static let dir = "Fixtures/reference/design/"
    let ref: [String: Any]
    init() throws { ref = try #require(try Fixture.json("Fixtures/reference/quantiles/expected.json") as? [String: Any]) }

    func load(_ file: String) throws -> Dataset { try DatasetLoader.load(Fixture.path(Self.dir + file)) }

    /// R writes NaN as the string "NaN".
    func numbers(_ c: [String: Any], _ key: String) throws -> [Double?] {
        let raw = try #require(c[key] as? [Any])
        return raw.map { $0 as? Double }
    }

    func check(_ q: DesignQuantiles, _ key: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let c = try #require(ref[key] as? [String: Any], sourceLocation: sourceLocation)
        let est = try numbers(c, "quantile"), lo = try numbers(c, "lower"), hi = try numbers(c, "upper"), se = try numbers(c, "se")
        #expect(q.quantiles.count == est.count, sourceLocation: sourceLocation)
        for (j, r) in q.quantiles.enumerated() where j < est.count {
            #expect(close(r.estimate, est[j] ?? .nan, rel: 1e-10), "\(key) p=\(r.probability) q \(r.estimate) vs \(String(describing: est[j]))", sourceLocation: sourceLocation)
            for (mine, theirs, what) in [(r.lower, lo[j], "lower"), (r.upper, hi[j], "upper"), (r.standardError, se[j], "SE")] {
                if let theirs {
                    #expect(close(mine ?? .nan, theirs, rel: 1e-10, abs: 1e-12), "\(key) p=\(r.probability) \(what) \(String(describing: mine)) vs \(theirs)", sourceLocation: sourceLocation)
                } else {
                    #expect(mine == nil, "\(key) p=\(r.probability) \(what) should be NaN in R", sourceLocation: sourceLocation)
                }
            }
        }
        #expect(Double(q.degreesOfFreedom) == (c["df"] as? [Double])?.first, sourceLocation: sourceLocation)
    }

    static let probabilities = [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99]

    @Test(arguments: QuantileRule.allCases) func apiDesigns(rule: QuantileRule) throws {
        let p = Self.probabilities, r = rule.rawValue
        let strat = try SurveyDesign(data: load("apistrat.csv"), weight: "pw", strata: "stype", fpc: "fpc")
        try check(strat.quantiles("api00", probabilities: p, rule: rule), "strat_api00_\(r)")
        try check(strat.quantiles("enroll", probabilities: p, rule: rule), "strat_enroll_\(r)")
        try check(strat.quantiles("api00", probabilities: p, rule: rule, level: 0.9), "strat_api00_level90_\(r)")
        try check(strat.quantiles("api00", probabilities: p, rule: rule, domain: strat.domain("sch_wide", in: [1])),
                  "strat_domain_api00_\(r)")
        let c1 = try load("apiclus1.csv")
        try check(SurveyDesign(data: c1, weight: "pw", clusters: "dnum", fpc: "fpc").quantiles("api00", probabilities: p, rule: rule),
                  "clus1_api00_\(r)")
        let scale = try #require((ref["jk1_scale"] as? [Double])?.first)
        let jk1 = try SurveyDesign(data: c1, weight: "pw", replicateColumns: (1...15).map { "jk1_\($0)" }, method: .jk1, scale: scale)
        try check(jk1.quantiles("api00", probabilities: p, rule: rule), "jk1_api00_\(r)")
    }

    @Test(arguments: QuantileRule.allCases) func fixtureExcludesMissingCodes(rule: QuantileRule) throws {
        let data = try DatasetLoader.load(Fixture.path("Fixtures/surveys/kz2019-synthetic.csv"),
                                          codebook: Fixture.path("Fixtures/surveys/kz2019-synthetic.codebook.json"))
        let q = try SurveyDesign(data: data, weight: "wt").quantiles("q_leader_opinion", probabilities: Self.probabilities, rule: rule)
        try check(q, "kz_leader_\(rule.rawValue)")
        #expect(q.count == 3600 - 216 - 66)          // codes 8 and 9 excluded
    }

    @Test func badProbabilities() throws {
        let d = try SurveyDesign(data: load("apistrat.csv"), weight: "pw")
        #expect(throws: BarometerError.self) { try d.quantiles("api00", probabilities: [1.5]) }
        #expect(throws: BarometerError.self) { try d.quantiles("api00", probabilities: [.nan]) }
        #expect(throws: BarometerError.self) { try d.quantiles("api00", probabilities: []) }
    }
}
