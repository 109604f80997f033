import ArgumentParser
import Barometer

/// What the model and quantile commands share after their own arguments:
/// weight, confidence level, `--where`, the design options and the output
/// format, declared once so that every such command speaks them alike.
struct AnalysisOptions: ParsableArguments {
    @Option(name: .long, help: "Weight variable (default: the codebook's weight, else unweighted).") var weight: String?
    @Option(name: .long, help: "Confidence level.") var level: Double = 0.95
    @OptionGroup var domainOptions: DomainOptions
    @OptionGroup var designOptions: DesignOptions
    @OptionGroup var output: OutputOptions

    /// The design over the loaded file and the `--where` domain (nil without it).
    func design(_ input: InputOptions) throws -> (SurveyDesign, Domain?) {
        try design(input, needs: .everything)
    }

    /// The design over only the columns in `needs` plus the weight, design and `--where` variables.
    func design(_ input: InputOptions, needs: ColumnNeeds) throws -> (SurveyDesign, Domain?) {
        var needs = needs
        needs.add(weight); designOptions.addNeeds(to: &needs); domainOptions.addNeeds(to: &needs)
        let design = try designOptions.design(try input.load(needs), weight: weight)
        return (design, try domainOptions.domain(design.data))
    }
}
