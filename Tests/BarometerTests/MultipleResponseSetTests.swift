import Barometer
import Foundation
import Testing

/// MultipleResponseSet against a pandas computation (stacked columns).
@Suite struct MultipleResponseSetTests {
    struct Row: Decodable { let code: String; let n: Int; let w: Double; let pctResponses: Double
        let pctCases: Double; let pctSubset: Double? }
    struct Set_: Decodable { let rows: [Row]; let responseCount: Int; let responseWeighted: Double
        let caseCount: Int; let caseWeighted: Double; let subsetWeighted: Double }
    struct Ref: Decodable { let mrsets: [String: Set_] }
    let ref: Ref
    init() throws { ref = try Fixture.decode(Ref.self, "Fixtures/reference/crosstab/reference.json") }

    func check(_ m: MultipleResponseSet, _ e: Set_) {
        #expect(m.responseCount == e.responseCount && m.caseCount == e.caseCount)
        #expect(close(m.responseWeighted, e.responseWeighted, rel: 1e-12))
        #expect(close(m.caseWeighted, e.caseWeighted, rel: 1e-12))
        #expect(close(m.subsetWeighted, e.subsetWeighted, rel: 1e-12))
        let byCode = Dictionary(uniqueKeysWithValues: e.rows.map { ($0.code, $0) })
        for r in m.rows {
            let k = CrosstabFixture.key(r.category)
            guard let x = byCode[k] else { #expect(r.count == 0, "\(k) not in reference"); continue }
            #expect(r.count == x.n, "\(k)")
            #expect(close(r.weightedCount, x.w, rel: 1e-12), "\(k)")
            #expect(close(r.percentOfResponses, x.pctResponses, rel: 1e-10), "\(k)")
            #expect(close(r.percentOfCases, x.pctCases, rel: 1e-10), "\(k)")
            if let s = x.pctSubset { #expect(close(r.percentOfSubset ?? .nan, s, rel: 1e-10), "\(k)") }
            else { #expect(r.percentOfSubset == nil, "\(k)") }
        }
        #expect(m.rows.filter { $0.count > 0 }.count == e.rows.count)
    }

    @Test func reasonsLikeTable2() throws {
        let d = try CrosstabFixture.design("survey_weighted")
        let m = try MultipleResponseSet(d, variables: ["reason1", "reason2"], excluding: [99])
        check(m, try #require(ref.mrsets["reasons_w_ex99"]))
        // "Do not know / no answer" (user-missing 98) is its own labelled response row.
        let dk = try #require(m.rows.first { $0.category.code == 98 })
        #expect(dk.category.status == .userMissing && dk.category.label == "Do not know / no answer")
        let sumSubset = m.rows.compactMap(\.percentOfSubset).reduce(0, +)
        #expect(close(sumSubset, 100, rel: 1e-12))
    }

    @Test func reasonsAmongFavourableExcludingVagueAndDK() throws {
        let d = try CrosstabFixture.design("survey_weighted")
        let dom = try d.domain("rus", in: [1, 2])
        let m = try MultipleResponseSet(d, variables: ["reason1", "reason2"], excluding: [98, 99], domain: dom)
        check(m, try #require(ref.mrsets["reasons_w_ex99_rus12"]))
        #expect(m.base.description.contains("rus in {Very favorable, Somewhat favorable}"))
    }

    @Test func extendedMissingIsNoMention() throws {
        let a = try #require(ExtendedMissing.value(for: "a")), b = try #require(ExtendedMissing.value(for: "b"))
        let r1 = Variable(name: "r1", values: [1, 2, a, .nan])
        let r2 = Variable(name: "r2", values: [b, .nan, 1, .nan])
        let d = SurveyDesign.unweighted(try Dataset(variables: [r1, r2]))
        let m = try MultipleResponseSet(d, variables: ["r1", "r2"])
        #expect(m.rows.map(\.category.code) == [1, 2])
        #expect(m.rows.map(\.count) == [2, 1])
        #expect(m.responseCount == 3 && m.caseCount == 3)
    }

    @Test func errors() throws {
        let d = try CrosstabFixture.design("survey_weighted")
        #expect(throws: BarometerError.self) { try MultipleResponseSet(d, variables: []) }
        #expect(throws: BarometerError.self) { try MultipleResponseSet(d, variables: ["reason1", "nosuch"]) }
        let nobody = try d.domain("region", in: [7])
        #expect(throws: BarometerError.self) { try MultipleResponseSet(d, variables: ["reason1"], domain: nobody) }
    }
}
