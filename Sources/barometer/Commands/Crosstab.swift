import ArgumentParser
import Barometer
import BarometerIO

struct Crosstab: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Weighted contingency table (rows × columns, optional layers) with row/column/total percentages.")

    @OptionGroup var input: InputOptions
    @Option(name: .long, help: "Row variable.") var rows: String
    @Option(name: .long, help: "Column variable.") var cols: String
    @Option(name: .long, help: "Layer variable (repeat for an n-way table).") var layer: [String] = []
    @Option(name: .long, help: "Weight variable (default: the codebook's weight, else unweighted).") var weight: String?
    @Option(name: .long, help: "Percentages shown: row, col or total.") var percent: PercentChoice = .col
    @Flag(name: .long, help: "Exclude user- and system-missing answers (base: valid answers, listwise).") var excludeMissing = false
    @Option(name: .long, help: "Statistics, comma-separated: chisq, lr, fisher, raoscott, phi, cramer, cc, tschuprow, lambda, gamma, taub, tauc, somers, residuals, expected, or all. Under weights or a design, chisq is the design-based Rao-Scott F (R svychisq).") var stats: String?
    @Flag(name: .long, help: "Tests and measures include Don't know / Refused / system-missing as categories (default: valid answers only, as SPSS CROSSTABS and R).") var statsIncludeMissing = false
    @Flag(name: .long, help: "Also show SPSS's weights-as-frequencies Pearson chi-square, likelihood ratio and Fisher test under sampling weights (labelled so).") var weightsAsFrequencies = false
    @Flag(name: .long, help: "Show expected counts under independence (SPSS /CELLS=EXPECTED); same as adding 'expected' to --stats.") var expected = false
    @OptionGroup var designOptions: DesignOptions
    @OptionGroup var domainOptions: DomainOptions
    @OptionGroup var grouping: GroupingOptions
    @OptionGroup var output: OutputOptions

    enum PercentChoice: String, ExpressibleByArgument, CaseIterable {
        case row, col, total
        var value: ContingencyTable.Percentages {
            switch self { case .row: .row; case .col: .column; case .total: .total }
        }
    }

    /// The columns read: rows, columns, layers, weight, design and `--where` variables.
    var needs: ColumnNeeds {
        var n = ColumnNeeds()
        n.add([rows, cols] + layer); n.add(weight)
        designOptions.addNeeds(to: &n); domainOptions.addNeeds(to: &n); grouping.addNeeds(to: &n)
        return n
    }

    func run() throws {
        try grouping.requireNoCompare("crosstab")
        var data = try input.load(needs)
        let by = try grouping.groupingVariables(&data)      // --by: layers of the groups' valid categories
        let (design, subset, table) = try designAndTable(data, by: by)
        let list = [stats, expected ? "expected" : nil].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ",")
        guard !list.isEmpty else { return try emit(table, output) }
        // Statistics per layer (the layer is the domain), on the weighted counts of the
        // valid answers (unless --stats-include-missing); the design-based tests use the full design.
        let requested = try CrosstabStatistic.parse(list)
        let layers = max(table.layerCategories.isEmpty ? 1 : table.layerCategories.reduce(1) { $0 * $1.count }, 1)
        var results: [CrosstabStatistics] = []
        for k in 0..<layers {
            var domain: Domain? = subset
            if let li = table.layerIndex {
                domain = try domainOptions.domain(design.data, and: Domain(mask: li.map { $0 == Int32(k) }, description: "layer \(k + 1)"))
            }
            let input = table.statisticsInput(layer: k, includeMissing: statsIncludeMissing)
            var s = try CrosstabStatistics(
                input, title: "\(rows) × \(cols)" + (domain.map { " (\($0.description))" } ?? ""),
                statistics: requested, domain: domain, design: design, weightsAsFrequencies: weightsAsFrequencies)
            if let note = statisticsBaseNote(excludedMissing: input.excludedMissing, includeMissing: statsIncludeMissing,
                                             table: table) { s.notes.insert(note, at: 0) }
            results.append(s)
        }
        try emit(table, with: results, key: "statistics", output)
    }
}

extension Crosstab {
    /// The design, the `--where` domain and the table, in that order. With strata or PSUs (no
    /// replicate weights, no calibration) the design's sampling structure is built on a second
    /// core while the table is tallied: the table reads only the data and the weights, so it is
    /// the same table; errors come in the same order (design, domain, table).
    func designAndTable(_ data: Dataset, by: [String]) throws -> (SurveyDesign, Domain?, ContingencyTable) {
        let (rows, cols, layer, weight, domainOptions) = (rows, cols, layer, weight, domainOptions)
        let missing: MissingInclusion = excludeMissing ? .excludeMissing : .showMissing, display = percent.value
        @Sendable func table(_ data: Dataset, _ weights: Weights) throws -> (Domain?, ContingencyTable) {
            let subset = try domainOptions.domain(data)
            return (subset, try ContingencyTable(data: data, weights: weights, rows: rows, columns: cols, layers: layer, by: by,
                                                 domain: subset, missing: missing, display: display))
        }
        let options = designOptions
        guard options.strata != nil || options.psu != nil, options.repweights == nil, options.weighting.targets == nil else {
            let design = try options.design(data, weight: weight)
            let (subset, t) = try table(design.data, design.weights)
            return (design, subset, t)
        }
        let (full, tabulated) = concurrently(
            { Result { try options.design(data, weight: weight) } },
            { Result { try table(data, SurveyDesign.validatedWeights(data, weight)) } })
        let design = try full.get()
        let (subset, t) = try tabulated.get()
        return (design, subset, t)
    }
}

/// The note on which answers `crosstab --stats` used (shared by `crosstab` and `merge`).
func statisticsBaseNote(excludedMissing: Bool, includeMissing: Bool, table: ContingencyTable) -> String? {
    if excludedMissing {
        return "Tests and measures use the valid answers only (Don't know / Refused / system-missing excluded, "
            + "as SPSS CROSSTABS and R); the table above shows them. --stats-include-missing includes them."
    } else if includeMissing && table.missing == .showMissing {
        return "Tests and measures include Don't know / Refused / system-missing as categories (--stats-include-missing)."
    }
    return nil
}
