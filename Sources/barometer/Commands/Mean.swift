import ArgumentParser
import Barometer

/// What `mean` and `total` share: data, variables, weight, design, level, format.
struct EstimateOptions: ParsableArguments {
    @OptionGroup var input: InputOptions
    @Argument(help: "Numeric variables.") var variables: [String]
    @Option(name: .long, help: "Weight variable (default: the codebook's weight, else unweighted).") var weight: String?
    @Option(name: .long, help: "Confidence level.") var level: Double = 0.95
    @OptionGroup var designOptions: DesignOptions
    @OptionGroup var domainOptions: DomainOptions
    @OptionGroup var groupOptions: GroupOptions
    @OptionGroup var output: OutputOptions

    func design() throws -> SurveyDesign { try designOptions.design(try input.load(needs), weight: weight) }

    /// The columns read: the variables, weight, design, --where and --by variables.
    var needs: ColumnNeeds {
        var n = ColumnNeeds()
        n.add(variables); n.add(weight)
        designOptions.addNeeds(to: &n); domainOptions.addNeeds(to: &n); groupOptions.addNeeds(to: &n)
        return n
    }

    /// Runs `mean` or `total`: per group with `--by` (R svyby), else over the variables, within `--where`.
    func run(total: Bool) throws {
        var data = try input.load(needs)
        let by = try groupOptions.groupingVariables(&data)      // derived indicators join the data
        let design = try designOptions.design(data, weight: weight)
        let domain = try domainOptions.domain(data)
        if !by.isEmpty {
            return try groupOptions.emitGrouped(try variables.map { (name) throws -> GroupedEstimates in
                // the k × k covariance only when --compare asks for it
                total ? try design.total(name, by: by, domain: domain, level: level, covariance: groupOptions.compare)
                      : try design.mean(name, by: by, domain: domain, level: level, covariance: groupOptions.compare)
            }, output)
        }
        try emit(total ? try design.total(variables, domain: domain, level: level) : try design.mean(variables, domain: domain, level: level), output)
    }
}

/// `barometer mean`: design-based means with SE, CI (design df) and deff.
struct Mean: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Design-based means with SE, CI and deff (R svymean); user-missing and system-missing excluded.")
    @OptionGroup var options: EstimateOptions
    func run() throws { try options.run(total: false) }
}

/// `barometer total`: design-based totals with SE, CI (design df) and deff.
struct Total: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Design-based totals with SE, CI and deff (R svytotal); user-missing and system-missing excluded.")
    @OptionGroup var options: EstimateOptions
    func run() throws { try options.run(total: true) }
}
