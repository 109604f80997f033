import ArgumentParser
import Barometer
import BarometerIO

struct Describe: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List variables: labels, levels, missing codes, n, weight.")
    @OptionGroup var input: InputOptions
    @OptionGroup var output: OutputOptions
    func run() throws {
        let data = try input.load()
        print(data.variableNames)
    }
}
