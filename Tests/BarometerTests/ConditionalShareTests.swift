import Barometer
import Foundation
import Testing

/// ConditionalShare / ShareTable / ProportionInterval against statsmodels
/// `proportion_confint` on (p, Kish n_eff) and R `survey::svyciprop` on a
/// weights-only design (Fixtures/reference/crosstab).
@Suite struct ConditionalShareTests {
    struct Case: Decodable {
        let id: String; let data: String; let weight: String?; let of: String; let codes: [Double]
        let among: String?; let amongCodes: [Double]?; let denominator: String; let level: Double
    }
    struct Py: Decodable {
        let numeratorCount: Int; let numeratorWeighted: Double; let denominatorCount: Int; let denominatorWeighted: Double
        let estimate: Double; let effectiveSize: Double; let weightingDesignEffect: Double; let standardError: Double
        let designStandardError: Double; let degreesOfFreedom: Double
        let wald: [Double]; let wilson: [Double]; let cp: [Double]; let ac: [Double]; let kgFallback: [Double]?
        enum CodingKeys: String, CodingKey {
            case numeratorCount, numeratorWeighted, denominatorCount, denominatorWeighted, estimate, effectiveSize,
                 weightingDesignEffect, standardError, designStandardError, degreesOfFreedom, wald, wilson
            case cp = "clopper-pearson", ac = "agresti-coull", kgFallback = "korn-graubard-fallback"
        }
    }
    struct PyRef: Decodable { let shares: [String: Py] }
    struct R: Decodable { let estimate: Double; let designStandardError: Double; let degf: Double
        let logit: [Double?]; let beta: [Double?] }
    struct RRef: Decodable { let shares: [String: R] }

    let cases: [Case]
    let py: PyRef
    let r: RRef
    init() throws {
        cases = try Fixture.decode([Case].self, "Fixtures/reference/crosstab/share_cases.json")
        py = try Fixture.decode(PyRef.self, "Fixtures/reference/crosstab/reference.json")
        r = try Fixture.decode(RRef.self, "Fixtures/reference/crosstab/svy_reference.json")
    }

    func share(_ c: Case, method: ProportionIntervalMethod = .wilson) throws -> ConditionalShare {
        let d = try CrosstabFixture.design(c.data)
        return try ConditionalShare(d, of: c.of, in: Set(c.codes), among: c.among, in: Set(c.amongCodes ?? []),
                                    denominator: c.denominator == "allInDomain" ? .allInDomain : .validAnswers,
                                    method: method, level: c.level)
    }

    func expectInterval(_ i: ProportionInterval, _ e: [Double], rel: Double, _ what: String) {
        #expect(close(i.lower, e[0], rel: rel, abs: 1e-15), "\(what) lower \(i.lower) vs \(e[0])")
        #expect(close(i.upper, e[1], rel: rel, abs: 1e-15), "\(what) upper \(i.upper) vs \(e[1])")
    }

    @Test func countsEstimateAndStandardErrors() throws {
        for c in cases {
            let s = try share(c)
            let e = try #require(py.shares[c.id])
            let rr = try #require(r.shares[c.id])
            #expect(s.numeratorCount == e.numeratorCount, "\(c.id)")
            #expect(s.denominatorCount == e.denominatorCount, "\(c.id)")
            #expect(close(s.numeratorWeighted, e.numeratorWeighted, rel: 1e-12), "\(c.id)")
            #expect(close(s.denominatorWeighted, e.denominatorWeighted, rel: 1e-12), "\(c.id)")
            #expect(close(s.estimate, e.estimate, rel: 1e-12, abs: 1e-15), "\(c.id)")
            #expect(close(s.estimate, rr.estimate, rel: 1e-12, abs: 1e-15), "\(c.id) vs svymean")
            #expect(close(s.effectiveSize, e.effectiveSize, rel: 1e-12), "\(c.id)")
            #expect(close(s.weightingDesignEffect, e.weightingDesignEffect, rel: 1e-12), "\(c.id)")
            #expect(close(s.standardError, e.standardError, rel: 1e-10, abs: 1e-15), "\(c.id)")
            #expect(close(s.designStandardError, rr.designStandardError, rel: 1e-10, abs: 1e-15), "\(c.id) vs svymean SE")
            #expect(s.degreesOfFreedom == rr.degf, "\(c.id) df vs degf()")
        }
    }

