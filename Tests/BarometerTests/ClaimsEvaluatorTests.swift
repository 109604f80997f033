import Foundation
import Testing
@testable import Barometer
@testable import BarometerIO
@testable import BarometerClaims
@testable import BarometerReports

/// The evaluator on the SYNTHETIC fixture surveys, against the figures
/// computed by `Fixtures/surveys/make_fixtures.py` (pandas; SEs cross-checked
/// with R survey by `Fixtures/reference/claims/check_shares_survey.R`).
@Suite struct ClaimsEvaluatorTests {
    struct Ref: Decodable {
        struct Figure: Decodable {
            let value: Double
            let se: Double?
            let ciLower: Double?
            let ciUpper: Double?
            let n: Int?
            let weightedBase: Double?
        }
        struct DatasetRef: Decodable {
            let csv: String
            let codebook: String
            let claims: String
            let failingClaims: [String]
            let figures: [String: Figure]
        }
        let datasets: [String: DatasetRef]
    }

    static func reference() throws -> Ref { try Fixture.decode(Ref.self, "Fixtures/reference/claims/fixture-figures.json") }

    static func run(_ name: String) throws -> (ClaimFile, ClaimEvaluationReport, Ref.DatasetRef) {
        let ref = try #require(try reference().datasets[name])
        let data = try DatasetLoader.load(Fixture.path(ref.csv), codebook: Fixture.path(ref.codebook))
        let file = try ClaimFileLoader.load(Fixture.path(ref.claims))
        let report = try ClaimEvaluator(design: SurveyDesign(data: data)).evaluate(file)
        return (file, report, ref)
    }

    static func checkShares(_ name: String) throws {
        let (file, report, ref) = try run(name)
        #expect(report.weight == "wt")
        var shares = 0
        for c in file.claims {
            let e = try #require(report.evaluation(c.id))
            switch c.computation.kind {
            case .marginalShare, .collapsedShare:
                shares += 1
                let f = try #require(ref.figures[c.id])
                let est = try #require(e.estimate, "\(c.id): \(e.detail)")
                #expect(e.status == .pass, "\(c.id): \(e.detail)")
                #expect(close(est.value, f.value, rel: 1e-10), "\(c.id) value \(est.value) vs \(f.value)")
                #expect(close(try #require(est.standardError), try #require(f.se), rel: 1e-10), "\(c.id) se")
                let ci = try #require(est.confidenceInterval)
                let lo = try #require(f.ciLower), hi = try #require(f.ciUpper)
                #expect(close(ci.lower, lo, rel: 1e-10) && close(ci.upper, hi, rel: 1e-10))
                #expect(est.count == f.n)
                #expect(close(try #require(est.weightedBase), try #require(f.weightedBase), rel: 1e-10))
            case .conditionalShare, .correlation, .partialCorrelation, .multipleResponse, .regression:
                // Computed by the engine adapters; checked against the reference in ClaimEngineAdapterTests
                // (regression: RegressionClaimTests, against R svyglm).
                #expect(e.estimate != nil, "\(c.id): \(e.detail)")
            case .groupDifference:
                // GroupDifferenceClaimEngine; checked against R in GroupDifferenceClaimTests
                #expect(e.estimate != nil, "\(c.id): \(e.detail)")
            case .publishedTrend, .publishedOnly:
                #expect(e.status == .notRecomputable, "\(c.id)")
            }
        }
        #expect(shares > 0)
        #expect(report.claims(.fail).isEmpty && report.claims(.error).isEmpty)
    }

