import Barometer
import BarometerClaims
import BarometerIO
import Foundation
import Testing

/// The `group-difference` claim kind and its `difference` / `equivalence`
/// verdicts, on the SYNTHETIC fixture, against R survey
/// (`Fixtures/reference/claims/make_group_difference.R`: svyby + svycontrast,
/// TOST from the 90% CI).
@Suite struct GroupDifferenceClaimTests {
    struct Ref: Decodable {
        let id: String, estimate: Double, se: Double, df: Int, p: Double, lower: Double, upper: Double
        let lower90: Double, upper90: Double, margin: Double, tostP: Double, verdict: String, n: Int, weightedBase: Double
    }
    static let file = "Fixtures/memos/ponars-658-language.claims.json"

    func design() throws -> SurveyDesign {
        try SurveyDesign(data: DatasetLoader.load(Fixture.path("Fixtures/surveys/kz2019-synthetic.csv"),
                                                   codebook: Fixture.path("Fixtures/surveys/kz2019-synthetic.codebook.json")))
    }

    @Test func languageComparisonRecomputedEqualsRSurvey() throws {
        let ref = try Fixture.decode(Ref.self, "Fixtures/reference/claims/group-difference.json")
        let file = try ClaimFileLoader.load(Fixture.path(Self.file))
        let report = try ClaimEvaluator(design: design()).evaluate(file)
        let e = try #require(report.evaluation(ref.id))
        let est = try #require(e.estimate, "\(e.detail)")
        #expect(close(est.value, ref.estimate, rel: 1e-10), "\(est.value) vs \(ref.estimate)")
        #expect(close(try #require(est.standardError), ref.se, rel: 1e-10))
        let ci = try #require(est.confidenceInterval)
        #expect(close(ci.lower, ref.lower, rel: 1e-10) && close(ci.upper, ref.upper, rel: 1e-10))
        #expect(est.degreesOfFreedom == ref.df)
        #expect(close(try #require(est.pValue), ref.p, rel: 1e-9))
        let wb = try #require(est.weightedBase)
        #expect(est.count == ref.n && close(wb, ref.weightedBase, rel: 1e-12))
        // the equivalence verdict: R's TOST says fail (90% CI [-6.64, -2.63] leaves ±5)
        #expect(e.status.rawValue == ref.verdict)
        #expect(e.detail.contains("90% CI [\(NumberFormat.fixed(ref.lower90, 2)), \(NumberFormat.fixed(ref.upper90, 2))]"), "\(e.detail)")
        #expect(e.detail.contains("TOST p = \(NumberFormat.fixed(ref.tostP, 4))"), "\(e.detail)")
        // through the CLI: a failing claim exits 1
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-groupdiff-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["verify", Fixture.path(Self.file), "--data", Fixture.path("Fixtures/surveys/kz2019-synthetic.csv"),
                             "--codebook", Fixture.path("Fixtures/surveys/kz2019-synthetic.codebook.json"), "--report-dir", dir.path])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stdout.contains(ref.id))
    }

    func claim(_ verdict: Claim.VerdictRule, margin: Double? = nil, sign: Claim.Sign? = nil,
               groups: [ClaimSelection] = [.init(variable: "lang", codes: [1]), .init(variable: "lang", codes: [2])],
               kind: ClaimComputation.Kind = .groupDifference) -> Claim {
        Claim(id: "t.lang", location: .init(memo: "m", part: "p"), statement: "s", figure: nil,
              computation: .init(kind: kind, variable: "q_russia_opinion", codes: [1, 2], base: .all, groups: groups),
              verdict: verdict, expectedSign: sign, margin: margin)
    }

    @Test func differenceAndEquivalenceVerdicts() throws {
        let ref = try Fixture.decode(Ref.self, "Fixtures/reference/claims/group-difference.json")
        let ev = ClaimEvaluator(design: try design())
        // the 95% CI [lower, upper] excludes 0 on the negative side
        #expect(ref.upper < 0)
        #expect(ev.evaluate(claim(.difference)).status == .pass)
        #expect(ev.evaluate(claim(.difference, sign: .negative)).status == .pass)
        #expect(ev.evaluate(claim(.difference, sign: .positive)).status == .fail)
        // a wider margin that holds the 90% CI passes; one inside it fails
        #expect(ev.evaluate(claim(.equivalence, margin: (-ref.lower90).rounded(.up) + 1)).status == .pass)
        #expect(ev.evaluate(claim(.equivalence, margin: (-ref.upper90).rounded(.down))).status == .fail)
        // overlapping groups are an error, not a number
        let overlap = ev.evaluate(claim(.difference, groups: [.init(variable: "lang", codes: [1, 2]), .init(variable: "lang", codes: [2])]))
        #expect(overlap.status == .error && overlap.detail.contains("overlap"))
        // a group without respondents is named
        let empty = ev.evaluate(claim(.difference, groups: [.init(variable: "lang", codes: [7]), .init(variable: "lang", codes: [2])]))
        #expect(empty.status == .error && empty.detail.contains("lang = 7"), "\(empty.detail)")
    }

    @Test func newFieldsAreValidatedWithTypedErrors() throws {
        func field(_ c: Claim) -> String? {
            do { try c.validate(); return nil } catch {
                guard case .invalidClaim(let id, let field, _) = error, id == "t.lang" else { return "other: \(error)" }
                return field
            }
        }
        #expect(field(claim(.equivalence, margin: 5)) == nil)
        #expect(field(claim(.difference)) == nil)
        #expect(field(claim(.equivalence)) == "margin")
        for bad in [0, -1, .nan, .infinity, 1e300, 101] { #expect(field(claim(.equivalence, margin: bad)) == "margin", "\(bad)") }
        #expect(field(claim(.confidenceInterval, margin: 5)) == "margin")
        #expect(field(claim(.equivalence, margin: 5, sign: .negative)) == "expectedSign")
        #expect(field(claim(.difference, kind: .marginalShare)) == "verdict")
        // the file route: a string margin is a decoding error naming the claim's place
        let text = try String(contentsOfFile: Fixture.path(Self.file), encoding: .utf8).replacingOccurrences(of: "\"margin\": 5", with: "\"margin\": \"five\"")
        do { _ = try ClaimFileLoader.decode(Data(text.utf8)); Issue.record("no error") } catch {
            #expect("\(error)".contains("margin"), "\(error)")
        }
    }
}