    @Test func closedFormIntervalsMatchStatsmodels() throws {
        for c in cases {
            let s = try share(c)
            let e = try #require(py.shares[c.id])
            expectInterval(try s.interval(.wald, level: c.level), e.wald, rel: 1e-10, "\(c.id) wald")
            expectInterval(try s.interval(.wilson, level: c.level), e.wilson, rel: 1e-10, "\(c.id) wilson")
            expectInterval(try s.interval(.agrestiCoull, level: c.level), e.ac, rel: 1e-10, "\(c.id) agresti-coull")
            expectInterval(try s.interval(.clopperPearson, level: c.level), e.cp, rel: 1e-9, "\(c.id) clopper-pearson")
        }
    }

    @Test func logitAndKornGraubardMatchSvyciprop() throws {
        for c in cases {
            let s = try share(c)
            let rr = try #require(r.shares[c.id])
            let logit = try s.interval(.logit, level: c.level)
            let kg = try s.interval(.kornGraubard, level: c.level)
            if s.estimate > 0 && s.estimate < 1 {
                expectInterval(logit, rr.logit.map { $0 ?? .nan }, rel: 1e-8, "\(c.id) logit")
                expectInterval(kg, rr.beta.map { $0 ?? .nan }, rel: 1e-8, "\(c.id) korn-graubard")
                #expect(!logit.degenerate && !kg.degenerate)
            } else {
                // R returns NaN for "beta" here; Barometer's documented fallback (Kish n_eff, df-adjusted).
                #expect(rr.beta.allSatisfy { $0 == nil })
                let e = try #require(py.shares[c.id]?.kgFallback)
                expectInterval(kg, e, rel: 1e-9, "\(c.id) korn-graubard fallback")
                #expect(kg.note != nil)
                #expect(logit.degenerate && logit.lower == s.estimate && logit.upper == s.estimate)
            }
        }
    }

    @Test func stratifiedDesignMatchesSvyciprop() throws {
        struct Strat: Decodable { let estimate: Double; let designStandardError: Double; let degf: Double
            let logit: [Double]; let beta: [Double] }
        struct Ref: Decodable { let stratified_us12_among_rus12: Strat }
        let e = try Fixture.decode(Ref.self, "Fixtures/reference/crosstab/svy_reference.json").stratified_us12_among_rus12
        let d = try SurveyDesign(data: CrosstabFixture.dataset("survey_weighted"), weight: "w", strata: "region")
        let s = try ConditionalShare(d, of: "us", in: [1, 2], among: "rus", in: [1, 2], method: .logit)
        #expect(close(s.estimate, e.estimate, rel: 1e-12))
        #expect(close(s.designStandardError, e.designStandardError, rel: 1e-10))
        #expect(s.degreesOfFreedom == e.degf)
        expectInterval(s.interval, e.logit, rel: 1e-8, "stratified logit")
        expectInterval(try s.interval(.kornGraubard), e.beta, rel: 1e-8, "stratified korn-graubard")
    }

