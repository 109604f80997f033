import ArgumentParser
import Barometer

/// `barometer mean` and `barometer total`: design-based estimates with SE,
/// CI (design degrees of freedom) and design effects.
struct Mean: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Design-based means with SE, CI and deff (R svymean); user-missing and system-missing excluded.")
    @OptionGroup var input: InputOptions
    @Argument(help: "Numeric variables.") var variables: [String]
    @Option(name: .long, help: "Weight variable (default: the codebook's weight, else unweighted).") var weight: String?
    @Option(name: .long, help: "Confidence level.") var level: Double = 0.95
    @OptionGroup var designOptions: DesignOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let design = try designOptions.design(try input.load(), weight: weight)
        try emit(try design.mean(variables, level: level), output)
    }
}

struct Total: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Design-based totals with SE, CI and deff (R svytotal); user-missing and system-missing excluded.")
    @OptionGroup var input: InputOptions
    @Argument(help: "Numeric variables.") var variables: [String]
    @Option(name: .long, help: "Weight variable (default: the codebook's weight, else unweighted).") var weight: String?
    @Option(name: .long, help: "Confidence level.") var level: Double = 0.95
    @OptionGroup var designOptions: DesignOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let design = try designOptions.design(try input.load(), weight: weight)
        try emit(try design.total(variables, level: level), output)
    }
}
