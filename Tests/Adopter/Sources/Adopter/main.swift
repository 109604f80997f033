// Redoes the PONARS memo 658 analyses on the SYNTHETIC fixture survey with
// Barometer's public API only, as a new user would: print tables, compose
// tests from a table, round-trip results through JSON, show an error.
//
//   swift run --package-path Tests/Adopter Adopter [repository root]
import Barometer
import BarometerIO
import Foundation

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("Adopter: \(message)\n".utf8))
    exit(1)
}

let root = CommandLine.arguments.dropFirst().first ?? "."
let data = try DatasetLoader.load("\(root)/Fixtures/surveys/kz2019-synthetic.csv",
                                  codebook: "\(root)/Fixtures/surveys/kz2019-synthetic.codebook.json")
let design = try SurveyDesign(data: data, weight: "wt")
let wave = try design.domain("wave", in: [2019])

// Table 1: opinion of Russia, 2019.
print(try FrequencyTable(design, variable: "q_russia_opinion", domain: wave))
print()

// "87% favourable to Russia" and "55% of them favourable to the US".
let russiaFavourable = try ConditionalShare(design, of: "q_russia_opinion", in: [1, 2], domain: wave)
let usAmongThem = try ConditionalShare(design, of: "q_us_opinion", in: [1, 2],
                                       among: "q_russia_opinion", in: [1, 2], domain: wave)
print(russiaFavourable)
print()
print(usAmongThem)
print()

// The cross-tab and its tests, composed from the table.
let table = try ContingencyTable(design, rows: "q_russia_opinion", columns: "q_us_opinion",
                                 domain: wave, missing: .excludeMissing, display: .row)
print(table)
print()
let raoScott = try table.raoScott(design, domain: wave)
print("Rao-Scott F = \(NumberFormat.fixed(raoScott.f, 2)) on \(NumberFormat.fixed(raoScott.fNumeratorDF, 2)) and "
      + "\(NumberFormat.fixed(raoScott.fDenominatorDF, 1)) df, p = \(raoScott.fPValue)")
print(try table.statistics([.chisq, .raoscott, .cramer, .gamma], design: design, domain: wave)[0])
print()

// Opinion of Russia and of the US, given the opinion of the leadership.
let partial = try Correlation.partialMatrix(design, variables: ["q_russia_opinion", "q_us_opinion"],
                                            controlling: ["q_leader_opinion"], options: CorrelationOptions())
print(partial)
guard let r = partial["q_russia_opinion", "q_us_opinion"], r > 0 else { fail("the memo's positive partial correlation is not there") }
print()

// Results survive JSON.
let json = try OutputFormat.renderJSON(usAmongThem)
let decoded = try OutputFormat.decodeJSON(ConditionalShare.self, from: json)
guard decoded == usAmongThem else { fail("a share changed in a JSON round trip") }
let statistics = try table.statistics([.chisq, .cramer])
guard try OutputFormat.decodeJSON([CrosstabStatistics].self, from: OutputFormat.renderJSON(statistics)) == statistics else {
    fail("statistics changed in a JSON round trip")
}
print("JSON round trip: \(json.utf8.count) bytes, decoded equal")

// A mistyped variable: a typed error with suggestions.
do {
    _ = try FrequencyTable(design, variable: "q_rusia_opinion")
    fail("a misspelt variable was accepted")
} catch {
    // Errors are LocalizedError: localizedDescription is the same text as "\(error)".
    print("Error: \(error.localizedDescription)")
    guard error.localizedDescription == "\(error)", error.localizedDescription.contains("q_russia_opinion") else {
        fail("the error's localized description is not its text: \(error.localizedDescription)")
    }
    if let suggestion = error.recoverySuggestion { print("Suggestion: \(suggestion)") }
}