    @Test func proportionZeroAndOne() throws {
        let p0 = try share(try #require(cases.first { $0.id == "u_y1_among_a3_p0" }), method: .wald)
        #expect(p0.estimate == 0)
        #expect(p0.interval.degenerate && p0.interval.note?.contains("degenerate") == true)
        #expect(p0.interval.lower == 0 && p0.interval.upper == 0)
        let w0 = try p0.interval(.wilson)
        #expect(w0.lower == 0 && w0.upper > 0 && !w0.degenerate)
        let cp0 = try p0.interval(.clopperPearson)
        // Clopper-Pearson at x = 0: upper = 1 − (α/2)^(1/n).
        #expect(cp0.lower == 0 && close(cp0.upper, 1 - pow(0.025, 1.0 / 33), rel: 1e-10))
        let p1 = try share(try #require(cases.first { $0.id == "u_y1_among_a1_p1" }), method: .clopperPearson)
        #expect(p1.estimate == 1 && p1.interval.upper == 1 && close(p1.interval.lower, pow(0.025, 1.0 / 33), rel: 1e-10))
        #expect(try p1.interval(.kornGraubard).upper == 1)
    }

    @Test func shareTableGivesEveryCategory() throws {
        let d = try CrosstabFixture.design("survey_weighted")
        let t = try ShareTable(d, of: "us", in: [1, 2], by: "rus", method: .logit)
        #expect(t.rows.map { $0.category.code } == [1, 2, 3, 4])
        for row in t.rows {
            let code = try #require(row.category.code)
            let id = "us12_by_rus_\(Variable.formatCode(code))"
            let s = try #require(row.share)
            let e = try #require(py.shares[id]), rr = try #require(r.shares[id])
            #expect(close(s.estimate, e.estimate, rel: 1e-12))
            #expect(close(s.effectiveSize, e.effectiveSize, rel: 1e-12))
            expectInterval(s.interval, rr.logit.map { $0 ?? .nan }, rel: 1e-8, id)
        }
        // With missing shown, DK/Refused rows of X get their own share.
        let all = try ShareTable(d, of: "us", in: [1, 2], by: "rus", missing: .showMissing)
        #expect(all.rows.map { $0.category.code } == [1, 2, 3, 4, 8, 9])
    }

    @Test func edgeCases() throws {
        let d = try CrosstabFixture.design("survey_weighted")
        // Empty domain: typed error.
        do { _ = try ConditionalShare(d, of: "us", in: [1, 2], among: "region", in: [7]); Issue.record("expected error") }
        catch .emptyDomain(let s) { #expect(s.contains("region = 7")) }
        catch { Issue.record("unexpected \(error)") }
        // A user-missing code under a valid-answers base is refused, not silently 0.
        #expect(throws: BarometerError.self) { try ConditionalShare(d, of: "us", in: [8], among: "rus", in: [1, 2]) }
        #expect(throws: BarometerError.self) { try ConditionalShare(d, of: "us", in: [], among: "rus", in: [1]) }
        #expect(throws: BarometerError.self) { try ConditionalShare(d, of: "us", in: [1], level: 1.5) }
        // All weight on one respondent: n_eff = 1, p ∈ {0, 1}, design variance 0.
        let y = Variable(name: "y", values: [1, 2, 1, 2, 1])
        let w = Variable(name: "w", values: [0, 0, 0, 7, 0])
        let one = try SurveyDesign(data: Dataset(variables: [y, w]), weight: "w")
        let s = try ConditionalShare(one, of: "y", in: [1], method: .clopperPearson)
        #expect(s.estimate == 0 && s.effectiveSize == 1 && s.denominatorCount == 5)
        #expect(s.designStandardError == 0 && s.degreesOfFreedom == 0)
        // Clopper-Pearson with n_eff = 1, x = 0: [0, 1 − α/2].
        #expect(s.interval.lower == 0 && close(s.interval.upper, 0.975, rel: 1e-10))
        // Only one respondent with positive weight: no design df for logit or Korn-Graubard.
        #expect(throws: BarometerError.insufficientData("logit interval needs at least 2 respondents in the base (df = 0.0)")) { try s.interval(.logit) }
        #expect(throws: BarometerError.self) { try s.interval(.kornGraubard) }
        let wil = try s.interval(.wilson)
        #expect(wil.lower == 0 && close(wil.upper, 1.959963984540054 * 1.959963984540054 / (1 + 1.959963984540054 * 1.959963984540054), rel: 1e-12))
    }
}
