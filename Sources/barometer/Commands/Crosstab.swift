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
    @Option(name: .long, help: "Statistics, comma-separated: chisq, lr, fisher, raoscott, phi, cramer, cc, lambda, gamma, taub, tauc, somers, residuals, or all.") var stats: String?
    @OptionGroup var designOptions: DesignOptions
    @OptionGroup var domainOptions: DomainOptions
    @OptionGroup var output: OutputOptions

    enum PercentChoice: String, ExpressibleByArgument, CaseIterable {
        case row, col, total
        var value: ContingencyTable.Percentages {
            switch self { case .row: .row; case .col: .column; case .total: .total }
        }
    }

    func run() throws {
        let design = try designOptions.design(try input.load(), weight: weight)
        let subset = try domainOptions.domain(design.data)
        let table = try ContingencyTable(design, rows: rows, columns: cols, layers: layer, domain: subset,
                                         missing: excludeMissing ? .excludeMissing : .showMissing,
                                         display: percent.value)
        guard let stats, !stats.isEmpty else { return try emit(table, output) }
        // Statistics per layer (the layer is the domain), on the weighted counts;
        // Rao-Scott and adjusted Wald use the full design.
        let requested = try CrosstabStatistic.parse(stats)
        let layers = max(table.layerCategories.isEmpty ? 1 : table.layerCategories.reduce(1) { $0 * $1.count }, 1)
        var results: [CrosstabStatistics] = []
        for k in 0..<layers {
            var domain: Domain? = subset
            if let li = table.layerIndex {
                domain = try domainOptions.domain(design.data, and: Domain(mask: li.map { $0 == Int32(k) }, description: "layer \(k + 1)"))
            }
            results.append(try CrosstabStatistics(
                counts: table.weightedCountMatrix(layer: k), rowLabels: table.rowCategories.map(\.label),
                columnLabels: table.columnCategories.map(\.label),
                title: "\(rows) × \(cols)" + (domain.map { " (\($0.description))" } ?? ""),
                statistics: requested, rowIndex: table.rowIndex, columnIndex: table.columnIndex,
                domain: domain, design: design))
        }
        try emit(table, with: results, key: "statistics", output)
    }
}
