import Foundation
import Testing
@testable import Barometer
@testable import BarometerIO
@testable import BarometerClaims
@testable import BarometerReports

/// Issue 16, item 3: messages that point at the place. Convention (README,
/// "Errors and exit codes"): "line N" is a physical line of a CSV file
/// (header = line 1); "data row N" is the N-th respondent (header not
/// counted), as engine errors on weights and design variables say.
@Suite struct ErrorPlacementTests {
    static let dir = "Fixtures/csv/errors/"

    @Test func headerOnlyCSVSaysNoDataRows() throws {
        for cmd in [["freq", Self.dir + "header-only.csv", "x"], ["mean", Self.dir + "header-only.csv", "x"]] {
            let r = try CLI.run(cmd)
            #expect(r.status == 1)
            #expect(r.stderr.contains("header-only.csv has a header (line 1) but no data rows"), "\(r.stderr)")
        }
    }

    @Test func nanInFirstRowOfWeightNamesTheRowAndValue() throws {
        let data = try DatasetLoader.load(Fixture.path(Self.dir + "nan-first-weight.csv"))
        #expect(throws: BarometerError.notNumericValue(variable: "w", row: 1, value: "nan")) { try SurveyDesign(data: data, weight: "w") }
        let r = try CLI.run(["freq", Self.dir + "nan-first-weight.csv", "x", "--weight", "w"])
        #expect(r.status == 1 && r.stderr.contains("'w'") && r.stderr.contains("data row 1") && r.stderr.contains("'nan'"), "\(r.stderr)")
    }

    @Test func allZeroWeightsInMeanNameTheVariable() throws {
        let r = try CLI.run(["mean", Self.dir + "zero-weights.csv", "x", "--weight", "w"])
        #expect(r.status == 1 && r.stderr.contains("'x'") && r.stderr.contains("zero total weight") && !r.stderr.contains("estimate 1"), "\(r.stderr)")
    }

    /// Weights count data rows and say so; CSV errors count lines.
    @Test func rowAndLineConvention() throws {
        let r = try CLI.run(["freq", Self.dir + "negative-weight.csv", "x", "--weight", "w"])
        #expect(r.stderr.contains("data row 2 (header not counted)"), "\(r.stderr)")
        let n = try CLI.run(["freq", Self.dir + "nul-in-string.csv", "s"])
        #expect(n.status == 1 && n.stderr.contains("line 2, column 2 ('s'): NUL byte"), "\(n.stderr)")
        #expect(throws: CSVError.nulByte(CSVPosition(line: 2, column: 2, name: "s"))) {
            try CSVReader.read(path: Fixture.path(Self.dir + "nul-in-string.csv"))
        }
    }

    @Test func malformedJSONGivesLineAndColumn() throws {
        #expect(throws: CodebookError.invalidJSON(at: "line 3, column 18", message: "unexpected ',' where a quoted key is expected")) {
            try Codebook.load(path: Fixture.path(Self.dir + "malformed.codebook.json"))
        }
        #expect(throws: BarometerError.invalidClaim(claim: "(file)", field: "(root)",
                                                    reason: "not valid JSON at line 4, column 3: expected ',' or '}', found '\"'")) {
            try ClaimFileLoader.load(Fixture.path("Fixtures/claims/invalid/malformed.claims.json"))
        }
    }

    /// The locator agrees with JSONSerialization on what is valid, on every
    /// committed JSON file and on truncations of one.
    @Test func jsonLocatorAgreesWithFoundation() throws {
        var files = try FileManager.default.subpathsOfDirectory(atPath: Fixture.path("Fixtures")).filter { $0.hasSuffix(".json") }
        files = Array(files.sorted().prefix(40))
        #expect(files.count > 5)
        for f in files {
            let d = try Data(contentsOf: Fixture.url("Fixtures/" + f))
            let valid = (try? JSONSerialization.jsonObject(with: d, options: [.fragmentsAllowed])) != nil
            #expect((JSONSyntax.firstError(in: d) == nil) == valid, "\(f)")
        }
        let d = try Data(contentsOf: Fixture.url("Fixtures/codebook.schema.json"))
        for cut in stride(from: 1, to: d.count - 1, by: max(1, d.count / 97)) {
            let p = d.prefix(cut)
            let valid = (try? JSONSerialization.jsonObject(with: p, options: [.fragmentsAllowed])) != nil
            #expect((JSONSyntax.firstError(in: p) == nil) == valid, "cut \(cut)")
        }
    }

    /// ReadStat messages that echo file bytes are sanitized; a parser's
    /// "write" error codes read as a malformed file.
    @Test func readStatMessagesAreSafeAndSayReading() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-rs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let dta = dir.appendingPathComponent("x.dta")
        try FileManager.default.copyItem(at: Fixture.url("Fixtures/fuzz/readstat/overread-dta-label-set-name.bin"), to: dta)
        let r = try CLI.run(["describe", dta.path])
        #expect(r.status == 1 && !r.stderr.contains("write failed") && r.stderr.contains("not a valid file"), "\(r.stderr)")
        let sav = dir.appendingPathComponent("x.sav")
        try FileManager.default.copyItem(at: Fixture.url("Fixtures/readstat/bad_random_magic.sav"), to: sav)
        let s = try CLI.run(["describe", sav.path])
        #expect(s.status == 1)
        #expect(s.stderr.unicodeScalars.allSatisfy { $0 == "\n" || (0x20...0x7E).contains($0.value) || $0 == "…" }, "\(s.stderr)")
        #expect(s.stderr.contains("\\x"), "\(s.stderr)")
        let bytes: [UInt8] = [0x41, 0x00, 0x1B, 0xFF, 0x42]
        #expect(bytes.withUnsafeBytes { ReadStatError.printable($0) } == "A\\x00\\x1B\\xFF\\x42".replacingOccurrences(of: "\\x42", with: "B"))
    }
}
