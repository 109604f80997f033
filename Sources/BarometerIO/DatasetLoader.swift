import Barometer

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
    ///   ``Barometer/BarometerError/invalidArgument(_:)`` for a codebook given
    ///   with a non-CSV file.
    public static func load(_ path: String, codebook: String? = nil,
                            options: ReadStatOptions = ReadStatOptions()) throws -> Dataset {
        let ext = ReadStatReader.fileExtension(path).lowercased()
        if ext == "csv" {
            let data = try CSVReader.read(path: path, codebookPath: codebook)
            // Every command needs respondents: say so here rather than as an empty domain later.
            guard data.rowCount > 0 else {
                throw BarometerError.insufficientData("\(path) has a header (line 1) but no data rows")
            }
            return data
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
