import ArgumentParser
import Barometer
import BarometerIO

extension CorrelationMethod: ExpressibleByArgument {}
extension PValueAdjustment: ExpressibleByArgument {}
extension PolychoricEstimator: ExpressibleByArgument {}

struct Corr: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Correlation matrix (Pearson, Spearman, Kendall tau-b, polychoric) with n per pair, p-values and Fisher-z CIs.",
        discussion: "Don't know / Refused (user-missing codes) are excluded unless --include-user-missing. "
            + "Weighted: tests use Kish n_eff (probability weights) or the sum of weights (--frequency-weights).")

    @OptionGroup var input: InputOptions
    @Argument(help: "Variables to correlate (at least two).") var variables: [String]
    @Option(name: .long, help: "pearson, spearman, kendall or polychoric.") var method: CorrelationMethod = .pearson
    @Option(name: .long, help: "Polychoric estimator: two-step (default, as R polycor) or ml (joint ML of rho and thresholds, polychor(ML = TRUE)).")
    var estimator: PolychoricEstimator?
    @Flag(name: .long, help: "Pairwise deletion (default: listwise).") var pairwise = false
    @Flag(name: .long, help: "Use user-missing codes as values.") var includeUserMissing = false
    @OptionGroup var common: CorrelationCommandOptions
    @OptionGroup var domainOptions: DomainOptions
    @OptionGroup var grouping: GroupingOptions
    @OptionGroup var output: OutputOptions

    /// The columns read besides the weight and design variables: the variables and the `--where` variables.
    var needs: ColumnNeeds {
        var n = ColumnNeeds()
        n.add(variables); domainOptions.addNeeds(to: &n); grouping.addNeeds(to: &n)
        return n
    }

    func run() throws {
        if estimator != nil && method != .polychoric {
            throw ValidationError("--estimator applies to --method polychoric only")
        }
        var needs = self.needs
        needs.add(common.weight); common.designOptions.addNeeds(to: &needs)
        var data = try input.load(needs)
        let by = try grouping.groupingVariables(&data)
        let design = try common.designOptions.design(data, weight: common.weight)
        let domain = try domainOptions.domain(design.data)
        let options = CorrelationOptions(method: method, missing: pairwise ? .pairwise : .listwise,
                                         excludeUserMissing: !includeUserMissing,
                                         weightSemantics: common.weightSemantics,
                                         confidenceLevel: common.level, adjustment: common.adjust,
                                         domain: domain, polychoricEstimator: estimator ?? .twoStep)
        if !by.isEmpty {
            // the rows split by group in one pass, a matrix per group; design-based SEs per group
            // on the full design; --compare: Fisher z (and the design-based difference) per pair of groups
            let designed = common.designOptions.isSpecified
            if (designed || grouping.compare) && method != .pearson {
                throw ValidationError("design-based SEs and --compare between groups are available for Pearson correlations")
            }
            let grouped = try Correlation.matrix(design, variables: variables, by: by, options: options)
            return try grouping.emitGroups(
                grouped,
                designBased: designed ? try grouped.designCorrelations(design: design, domain: domain, level: common.level) : nil,
                differences: grouping.compare ? try grouped.differences(design: designed ? design : nil, domain: domain,
                                                                        level: common.level, adjustment: common.adjust) : nil,
                output)
        }
        let result = try Correlation.matrix(design, variables: variables, options: options)
        // Polychoric: thresholds (with SEs under ML) and the normality tests per pair after the
        // matrix, as polycor prints them; in JSON they are the matrix's "polychoric" field.
        if method == .polychoric, output.format != .json, let pairs = result.polychoric,
           !common.designOptions.isSpecified {
            try emit(result, output)
            for p in pairs {
                print("")
                try emit(p, output)
            }
            return
        }
        // With strata, PSUs, fpc or replicate weights: design-based SEs and CIs per pair (Pearson).
        guard common.designOptions.isSpecified else { return try emit(result, output) }
        guard method == .pearson else { throw ValidationError("design-based standard errors are available for Pearson correlations") }
        try emit(result, with: [try design.correlations(variables, domain: domain, level: common.level)], key: "designBased", output)
    }
}
