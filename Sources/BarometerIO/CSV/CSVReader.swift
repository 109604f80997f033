import Barometer
// PLACEHOLDER: replaced by the streaming reader (issue 2, item 5).
public enum CSVReader {
    public static func read(path: String, codebookPath: String? = nil) throws -> Dataset {
        throw BarometerError.invalidArgument("CSV reader not implemented yet")
    }
}
