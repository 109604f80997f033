import Foundation
import Testing
@testable import Barometer
@testable import BarometerIO
@testable import BarometerClaims
@testable import BarometerReports

/// Labels everywhere (issue 23, item 5): variable labels in titles, value labels in stubs and in
/// printed domains, the Likert legend per item, the memo's sentence in the reports. Every expected
/// label is read from the fixture codebook or claim file, not restated here.
@Suite struct LabelsTests {
    static let csv = "Fixtures/surveys/kz2019-synthetic.csv"
    static let codebook = "Fixtures/surveys/kz2019-synthetic.codebook.json"
    static func data() throws -> Dataset { try DatasetLoader.load(Fixture.path(csv), codebook: Fixture.path(codebook)) }

    @Test func domainsPrintWithValueLabels() throws {
        let data = try Self.data()
        let design = try SurveyDesign(data: data, weight: "wt")
        let lang = try #require(data["lang"]?.valueLabels[1]), wave = try #require(data["wave"]?.valueLabels[2019])
        let d = try design.domain("lang", in: [1]) && design.domain("wave", in: [2019])
        #expect(d.description == "lang = \(lang) and wave = \(wave)")
        let either = try (design.domain("lang", in: [1]) || design.domain("lang", in: [2])) && design.domain("wave", in: [2019])
        #expect(either.description.hasPrefix("(lang = \(lang) or lang = "))
        let labels = try #require(data["q_russia_opinion"]?.valueLabels)
        #expect(try design.domain("q_russia_opinion", in: [1, 2]).description == "q_russia_opinion in {\(labels[1]!), \(labels[2]!)}")
        // The domain reaches a table's base.
        let table = try FrequencyTable(design, variable: "q_russia_opinion", domain: d)
        #expect(table.base.contains("lang = \(lang) and wave = \(wave)"))
    }

    @Test func crosstabTitleAndStubUseLabels() throws {
        let data = try Self.data()
        let design = try SurveyDesign(data: data, weight: "wt")
        let t = try ContingencyTable(design, rows: "q_russia_opinion", columns: "lang")
        let rowLabel = try #require(data["q_russia_opinion"]?.label), colLabel = try #require(data["lang"]?.label)
        let text = t.textTable
        #expect(text.title == "\(rowLabel) (q_russia_opinion) × \(colLabel) (lang)")
        #expect(text.headers.first == rowLabel)
        let values = try #require(data["q_russia_opinion"]?.valueLabels)
        #expect(Set(text.rows.map { $0[0] }).isSuperset(of: [values[1]!, values[4]!, values[8]!]))
        #expect(Set(text.headers).isSuperset(of: (data["lang"]?.valueLabels.values).map(Array.init) ?? []))
    }

    @Test func reportsCarryStatementsAndPerItemLegends() throws {
        let report = try ReplicationReportTests.report("kz2019-synthetic")
        let html = report.html, md = report.markdown
        for claim in report.claims.claims.prefix(60) {
            #expect(md.contains(claim.statement.replacingOccurrences(of: "|", with: "\\|")) || md.contains(claim.statement), "\(claim.id)")
            #expect(html.contains(XMLText.escape(claim.statement)), "\(claim.id)")
        }
        // The Likert legend per item: each question's own answer labels (from the codebook).
        let questions = report.likertQuestions
        #expect(Set(questions.map(\.categories)).count > 1)
        let svg = LikertChart(title: "t", questions: questions, caption: "c").svg
        for q in questions {
            for c in q.categories { #expect(svg.contains(">\(XMLText.escape(c))</text>"), "\(q.title): \(c)") }
        }
        // One shared legend when the items share their labels.
        let same = [LikertChart.Question(title: "a", categories: ["A1", "A2", "A3", "A4"], rows: []),
                    LikertChart.Question(title: "b", categories: ["A1", "A2", "A3", "A4"], rows: [])]
        #expect(LikertChart(title: "t", questions: same, caption: "c").svg.components(separatedBy: ">A1</text>").count == 2)
    }
}
