import ArgumentParser
import Barometer
import BarometerIO

struct PCorr: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pcorr",
        abstract: "Partial correlations of every pair of VARS given --control Z... (or each pair given all others).",
        discussion: "Listwise deletion; tests with n - 2 - |Z| degrees of freedom. A singular set of controls is an "
            + "error naming the collinear variables unless --pseudo-inverse.")

    @OptionGroup var input: InputOptions
    @Argument(help: "Variables to correlate (at least two).") var variables: [String]
    @Option(name: .long, parsing: .upToNextOption, help: "Control variables Z (omit: each pair given all other VARS).")
    var control: [String] = []
    @Option(name: .long, help: "pearson or spearman (the methods with partial correlations).") var method: PartialMethod = .pearson
    @Flag(name: .long, help: "On a singular matrix use the pseudo-inverse (result flagged) instead of failing.") var pseudoInverse = false
    @OptionGroup var common: CorrelationCommandOptions
    @OptionGroup var domainOptions: DomainOptions
    @OptionGroup var grouping: GroupingOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        var needs = ColumnNeeds()
        needs.add(variables + control); domainOptions.addNeeds(to: &needs); grouping.addNeeds(to: &needs)
        needs.add(common.weight); common.designOptions.addNeeds(to: &needs)
        var data = try input.load(needs)
        let by = try grouping.groupingVariables(&data)
        let design = try common.designOptions.design(data, weight: common.weight)
        let domain = try domainOptions.domain(design.data)
        let options = CorrelationOptions(method: method.value, weightSemantics: common.weightSemantics,
                                         confidenceLevel: common.level, adjustment: common.adjust,
                                         singularity: pseudoInverse ? .pseudoInverse : .error, domain: domain)
        if !by.isEmpty {
            let designed = common.designOptions.isSpecified
            if (designed || grouping.compare) && method != .pearson {
                throw ValidationError("design-based SEs and --compare between groups are available for Pearson partial correlations")
            }
            let grouped = try Correlation.partialMatrix(design, variables: variables, controlling: control, by: by, options: options)
            return try grouping.emitGroups(
                grouped,
                designBased: designed ? try grouped.designCorrelations(design: design, controlling: control, givenOthers: control.isEmpty,
                                                                       domain: domain, level: common.level) : nil,
                differences: grouping.compare ? try grouped.differences(design: designed ? design : nil, domain: domain,
                                                                        level: common.level, adjustment: common.adjust) : nil,
                output)
        }
        let result = control.isEmpty
            ? try Correlation.partialMatrixGivenOthers(design, variables: variables, options: options)
            : try Correlation.partialMatrix(design, variables: variables, controlling: control, options: options)
        // With strata, PSUs, fpc or replicate weights: design-based SEs and CIs per pair (Pearson).
        guard common.designOptions.isSpecified else { return try emit(result, output) }
        guard method == .pearson else { throw ValidationError("design-based standard errors are available for Pearson partial correlations") }
        try emit(result, with: [try design.correlations(variables, controlling: control, givenOthers: control.isEmpty, domain: domain, level: common.level)],
                 key: "designBased", output)
    }
}

extension PCorr {
    /// The methods `pcorr` accepts (its help lists only these).
    enum PartialMethod: String, ExpressibleByArgument, CaseIterable {
        case pearson, spearman
        var value: CorrelationMethod { self == .pearson ? .pearson : .spearman }
    }
}
