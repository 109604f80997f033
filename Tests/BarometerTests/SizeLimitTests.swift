@testable import Barometer
import BarometerIO
import Foundation
import Testing

/// Per-command limits (issue 16, "resource bounds"): `freq` of a variable
/// with more than 10,000 distinct values works and warns (stderr, JSON
/// `warnings`) naming the variable and the count; a cross-tabulation (crosstab,
/// partial crosstab, banner table) beyond 10⁶ cells is a typed error naming
/// the variables and the limit, raised before the cells are allocated.
@Suite struct SizeLimitTests {
    /// `x` with `distinct` distinct values (0, 1, …), `y` with `y` distinct values.
    static func data(rows: Int, xDistinct: Int, yDistinct: Int) throws -> Dataset {
        try Dataset(variables: [
            Variable(name: "x", values: (0..<rows).map { Double($0 % xDistinct) }),
            Variable(name: "y", values: (0..<rows).map { Double($0 % yDistinct) }),
        ])
    }

    static func temporaryCSV(_ data: Dataset) throws -> (dir: URL, path: String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-limits-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let path = dir.appendingPathComponent("d.csv").path
        var text = data.variableNames.joined(separator: ",") + "\n"
        for i in 0..<data.rowCount { text += data.variables.map { Variable.formatCode($0.values[i]) }.joined(separator: ",") + "\n" }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return (dir, path)
    }

    @Test func freqWithManyDistinctValuesWarnsNamingVariableAndCount() throws {
        let n = FrequencyTable.categoryWarningThreshold + 1
        let design = try SurveyDesign(data: try Self.data(rows: n, xDistinct: n, yDistinct: 3))
        let many = try FrequencyTable(design, variable: "x")
        #expect(many.rows.count == n)     // the table is still made
        let w = try #require(many.warnings)
        #expect(w.count == 1 && w[0].contains("'x'") && w[0].contains("\(n) distinct values") && w[0].contains("10000"))
        #expect(many.textTable.notes.contains { $0.contains("\(n) distinct values") })
        let few = try FrequencyTable(design, variable: "y")
        #expect(few.warnings == nil)
        // JSON gains "warnings" only when there are some.
        #expect(try OutputFormat.renderJSON(many).contains("\"warnings\""))
        #expect(try !OutputFormat.renderJSON(few).contains("\"warnings\""))
        // Exactly at the threshold: no warning.
        let at = FrequencyTable.categoryWarningThreshold
        #expect(try FrequencyTable(SurveyDesign(data: try Self.data(rows: at, xDistinct: at, yDistinct: 2)), variable: "x").warnings == nil)
    }

    @Test func freqWarningReachesStderrAndJSONThroughTheCLI() throws {
        let n = FrequencyTable.categoryWarningThreshold + 5
        let (dir, path) = try Self.temporaryCSV(try Self.data(rows: n, xDistinct: n, yDistinct: 2))
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["freq", path, "x", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("warning:") && r.stderr.contains("'x'") && r.stderr.contains("\(n) distinct values"), "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect((json["warnings"] as? [String])?.first?.contains("'x'") == true)
        #expect((json["rows"] as? [Any])?.count == n)
    }

    @Test func crosstabBeyondTheCellLimitIsATypedErrorBeforeAllocation() throws {
        // 2000 × 600 = 1,200,000 cells > 10⁶.
        let design = try SurveyDesign(data: try Self.data(rows: 2000, xDistinct: 2000, yDistinct: 600))
        let expected = BarometerError.sizeLimitExceeded(
            what: "the cells of the table 'x' (2000 categories) × 'y' (600 categories) (recode into fewer categories)",
            size: 1_200_000, limit: ContingencyTable.maximumCells)
        #expect(throws: expected) { try ContingencyTable(design, rows: "x", columns: "y") }
        #expect(throws: expected) {
            try PartialResult.crosstab(design, rows: "x", columns: "y", layers: [], missing: .showMissing, display: nil, design: [:])
        }
        // Layers multiply: 2000 × 600 overflows nothing but 2000 × 2000 × 600 is reported whole.
        #expect(throws: BarometerError.self) { try ContingencyTable(design, rows: "y", columns: "x", layers: ["x"]) }
        // At the limit it is accepted (checked on the codings alone, no table built).
        let at = try Self.data(rows: 1000, xDistinct: 1000, yDistinct: 1000)
        let codings = at.variables.map { CategoryCoding($0) }
        try ContingencyTable.checkCells(["x", "y"], codings)
        #expect(ContingencyTable.maximumCells == 1_000_000)
        // A product that overflows Int is still the typed error, not a trap.
        let wide = Array(repeating: codings[0], count: 8)
        #expect(throws: BarometerError.self) { try ContingencyTable.checkCells((0..<8).map { "v\($0)" }, wide) }
    }

