import ArgumentParser
import Barometer
import BarometerIO
import Foundation

@main
struct BarometerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "barometer",
        abstract: "Survey statistics: weighted frequencies, cross-tabs, shares with CIs, correlations.",
        version: Provenance.barometerVersion,
        subcommands: [Describe.self, Freq.self, Mean.self, Total.self, Ratio.self, Weight.self, Consistency.self, Verify.self, Corr.self, PCorr.self, Crosstab.self, Share.self, MRSet.self, Banner.self, GLMCommand.self, OLRCommand.self, QuantileCommand.self, Doctor.self, Partial.self, Merge.self]
    )

    /// Sets the allocator's thresholds, chooses the BLAS kernel (re-executing once if needed), stops OpenBLAS's idle
    /// workers, then runs the command.
    static func main() {
        AllocatorTuning.apply()
        KernelSelection.reexecIfNeeded()
        // OpenBLAS's workers, started when the library loaded, would spin on a core for
        // ~0.1 s while the command parses its file on every core; they restart on demand.
        BLASRuntime.parkIdleThreads()
        let names = configuration.subcommands.map { $0._commandName } + ["help"]
        if let message = SubcommandSuggestion.message(Array(CommandLine.arguments.dropFirst()), known: names) {
            FileHandle.standardError.write(Data((message + "\n").utf8))
            Foundation.exit(64)
        }
        main(nil)
    }
}