    /// Every variable a recomputable claim reads exists in its fixture, so
    /// each engine, once registered, finds its inputs.
    @Test(arguments: ["kz2019-synthetic", "kz2020-synthetic"])
    func claimVariablesExistInFixture(name: String) throws {
        let ref = try #require(try Self.reference().datasets[name])
        let data = try DatasetLoader.load(Fixture.path(ref.csv), codebook: Fixture.path(ref.codebook))
        let file = try ClaimFileLoader.load(Fixture.path(ref.claims))
        for c in file.claims where c.computation.kind.isRecomputable {
            for v in c.computation.variablesUsed { #expect(data[v] != nil, "\(c.id) reads missing variable \(v)") }
        }
        #expect(data.weightVariable == "wt")
    }

    @Test func cabFixtureMarginalClaimsPass() throws { try Self.checkShares("kz2019-synthetic") }

    @Test func feb2020FixtureMarginalClaimsPass() throws { try Self.checkShares("kz2020-synthetic") }

    /// The twin differs from the fixture in exactly one claim with a
    /// published figure (the US-favourable share among the Russia-favourable,
    /// +15 points); sign claims keep their sign; the reference marks exactly
    /// that claim as failing; Barometer's share claims are unchanged.
    @Test func perturbedTwinMovesExactlyOneClaim() throws {
        let ref = try Self.reference()
        let a = try #require(ref.datasets["kz2019-synthetic"]), b = try #require(ref.datasets["kz2019-synthetic-perturbed"])
        let file = try ClaimFileLoader.load(Fixture.path(a.claims))
        var changed: [String] = []
        for c in file.claims {
            guard let x = a.figures[c.id]?.value, let y = b.figures[c.id]?.value else { continue }
            if c.verdict == .sign { #expect((x > 0) == (y > 0), "\(c.id) changed sign") }
            else if !close(x, y, rel: 1e-12) { changed.append(c.id) }
        }
        let target = "ponars658.p4.us-favorable-given-russia-favorable"
        #expect(changed == [target])
        let moved = try #require(b.figures[target]?.value) - (try #require(a.figures[target]?.value))
        #expect(moved > 14 && moved < 16)
        #expect(a.failingClaims.isEmpty && b.failingClaims == [target])
        // Barometer on the twin: exactly the moved claim fails (ClaimEngineAdapterTests checks its value).
        let (_, report, _) = try Self.run("kz2019-synthetic-perturbed")
        #expect(report.claims(.fail).map(\.id) == [target])
    }

    /// A researcher's file with other names and codes gives the same figures
    /// through a mapping.
    @Test func mappingReproducesFiguresOnRenamedData() throws {
        let ref = try #require(try Self.reference().datasets["kz2019-synthetic"])
        let data = try DatasetLoader.load(Fixture.path(ref.csv), codebook: Fixture.path(ref.codebook))
        // The "researcher's" file: q_russia_opinion renamed RU_OPN with codes reversed (1..4 -> 4..1) and DK/RF as 98/99.
        var renamed: [Variable] = []
        let recode: [Double: Double] = [1: 4, 2: 3, 3: 2, 4: 1, 8: 98, 9: 99]
        for v in data.variables {
            if v.name == "q_russia_opinion" {
                renamed.append(Variable(name: "RU_OPN", label: v.label, level: v.level,
                                        values: v.values.map { $0.isNaN ? $0 : (recode[$0] ?? $0) },
                                        missing: MissingValues(codes: [98, 99])))
            } else if v.name == "wt" {
                renamed.append(Variable(name: "WEIGHT", values: v.values))
            } else { renamed.append(v) }
        }
        let theirs = try Dataset(variables: renamed)
        let mapping = ClaimMapping(claims: "ponars-658", weight: "WEIGHT", variables: [
            "q_russia_opinion": .init(name: "RU_OPN", codes: ["1": .init([4]), "2": .init([3]), "3": .init([2]), "4": .init([1]),
                                                              "8": .init([98]), "9": .init([99])])])
        let file = try ClaimFileLoader.load(Fixture.path(ref.claims)).applying(mapping)
        let report = try ClaimEvaluator(design: SurveyDesign(data: theirs, weight: mapping.weight)).evaluate(file)
        for id in ["ponars658.t1.russia-opinion.very-favorable", "ponars658.t1.russia-opinion.dk-na",
                   "ponars658.p2.russia-favorable", "ponars658.p7.russia-favorable-89"] {
            let e = try #require(report.evaluation(id))
            #expect(e.status == .pass, "\(id): \(e.detail)")
            #expect(close(try #require(e.estimate?.value), try #require(ref.figures[id]?.value), rel: 1e-10))
        }
    }

    /// The confidence-interval rule: pass when the estimate's 95% CI meets
    /// the published figure's interval, fail when it misses it.
    @Test func confidenceIntervalRule() throws {
        let ref = try #require(try Self.reference().datasets["kz2020-synthetic"])
        let data = try DatasetLoader.load(Fixture.path(ref.csv), codebook: Fixture.path(ref.codebook))
        let file = try ClaimFileLoader.load(Fixture.path(ref.claims))
        let ev = ClaimEvaluator(design: try SurveyDesign(data: data))
        var claim = try #require(file.claim("odr2020.model.us"))
        claim.verdict = .confidenceInterval
        let ok = ev.evaluate(claim)
        let ci = try #require(ok.estimate?.confidenceInterval)
        #expect(ok.status == .pass && ci.lower < 3.85 && ci.upper > 3.95)
        #expect(close(ci.lower, try #require(ref.figures["odr2020.model.us"]?.ciLower), rel: 1e-10))
        claim.figure = PublishedFigure(value: 6.5, rounding: .oneDecimal)   // outside [ci.lower, ci.upper]
        #expect(ci.upper < 6.45)
        #expect(ev.evaluate(claim).status == .fail)
    }

    /// Engines plug in by kind; a failing engine yields `error`, never a pass;
    /// an unknown variable is reported, not trapped.
    @Test func enginesPlugInAndErrorsAreReported() throws {
        struct Broken: ClaimEngine {
            var name: String { "broken" }
            var kinds: Set<ClaimComputation.Kind> { [.conditionalShare] }
            func estimate(_ c: ClaimComputation, in d: SurveyDesign) throws(BarometerError) -> ClaimEstimate {
                throw .insufficientData("engine not wired")
            }
        }
        let data = try Dataset(variables: [Variable(name: "x", values: [1, 2, 8, 1]), Variable(name: "w", values: [1, 1, 1, 1])],
                               weightVariable: "w")
        let ev = ClaimEvaluator(design: try SurveyDesign(data: data), engines: ClaimEvaluator.defaultEngines + [Broken()])
        let loc = ClaimLocation(memo: "m", part: "p")
        let cond = Claim(id: "c", location: loc, statement: "s", figure: PublishedFigure(value: 50),
                         computation: ClaimComputation(kind: .conditionalShare, variable: "x", codes: [1],
                                                       given: ClaimSelection(variable: "x", codes: [1, 2])),
                         verdict: .roundingInterval)
        #expect(ev.evaluate(cond).status == .error)
        let missing = Claim(id: "m", location: loc, statement: "s", figure: PublishedFigure(value: 50),
                            computation: ClaimComputation(kind: .marginalShare, variable: "nope", codes: [1]),
                            verdict: .roundingInterval)
        let e = ev.evaluate(missing)
        #expect(e.status == .error && e.detail.contains("unknown variable 'nope'"))
    }
}
