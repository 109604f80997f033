import Barometer
import BarometerIO
import BarometerClaims
import Foundation
import Testing

/// Issue 23 item 3: every public error type is a `LocalizedError` whose
/// `localizedDescription` is its `description` (not Foundation's "The
/// operation could not be completed"), with a recovery suggestion where it helps.
/// Errors are produced by the real throwing paths where one is at hand.
@Suite struct LocalizedErrorTests {
    func caught(_ body: () throws -> Void) -> (any Error)? {
        do { try body() } catch { return error }
        return nil
    }

    func expectLocalized(_ e: (any Error)?, _ where_: String) {
        guard let e else { Issue.record("\(where_): no error thrown"); return }
        #expect(e.localizedDescription == "\(e)", "\(where_): \(e.localizedDescription) vs \(e)")
        #expect(!e.localizedDescription.contains("could not be completed"))
        #expect((e as? LocalizedError)?.errorDescription == "\(e)")
    }

    func dataset() throws -> Dataset {
        try Dataset(variables: [Variable(name: "age", values: [20, 30, 40, 50]),
                                Variable(name: "stratum", values: [1, 1, 1, 2]),
                                Variable(name: "psu", values: [1, 2, 3, 4])])
    }

    @Test func barometerErrors() throws {
        let design = SurveyDesign.unweighted(try dataset())
        let unknown = caught { _ = try design.variable("ag") }
        expectLocalized(unknown, "unknown variable")
        let suggestion = (unknown as? LocalizedError)?.recoverySuggestion ?? ""
        #expect(suggestion.contains("'age'"), "\(suggestion)")

        // stratum 2 has a single PSU: the default rule fails and suggests the rules
        let stratified = try SurveyDesign(data: try dataset(), strata: "stratum", clusters: "psu")
        let lonely = caught { _ = try stratified.mean(["age"]) }
        expectLocalized(lonely, "lonely PSU")
        let rules = (lonely as? LocalizedError)?.recoverySuggestion ?? ""
        for rule in ["remove", "adjust", "average", "certainty", "--lonely-psu"] { #expect(rules.contains(rule), "\(rules)") }

        let samples: [BarometerError] = [
            .invalidWeight(variable: "w", row: 3, value: -1), .constantVariable("q1"), .noConvergence("x"),
            .insufficientData("polychoric q1 × q2: 2 rows"), .singularMatrix(variables: ["a", "b"], conditionNumber: 1e17),
            .invalidClaim(claim: "c1", field: "figure.value", reason: "not finite"),
            .linearAlgebra(.notPositiveDefinite(leadingMinor: 2)),
        ]
        for e in samples { expectLocalized(e, "\(e)") }
        #expect(BarometerError.singularMatrix(variables: ["a", "b"], conditionNumber: nil).recoverySuggestion?.contains("a, b") == true)
    }

    @Test func claimErrorsFromTheLoader() throws {
        // a claim file with the wrong format tag and a broken one: typed BarometerError.invalidClaim
        var text = try String(contentsOfFile: Fixture.path("Fixtures/memos/odr-2020.claims.json"), encoding: .utf8)
        text = text.replacingOccurrences(of: "barometer-claims/1", with: "barometer-claims/9")
        let wrongFormat = caught { _ = try ClaimFileLoader.decode(Data(text.utf8)) }
        #expect(wrongFormat is BarometerError)
        expectLocalized(wrongFormat, "claim format")
        expectLocalized(caught { _ = try ClaimFileLoader.decode(Data("{".utf8)) }, "claim JSON")
    }

    @Test func linearAlgebraErrors() {
        for e: LinearAlgebraError in [.dimensionMismatch("2×3 vs 2×2"), .notPositiveDefinite(leadingMinor: 1),
                                      .singular(position: 2), .nonFinite("x"), .tooLarge("n")] {
            expectLocalized(e, "\(e)")
        }
        #expect(LinearAlgebraError.singular(position: 2).recoverySuggestion != nil)
    }

    @Test func ioErrors() throws {
        expectLocalized(caught { _ = try CSVReader.read(string: "a,b\n1,2,3\n") }, "CSV too many fields")
        let nonNumeric = caught { _ = try CSVReader.read(string: "a,b\n1,2\n1,x\"\n") }
        expectLocalized(nonNumeric, "CSV stray quote")
        #expect((nonNumeric as? LocalizedError)?.recoverySuggestion?.contains("RFC 4180") == true)
        expectLocalized(caught { _ = try CSVReader.read(path: "/nonexistent/file.csv") }, "CSV not found")
        expectLocalized(caught { _ = try Codebook.decode(Data(#"{"variables": [{"name": "a", "colour": 1}]}"#.utf8)) },
                        "codebook unknown key")
        let cb = CodebookError.unknownVariable("ag", suggestions: ["age"])
        expectLocalized(cb, "codebook unknown variable")
        #expect(cb.recoverySuggestion == "Did you mean 'age'?")
        expectLocalized(caught { _ = try ReadStatReader.read(path: "/nonexistent/file.sav") }, "ReadStat cannot open")
        let rs = ReadStatError.undecodableText(file: "x.sav", encoding: nil, context: "label")
        expectLocalized(rs, "ReadStat text")
        #expect(rs.recoverySuggestion?.contains("WINDOWS-1251") == true)
    }
}
