import Foundation
import Testing
@testable import Barometer
@testable import BarometerIO
@testable import BarometerClaims
@testable import BarometerReports

/// `regression` claims: recomputed on the SYNTHETIC fixture and checked
/// against R survey `svyglm` / `confint` (`Fixtures/reference/claims/
/// make_regression_claims.R`), validated on load with errors naming the claim
/// and the field, carried through a mapping, and shown in the report.
@Suite struct RegressionClaimTests {
    struct Ref: Decodable {
        let coefficient: [String]
        let estimate: [Double], se: [Double], t: [Double], p: [Double], lower: [Double], upper: [Double]
        let df: [Int], n: [Int]
    }

    static func reference() throws -> [String: Ref] {
        let tree = try #require(try Fixture.json("Fixtures/reference/claims/regression_claims.json") as? [String: Any])
        var out: [String: Ref] = [:]
        for (k, v) in tree where k != "generator" {
            out[k] = try JSONDecoder().decode(Ref.self, from: JSONSerialization.data(withJSONObject: v))
        }
        return out
    }

    static func design() throws -> SurveyDesign {
        try SurveyDesign(data: DatasetLoader.load(Fixture.path("Fixtures/surveys/kz2019-synthetic.csv"),
                                                  codebook: Fixture.path("Fixtures/surveys/kz2019-synthetic.codebook.json")))
    }

    /// Compares every regression claim of `file` evaluated on the fixture with R.
    static func check(_ file: ClaimFile, expected: Int) throws {
        let ref = try reference()
        let report = try ClaimEvaluator(design: design()).evaluate(file)
        var seen = 0
        for c in file.claims where c.computation.kind == .regression {
            let e = try #require(report.evaluation(c.id))
            let r = try #require(ref[c.id], "no R reference for \(c.id)")
            let est = try #require(e.estimate, "\(c.id): \(e.detail)")
            #expect(e.status == .pass, "\(c.id): \(e.detail)")
            #expect(c.computation.coefficient == r.coefficient[0])
            // Gaussian is exact (one QR); the logit/probit fits iterate: 1e-8 as the issue allows.
            let tol = c.computation.family ?? .gaussian == .gaussian ? 1e-10 : 1e-8
            #expect(close(est.value, r.estimate[0], rel: tol), "\(c.id) estimate \(est.value) vs \(r.estimate[0])")
            #expect(close(try #require(est.standardError), r.se[0], rel: tol), "\(c.id) se")
            let ci = try #require(est.confidenceInterval)
            #expect(close(ci.lower, r.lower[0], rel: tol) && close(ci.upper, r.upper[0], rel: tol), "\(c.id) ci")
            #expect(close(try #require(est.pValue), r.p[0], rel: 1e-6), "\(c.id) p \(est.pValue ?? .nan) vs \(r.p[0])")
            #expect(est.degreesOfFreedom == r.df[0] && est.count == r.n[0], "\(c.id) df/n")
            seen += 1
        }
        #expect(seen == expected)
    }

    /// The memo's "positively correlated even when controlling for the opinion
    /// of Kazakhstani leadership", read as a linear and a logistic regression.
    @Test func memoRegressionClaimsEqualRSvyglm() throws {
        let file = try ClaimFileLoader.load(Fixture.path("Fixtures/memos/ponars-658.claims.json"))
        let reg = file.claims.filter { $0.computation.kind == .regression }
        #expect(reg.map(\.id) == ["ponars658.p5.regression.us-on-russia", "ponars658.p5.logit.us-favourable-on-russia"])
        #expect(reg.allSatisfy { $0.verdict == .signCI })
        try Self.check(file, expected: 2)
    }

    /// The fuzz seed file: a domain (one wave) and a factor level of a probit model.
    @Test func seedClaimFileEqualsRSvyglm() throws {
        try Self.check(try ClaimFileLoader.load(Fixture.path("Fixtures/fuzz/claims/seed-regression.claims.json")), expected: 2)
    }

