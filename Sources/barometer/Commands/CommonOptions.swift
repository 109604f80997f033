import ArgumentParser
import Barometer
import BarometerIO

/// The data file and how to read it.
struct InputOptions: ParsableArguments {
    @Argument(help: "Survey data file (CSV; SPSS/Stata/SAS where supported).")
    var file: String

    @Option(name: .long, help: "JSON codebook for a CSV file (labels, levels, value labels, missing codes, weight).")
    var codebook: String?

    @Option(name: .long, help: "Character encoding of an SPSS/Stata/SAS file that does not declare it (iconv name, e.g. WINDOWS-1251).")
    var encoding: String?

    @Flag(name: .long, help: "Treat the user-missing codes an SPSS file declares as valid values.")
    var ignoreUserMissing = false

    func load() throws -> Dataset {
        try DatasetLoader.load(file, codebook: codebook,
                               options: ReadStatOptions(userMissing: ignoreUserMissing ? .ignore : .honour, encoding: encoding))
    }
}

/// Output format selection shared by every command.
struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: table, json, csv or markdown.")
    var format: OutputFormat = .table
}

extension OutputFormat: ExpressibleByArgument {}

/// Prints a result in the chosen format: JSON encodes the result value
/// itself (stable schema), the others render its labelled grid.
func emit<T: Encodable & TableRepresentable>(_ result: T, _ output: OutputOptions) throws {
    if output.format == .json {
        print(try OutputFormat.renderJSON(result))
    } else {
        print(output.format.render(result.textTable), terminator: output.format == .csv ? "" : "\n")
    }
}
