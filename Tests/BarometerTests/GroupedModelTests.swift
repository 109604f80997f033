import Barometer
import BarometerIO
import Foundation
import Testing

/// `--by` for quantiles, GLMs and proportional-odds models against R survey 4.1
/// (Fixtures/reference/grouped_models/make_grouped_models.R): quantiles and SEs
/// of `svyby(…, svyquantile)`, Woodruff intervals of `svyquantile` on
/// `subset(design, g == k)`; `svyglm` / `svyolr` on `subset(design, g == k)`.
@Suite struct GroupedModelTests {
    static let dir = "Fixtures/reference/design/"
    let ref: [String: Any]
    init() throws { ref = try #require(try Fixture.json("Fixtures/reference/grouped_models/expected.json") as? [String: Any]) }

    func load(_ file: String) throws -> Dataset { try DatasetLoader.load(Fixture.path(Self.dir + file)) }

    /// R writes NaN as the string "NaN".
    func numbers(_ c: [String: Any], _ key: String) throws -> [Double?] {
        try #require(c[key] as? [Any], "missing \(key)").map { $0 as? Double }
    }

    func designs() throws -> (strat: SurveyDesign, clus1: SurveyDesign, jk1: SurveyDesign) {
        let c1 = try load("apiclus1.csv")
        let scales = try #require((try Fixture.json("Fixtures/reference/quantiles/expected.json") as? [String: Any])?["jk1_scale"] as? [Double])
        let scale = try #require(scales.first)
        return (try SurveyDesign(data: load("apistrat.csv"), weight: "pw", strata: "stype", fpc: "fpc"),
                try SurveyDesign(data: c1, weight: "pw", clusters: "dnum", fpc: "fpc"),
                try SurveyDesign(data: c1, weight: "pw", replicateColumns: (1...15).map { "jk1_\($0)" }, method: .jk1,
                                 scale: scale))
    }

    func check(_ r: GroupedFits<DesignQuantiles>, _ key: String, by: String,
               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let c = try #require(ref[key] as? [String: Any], sourceLocation: sourceLocation)
        let groups = try #require(c["group"] as? [Double])
        #expect(r.groups.count == groups.count, sourceLocation: sourceLocation)
        for (g, code) in zip(r.groups, groups) {
            #expect(g.categories.first?.code == code, sourceLocation: sourceLocation)
            let q = try #require(g.result, "\(key) \(g.label): \(g.note ?? "")", sourceLocation: sourceLocation)
            let k = Variable.formatCode(code)
            let est = try numbers(c, "quantile_\(k)"), se = try numbers(c, "se_\(k)")
            let lo = try numbers(c, "lower_\(k)"), hi = try numbers(c, "upper_\(k)")
            for (j, x) in q.quantiles.enumerated() {
                #expect(close(x.estimate, est[j] ?? .nan, rel: 1e-10), "\(key) \(k) p=\(x.probability) q", sourceLocation: sourceLocation)
                for (mine, theirs, what) in [(x.lower, lo[j], "lower"), (x.upper, hi[j], "upper"), (x.standardError, se[j], "SE")] {
                    if let theirs {
                        #expect(close(mine ?? .nan, theirs, rel: 1e-10, abs: 1e-12),
                                "\(key) \(k) p=\(x.probability) \(what) \(String(describing: mine)) vs \(theirs)", sourceLocation: sourceLocation)
                    } else {
                        #expect(mine == nil, "\(key) \(k) p=\(x.probability) \(what) is NaN in R", sourceLocation: sourceLocation)
                    }
                }
            }
            #expect(g.label == "\(by) = \(g.categories[0].label)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: QuantileRule.allCases) func quantilesByGroupEqualRSvyby(rule: QuantileRule) throws {
        let (strat, clus1, jk1) = try designs()
        let p = [0.25, 0.5, 0.75], r = rule.rawValue
        try check(strat.quantiles("api00", probabilities: p, by: ["awards"], rule: rule), "strat_api00_by_awards_\(r)", by: "awards")
        try check(clus1.quantiles("api00", probabilities: p, by: ["stype"], rule: rule), "clus1_api00_by_stype_\(r)", by: "stype")
        try check(jk1.quantiles("api00", probabilities: p, by: ["sch_wide"], rule: rule), "jk1_api00_by_sch_wide_\(r)", by: "sch_wide")
    }

    /// Each group equals the ungrouped quantiles on that group's domain (one
    /// sort for all groups changes nothing), and the fixture's missing codes stay out.
    @Test func groupedEqualsPerDomainAndFixture() throws {
        let data = try DatasetLoader.load(Fixture.path("Fixtures/surveys/kz2019-synthetic.csv"),
                                          codebook: Fixture.path("Fixtures/surveys/kz2019-synthetic.codebook.json"))
        let d = try SurveyDesign(data: data, weight: "wt")
        let g = try d.quantiles("q_leader_opinion", probabilities: [0.25, 0.5, 0.75], by: ["lang"])
        try check(g, "kz_leader_by_lang_math", by: "lang")
        for group in g.groups {
            let code = try #require(group.categories[0].code)
            let one = try d.quantiles("q_leader_opinion", probabilities: [0.25, 0.5, 0.75], domain: d.domain("lang", in: [code]))
            let mine = try #require(group.result)
            #expect(mine.count == one.count && mine.degreesOfFreedom == one.degreesOfFreedom)
            for (a, b) in zip(mine.quantiles, one.quantiles) {
                #expect(a.estimate == b.estimate && a.lower == b.lower && a.upper == b.upper)
                #expect(close(a.proportionStandardError, b.proportionStandardError, rel: 1e-12))
            }
        }
        let used: Int = g.groups.map { $0.result?.count ?? 0 }.reduce(0, +)
        #expect(used == 3600 - 216 - 66)
    }

    /// `replicateDF: false` (replicate designs): coefficients and SEs only. R's
    /// svyglm on a subset of a replicate design takes df = rank of the replicate
    /// weights on the subset's rows − 1 + 1 − p; Barometer the design's df
    /// (README, "Regression and quantiles"), so t-based intervals, p and df differ.
    func check(_ r: GroupedFits<GLMResult>, _ key: String, tolerance: Double, replicateDF: Bool = true,
               sourceLocation: SourceLocation = #_sourceLocation) throws {
        let c = try #require(ref[key] as? [String: Any], sourceLocation: sourceLocation)
        let groups = try #require(c["group"] as? [Double])
        let codes: [Double] = r.groups.compactMap { $0.categories[0].code }
        #expect(codes == groups, sourceLocation: sourceLocation)
        for g in r.groups {
            let k = Variable.formatCode(try #require(g.categories[0].code))
            let fit = try #require(g.result, "\(key) \(g.label): \(g.note ?? "")", sourceLocation: sourceLocation)
            #expect(fit.coefficients.map(\.name) == (c["names_\(k)"] as? [String]), sourceLocation: sourceLocation)
            var compared = [("coef", fit.coefficients.map(\.estimate)), ("se", fit.coefficients.map(\.standardError))]
            if replicateDF {
                compared += [("lower", fit.coefficients.map { $0.lower ?? .nan }), ("upper", fit.coefficients.map { $0.upper ?? .nan })]
            }
            for (what, mine) in compared {
                let theirs = try numbers(c, "\(what)_\(k)")
                for (a, b) in zip(mine, theirs) {
                    #expect(close(a, b ?? .nan, rel: tolerance), "\(key) \(k) \(what) \(a) vs \(String(describing: b))", sourceLocation: sourceLocation)
                }
            }
            #expect(Double(fit.rowsUsed) == (c["n_\(k)"] as? [Double])?.first, "\(key) \(k) n", sourceLocation: sourceLocation)
            guard replicateDF else { continue }
            let p = try numbers(c, "p_\(k)")
            for (a, b) in zip(fit.coefficients.map { $0.p ?? .nan }, p) {
                #expect(close(a, b ?? .nan, rel: 1e-6), "\(key) \(k) p", sourceLocation: sourceLocation)
            }
            #expect(Double(fit.degreesOfFreedom) == (c["df_\(k)"] as? [Double])?.first, "\(key) \(k) df", sourceLocation: sourceLocation)
        }
    }

    @Test func glmByGroupEqualsRSvyglmOnSubsets() throws {
        let (strat, clus1, jk1) = try designs()
        try check(strat.glm(ModelFormula(parsing: "api00 ~ enroll + api99"), by: ["awards"]), "strat_gauss_by_awards", tolerance: 1e-10)
        try check(clus1.glm(ModelFormula(parsing: "sch_wide ~ api99 + enroll"), options: GLMOptions(family: .binomial), by: ["stype"]),
                  "clus1_logit_by_stype", tolerance: 1e-8)
        try check(jk1.glm(ModelFormula(parsing: "api00 ~ enroll + api99"), by: ["sch_wide"]), "jk1_gauss_by_sch_wide", tolerance: 1e-8,
                  replicateDF: false)
    }

    @Test func olrByGroupEqualsRSvyolrOnSubsets() throws {
        let data = try DatasetLoader.load(Fixture.path("Fixtures/reference/models/apistrat_olr.csv"))
        let d = try SurveyDesign(data: data, weight: "pw", strata: "stype", fpc: "fpc")
        let r = try d.olr(ModelFormula(parsing: "mealcat ~ avg_ed + mobility"), by: ["stype"])
        let c = try #require(ref["strat_olr_by_stype"] as? [String: Any])
        #expect(r.groups.count == 3)
        for g in r.groups {
            let k = Variable.formatCode(try #require(g.categories[0].code))
            let fit = try #require(g.result, "\(g.label): \(g.note ?? "")")
            let est = fit.coefficients.map(\.estimate) + fit.thresholds.map(\.estimate)
            let se = fit.coefficients.map(\.standardError) + fit.thresholds.map(\.standardError)
            let rEst = try numbers(c, "coef_\(k)") + numbers(c, "zeta_\(k)"), rSE = try numbers(c, "se_\(k)")
            #expect(est.count == rEst.count && se.count == rSE.count)
            // R iterates (BFGS, finite-difference Hessian with 1e-6 steps): 1e-6 as OLRTests.
            for (a, b) in zip(est, rEst) { #expect(close(a, b ?? .nan, rel: 1e-6, abs: 1e-9), "\(k) estimate \(a) vs \(String(describing: b))") }
            for (a, b) in zip(se, rSE) { #expect(close(a, b ?? .nan, rel: 1e-5), "\(k) SE \(a) vs \(String(describing: b))") }
            #expect(Double(fit.degreesOfFreedom) == (c["df_\(k)"] as? [Double])?.first)
        }
    }

    /// A group that cannot be fitted keeps its place with the reason; the others are fitted.
    @Test func unfittableGroupCarriesItsError() throws {
        var data = try load("apistrat.csv")
        let big = try data.groupingVariable("enroll > 2500")          // two schools: fewer rows than coefficients
        let strat = try SurveyDesign(data: data, weight: "pw", strata: "stype", fpc: "fpc")
        let r = try strat.glm(ModelFormula(parsing: "api00 ~ enroll + api99"), by: [big])
        #expect(r.groups.count == 2)
        #expect(r.groups.filter { $0.result == nil }.count == 1)
        let failed = try #require(r.groups.first { $0.result == nil })
        #expect(failed.note?.contains("2 rows used for a model with 3 coefficients") == true, "\(failed.note ?? "")")
        let textTable = r.textTable
        #expect(textTable.headers.first == "Group" && textTable.rows.contains { $0.last == "(no estimate)" })
        // every group failing is an error
        #expect(throws: BarometerError.self) { try strat.glm(ModelFormula(parsing: "api00 ~ enroll + api99"), by: [big],
                                                             domain: strat.domain(where: "enroll > 2500")) }
    }

    @Test func cliByOnQuantileGlmOlr() throws {
        let q = try CLI.run(["quantile", "Fixtures/reference/design/apistrat.csv", "api00", "--q", "0.25,0.5,0.75", "--weight", "pw",
                             "--strata", "stype", "--fpc", "fpc", "--by", "awards", "--format", "json"])
        #expect(q.status == 0, "\(q.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(q.stdout.utf8)) as? [String: Any])
        let groups = try #require(json["groups"] as? [[String: Any]])
        let c = try #require(ref["strat_api00_by_awards_math"] as? [String: Any])
        let first = try #require((groups[1]["result"] as? [String: Any])?["quantiles"] as? [[String: Any]])
        #expect(close(try #require(first[1]["standardError"] as? Double), try #require(try numbers(c, "se_1")[1]), rel: 1e-10))
        let g = try CLI.run(["glm", "Fixtures/reference/design/apistrat.csv", "api00 ~ enroll + api99", "--weight", "pw",
                             "--strata", "stype", "--fpc", "fpc", "--by", "awards"])
        #expect(g.status == 0 && g.stdout.contains("awards = 1") && g.stdout.contains("Group"), "\(g.stderr)")
        let o = try CLI.run(["olr", "Fixtures/reference/models/apistrat_olr.csv", "mealcat ~ avg_ed + mobility", "--weight", "pw",
                             "--strata", "stype", "--fpc", "fpc", "--by", "stype", "--format", "csv"])
        #expect(o.status == 0, "\(o.stderr)")
        let bad = try CLI.run(["glm", "Fixtures/reference/design/apistrat.csv", "api00 ~ enroll", "--weight", "pw", "--by", "awards", "--compare"])
        #expect(bad.status != 0 && bad.stderr.contains("--compare is not available"))
    }
}