    /// `sign-ci` fails when the interval crosses zero even if the sign is right,
    /// and `sign` then still passes: the leadership slope within one small domain.
    @Test func signCIRequiresTheWholeInterval() throws {
        let design = try Self.design()
        let comp = ClaimComputation(kind: .regression, domain: ClaimSelection(variable: "lang", codes: [1]),
                                    formula: "q_us_opinion ~ q_russia_opinion + q_leader_opinion + q_china_opinion",
                                    coefficient: "q_leader_opinion")
        let est = try RegressionClaimEngine().estimate(comp, in: design)
        let ci = try #require(est.confidenceInterval)
        // The same fit through the GLM itself (no second implementation): identical numbers.
        let fit = try design.glm("q_us_opinion ~ q_russia_opinion + q_leader_opinion + q_china_opinion",
                                 domain: design.domain("lang", in: [1]))
        let c = try #require(fit.coefficient("q_leader_opinion"))
        #expect(est.value == c.estimate && ci.lower == c.lower && ci.upper == c.upper && est.pValue == c.p)
        let sign: Claim.Sign = est.value > 0 ? .positive : .negative
        let loc = ClaimLocation(memo: "m", part: "p")
        let signCI = ClaimEvaluator(design: design).evaluate(Claim(id: "a", location: loc, statement: "s", figure: nil, computation: comp,
                                                                    verdict: .signCI, expectedSign: sign))
        let plain = ClaimEvaluator(design: design).evaluate(Claim(id: "b", location: loc, statement: "s", figure: nil, computation: comp,
                                                                   verdict: .sign, expectedSign: sign))
        #expect(plain.status == .pass)
        #expect(signCI.status == (ci.lower > 0 || ci.upper < 0 ? .pass : .fail), "\(signCI.detail)")
        let wrong = ClaimEvaluator(design: design).evaluate(Claim(id: "c", location: loc, statement: "s", figure: nil, computation: comp,
                                                                   verdict: .signCI, expectedSign: sign == .positive ? .negative : .positive))
        #expect(wrong.status == .fail)
    }

    // MARK: validation on load

    static var valid: [String: Any] { [
        "id": "x.reg", "location": ["memo": "m", "part": "p"], "statement": "s",
        "computation": ["kind": "regression", "formula": "q_us_opinion ~ factor(q_russia_opinion) + q_leader_opinion",
                        "family": "binomial", "codes": [1, 2], "coefficient": "factor(q_russia_opinion)2"],
        "verdict": "sign-ci", "expectedSign": "negative",
    ] }

    static func load(_ claim: [String: Any]) throws -> BarometerError? {
        let file: [String: Any] = ["format": "barometer-claims/1", "memo": ["id": "m", "title": "t"], "claims": [claim]]
        let data = try JSONSerialization.data(withJSONObject: file)
        do { _ = try ClaimFileLoader.decode(data); return nil } catch { return error }
    }

    static func edited(_ edit: (inout [String: Any], inout [String: Any]) -> Void) -> [String: Any] {
        var c = valid
        var comp = c["computation"] as? [String: Any] ?? [:]
        edit(&c, &comp)
        c["computation"] = comp
        return c
    }

    @Test func validClaimLoads() throws {
        #expect(try Self.load(Self.valid) == nil)
    }

    /// Each defect is a typed error naming the claim and the field.
    @Test(arguments: [
        ("formula missing", "computation.formula", "required"),
        ("formula bad token", "computation.formula", "column"),
        ("coefficient missing", "computation.coefficient", "required"),
        ("coefficient unknown", "computation.coefficient", "not a coefficient"),
        ("coefficient numeric as factor", "computation.coefficient", "not a coefficient"),
        ("codes with gaussian", "computation.codes", "binomial"),
        ("empty codes", "computation.codes", "finite code"),
        ("poisson probit", "computation.link", "does not take"),
        ("family unknown", "computation.family", ""),
        ("figure given", "figure", "sign"),
        ("no expected sign", "expectedSign", "sign-ci"),
        ("rounding verdict", "figure", "needs a published figure"),
        ("sign-ci on a share", "verdict", "fits correlations"),
    ])
    func invalidClaimNamesClaimAndField(defect: String, field: String, reason: String) throws {
        let claim: [String: Any]
        switch defect {
        case "formula missing": claim = Self.edited { _, comp in comp["formula"] = nil }
        case "formula bad token": claim = Self.edited { _, comp in comp["formula"] = "q_us_opinion ~ q_russia_opinion + * q_leader_opinion" }
        case "coefficient missing": claim = Self.edited { _, comp in comp["coefficient"] = nil }
        case "coefficient unknown": claim = Self.edited { _, comp in comp["coefficient"] = "q_china_opinion" }
        case "coefficient numeric as factor": claim = Self.edited { _, comp in comp["coefficient"] = "factor(q_leader_opinion)2" }
        case "codes with gaussian": claim = Self.edited { _, comp in comp["family"] = "gaussian" }
        case "empty codes": claim = Self.edited { _, comp in comp["codes"] = [Double]() }
        case "poisson probit": claim = Self.edited { _, comp in comp["family"] = "poisson"; comp["codes"] = nil; comp["link"] = "probit" }
        case "family unknown": claim = Self.edited { _, comp in comp["family"] = "logistic" }
        case "figure given": claim = Self.edited { c, _ in c["figure"] = ["value": 0.5, "unit": "correlation", "rounding": "exact"] }
        case "no expected sign": claim = Self.edited { c, _ in c["expectedSign"] = nil }
        case "rounding verdict": claim = Self.edited { c, _ in c["verdict"] = "rounding-interval" }
        default:
            claim = Self.edited { c, comp in
                comp = ["kind": "marginal-share", "variable": "q_us_opinion", "codes": [1]]
                c["verdict"] = "sign-ci"
            }
        }
        let e = try #require(try Self.load(claim), "\(defect) was accepted")
        guard case .invalidClaim(let id, let f, let r) = e else { Issue.record("\(defect): \(e)"); return }
        #expect(id == "x.reg" && f == field, "\(defect): \(e)")
        #expect(reason.isEmpty || r.contains(reason), "\(defect): \(r)")
    }

