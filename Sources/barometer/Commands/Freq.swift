import ArgumentParser
import Barometer
import BarometerIO

struct Freq: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "One-way weighted frequency table (Don't know / Refused as their own rows).")

    @OptionGroup var input: InputOptions
    @Argument(help: "Variables to tabulate (one or more; a table each, in the order given, as SPSS FREQUENCIES).") var variables: [String]
    @Option(name: .long, help: "Weight variable (default: the codebook's weight, else unweighted).") var weight: String?
    @Flag(name: .long, help: "Exclude user- and system-missing rows (base: valid answers).") var excludeMissing = false
    @OptionGroup var domainOptions: DomainOptions
    @OptionGroup var grouping: GroupingOptions
    @OptionGroup var output: OutputOptions

    /// The columns read: the variable, the weight and the `--where` variables.
    var needs: ColumnNeeds {
        var n = ColumnNeeds()
        n.add(variables); n.add(weight); domainOptions.addNeeds(to: &n); grouping.addNeeds(to: &n)
        return n
    }

    func validate() throws {
        guard !variables.isEmpty else { throw ValidationError("give at least one variable to tabulate") }
        if let twice = variables.enumerated().first(where: { variables[..<$0.offset].contains($0.element) })?.element {
            throw ValidationError("'\(twice)' is listed twice")
        }
    }

    func run() throws {
        try grouping.requireNoCompare("freq")
        var data = try input.load(needs)     // every listed variable's column, read once
        let by = try grouping.groupingVariables(&data)
        let design = try SurveyDesign(data: data, weight: weight)
        let domain = try domainOptions.domain(design.data), missing: MissingInclusion = excludeMissing ? .excludeMissing : .showMissing
        if !by.isEmpty {
            // per variable one tally of the (answer × group) cells: a table per group
            return try emitGroupedFrequencies(try variables.map { try FrequencyTable.grouped(design, variable: $0, by: by, domain: domain,
                                                                                              missing: missing) }, output)
        }
        try emitFrequencies(try variables.map { try FrequencyTable(design, variable: $0, domain: domain, missing: missing) }, output)
    }
}

/// Prints `freq`'s tables (also for `merge` of frequency states): each exactly as `freq`
/// prints one variable (its warnings on stderr), in the order given, a blank line between
/// them (as grouped results and companion tables are separated). JSON: one variable, its
/// table; several, one document `{"result": [table per variable]}` (as `mean --by` lists its
/// variables' results).
func emitFrequencies(_ tables: [FrequencyTable], _ output: OutputOptions) throws {
    if tables.count > 1 && output.format == .json {
        return print(try renderJSONWithProvenance(FrequencyList(result: tables), output))
    }
    for (i, table) in tables.enumerated() {
        if i > 0 { print("") }
        warn(table.warnings ?? [])
        try emit(table, output)
    }
}

/// `freq --by` of each variable (``emitFrequencies(_:_:)`` with groups): per variable what
/// `freq VAR --by …` prints, a blank line between; JSON: one variable, its document
/// `{"result": {groups…}}`; several, `{"result": [groups… per variable]}`.
func emitGroupedFrequencies(_ results: [GroupedResults<FrequencyTable>], _ output: OutputOptions) throws {
    if results.count > 1 && output.format == .json {
        return print(try renderJSONWithProvenance(FrequencyList(result: results), output))
    }
    for (i, g) in results.enumerated() {
        if i > 0 { print("") }
        try GroupingOptions().emitGroups(g, output)
    }
}

/// `{"result": [...]}`: the results of `freq` over several variables, in order.
struct FrequencyList<R: Encodable>: Encodable {
    let result: [R]
}
