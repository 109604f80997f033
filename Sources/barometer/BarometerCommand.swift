import ArgumentParser
import Barometer
import BarometerIO

@main
struct BarometerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "barometer",
        abstract: "Survey statistics: weighted frequencies, cross-tabs, shares with CIs, correlations.",
        subcommands: [Describe.self, Freq.self, Corr.self, PCorr.self, Doctor.self]
    )
}
