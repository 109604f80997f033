import Barometer
import Foundation

/// Opens a survey file, choosing the reader from the extension or, failing
/// that, from the file's magic bytes.
///
/// - `.csv`: ``CSVReader`` (with an optional JSON codebook).
/// - `.sav`, `.zsav`, `.por`, `.dta`, `.sas7bdat`, `.xpt`: ``ReadStatReader``.
///   When the first bytes clearly belong to another of these formats (a
///   `.dta` that is really an SPSS file), that is an error rather than a
///   guess: ``ReadStatError/extensionMismatch(file:extension:detected:)``.
/// - Any other extension (or none): the magic bytes decide
///   (``ReadStatFormat/detect(_:)``); nothing recognised is
///   ``ReadStatError/unknownFormat(file:)``.
public enum DatasetLoader {
    /// Loads `path`. `codebook` applies to CSV files only; `options` (user-missing
    /// rule, encoding) to SPSS/Stata/SAS files.
    /// - Throws: ``ReadStatError``, the CSV reader's errors, or
    ///   `BarometerError.invalidArgument(_:)` for a codebook given
    ///   with a non-CSV file.
    public static func load(_ path: String, codebook: String? = nil,
                            options: ReadStatOptions = ReadStatOptions()) throws -> Dataset {
        try load(path, codebook: codebook, options: options, csv: nil)
    }

    /// Loads `path` as ``load(_:codebook:options:)`` does, with explicit CSV
    /// options (e.g. the delimiter). `-` is standard input; standard input, a
    /// pipe or any other file that is not a regular file (`/dev/stdin`,
    /// `<(…)`) is read as CSV, streamed. `.tsv` and `.tab` files are CSV
    /// with a tab delimiter unless `csv` says otherwise; with explicit CSV
    /// options, a file that is no SPSS/Stata/SAS file by extension or magic
    /// bytes is read as CSV too.
    ///
    /// `columns` keeps only these variables (nil: all), for any format
    /// (``CSVOptions/columns``, ``ReadStatOptions/columns``): memory is that
    /// of the variables a command uses. It overrides the selection in
    /// `options` and `csv`. A name the file lacks is
    /// ``ColumnSelectionError/unknownVariable(_:file:suggestions:)`` (CSV) or
    /// ``ReadStatError/invalidData(file:error:)`` wrapping
    /// `BarometerError.unknownVariable` (SPSS/Stata/SAS), both naming the file.
    public static func load(_ path: String, codebook: String? = nil,
                            options: ReadStatOptions = ReadStatOptions(), csv: CSVOptions?,
                            columns: Set<String>? = nil) throws -> Dataset {
        let ext = ReadStatReader.fileExtension(path).lowercased()
        var options = options
        if let columns { options.columns = columns }
        func readCSV(_ file: String, _ o: CSVOptions) throws -> Dataset {
            let book = try codebook.map { (p: String) throws(CodebookError) -> Codebook in try Codebook.load(path: p) }
            var o = o
            if let columns { o.columns = columns }
            let data: Dataset
            do {
                data = try CSVReader.read(path: file, codebook: book, options: o)
            } catch ColumnSelectionError.unknownVariable(let name, _, let suggestions) where path == "-" {
                throw ColumnSelectionError.unknownVariable(name, file: "standard input", suggestions: suggestions)
            }
            // Every command needs respondents: say so here rather than as an empty domain later.
            guard data.rowCount > 0 else {
                throw BarometerError.insufficientData("\(path == "-" ? "standard input" : path) has a header (line 1) but no data rows")
            }
            return data
        }
        if path == "-" { return try readCSV("/dev/stdin", csv ?? .default) }
        if ext == "tsv" || ext == "tab" { return try readCSV(path, csv ?? CSVOptions(delimiter: UInt8(ascii: "\t"))) }
        if ext == "csv" || isStream(path) { return try readCSV(path, csv ?? .default) }
        if let csv, ReadStatFormat(extension: ext) == nil, ReadStatFormat.detect(ReadStatFormat.head(of: path)) == nil,
           FileManager.default.fileExists(atPath: path) {
            return try readCSV(path, csv)
        }
        let format = try readStatFormat(of: path)
        if codebook != nil {
            throw BarometerError.invalidArgument("a codebook applies to CSV files only; \(path) is a .\(format.rawValue) file that carries its own labels")
        }
        let file = try ReadStatReader.read(path: path, format: format, options: options)
        var data = file.dataset
        guard data.rowCount > 0 else { throw BarometerError.insufficientData("\(path) holds no cases (rows)") }
        for (name, labels) in file.extendedMissingLabels where !labels.isEmpty {
            if var v = data[name] {
                v.extendedMissingLabels = labels
                try data.replace(v)
            }
        }
        return data
    }

    /// The variable names of `path` in file order, read from the header
    /// (CSV: the first record only; SPSS/Stata/SAS: the dictionary, no data),
    /// with the same choice of reader as ``load(_:codebook:options:csv:columns:)``.
    /// nil for standard input and other streams, which cannot be read twice.
    public static func variableNames(_ path: String, options: ReadStatOptions = ReadStatOptions(),
                                     csv: CSVOptions? = nil) throws -> [String]? {
        if path == "-" || isStream(path) { return nil }
        let ext = ReadStatReader.fileExtension(path).lowercased()
        if ext == "tsv" || ext == "tab" { return try CSVReader.header(path: path, options: csv ?? CSVOptions(delimiter: UInt8(ascii: "\t"))) }
        if ext == "csv" { return try CSVReader.header(path: path, options: csv ?? .default) }
        if let csv, ReadStatFormat(extension: ext) == nil, ReadStatFormat.detect(ReadStatFormat.head(of: path)) == nil,
           FileManager.default.fileExists(atPath: path) {
            return try CSVReader.header(path: path, options: csv)
        }
        return try ReadStatReader.variableNames(path: path, format: readStatFormat(of: path), options: options)
    }

    /// Whether `path` exists and is not a regular file (a pipe, a terminal, `/dev/stdin`).
    static func isStream(_ path: String) -> Bool {
        guard let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType else { return false }
        return type != .typeRegular && type != .typeDirectory
    }

    /// The ReadStat format of a non-CSV file: by extension, checked against
    /// the magic bytes, else by magic bytes alone.
    public static func readStatFormat(of path: String) throws(ReadStatError) -> ReadStatFormat {
        let ext = ReadStatReader.fileExtension(path).lowercased()
        let detected = ReadStatFormat.detect(ReadStatFormat.head(of: path))
        if let byExtension = ReadStatFormat(extension: ext) {
            if let d = detected, !d.sameReader(as: byExtension) {
                throw .extensionMismatch(file: path, extension: ext, detected: d.rawValue)
            }
            return byExtension
        }
        if let d = detected { return d }
        throw .unknownFormat(file: path)
    }
}
