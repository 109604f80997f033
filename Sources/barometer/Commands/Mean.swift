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

    func design() throws -> SurveyDesign { try designOptions.design(try input.load(), weight: weight) }

    /// The design, with the `--by` groups resolved (derived indicators added to the data).
    func groupedDesign() throws -> (SurveyDesign, [String]) {
        var data = try input.load()
        let by = try groupOptions.groupingVariables(&data)
        return (try designOptions.design(data, weight: weight), by)
    }
}

/// `barometer mean`: design-based means with SE, CI (design df) and deff.
struct Mean: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Design-based means with SE, CI and deff (R svymean); user-missing and system-missing excluded.")
    @OptionGroup var options: EstimateOptions
    func run() throws {
        let (design, by) = try options.groupedDesign()
        let domain = try options.domainOptions.domain(design.data)
        if !by.isEmpty {
            return try options.groupOptions.emitGrouped(try options.variables.map { try design.mean($0, by: by, domain: domain, level: options.level) },
                                                 options.output)
        }
        try emit(try design.mean(options.variables, domain: domain, level: options.level), options.output)
    }
}

/// `barometer total`: design-based totals with SE, CI (design df) and deff.
struct Total: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Design-based totals with SE, CI and deff (R svytotal); user-missing and system-missing excluded.")
    @OptionGroup var options: EstimateOptions
    func run() throws {
        let (design, by) = try options.groupedDesign()
        let domain = try options.domainOptions.domain(design.data)
        if !by.isEmpty {
            return try options.groupOptions.emitGrouped(try options.variables.map { try design.total($0, by: by, domain: domain, level: options.level) },
                                                 options.output)
        }
        try emit(try design.total(options.variables, domain: domain, level: options.level), options.output)
    }
}
