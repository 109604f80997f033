import ArgumentParser
import Barometer

/// What `corr` and `pcorr` share: weight, multiplicity adjustment, weight
/// semantics, confidence level and the survey design.
struct CorrelationCommandOptions: ParsableArguments {
    @Option(name: .long, help: "Weight variable (default: the codebook's weight, else unweighted).") var weight: String?
    @Option(name: .long, help: "Multiplicity adjustment over the pairs: none, holm, bonferroni or bh.") var adjust: PValueAdjustment = .none
    @Flag(name: .long, help: "Treat weights as frequency weights (tests use the sum of weights).") var frequencyWeights = false
    @Option(name: .long, help: "Confidence level of the intervals.") var level: Double = 0.95
    @OptionGroup var designOptions: DesignOptions

    var weightSemantics: WeightSemantics { frequencyWeights ? .frequency : .probability }

    func design(_ input: InputOptions) throws -> SurveyDesign { try designOptions.design(try input.load(), weight: weight) }

    /// The design over only the columns in `needs` plus the weight and design variables.
    func design(_ input: InputOptions, needs: ColumnNeeds) throws -> SurveyDesign {
        var needs = needs
        needs.add(weight)
        designOptions.addNeeds(to: &needs)
        return try designOptions.design(try input.load(needs), weight: weight)
    }
}
