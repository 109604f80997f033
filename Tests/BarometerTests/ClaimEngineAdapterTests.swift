import Foundation
import Testing
@testable import Barometer
@testable import BarometerIO
@testable import BarometerClaims
@testable import BarometerReports

/// The claim-engine adapters (conditional shares → ConditionalShare,
/// multiple response → MultipleResponseSet, correlations → Correlation and
/// the design-based correlation SE) on the SYNTHETIC fixture surveys, against
/// `Fixtures/reference/claims/fixture-figures.json` (pandas/statsmodels by
/// `Fixtures/surveys/make_fixtures.py`, shares' SEs re-checked with R survey by
/// `check_shares_survey.R`).
@Suite struct ClaimEngineAdapterTests {
    typealias Ref = ClaimsEvaluatorTests.Ref

    /// Every recomputable claim of both memos (and of the perturbed twin) is
    /// computed, matches the reference (value, SE and CI where given, n, Σw)
    /// to 1e-10 relative, and gets the verdict the reference expects: pass,
    /// except the twin's one moved claim.
    @Test(arguments: ["kz2019-synthetic", "kz2020-synthetic", "kz2019-synthetic-perturbed"])
    func everyRecomputableClaimMatchesTheReference(name: String) throws {
        let (file, report, ref) = try ClaimsEvaluatorTests.run(name)
        var checked = 0
        for c in file.claims where c.computation.kind.isRecomputable {
            let e = try #require(report.evaluation(c.id))
            let f = try #require(ref.figures[c.id], "no reference for \(c.id)")
            let est = try #require(e.estimate, "\(c.id): \(e.detail)")
            #expect(e.status == (ref.failingClaims.contains(c.id) ? .fail : .pass), "\(c.id): \(e.detail)")
            #expect(close(est.value, f.value, rel: 1e-10), "\(c.id) value \(est.value) vs \(f.value)")
            if let se = f.se { #expect(close(try #require(est.standardError), se, rel: 1e-10), "\(c.id) se") }
            if let lo = f.ciLower, let hi = f.ciUpper {
                let ci = try #require(est.confidenceInterval)
                #expect(close(ci.lower, lo, rel: 1e-10) && close(ci.upper, hi, rel: 1e-10), "\(c.id) CI \(ci)")
            }
            if let n = f.n { #expect(est.count == n, "\(c.id) n \(est.count) vs \(n)") }
            if let wb = f.weightedBase { #expect(close(try #require(est.weightedBase), wb, rel: 1e-10), "\(c.id) base") }
            checked += 1
        }
        #expect(checked == file.claims.filter { $0.computation.kind.isRecomputable }.count)
        #expect(report.claims(.notYetComputable).isEmpty && report.claims(.error).isEmpty)
        #expect(report.claims(.fail).map(\.id) == ref.failingClaims)
        #expect(report.hasFailures == !ref.failingClaims.isEmpty)
    }

    struct CorrelationRef: Decodable {
        struct Figure: Decodable { let value: Double; let se: Double; let ciLower: Double; let ciUpper: Double; let n: Int; let df: Int }
        struct DatasetRef: Decodable { let figures: [String: Figure] }
        let datasets: [String: DatasetRef]
    }

    /// Correlation claims' SE and 95% CI come from the design-based
    /// correlation (linearization, Fisher z with the design's df): against
    /// `Fixtures/reference/verify/correlation-ci.json` (numpy/scipy influence
    /// functions of the residual correlation, `make_correlation_ci.py`), 1e-10.
    @Test(arguments: ["kz2019-synthetic", "kz2019-synthetic-perturbed"])
    func correlationIntervalsMatchTheInfluenceFunctionReference(name: String) throws {
        let ref = try #require(try Fixture.decode(CorrelationRef.self, "Fixtures/reference/verify/correlation-ci.json").datasets[name])
        let (_, report, _) = try ClaimsEvaluatorTests.run(name)
        #expect(ref.figures.count == 12)
        for (id, f) in ref.figures {
            let est = try #require(report.evaluation(id)?.estimate, "\(id)")
            #expect(close(est.value, f.value, rel: 1e-10), "\(id) r")
            #expect(est.count == f.n, "\(id) n")
            #expect(close(try #require(est.standardError), f.se, rel: 1e-10), "\(id) se \(est.standardError ?? .nan) vs \(f.se)")
            let ci = try #require(est.confidenceInterval)
            #expect(close(ci.lower, f.ciLower, rel: 1e-10) && close(ci.upper, f.ciUpper, rel: 1e-10), "\(id) CI \(ci)")
        }
    }

    /// The memo's adapters cover the kinds of both claim files.
    @Test func defaultEnginesCoverEveryKindUsedByTheMemos() throws {
        let ev = ClaimEvaluator(design: try SurveyDesign(data: try Dataset(variables: [Variable(name: "x", values: [1, 2])])))
        for kind in [ClaimComputation.Kind.marginalShare, .collapsedShare, .conditionalShare, .multipleResponse,
                     .correlation, .partialCorrelation] {
            #expect(ev.engine(for: kind) != nil, "\(kind.rawValue)")
        }
    }

    /// Base `all` keeps Don't know/Refused of the target question in the
    /// denominator; base `valid` drops them. Hand-countable data:
    /// given x = 1 (rows 0–4, weights 1,1,2,1,1), y = 1,1,8,2,9 → all: 2/6, valid: 2/3.
    @Test func conditionalShareBaseRules() throws {
        let y = Variable(name: "y", values: [1, 1, 8, 2, 9, 1, 2], missing: MissingValues(codes: [8, 9]))
        let x = Variable(name: "x", values: [1, 1, 1, 1, 1, 2, 2])
        let w = Variable(name: "w", values: [1, 1, 2, 1, 1, 3, 3])
        let design = try SurveyDesign(data: try Dataset(variables: [y, x, w], weightVariable: "w"))
        let engine = ConditionalShareClaimEngine()
        var c = ClaimComputation(kind: .conditionalShare, variable: "y", codes: [1], base: .all,
                                 given: ClaimSelection(variable: "x", codes: [1]))
        let all = try engine.estimate(c, in: design)
        #expect(close(all.value, 100 * 2 / 6, rel: 1e-14) && all.count == 5 && all.weightedBase == 6)
        c.base = .valid
        let valid = try engine.estimate(c, in: design)
        #expect(close(valid.value, 100 * 2 / 3, rel: 1e-14) && valid.count == 3 && valid.weightedBase == 3)
        // A claim domain is intersected with the condition: x = 1 and w = 1 rows → y = 1,1,2,9 → 2/4.
        c.base = .all
        c.domain = ClaimSelection(variable: "w", codes: [1])
        #expect(close(try engine.estimate(c, in: design).value, 50, rel: 1e-14))
    }

    /// Declared user-missing codes (98/99) count as responses when the claim
    /// names them; system-missing cells never do; a multi-code percent of
    /// cases is refused, not approximated. Hand-countable data, unweighted:
    /// responses 1, 98, 2, 99, 1 (5), second column empty but for one 2.
    @Test func multipleResponseCountsDeclaredMissingCodes() throws {
        let nan = Double.nan
        let r1 = Variable(name: "r1", values: [1, 98, 2, 99, 1], missing: MissingValues(codes: [98, 99]))
        let r2 = Variable(name: "r2", values: [nan, nan, 2, nan, nan], missing: MissingValues(codes: [98, 99]))
        let design = try SurveyDesign(data: try Dataset(variables: [r1, r2]))
        let engine = MultipleResponseClaimEngine()
        var c = ClaimComputation(kind: .multipleResponse, codes: [98, 99], variables: ["r1", "r2"],
                                 measure: .percentOfResponses, responseCodes: [1, 2, 98, 99])
        let dk = try engine.estimate(c, in: design)
        #expect(close(dk.value, 100 * 2 / 6, rel: 1e-14) && dk.count == 6)
        c.codes = [2]; c.measure = .percentOfSubset; c.subsetCodes = [1, 2]
        #expect(close(try engine.estimate(c, in: design).value, 50, rel: 1e-14))
        c.measure = .percentOfCases
        #expect(close(try engine.estimate(c, in: design).value, 100 * 2 / 5, rel: 1e-14))
        c.codes = [1, 2]
        #expect(throws: BarometerError.self) { try engine.estimate(c, in: design) }
    }

    /// A correlation claim on a constant variable is an error, not a pass.
    @Test func degenerateCorrelationIsAnError() throws {
        let a = Variable(name: "a", values: [1, 2, 3, 4, 2]), b = Variable(name: "b", values: [2, 2, 2, 2, 2])
        let ev = ClaimEvaluator(design: try SurveyDesign(data: try Dataset(variables: [a, b])))
        let claim = Claim(id: "c", location: ClaimLocation(memo: "m", part: "p"), statement: "s", figure: nil,
                          computation: ClaimComputation(kind: .correlation, variables: ["a", "b"]),
                          verdict: .sign, expectedSign: .positive)
        let e = ev.evaluate(claim)
        #expect(e.status == .error && e.detail.contains("constant"))
    }
}