    @Test func crosstabLimitThroughTheCLINamesVariablesAndLimit() throws {
        let (dir, path) = try Self.temporaryCSV(try Self.data(rows: 2000, xDistinct: 2000, yDistinct: 600))
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["crosstab", path, "--rows", "x", "--cols", "y"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("'x' (2000 categories)") && r.stderr.contains("'y' (600 categories)")
                && r.stderr.contains("1200000") && r.stderr.contains("1000000"), "\(r.stderr)")
    }

    @Test func bannerTableBeyondTheCellLimitIsATypedError() throws {
        // Stub x: 2000 categories; banner y: 600 columns + Total = 601 columns → 1,202,000 cells.
        let design = try SurveyDesign(data: try Self.data(rows: 2000, xDistinct: 2000, yDistinct: 600))
        let spec = BannerSpecification(stubs: [.init(variable: "x")], banner: [.init(variable: "y")])
        #expect(throws: BarometerError.sizeLimitExceeded(
            what: "the cells of the banner table of 'x' (2000 categories) × 601 columns (recode into fewer categories)",
            size: 2000 * 601, limit: ContingencyTable.maximumCells)) {
            try BannerBook(design, specification: spec)
        }
    }

    /// "Did you mean" suggestions for an unknown variable compare names within
    /// a band (edit distance ≤ 2): the banded check agrees with the full
    /// Levenshtein table on random names, and an unknown 20,000-character name
    /// against 10 column names of the same length differing in their last three
    /// characters answers at once (the full tables would be 10 × 4·10⁸ cells).
    @Test func suggestionsAreBoundedByTheNameLengths() throws {
        func levenshtein(_ a: [Character], _ b: [Character]) -> Int {
            var d = (0...b.count).map { $0 }
            for i in 1...max(1, a.count) where !a.isEmpty {
                var diagonal = d[0]
                d[0] = i
                for j in stride(from: 1, through: b.count, by: 1) {
                    let up = d[j]
                    d[j] = min(d[j] + 1, d[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1))
                    diagonal = up
                }
            }
            return a.isEmpty ? b.count : d[b.count]
        }
        var state: UInt64 = 16
        func random(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(state >> 33) % n
        }
        var mismatches: [String] = []
        for _ in 0..<1000 {
            let a = (0..<random(9)).map { _ in Array("abc")[random(3)] }
            let b = (0..<random(9)).map { _ in Array("abc")[random(3)] }
            for k in 1...2 where Dataset.editDistance(String(a), String(b), atMost: k) != (levenshtein(a, b) <= k) {
                mismatches.append("\(String(a)) \(String(b)) k=\(k)")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        let long = String(repeating: "q", count: 20_000)
        let names = (0..<10).map { String(repeating: "q", count: 19_997) + "a" + String(format: "%02d", $0) }
        let data = try Dataset(variables: names.map { Variable(name: $0, values: [1]) } + [Variable(name: long + "x", values: [1])])
        let clock = ContinuousClock(), start = clock.now
        #expect(throws: BarometerError.unknownVariable(long, suggestions: [long + "x"])) { _ = try data.variable(long) }
        #expect(clock.now - start < .seconds(5))
    }
}
