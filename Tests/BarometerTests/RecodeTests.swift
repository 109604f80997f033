import Barometer
import BarometerIO
import Foundation
import Testing

/// Recoded and computed variables (issue 23, item 6): `RecodeSpec`, `SurveyDesign.recoding` /
/// `updating` / `computing`, the CLI's `--recode` / `--recode-file`. References:
/// `Fixtures/reference/recode/` (R `cut` + survey `svytotal`/`svyby`, pandas `pd.cut`).
@Suite struct RecodeTests {
    static let api = "Fixtures/reference/design/apistrat.csv"
    static let bands = #"api00: lo-499=1 "low", 500-699=2 "mid", 700-hi=3 "high" -> band "API 2000 band""#

    struct Expected: Decodable {
        let bands: [Int]
        let weightedCounts: [Double]
        let meanAPI99: [Double]
        let meanAPI99SE: [Double]
    }
    struct Pandas: Decodable { let bands: [Int]; let weightedCounts: [Double] }

    static func design() throws -> SurveyDesign {
        try SurveyDesign(data: DatasetLoader.load(Fixture.path(api)), weight: "pw", strata: "stype", fpc: "fpc")
    }

    @Test func bandsEqualRCutAndPandasCut() throws {
        let r = try Fixture.decode(Expected.self, "Fixtures/reference/recode/expected.json")
        let pandas = try Fixture.decode(Pandas.self, "Fixtures/reference/recode/pandas.json")
        let design = try Self.design().recoding(try RecodeSpec(parsing: Self.bands))
        let band = try design.variable("band")
        #expect(band.values.map { Int($0) } == r.bands)
        #expect(band.values.map { Int($0) } == pandas.bands)
        #expect(band.valueLabels == [1: "low", 2: "mid", 3: "high"])
        #expect(band.label == "API 2000 band")
        let table = try FrequencyTable(design, variable: "band")
        for (k, row) in table.rows.enumerated() {
            #expect(close(row.weightedCount, r.weightedCounts[k], rel: 1e-10))
            #expect(close(row.weightedCount, pandas.weightedCounts[k], rel: 1e-10))
        }
        #expect(table.rows.map(\.category.label) == ["low", "mid", "high"])
    }

    @Test func recodedVariableIsEstimatedUnderTheSameDesign() throws {
        let r = try Fixture.decode(Expected.self, "Fixtures/reference/recode/expected.json")
        let design = try Self.design().recoding("api00", into: "band",
                                                [.init([.range(lower: nil, upper: 499)], to: 1, label: "low"),
                                                 .init([.range(lower: 500, upper: 699)], to: 2, label: "mid"),
                                                 .init([.range(lower: 700, upper: nil)], to: 3, label: "high")])
        let g = try design.mean("api99", by: ["band"])
        #expect(g.groups.map(\.label) == ["band = low", "band = mid", "band = high"])
        for (k, group) in g.groups.enumerated() {
            let e = try #require(group.estimate)
            #expect(close(e.estimate, r.meanAPI99[k], rel: 1e-10))
            #expect(close(e.standardError, r.meanAPI99SE[k], rel: 1e-10))
        }
    }

    @Test func cliRecodeOnEstimatingCommands() throws {
        let r = try Fixture.decode(Expected.self, "Fixtures/reference/recode/expected.json")
        let mean = try CLI.run(["mean", Self.api, "api99", "--weight", "pw", "--strata", "stype", "--fpc", "fpc",
                                "--by", "band", "--recode", Self.bands, "--format", "json"])
        #expect(mean.status == 0, "\(mean.stderr)")
        let j = try JSONSerialization.jsonObject(with: Data(mean.stdout.utf8)) as? [String: Any]
        let result = (j?["result"] as? [[String: Any]])?.first ?? j ?? [:]
        let groups = try #require(result["groups"] as? [[String: Any]])
        #expect(groups.compactMap { $0["label"] as? String } == ["band = low", "band = mid", "band = high"])
        for (k, g) in groups.enumerated() {
            let e = try #require(g["estimate"] as? [String: Any])
            #expect(close(try #require(e["standardError"] as? Double), r.meanAPI99SE[k], rel: 1e-10))
        }
        // freq, crosstab, share take it too (one shared option group); a recode file gives the same.
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("recode-\(getpid()).txt")
        try ("# API bands\n" + Self.bands + "\n").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        for args in [["freq", Self.api, "band", "--weight", "pw"],
                     ["crosstab", Self.api, "--rows", "band", "--cols", "stype", "--weight", "pw"],
                     ["share", Self.api, "--of", "band in 3", "--weight", "pw"]] {
            let a = try CLI.run(args + ["--recode", Self.bands, "--format", "csv"])
            let b = try CLI.run(args + ["--recode-file", file.path, "--format", "csv"])
            #expect(a.status == 0, "\(args[0]): \(a.stderr)")
            #expect(a.stdout == b.stdout)
        }
        let freq = try CLI.run(["freq", Self.api, "band", "--weight", "pw", "--recode", Self.bands])
        #expect(freq.stdout.contains("API 2000 band"))
        #expect(freq.stdout.contains("high"))
    }

