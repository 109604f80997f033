import ArgumentParser
import Barometer

extension QuantileRule: ExpressibleByArgument {}

/// `barometer quantile`: design-based quantiles with Woodruff CIs (R svyquantile).
struct QuantileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quantile",
        abstract: "Design-based quantiles and medians with Woodruff CIs (R svyquantile); user-missing and system-missing excluded.")
    @OptionGroup var input: InputOptions
    @Argument(help: "Numeric variable.") var variable: String
    @Option(name: .long, help: "Probabilities, comma-separated (default: the median).") var q: String = "0.5"
    @Option(name: .long, help: "Quantile rule: math (R's default) or hf7.") var rule: QuantileRule = .math
    @OptionGroup var options: AnalysisOptions

    func run() throws {
        var needs = ColumnNeeds()
        needs.add(variable)
        let (design, domain) = try options.design(input, needs: needs)
        let probabilities = try parseCodes(q, option: "--q")
        try emit(try design.quantiles(variable, probabilities: probabilities, rule: rule, level: options.level,
                                      domain: domain), options.output)
    }
}
