/// How ``CSVReader`` reads a file.
public struct CSVOptions: Sendable, Equatable {
    /// Bytes requested per `read(2)`; records that straddle a chunk carry over
    /// to the next. Default 4 MiB. Tests use tiny sizes (1, 2, 3 …) to put
    /// every quote and line end on a chunk boundary.
    public var chunkSize: Int
    /// Cell texts that mean system-missing (NaN) in a numeric column, compared
    /// after trimming spaces and tabs: by default `NA` (R) and `.` (Stata,
    /// SAS). An empty cell is always system-missing. String columns keep these
    /// texts verbatim.
    public var missingTokens: [String]
    /// The field delimiter, one ASCII byte other than `"`, CR or LF. Default `,`.
    public var delimiter: UInt8

    public init(chunkSize: Int = 4 << 20, missingTokens: [String] = ["NA", "."], delimiter: UInt8 = UInt8(ascii: ",")) {
        self.chunkSize = chunkSize
        self.missingTokens = missingTokens
        self.delimiter = delimiter
    }

    /// The defaults.
    public static let `default` = CSVOptions()

    func validated() throws(CSVError) -> CSVOptions {
        guard chunkSize >= 1 else { throw .invalidOptions("chunkSize must be at least 1 (got \(chunkSize))") }
        guard delimiter < 0x80, delimiter != UInt8(ascii: "\""), delimiter != 0x0A, delimiter != 0x0D else {
            throw .invalidOptions("the delimiter must be an ASCII byte other than a double quote, CR or LF")
        }
        return self
    }
}
