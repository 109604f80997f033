import ArgumentParser
import Barometer
import BarometerClaims
import BarometerIO

struct Consistency: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Checks a memo's published figures against each other (rounding-interval arithmetic, no microdata).",
        discussion: "Reads a claim file (Fixtures/memos/*.claims.json) and runs its aggregate checks: components adding up to stated totals, tables summing to 100, re-percentaged columns, the same quantity stated twice. Exits with status 1 when a check finds an inconsistency.")

    @Argument(help: "Claim file (format barometer-claims/1).") var claims: String
    @OptionGroup var output: OutputOptions

    func run() throws {
        let report = try ConsistencyReport(ClaimFileLoader.load(claims))
        try emit(report, output)
        if !report.inconsistent.isEmpty { throw ExitCode(1) }
    }
}