    /// The bad formula's error points at the offending token and its column.
    @Test func formulaErrorPointsAtTheToken() throws {
        let e = try Self.load(Self.edited { _, comp in comp["formula"] = "q_us_opinion ~ q_russia_opinion + * q_leader_opinion" })
        guard case .invalidClaim(_, _, let reason) = try #require(e) else { Issue.record("\(String(describing: e))"); return }
        #expect(reason.contains("'*'") && reason.contains("column 35"), "\(reason)")
    }

    /// A mapping renames the formula's variables, the coefficient's name and
    /// translates level, reference and success codes; the mapped claim on the
    /// renamed and recoded data gives the fixture's numbers.
    @Test func mappingRenamesFormulaCoefficientAndCodes() throws {
        let claim = Claim(id: "x.reg", location: ClaimLocation(memo: "m", part: "p"), statement: "s", figure: nil,
                          computation: ClaimComputation(kind: .regression, codes: [1, 2],
                                                        formula: "q_us_opinion ~ factor(q_russia_opinion, ref = 2) + q_leader_opinion",
                                                        family: .binomial, coefficient: "factor(q_russia_opinion)3"),
                          verdict: .sign, expectedSign: .negative)
        let file = ClaimFile(format: ClaimFile.currentFormat, memo: MemoInfo(id: "m", title: "t"), claims: [claim], checks: [])
        let map = try JSONDecoder().decode(ClaimMapping.self, from: Data(#"""
            {"format": "barometer-mapping/1", "variables": {
              "q_us_opinion": {"name": "US", "codes": {"1": 11, "2": 12, "3": 13, "4": 14}},
              "q_russia_opinion": {"name": "RU", "codes": {"1": 21, "2": 22, "3": 23, "4": 24}}}}
            """#.utf8))
        let mapped = try file.applying(map)
        let comp = mapped.claims[0].computation
        #expect(comp.formula == "US ~ factor(RU, ref = 22) + q_leader_opinion")
        #expect(comp.coefficient == "factor(RU)23" && comp.codes == [11, 12])
        try mapped.validate()
        // The renamed and recoded data.
        let data = try DatasetLoader.load(Fixture.path("Fixtures/surveys/kz2019-synthetic.csv"),
                                          codebook: Fixture.path("Fixtures/surveys/kz2019-synthetic.codebook.json"))
        var vars = data.variables
        for (k, v) in vars.enumerated() where v.name == "q_us_opinion" || v.name == "q_russia_opinion" {
            let shift = v.name == "q_us_opinion" ? 10.0 : 20.0
            vars[k] = Variable(name: v.name == "q_us_opinion" ? "US" : "RU",
                               values: v.values.map { $0 >= 1 && $0 <= 4 ? $0 + shift : $0 }, missing: v.missing)
        }
        let theirs = try SurveyDesign(data: Dataset(variables: vars), weight: "wt")
        let a = try RegressionClaimEngine().estimate(comp, in: theirs)
        let b = try RegressionClaimEngine().estimate(claim.computation, in: Self.design())
        #expect(close(a.value, b.value, rel: 1e-12) && close(a.standardError ?? .nan, b.standardError ?? .nan, rel: 1e-10))
    }

    /// The report shows the regression claims in their own table (Markdown and
    /// HTML) with the odds ratio of the logit claim, exp of R's estimate and CI.
    @Test func reportShowsRegressionTable() throws {
        let report = try ReplicationReportTests.report("kz2019-synthetic")
        let table = try #require(report.regressionTable)
        #expect(table.rows.count == 2)
        let r = try #require(try Self.reference()["ponars658.p5.logit.us-favourable-on-russia"])
        let odds = "\(NumberFormat.fixed(exp(r.estimate[0]), 3)) (\(NumberFormat.fixed(exp(r.lower[0]), 3)) to \(NumberFormat.fixed(exp(r.upper[0]), 3)))"
        let row = try #require(table.rows.first { $0[0] == "ponars658.p5.logit.us-favourable-on-russia" })
        #expect(row[7] == odds && row[3] == "negative" && row[11] == "pass" && row[9] == String(r.df[0]))
        #expect(report.markdown.contains("Regression claims (design-based GLM, R svyglm)") && report.markdown.contains(odds))
        let html = report.html
        #expect(html.contains("<h2>Regression claims</h2>") && html.contains(odds))
        #expect(ReplicationReportTests.parse(html).ok)
    }
}
