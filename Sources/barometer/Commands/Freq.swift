import ArgumentParser
import Barometer
import BarometerIO

struct Freq: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "One-way weighted frequency table (Don't know / Refused as their own rows).")

    @OptionGroup var input: InputOptions
    @Argument(help: "Variable to tabulate.") var variable: String
    @Option(name: .long, help: "Weight variable (default: the codebook's weight, else unweighted).") var weight: String?
    @Flag(name: .long, help: "Exclude user- and system-missing rows (base: valid answers).") var excludeMissing = false
    @OptionGroup var domainOptions: DomainOptions
    @OptionGroup var grouping: GroupingOptions
    @OptionGroup var output: OutputOptions

    /// The columns read: the variable, the weight and the `--where` variables.
    var needs: ColumnNeeds {
        var n = ColumnNeeds()
        n.add(variable); n.add(weight); domainOptions.addNeeds(to: &n); grouping.addNeeds(to: &n)
        return n
    }

    func run() throws {
        try grouping.requireNoCompare("freq")
        var data = try input.load(needs)
        let by = try grouping.groupingVariables(&data)
        let design = try SurveyDesign(data: data, weight: weight)
        if !by.isEmpty {
            // one tally of the (answer × group) cells: a table per group
            return try grouping.emitGroups(try FrequencyTable.grouped(design, variable: variable, by: by, domain: try domainOptions.domain(design.data),
                                                                      missing: excludeMissing ? .excludeMissing : .showMissing), output)
        }
        let table = try FrequencyTable(design, variable: variable, domain: try domainOptions.domain(design.data), missing: excludeMissing ? .excludeMissing : .showMissing)
        warn(table.warnings ?? [])
        try emit(table, output)
    }
}
