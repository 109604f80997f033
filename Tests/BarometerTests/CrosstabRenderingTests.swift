import Barometer
import BarometerIO
import Foundation
import Testing

/// The cross-tab results read from the CSV + codebook (the CLI's path)
/// equal those from the JSON twin, and every rendering states its base.
@Suite struct CrosstabRenderingTests {
    static func csvDesign() throws -> SurveyDesign {
        let data = try DatasetLoader.load(Fixture.path("Fixtures/reference/crosstab/survey_weighted.csv"),
                                          codebook: Fixture.path("Fixtures/reference/crosstab/survey_weighted.codebook.json"))
        return try SurveyDesign(data: data)
    }

    @Test func csvPathGivesTheSameTable() throws {
        let fromCSV = try ContingencyTable(Self.csvDesign(), rows: "rus", columns: "us", layers: ["region"])
        let fromJSON = try ContingencyTable(CrosstabFixture.design("survey_weighted"), rows: "rus", columns: "us", layers: ["region"])
        #expect(fromCSV.layers == fromJSON.layers)
        #expect(fromCSV.rowCategories == fromJSON.rowCategories)
        #expect(fromCSV.weight == "w")
    }

    @Test func jsonAndTextStateTheBase() throws {
        let d = try Self.csvDesign()
        let t = try ContingencyTable(d, rows: "rus", columns: "us", missing: .excludeMissing, display: .row)
        let json = try OutputFormat.renderJSON(t)
        #expect(json.contains("\"base\""))
        #expect(json.contains("valid answers to rus, us (listwise)"))
        #expect(json.contains("\"rowPercent\"") && json.contains("\"columnPercent\"") && json.contains("\"totalPercent\""))
        #expect(!json.contains("\"rowIndex\""))
        #expect(t.textTable.notes[0].contains("row %"))
        let s = try ConditionalShare(d, of: "us", in: [1, 2], among: "rus", in: [1, 2])
        let sj = try OutputFormat.renderJSON(s)
        #expect(sj.contains("valid answers to us within rus in {Very favorable, Somewhat favorable}"))
        #expect(sj.contains("\"effectiveSize\"") && sj.contains("\"weightingDesignEffect\"") && sj.contains("\"interval\""))
        #expect(s.textTable.notes.contains { $0.contains("SE (Kish) = √(p(1−p)/n_eff)") })
        let m = try MultipleResponseSet(d, variables: ["reason1", "reason2"], excluding: [99])
        #expect(m.textTable.notes.contains { $0.contains("re-percentaged over responses other than codes {99}") })
        #expect(try OutputFormat.renderJSON(m).contains("\"percentOfSubset\""))
    }
}
