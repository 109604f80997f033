import ArgumentParser
import Barometer
import BarometerIO

/// `--by VAR` (repeatable, crossed) and `--compare`: the grouping every
/// estimating command shares. Commands whose own `--adjust` already exists
/// (corr, pcorr: over the pairs) take this group alone; the others take
/// ``GroupOptions``, which adds `--adjust`.
struct GroupingOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Estimate in each group of VAR (repeat for crossed groups); a condition such as 'age > 30' or 'age in 18-29' groups by its truth; text variables group by their values.", valueName: "VAR"))
    var by: [String] = []
    @Flag(name: .long, help: "With --by: every pairwise difference between groups (means, totals, ratios, shares: SE from the full design covariance, t on the design's df, R svycontrast; corr/pcorr: Fisher z, and the design-based difference under a design).")
    var compare = false

    func validate() throws {
        if compare && by.isEmpty { throw ValidationError("--compare needs --by") }
    }

    /// Resolves each `--by` to a variable of `data` (adding derived indicators).
    func groupingVariables(_ data: inout Dataset) throws -> [String] {
        try by.map { try data.groupingVariable($0) }
    }

    /// Refuses `--compare` in a command without tested differences (freq, crosstab).
    func requireNoCompare(_ command: String) throws {
        if compare {
            throw ValidationError("--compare applies to mean, total, ratio, share, corr and pcorr; \(command) --by gives one table per group")
        }
    }

    /// Prints grouped results: the groups (labels, n, weighted N), each
    /// group's table, then the companions (design-based estimates per group,
    /// differences). JSON: one document `{"result": {groups…}, "designBased": […], "differences": {…}}`.
    func emitGroups<R>(_ grouped: GroupedResults<R>, designBased: [DesignEstimates]? = nil, differences: CorrelationDifferences? = nil,
                 _ output: OutputOptions) throws {
        if output.format == .json {
            print(try renderJSONWithProvenance(GroupedOutput(result: grouped, designBased: designBased, differences: differences), output))
            return
        }
        try emit(grouped, output)
        for t in grouped.groupTables { print(""); print(output.format.render(t), terminator: output.format == .csv ? "" : "\n") }
        for d in designBased ?? [] { print(""); try emit(d, output) }
        if let differences { print(""); try emit(differences, output) }
    }
}

/// `{"result": …, "designBased": […], "differences": …}` of a grouped command.
struct GroupedOutput<R: Encodable>: Encodable {
    let result: R
    let designBased: [DesignEstimates]?
    let differences: CorrelationDifferences?
}

/// `--by`, `--compare` and `--adjust` for the grouped design-based estimators
/// (mean, total, ratio, share): R `svyby(…, covmat = TRUE)` and `svycontrast`
/// (`--by` alone also on quantile, glm and olr: one estimate or fit per group).
struct GroupOptions: ParsableArguments {
    @OptionGroup var grouping: GroupingOptions
    @Option(name: .long, help: "With --compare: multiplicity adjustment of the pairwise p-values: none, holm, bonferroni or bh.")
    var adjust: PValueAdjustment = .none

    var by: [String] { grouping.by }
    var compare: Bool { grouping.compare }

    func validate() throws {
        if adjust != .none && !compare { throw ValidationError("--adjust needs --compare") }
    }

    /// Resolves each `--by` to a variable of `data` (adding derived indicators).
    func groupingVariables(_ data: inout Dataset) throws -> [String] { try grouping.groupingVariables(&data) }

    /// Prints grouped results and, with `--compare`, their pairwise
    /// differences. JSON: one document `{"result": [groups…], "differences": [pairs…]}`.
    func emitGrouped(_ results: [GroupedEstimates], _ output: OutputOptions) throws {
        try emitGroupedEstimates(results, compare: compare, adjust: adjust, output)
    }
}

/// ``GroupOptions/emitGrouped(_:_:)`` with the options given (also for `merge` of grouped states).
func emitGroupedEstimates(_ results: [GroupedEstimates], compare: Bool, adjust: PValueAdjustment,
                          _ output: OutputOptions) throws {
    let differences = compare ? try results.map { try $0.pairwiseDifferences(adjustment: adjust) } : []
    if output.format == .json {
        print(try renderJSONWithProvenance(CombinedOutput(result: results, companions: differences, key: "differences"), output))
        return
    }
    for (i, r) in results.enumerated() {
        if i > 0 { print("") }
        try emit(r, output)
        if compare { print(""); try emit(differences[i], output) }
    }
}
