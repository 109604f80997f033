import Barometer
import BarometerIO
import Foundation
import Testing

/// Every public result, test and table, `TextTable`, `Matrix`, `Dataset` and
/// `Codebook` survive `encode → decode` equal (issue 23), through the JSON
/// the CLI writes (`OutputFormat.renderJSON`), and the JSON of types that
/// were already encodable is unchanged apart from additions.
@Suite struct CodableRoundTripTests {
    let design: SurveyDesign
    init() throws {
        let data = try DatasetLoader.load(Fixture.path("Fixtures/reference/design/apistrat.csv"))
        design = try SurveyDesign(data: data, weight: "pw", strata: "stype", fpc: "fpc")
    }

    func roundTrip<T: Codable & Equatable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let json = try OutputFormat.renderJSON(value)
        let back = try OutputFormat.decodeJSON(T.self, from: json)
        #expect(back == value, "\(T.self) changed in a JSON round trip", sourceLocation: sourceLocation)
        #expect(try OutputFormat.renderJSON(back) == json, sourceLocation: sourceLocation)
    }

    @Test func resultsRoundTrip() throws {
        try roundTrip(try FrequencyTable(design, variable: "stype"))
        try roundTrip(try ConditionalShare(design, of: "sch_wide", in: [1], among: "stype", in: [1, 2]))
        try roundTrip(try ShareTable(design, of: "sch_wide", in: [1], by: "stype"))
        try roundTrip(try MultipleResponseSet(design, variables: ["sch_wide", "awards"], excluding: [0]))
        try roundTrip(try BannerTable(design, rows: ["stype"], columns: ["sch_wide", "awards"]))
        try roundTrip(try design.mean(["api00", "api99"]))
        try roundTrip(try Correlation.matrix(design, variables: ["api00", "api99", "enroll"]))
        let table = try ContingencyTable(design, rows: "stype", columns: "awards", missing: .excludeMissing)
        try roundTrip(try table.raoScott(design))
        try roundTrip(try table.adjustedWald(design))
        try roundTrip(try table.tests())
        try roundTrip(try table.association())
        try roundTrip(try table.statistics(design: design)[0])
        let twoByTwo = try ContingencyTable(design, rows: "sch_wide", columns: "awards", missing: .excludeMissing)
        try roundTrip(try twoByTwo.fisherExact())
        try roundTrip(table.textTable)
        let m = try Matrix(rowMajor: [[1, 2.5, 3], [4, 1e-300, -7]])
        try roundTrip(m)
        #expect(try OutputFormat.renderJSON(m).contains("\"values\""))
    }

    /// A contingency table's JSON carries every count but not the respondent indices:
    /// the decoded table prints the same and tests the same counts.
    @Test func contingencyTableRoundTripsItsPublishedContent() throws {
        let table = try ContingencyTable(design, rows: "stype", columns: "awards", layers: ["sch_wide"])
        let json = try OutputFormat.renderJSON(table)
        let back = try OutputFormat.decodeJSON(ContingencyTable.self, from: json)
        #expect(try OutputFormat.renderJSON(back) == json)
        #expect(back.layers == table.layers && back.layerCategories == table.layerCategories)
        #expect("\(back)" == "\(table)")
        #expect(try back.tests(layer: 1) == table.tests(layer: 1))
        #expect(back.rowIndex.isEmpty)
        #expect(throws: BarometerError.self) { try back.raoScott(design) }
    }

    /// A decoded share gives the same intervals for every method.
    @Test func decodedShareKeepsItsIntervals() throws {
        let share = try ConditionalShare(design, of: "sch_wide", in: [1], among: "stype", in: [1])
        let back = try OutputFormat.decodeJSON(ConditionalShare.self, from: try OutputFormat.renderJSON(share))
        for method in ProportionIntervalMethod.allCases {
            #expect(try back.interval(method) == share.interval(method))
        }
    }

    @Test func datasetRoundTripsValuesLabelsAndMissingTags() throws {
        var v = Variable(name: "q", label: "Opinion", level: .ordinal,
                         values: [1, 2, .nan, 8, try #require(ExtendedMissing.value(for: "a")), 2.5],
                         valueLabels: [1: "Yes", 2: "No", 8: "Don't know"], missing: MissingValues(codes: [8]),
                         format: "F1.0")
        v.extendedMissingLabels = ["a": "Refused"]
        let s = Variable(name: "city", strings: ["Almaty", "", "Astana", "x", "y", "z"])
        let w = Variable(name: "w", values: [1, 2, 3, 4, 5, 6])
        let data = try Dataset(variables: [v, s, w], weightVariable: "w")
        let back = try OutputFormat.decodeJSON(Dataset.self, from: try OutputFormat.renderJSON(data))
        #expect(back.variableNames == data.variableNames && back.weightVariable == "w")
        let q = try back.variable("q")
        #expect(q.values.map(\.bitPattern) == v.values.map(\.bitPattern))   // NaN payloads (.a) survive
        #expect(ExtendedMissing.tag(of: q.values[4]) == "a")
        #expect(q.valueLabels == v.valueLabels && q.missing == v.missing && q.label == v.label
                && q.level == .ordinal && q.format == "F1.0" && q.extendedMissingLabels == ["a": "Refused"])
        #expect(try back.variable("city").strings == s.strings)
    }

    @Test func codebookIsWritableAndReadsBackEqual() throws {
        let path = Fixture.path("Fixtures/surveys/kz2019-synthetic.codebook.json")
        let book = try Codebook.load(path: path)
        let again = try Codebook.decode(try book.jsonData())
        #expect(again == book)
        try roundTrip(book)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("codebook-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        try book.write(to: out)
        #expect(try Codebook.load(path: out) == book)
        // the codebook of a loaded dataset describes it
        let data = try DatasetLoader.load(Fixture.path("Fixtures/surveys/kz2019-synthetic.csv"), codebook: path)
        let derived = Codebook(dataset: data)
        for v in book.variables {
            let d = try #require(derived.variable(named: v.name))
            #expect(d.valueLabels == v.valueLabels && d.missing == v.missing && d.label == v.label)
        }
        #expect(derived.weight == book.weight)
    }

    /// JSON of types that were encodable before only gains fields.
    @Test func existingJSONOnlyGainsFields() throws {
        let share = try ConditionalShare(design, of: "sch_wide", in: [1], among: "stype", in: [1, 2])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(OutputFormat.renderJSON(share).utf8)) as? [String: Any])
        let before: Set<String> = ["variable", "codes", "among", "amongCodes", "denominator", "base", "weight",
                                   "numeratorCount", "numeratorWeighted", "denominatorCount", "denominatorWeighted",
                                   "estimate", "standardError", "designStandardError", "effectiveSize",
                                   "weightingDesignEffect", "degreesOfFreedom", "interval", "varianceDescription",
                                   "designEffectWithReplacement", "warnings"]
        #expect(before.isSubset(of: Set(object.keys)))
        #expect(Set(object.keys).subtracting(before).subtracting(["designEffectWithoutReplacement", "designEffectNote"]) == ["intervalInput"])
    }
}
