import Barometer
import BarometerIO
import Foundation
import Testing

/// Weighted one-way frequencies against pandas and R survey
/// (Fixtures/reference/frequencies/make_weighted_dk.{py,R}).
@Suite struct FrequencyTableTests {
    struct PandasRef: Decodable {
        struct Row: Decodable {
            let code: Double?, status: String, count: Int, weighted: Double, percent: Double
            let validPercent: Double?, cumulativePercent: Double?
        }
        struct Table: Decodable {
            let rows: [Row], totalCount: Int, totalWeighted: Double, validCount: Int
            let validWeighted: Double, kishEffectiveSize: Double
        }
        let tables: [String: Table]
    }
    struct RRef: Decodable {
        let opinion_weighted: [String: Double], opinion_valid_share: [String: Double], region_weighted: [String: Double]
    }

    static let dir = "Fixtures/reference/frequencies/"
    let design: SurveyDesign
    let pandas: PandasRef
    let r: RRef

    init() throws {
        let data = try DatasetLoader.load(Fixture.path(Self.dir + "weighted-dk.csv"),
                                          codebook: Fixture.path(Self.dir + "weighted-dk.codebook.json"))
        design = try SurveyDesign(data: data)
        pandas = try Fixture.decode(PandasRef.self, Self.dir + "expected-pandas.json")
        r = try Fixture.decode(RRef.self, Self.dir + "expected-r-survey.json")
    }

    func check(_ t: FrequencyTable, against ref: PandasRef.Table) {
        #expect(t.rows.count == ref.rows.count)
        for (row, e) in zip(t.rows, ref.rows) {
            #expect(row.category.code == e.code)
            #expect(row.category.status.rawValue == e.status)
            #expect(row.count == e.count)
            #expect(close(row.weightedCount, e.weighted), "\(row.category.label): \(row.weightedCount) vs \(e.weighted)")
            #expect(close(row.percent, e.percent))
            #expect((row.validPercent == nil) == (e.validPercent == nil))
            if let v = row.validPercent, let ev = e.validPercent { #expect(close(v, ev)) }
            if let c = row.cumulativePercent, let ec = e.cumulativePercent { #expect(close(c, ec)) }
        }
        #expect(t.totalCount == ref.totalCount)
        #expect(close(t.totalWeighted, ref.totalWeighted))
        #expect(t.validCount == ref.validCount)
        #expect(close(t.validWeighted, ref.validWeighted))
        #expect(close(t.effectiveSize, ref.kishEffectiveSize))
    }

    @Test func weightedFrequenciesWithDontKnowMatchPandas() throws {
        let t = try FrequencyTable(design, variable: "opinion")
        check(t, against: try #require(pandas.tables["opinion"]))
        // Don't know and Refused are their own labelled rows, distinct from system-missing.
        #expect(t.rows.map(\.category.label).suffix(3) == ["Don't know", "Refused", "System missing"])
        #expect(t.weight == "wt")
    }

    @Test func labelledUnobservedCodeAppearsWithZeroCount() throws {
        let t = try FrequencyTable(design, variable: "region")
        check(t, against: try #require(pandas.tables["region"]))
        #expect(t.rows.last?.category.label == "Capital")
    }

    @Test func domainIsTheBase() throws {
        let d = try design.domain("region", in: [1, 3])
        let t = try FrequencyTable(design, variable: "opinion", domain: d)
        check(t, against: try #require(pandas.tables["opinion|region in {1,3}"]))
        #expect(t.base.contains("region in {North, East}"))
    }

    @Test func matchesRSurveySvytableAndSvymean() throws {
        let t = try FrequencyTable(design, variable: "opinion")
        for row in t.rows {
            guard let code = row.category.code else { continue }
            let key = Variable.formatCode(code)
            #expect(close(row.weightedCount, try #require(r.opinion_weighted[key]), rel: 1e-12))
            if let vp = row.validPercent {
                #expect(close(vp / 100, try #require(r.opinion_valid_share[key]), rel: 1e-12))
            }
        }
        let region = try FrequencyTable(design, variable: "region")
        for row in region.rows where row.count > 0 {
            let key = Variable.formatCode(try #require(row.category.code))
            #expect(close(row.weightedCount, try #require(r.region_weighted[key]), rel: 1e-12))
        }
    }

    @Test func excludingMissingMakesValidAnswersTheBase() throws {
        let t = try FrequencyTable(design, variable: "opinion", missing: .excludeMissing)
        let ref = try #require(pandas.tables["opinion"])
        #expect(t.rows.allSatisfy { $0.category.status == .valid })
        #expect(close(t.totalWeighted, ref.validWeighted))
        for (row, e) in zip(t.rows, ref.rows) {
            #expect(close(row.percent, try #require(e.validPercent)))
        }
    }

    @Test func emptyDomainIsATypedError() throws {
        let d = try design.domain("region", in: [5])
        #expect(throws: BarometerError.self) { try FrequencyTable(design, variable: "opinion", domain: d) }
    }
}
