import Barometer
import BarometerIO
import Testing

/// A weighted frequency table of an SPSS fixture against pandas, computed on
/// its CSV twin (Fixtures/readstat/survey.csv; make_readstat.py), and against
/// the table Barometer makes from that CSV twin and its codebook.
@Suite struct ReadStatFrequencyTests {
    struct Ref: Decodable {
        struct Row: Decodable {
            let code: Double?, count: Int, weighted: Double, status: String
            let percent: Double, validPercent: Double?
        }
        let variable: String, weight: String
        let totalWeighted: Double, validWeighted: Double, effectiveSize: Double
        let rows: [Row]
    }

    @Test(arguments: ["survey.sav", "survey.zsav"])
    func weightedFrequencyMatchesPandas(file: String) throws {
        let ref = try Fixture.decode(Ref.self, "Fixtures/readstat/freq_q1_weighted.json")
        let data = try DatasetLoader.load(Fixture.path("Fixtures/readstat/\(file)"))
        let table = try FrequencyTable(SurveyDesign(data: data, weight: ref.weight), variable: ref.variable)
        #expect(table.rows.count == ref.rows.count)
        for (row, want) in zip(table.rows, ref.rows) {
            #expect(row.category.code == want.code)
            #expect(row.category.status.rawValue == want.status)
            #expect(row.count == want.count)
            #expect(close(row.weightedCount, want.weighted, rel: 1e-12))
            #expect(close(row.percent, want.percent, rel: 1e-12))
            #expect(row.validPercent == nil && want.validPercent == nil
                    || close(row.validPercent ?? .nan, want.validPercent ?? .nan, rel: 1e-12))
        }
        #expect(table.rows.first { $0.category.code == 8 }?.category.label == "Затрудняюсь ответить")
        #expect(close(table.totalWeighted, ref.totalWeighted, rel: 1e-12))
        #expect(close(table.validWeighted, ref.validWeighted, rel: 1e-12))
        #expect(close(table.effectiveSize, ref.effectiveSize, rel: 1e-12))
    }

    @Test(arguments: ["q1", "income"])
    func savAndCSVTwinGiveTheSameTable(variable: String) throws {
        let sav = try DatasetLoader.load(Fixture.path("Fixtures/readstat/survey.sav"))
        let csv = try DatasetLoader.load(Fixture.path("Fixtures/readstat/survey.csv"),
                                         codebook: Fixture.path("Fixtures/readstat/survey.codebook.json"))
        #expect(csv.weightVariable == "wt")
        for missing in [MissingInclusion.showMissing, .excludeMissing] {
            let a = try FrequencyTable(SurveyDesign(data: sav, weight: "wt"), variable: variable, missing: missing)
            let b = try FrequencyTable(SurveyDesign(data: csv), variable: variable, missing: missing)
            #expect(a == b, "\(variable) \(missing)")
        }
    }
}
