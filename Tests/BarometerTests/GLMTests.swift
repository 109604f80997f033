import Barometer
import BarometerIO
import Foundation
import Testing

/// Design-based GLMs against R survey 4.1 `svyglm` / `confint` / `regTermTest`
/// (Fixtures/reference/models/make_models.R, IRLS run to full convergence in R):
/// stratified, one-stage cluster and JK1 designs of the api data, and a logistic
/// model on the synthetic fixture survey.
@Suite struct GLMTests {
    static let dir = "Fixtures/reference/design/"
    let ref: [String: Any]

    init() throws {
        ref = try #require(try Fixture.json("Fixtures/reference/models/expected.json") as? [String: Any])
    }

    init(reference: [String: Any]) throws { ref = reference }

    func load(_ file: String) throws -> Dataset { try DatasetLoader.load(Fixture.path(Self.dir + file)) }
    func strat() throws -> SurveyDesign { try SurveyDesign(data: load("apistrat.csv"), weight: "pw", strata: "stype", fpc: "fpc") }
    func clus1() throws -> SurveyDesign { try SurveyDesign(data: load("apiclus1.csv"), weight: "pw", clusters: "dnum", fpc: "fpc") }
    func jk1() throws -> SurveyDesign {
        let data = try load("apiclus1.csv")
        let scale = try #require((ref["jk1_scale"] as? [Double])?.first)
        return try SurveyDesign(data: data, weight: "pw", replicateColumns: (1...15).map { "jk1_\($0)" }, method: .jk1, scale: scale)
    }

    func values(_ case_: [String: Any], _ key: String) throws -> [Double] {
        try #require(case_[key] as? [Double], "\(key)")
    }

