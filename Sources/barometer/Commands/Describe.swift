import ArgumentParser
import Barometer
import BarometerIO

struct Describe: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List variables: labels, levels, value labels, missing codes, valid/missing counts, weight.")
    @OptionGroup var input: InputOptions
    @Option(name: .long, help: "Weight variable (default: the codebook's).") var weight: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        try emit(DatasetSummary(try input.load(), weight: weight), output)
    }
}