    @Test func errorsPointAtTheToken() throws {
        func failure(_ text: String) -> (offset: Int, token: String, reason: String)? {
            do { _ = try RecodeSpec(parsing: text); return nil } catch {
                if case .invalidExpression(_, let o, let t, let r) = error { return (o, t, r) }
                return nil
            }
        }
        #expect(failure("age: 18-29=1, 30-44=x")?.offset == 20)
        #expect(failure("age: 18-29=1, 30-44=x")?.token == "x")
        #expect(failure("age 18-29=1")?.token == "18")
        #expect(failure("age: 29-18=1")?.token == "18")
        #expect(failure("age: 29-18=1")?.reason.contains("empty range") == true)
        #expect(failure("age: 18-29=1 -> ")?.token == "")
        #expect(failure("age: else=1, 2=3")?.token == "2")
        #expect(failure(#"age: 1=2 "two"#)?.token == "\"")
        let cli = try CLI.run(["freq", Self.api, "band", "--recode", "api00: lo-499=1, 500-699 2 -> band"])
        #expect(cli.status == 1)
        #expect(cli.stderr.contains("column 28 ('->'): expected '='"), "\(cli.stderr)")
        #expect(cli.stderr.contains("^"))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("recode-bad-\(getpid()).txt")
        try "# ok\napi00: 1=2 -> a\napi00: 1=\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let bad = try CLI.run(["freq", Self.api, "a", "--recode-file", file.path])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("line 3"), "\(bad.stderr)")
    }

    /// Hand-checkable: user-missing codes survive unless named, system-missing stays, ranges and
    /// `else` never select user-missing codes, first rule wins.
    @Test func missingValuesFollowTheDocumentedRules() throws {
        let q = Variable(name: "q", label: "Opinion", level: .ordinal, values: [1, 2, 3, 4, 8, 9, .nan, 5],
                         valueLabels: [1: "Very favorable", 2: "Somewhat favorable", 8: "Don't know", 9: "Refused"],
                         missing: MissingValues(codes: [8, 9]))
        let a = try RecodeSpec(parsing: #"q: 1 2=1 "Favourable", 1-10=2 "Other" -> qfav"#).apply(to: q)
        // 8 and 9 are user-missing: the range 1-10 does not select them; they keep code, label, status.
        #expect(a.values[0..<6].map { $0 } == [1, 1, 2, 2, 8, 9])
        #expect(a.values[6].isNaN)
        #expect(a.values[7] == 2)
        #expect(a.valueLabels == [1: "Favourable", 2: "Other", 8: "Don't know", 9: "Refused"])
        #expect(a.missing.contains(8) && a.missing.contains(9) && !a.missing.contains(2))
        // Named explicitly, user-missing codes are recoded; `missing` marks the new code; else=copy keeps labels.
        let b = try RecodeSpec(parsing: #"q: 8 9 sysmis=9 "No answer" missing, 1=5, else=copy -> q2"#).apply(to: q)
        #expect(b.values.map { $0 } == [5, 2, 3, 4, 9, 9, 9, 5])
        #expect(b.missing.contains(9))
        #expect(b.valueLabels[2] == "Somewhat favorable" && b.valueLabels[9] == "No answer")
        // Default else: system-missing.
        let c = try RecodeSpec(parsing: "q: 1=1").apply(to: q)
        #expect(c.values[0] == 1 && c.values[1].isNaN && c.values[4] == 8)
    }

    @Test func printedSpecParsesBack() throws {
        for text in [Self.bands, #"q: 8 9 sysmis=9 "No ""answer""" missing, -5--1=0, 1 2=sysmis, else=7 "seven" -> `my var`"#,
                     "x: lo thru 3=1, else=copy", "x: 1e3-hi=2",
                     // Found by `make fuzz` (Fixtures/fuzz/recode/crash-8be19…): `else` alone printed no rule.
                     "x:  else=sysmis ->abl"] {
            let spec = try RecodeSpec(parsing: text)
            #expect(try RecodeSpec(parsing: spec.description) == spec, "\(spec.description)")
            let data = try JSONEncoder().encode(spec)
            #expect(try JSONDecoder().decode(RecodeSpec.self, from: data) == spec)
        }
        #expect(try RecodeSpec(parsing: "x: -5--1=0").rules[0].items == [.range(lower: -5, upper: -1)])
        #expect(try RecodeSpec(parsing: "x: 1 -2=0").rules[0].items == [.value(1), .value(-2)])
        #expect(try RecodeSpec(parsing: Self.bands).variablesRead == ["api00"])
    }

    @Test func updatingKeepsTheDesignAndGuardsWeights() throws {
        let design = try Self.design()
        let computed = try design.computing("gain", label: "API gain", from: ["api00", "api99"]) { $0[0] - $0[1] }
        let direct = try design.mean(["api00"]).estimates[0].estimate - design.mean(["api99"]).estimates[0].estimate
        #expect(close(try computed.mean(["gain"]).estimates[0].estimate, direct, rel: 1e-12))
        #expect(computed.degreesOfFreedom == design.degreesOfFreedom)
        #expect(computed.varianceDescription == design.varianceDescription)
        #expect(throws: BarometerError.self) { try design.updating(adding: Variable(name: "pw", values: [Double](repeating: 1, count: design.rowCount))) }
        #expect(throws: BarometerError.self) { try design.updating(adding: Variable(name: "short", values: [1, 2])) }
    }
}
