import ArgumentParser
import Barometer
import BarometerIO

extension CorrelationMethod: ExpressibleByArgument {}
extension PValueAdjustment: ExpressibleByArgument {}

struct Corr: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Correlation matrix (Pearson, Spearman, Kendall tau-b, polychoric) with n per pair, p-values and Fisher-z CIs.",
        discussion: "Don't know / Refused (user-missing codes) are excluded unless --include-user-missing. "
            + "Weighted: tests use Kish n_eff (probability weights) or the sum of weights (--frequency-weights).")

    @OptionGroup var input: InputOptions
    @Argument(help: "Variables to correlate (at least two).") var variables: [String]
    @Option(name: .long, help: "pearson, spearman, kendall or polychoric.") var method: CorrelationMethod = .pearson
    @Option(name: .long, help: "Weight variable (default: the codebook's weight, else unweighted).") var weight: String?
    @Flag(name: .long, help: "Pairwise deletion (default: listwise).") var pairwise = false
    @Option(name: .long, help: "Multiplicity adjustment over the pairs: none, holm, bonferroni or bh.") var adjust: PValueAdjustment = .none
    @Flag(name: .long, help: "Treat weights as frequency weights (tests use the sum of weights).") var frequencyWeights = false
    @Flag(name: .long, help: "Use user-missing codes as values.") var includeUserMissing = false
    @Option(name: .long, help: "Confidence level of the intervals.") var level: Double = 0.95
    @OptionGroup var designOptions: DesignOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let design = try designOptions.design(try input.load(), weight: weight)
        let options = CorrelationOptions(method: method, missing: pairwise ? .pairwise : .listwise,
                                         excludeUserMissing: !includeUserMissing,
                                         weightSemantics: frequencyWeights ? .frequency : .probability,
                                         confidenceLevel: level, adjustment: adjust)
        let result = try Correlation.matrix(design, variables: variables, options: options)
        // With strata, PSUs, fpc or replicate weights: design-based SEs and CIs per pair (Pearson).
        guard designOptions.isSpecified else { return try emit(result, output) }
        guard method == .pearson else { throw ValidationError("design-based standard errors are available for Pearson correlations") }
        try emit(result, with: [try design.correlations(variables, level: level)], key: "designBased", output)
    }
}
