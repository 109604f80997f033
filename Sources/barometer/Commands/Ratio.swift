import ArgumentParser
import Barometer

/// `barometer ratio`: the design-based ratio of totals Σw·y / Σw·x (R svyratio),
/// overall or by group.
struct Ratio: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Design-based ratio of totals with SE and CI (R svyratio), over rows valid on both variables; --by for groups.")
    @OptionGroup var input: InputOptions
    @Option(name: .long, help: "Numerator variable Y.") var numerator: String
    @Option(name: .long, help: "Denominator variable X.") var denominator: String
    @Option(name: .long, help: "Weight variable (default: the codebook's weight, else unweighted).") var weight: String?
    @Option(name: .long, help: "Confidence level.") var level: Double = 0.95
    @OptionGroup var designOptions: DesignOptions
    @OptionGroup var domainOptions: DomainOptions
    @OptionGroup var groupOptions: GroupOptions
    @OptionGroup var output: OutputOptions

    /// The columns `ratio` reads (also `partial ratio`'s).
    var needs: ColumnNeeds {
        var needs = ColumnNeeds()
        needs.add([numerator, denominator]); needs.add(weight)
        designOptions.addNeeds(to: &needs); domainOptions.addNeeds(to: &needs); groupOptions.addNeeds(to: &needs)
        return needs
    }

    func run() throws {
        var data = try input.load(needs)
        let by = try groupOptions.groupingVariables(&data)
        let design = try designOptions.design(data, weight: weight)
        let domain = try domainOptions.domain(data)
        if !by.isEmpty {
            return try groupOptions.emitGrouped([try design.ratio(numerator: numerator, denominator: denominator, by: by,
                                                            domain: domain, level: level, covariance: groupOptions.compare)], output)
        }
        try emit(try design.ratio(numerator: numerator, denominator: denominator, domain: domain, level: level), output)
    }
}
