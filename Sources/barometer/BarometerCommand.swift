import ArgumentParser
import Barometer
import BarometerIO

@main
struct BarometerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "barometer",
        abstract: "Survey statistics: weighted frequencies, cross-tabs, shares with CIs, correlations.",
        subcommands: [Describe.self, Freq.self, Mean.self, Total.self, Ratio.self, Consistency.self, Verify.self, Corr.self, PCorr.self, Crosstab.self, Share.self, MRSet.self, Banner.self, GLMCommand.self, OLRCommand.self, QuantileCommand.self, Doctor.self, Partial.self, Merge.self]
    )

    /// Chooses the BLAS kernel (re-executing once if needed), then runs the command.
    static func main() {
        KernelSelection.reexecIfNeeded()
        main(nil)
    }
}
