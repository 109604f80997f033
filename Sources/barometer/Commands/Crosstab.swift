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
    @Option(name: .long, help: "Statistics, comma-separated (chisq, cramer, gamma, ...).") var stats: String?
    @OptionGroup var output: OutputOptions

    enum PercentChoice: String, ExpressibleByArgument, CaseIterable {
        case row, col, total
        var value: ContingencyTable.Percentages {
            switch self { case .row: .row; case .col: .column; case .total: .total }
        }
    }

    func run() throws {
        let design = try SurveyDesign(data: input.load(), weight: weight)
        let table = try ContingencyTable(design, rows: rows, columns: cols, layers: layer,
                                         missing: excludeMissing ? .excludeMissing : .showMissing,
                                         display: percent.value)
        // HOOK (issue 3 part B): `--stats` is computed from `table` (its count
        // matrices and category indices) by the tests/association module.
        if let stats, !stats.isEmpty {
            throw ValidationError("--stats \(stats): tests and association measures are not available in this build")
        }
        try emit(table, output)
    }
}