    /// Compares every coefficient, SE, t, p, CI, df, deviance, AIC and term test with R.
    func check(_ r: GLMResult, _ key: String, rel: Double = 1e-8, names: Bool = true,
               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let c = try #require(ref[key] as? [String: Any], sourceLocation: sourceLocation)
        let rn = try #require(c["names"] as? [String], sourceLocation: sourceLocation)
        #expect(r.coefficients.count == rn.count, "\(key): \(r.coefficients.map(\.name)) vs \(rn)", sourceLocation: sourceLocation)
        guard r.coefficients.count == rn.count else { return }
        if names { #expect(r.coefficients.map(\.name) == rn, sourceLocation: sourceLocation) }
        let coef = try values(c, "coef"), se = try values(c, "se"), t = try values(c, "t"), p = try values(c, "p")
        let lo = try values(c, "lower"), hi = try values(c, "upper")
        for (j, k) in r.coefficients.enumerated() {
            #expect(close(k.estimate, coef[j], rel: rel, abs: 1e-12), "\(key) \(k.name) coef \(k.estimate) vs \(coef[j])", sourceLocation: sourceLocation)
            #expect(close(k.standardError, se[j], rel: rel), "\(key) \(k.name) SE \(k.standardError) vs \(se[j])", sourceLocation: sourceLocation)
            #expect(close(k.t, t[j], rel: rel, abs: 1e-10), "\(key) \(k.name) t", sourceLocation: sourceLocation)
            #expect(close(k.p ?? .nan, p[j], rel: rel, abs: 1e-14), "\(key) \(k.name) p \(k.p ?? .nan) vs \(p[j])", sourceLocation: sourceLocation)
            #expect(close(k.lower ?? .nan, lo[j], rel: rel, abs: 1e-12) && close(k.upper ?? .nan, hi[j], rel: rel, abs: 1e-12),
                    "\(key) \(k.name) CI", sourceLocation: sourceLocation)
            if r.link == .logit {
                #expect(close(k.oddsRatio ?? .nan, Foundation.exp(coef[j]), rel: rel), sourceLocation: sourceLocation)
            }
        }
        #expect(Double(r.degreesOfFreedom) == (try values(c, "df"))[0], "\(key) df \(r.degreesOfFreedom)", sourceLocation: sourceLocation)
        #expect(close(r.deviance, try values(c, "deviance")[0], rel: rel), "\(key) deviance \(r.deviance)", sourceLocation: sourceLocation)
        #expect(close(r.nullDeviance, try values(c, "nullDeviance")[0], rel: rel), "\(key) null deviance", sourceLocation: sourceLocation)
        #expect(Double(r.rowsUsed) == (try values(c, "n"))[0], sourceLocation: sourceLocation)
        if let aic = (c["aic"] as? [Double])?.first {
            #expect(close(r.aic ?? .nan, aic, rel: rel), "\(key) AIC \(r.aic ?? .nan) vs \(aic)", sourceLocation: sourceLocation)
        } else {
            #expect(r.aic == nil, sourceLocation: sourceLocation)
        }
        for (name, value) in c where name.hasPrefix("F:") {
            let v = try #require(value as? [Double], sourceLocation: sourceLocation)
            let term = String(name.dropFirst(2))
            let test = try #require(r.termTests.first { $0.term == term } ?? (term == "stype3" ? r.termTests.last : nil),
                                    "\(key): no test of \(term) in \(r.termTests.map(\.term))", sourceLocation: sourceLocation)
            #expect(close(test.f ?? .nan, v[0], rel: rel), "\(key) F(\(term)) \(test.f ?? .nan) vs \(v[0])", sourceLocation: sourceLocation)
            #expect(Double(test.numeratorDF) == v[1] && Double(test.denominatorDF) == v[2], sourceLocation: sourceLocation)
            #expect(close(test.p ?? .nan, v[3], rel: rel, abs: 1e-14), "\(key) p(\(term))", sourceLocation: sourceLocation)
        }
    }

    @Test func stratifiedFamilies() throws {
        let d = try strat()
        try check(d.glm("api00 ~ enroll + factor(stype)"), "strat_gauss")
        try check(d.glm("awards ~ api00 + factor(stype)", family: .quasibinomial), "strat_logit")
        try check(d.glm("awards ~ api00 + factor(stype)", family: .binomial), "strat_binomial")
        try check(d.glm("awards ~ api00 + factor(stype)", family: .binomial, link: .probit), "strat_probit", rel: 1e-6)
        try check(d.glm("api_stu ~ api00 + factor(stype)", family: .poisson), "strat_poisson")
        try check(d.glm("api_stu ~ api00 + factor(stype)", family: .quasipoisson), "strat_quasipoisson")
    }

    @Test func interactionsAndReference() throws {
        let d = try strat()
        try check(d.glm("api00 ~ enroll * factor(stype)"), "strat_interaction")
        try check(d.glm("api00 ~ api99 + enroll:api99"), "strat_colon")
        try check(d.glm("api00 ~ enroll:factor(stype)"), "strat_factor_only_interaction")
        try check(d.glm("api00 ~ factor(stype) * factor(awards)"), "strat_factor_by_factor")
        // relevel(factor(stype), ref = "3"): same model, R names the columns stype31, stype32.
        let r = try d.glm("awards ~ api00 + factor(stype, ref = 3)", family: .binomial)
        #expect(r.coefficients.map(\.name) == ["(Intercept)", "api00", "factor(stype)1", "factor(stype)2"])
        try check(r, "strat_logit_ref3", names: false)
    }

    @Test func domains() throws {
        let d = try strat()
        try check(d.glm("api00 ~ enroll + factor(stype)", domain: d.domain("sch_wide", in: [1])), "strat_domain_gauss")
        let c = try clus1()
        try check(c.glm("awards ~ api00 + enroll", family: .binomial, domain: c.domain("stype", in: [1, 3])), "clus1_domain_logit")
    }

    @Test func clusterAndJK1() throws {
        try check(clus1().glm("api00 ~ enroll + factor(stype)"), "clus1_gauss")
        try check(clus1().glm("awards ~ api00 + factor(stype)", family: .binomial), "clus1_logit")
        try check(jk1().glm("api00 ~ enroll + factor(stype)"), "jk1_gauss")
        try check(jk1().glm("awards ~ api00 + factor(stype)", family: .binomial), "jk1_logit", rel: 1e-7)
    }

    @Test func fixtureLogisticListwise() throws {
        let data = try DatasetLoader.load(Fixture.path("Fixtures/surveys/kz2019-synthetic.csv"),
                                          codebook: Fixture.path("Fixtures/surveys/kz2019-synthetic.codebook.json"))
        let d = try SurveyDesign(data: data, weight: "wt")
        let r = try d.glm("q_us_opinion ~ factor(q_russia_opinion) + q_leader_opinion", family: .binomial, successCodes: [1, 2])
        try check(r, "kz_logit", names: false)
        #expect(r.coefficients.map(\.name) == ["(Intercept)", "factor(q_russia_opinion)2", "factor(q_russia_opinion)3",
                                               "factor(q_russia_opinion)4", "q_leader_opinion"])
        #expect(r.coefficients[1].levelLabel != nil)
        #expect(r.excludedUserMissing > 0)
        #expect(r.rowsUsed + r.excludedUserMissing + r.excludedSystemMissing == data.rowCount)
        #expect(r.base.contains("Don't know/Refused"))
    }

    /// More rows than one IRLS chunk (`GLMFit.chunkRows`): R's api population (6,157 of 6,194
    /// schools used, listwise) under strata × nested PSUs; the chunk QRs are combined into one.
    /// Reference: Fixtures/reference/models/make_models_chunks.R.
    @Test func severalChunksEqualR() throws {
        let ref = try #require(try Fixture.json("Fixtures/reference/models/expected_chunks.json") as? [String: Any])
        let data = try DatasetLoader.load(Fixture.path("Fixtures/reference/models/apipop_glm.csv"))
        #expect(data.rowCount > 4096)
        let d = try SurveyDesign(data: data, weight: "pw", strata: "stype", clusters: "dnum", nest: true)
        let here = try GLMTests(reference: ref)
        try here.check(d.glm("awards ~ api00 + api99 + enroll + factor(stype)", family: .binomial), "pop_logit")
        try here.check(d.glm("api00 ~ api99 + enroll + factor(stype)"), "pop_gauss")
        try here.check(d.glm("api00 ~ api99 + enroll + factor(stype)", family: .poisson), "pop_poisson")
    }
}
