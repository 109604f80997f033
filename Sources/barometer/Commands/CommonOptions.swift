import ArgumentParser
import Barometer
import BarometerIO

/// The data file and how to read it.
struct InputOptions: ParsableArguments {
    @Argument(help: "Survey data file (CSV, TSV; SPSS/Stata/SAS where supported); '-' reads CSV from standard input.")
    var file: String

    @Option(name: .long, help: "JSON codebook for a CSV file (labels, levels, value labels, missing codes, weight).")
    var codebook: String?

    @Option(name: .long, help: "Character encoding of an SPSS/Stata/SAS file that does not declare it (iconv name, e.g. WINDOWS-1251).")
    var encoding: String?

    @Flag(name: .long, help: "Treat the user-missing codes an SPSS file declares as valid values.")
    var ignoreUserMissing = false

    @Option(name: .long, help: "CSV field delimiter: one character, or 'tab' (default ',', tab for .tsv files).")
    var delimiter: String?

    @OptionGroup var recodeOptions: RecodeOptions

    func load() throws -> Dataset {
        try recodeOptions.apply(to: loadRecorded(file, codebook: codebook,
                         options: ReadStatOptions(userMissing: ignoreUserMissing ? .ignore : .honour, encoding: encoding),
                         csv: try delimiter.map { CSVOptions(delimiter: try parseDelimiter($0)) }))
    }
}

/// `--recode SPEC` (repeatable) and `--recode-file FILE`: recoded variables made after loading,
/// on every command that reads a data file (library: ``RecodeSpec``, `SurveyDesign.recoding`).
struct RecodeOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Recode a variable before the analysis (repeatable; applied in order): 'age: 18-29=1 \"18-29\", 30-44=2, 45-hi=3, else=sysmis -> ageband'.",
                                            valueName: "spec"))
    var recode: [String] = []

    @Option(name: .customLong("recode-file"), help: "File of recodes, one per line ('#' comments); applied before --recode.")
    var recodeFile: String?

    /// The recodes, file first, then each `--recode` in order.
    func specs() throws -> [RecodeSpec] {
        var out: [RecodeSpec] = []
        if let path = recodeFile {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ValidationError("cannot read recode file '\(path)'")
            }
            try ProvenanceRecorder.shared.recordFile(path)
            do { out += try RecodeSpec.parseFile(text) } catch .invalidExpression(let e, let o, let t, let r) {
                throw BarometerError.invalidExpression(expression: e, offset: o, token: t, reason: "\(path), \(r)")
            }
        }
        for r in recode { out.append(try RecodeSpec(parsing: r)) }
        return out
    }

    /// The variables the recodes read that they do not make themselves (for column selection).
    func variablesRead() throws -> [String] {
        var made = Set<String>(), read: [String] = []
        for s in try specs() {
            for v in s.variablesRead where !made.contains(v) && !read.contains(v) { read.append(v) }
            made.insert(s.variableWritten)
        }
        return read
    }

    func apply(to data: Dataset) throws -> Dataset {
        let specs = try specs()
        guard !specs.isEmpty else { return data }
        var d = data
        for s in specs { try d.apply(s) }
        return d
    }
}

/// Output format selection shared by every command.
struct OutputOptions: ParsableArguments {
    @Option(name: .long, help: "Output format: table, json, csv or markdown.")
    var format: OutputFormat = .table

    @Flag(name: .long, help: "Add provenance (barometer version, input SHA-256, options, time): a 'provenance' object in JSON, closing lines in tables.")
    var provenance = false
}

extension OutputFormat: ExpressibleByArgument {}

/// Prints a result in the chosen format: JSON encodes the result value
/// itself (stable schema), the others render its labelled grid.
func emit<T: Encodable & TableRepresentable>(_ result: T, _ output: OutputOptions) throws {
    if output.format == .json {
        print(try renderJSONWithProvenance(result, output))
    } else {
        let table = output.format == .csv ? result.textTable : withProvenanceNotes(result.textTable, output)
        print(csvProvenanceComments(output) + output.format.render(table), terminator: output.format == .csv ? "" : "\n")
    }
}

/// Prints a result followed by companion results (statistics per layer,
/// design-based estimates): one JSON object `{"result": …, key: [...]}` for
/// `--format json`, so the output stays a single document; the grids one
/// after another otherwise.
func emit<T: Encodable & TableRepresentable, U: Encodable & TableRepresentable>(
    _ result: T, with companions: [U], key: String, _ output: OutputOptions) throws {
    if output.format == .json {
        print(try renderJSONWithProvenance(CombinedOutput(result: result, companions: companions, key: key), output))
        return
    }
    try emit(result, output)
    for c in companions {
        print("")
        try emit(c, output)
    }
}

/// `{"result": …, key: [...]}`: a result and its companions as one JSON document.
struct CombinedOutput<T: Encodable, U: Encodable>: Encodable {
    let result: T
    let companions: [U]
    let key: String

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ s: String) { stringValue = s }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(result, forKey: Key("result"))
        try c.encode(companions, forKey: Key(key))
    }
}
