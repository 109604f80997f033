import Barometer
import BarometerIO
import Foundation
import Testing

/// Stata extended missing values (.a–.z) become their own labelled rows in a
/// frequency table, distinct from each other and from plain system-missing;
/// the expected tags and labels are what R haven wrote
/// (Fixtures/reference/readstat/make_readstat.py → Fixtures/readstat/expected.json).
@Suite struct ExtendedMissingTableTests {
    struct Expected: Decodable {
        struct Var: Decodable {
            let name: String
            let values: [Double?]?
            let tags: [String?]?
            let extendedMissingLabels: [String: String]?
        }
        let files: [String: [Var]]
    }

    @Test func extendedMissingTagsAreSeparateRows() throws {
        let exp = try Fixture.decode(Expected.self, "Fixtures/readstat/expected.json")
        let q5 = try #require(exp.files["survey_tagged_labels.dta"]?.first { $0.name == "q5" })
        let tags = try #require(q5.tags)
        let values = try #require(q5.values)
        let data = try DatasetLoader.load(Fixture.path("Fixtures/readstat/survey_tagged_labels.dta"))
        let table = try FrequencyTable(SurveyDesign.unweighted(data), variable: "q5")
        var expectedCounts: [String: Int] = [:]
        for (v, t) in zip(values, tags) where v == nil { expectedCounts[t ?? "", default: 0] += 1 }
        for (tag, n) in expectedCounts {
            if tag.isEmpty {
                #expect(table.rows.first { $0.category.label == "System missing" }?.count == n)
            } else {
                let label = q5.extendedMissingLabels?[tag]
                let row = try #require(table.rows.first { $0.category.label.hasSuffix("(.\(tag))") || $0.category.label == "Missing .\(tag)" },
                                       "no row for .\(tag)")
                #expect(row.count == n)
                #expect(row.category.status == .systemMissing)
                if let label { #expect(row.category.label == "\(label) (.\(tag))") }
            }
        }
        // Valid percentages exclude every kind of missing.
        #expect(table.validCount == values.compactMap { $0 }.count)
    }
}
