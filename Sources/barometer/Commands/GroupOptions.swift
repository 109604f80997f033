import ArgumentParser
import Barometer
import BarometerIO

/// `--by`, `--compare` and `--adjust` for the grouped design-based estimators
/// (`--by` alone also on quantile, glm and olr: one estimate or fit per group)
/// (mean, total, ratio): R `svyby(…, covmat = TRUE)` and `svycontrast`.
struct GroupOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Estimate in each group of VAR (repeat for crossed groups); a condition such as 'age > 30' or 'age in 18-29' groups by its truth; text variables group by their values.", valueName: "VAR"))
    var by: [String] = []
    @Flag(name: .long, help: "With --by: every pairwise difference between groups, SE from the full design covariance, t on the design's df, p and CI (R svycontrast).")
    var compare = false
    @Option(name: .long, help: "With --compare: multiplicity adjustment of the pairwise p-values: none, holm, bonferroni or bh.")
    var adjust: PValueAdjustment = .none

    func validate() throws {
        if compare && by.isEmpty { throw ValidationError("--compare needs --by") }
        if adjust != .none && !compare { throw ValidationError("--adjust needs --compare") }
    }

    /// Resolves each `--by` to a variable of `data` (adding derived indicators).
    func groupingVariables(_ data: inout Dataset) throws -> [String] {
        try by.map { try data.groupingVariable($0) }
    }

    /// Prints grouped results and, with `--compare`, their pairwise
    /// differences. JSON: one document `{"result": [groups…], "differences": [pairs…]}`.
    func emitGrouped(_ results: [GroupedEstimates], _ output: OutputOptions) throws {
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
}
