import Foundation

/// How ``CSVReader`` reads a file.
public struct CSVOptions: Sendable, Equatable {
    /// The size of the pieces a file (or byte array) is cut into, each just
    /// after a line feed, to be parsed on several threads; records that
    /// straddle a cut are read on by the reader that owns the bytes before it
    /// (for input that cannot be mapped, such as a pipe: bytes requested per
    /// `read(2)`). Default 4 MiB. The result never depends on it. Tests use
    /// tiny sizes (1, 2, 3 …) to put every quote and line end on a cut.
    public var chunkSize: Int
    /// Cell texts that mean system-missing (NaN) in a numeric column, compared
    /// after trimming spaces and tabs: by default `NA` (R) and `.` (Stata,
    /// SAS). An empty cell is always system-missing. String columns keep these
    /// texts verbatim.
    public var missingTokens: [String]
    /// The field delimiter, one ASCII byte other than `"`, CR or LF. Default `,`.
    public var delimiter: UInt8
    /// The columns to keep (by header name); `nil` (the default) keeps every
    /// column. The other columns are still scanned, so quoting and field
    /// counts are checked and error positions (line, column) are those of
    /// the whole file, but their cells are neither typed nor stored: memory
    /// is that of the kept columns only, and a text cell in a column that is
    /// not kept is no error. The kept columns are read, typed (same
    /// inference rules) and checked exactly as in a full read. A codebook's
    /// weight variable is always kept. A name that is not in the header is
    /// ``ColumnSelectionError/unknownVariable(_:file:suggestions:)``.
    /// Variables come out in file order.
    public var columns: Set<String>? = nil
    /// Threads that parse pieces at once; `nil` (the default) means one per
    /// active processor. Internal: tests vary it to show that the result does not.
    package var threads: Int? = nil

    /// - Parameters:
    ///   - chunkSize: Bytes per piece parsed on one thread (default 4 MiB); never changes the result.
    ///   - missingTokens: Cell texts read as system-missing in numeric columns (default `NA`, `.`).
    ///   - delimiter: The field delimiter, one ASCII byte other than `"`, CR or LF (default `,`).
    ///   - columns: The columns to keep by header name (nil: every column).
    public init(chunkSize: Int = 4 << 20, missingTokens: [String] = ["NA", "."], delimiter: UInt8 = UInt8(ascii: ","),
                columns: Set<String>? = nil) {
        self.chunkSize = chunkSize
        self.missingTokens = missingTokens
        self.delimiter = delimiter
        self.columns = columns
    }

    /// The defaults.
    public static let `default` = CSVOptions()

    func validated() throws(CSVError) -> CSVOptions {
        guard chunkSize >= 1 else { throw .invalidOptions("chunkSize must be at least 1 (got \(chunkSize))") }
        guard delimiter < 0x80, delimiter != UInt8(ascii: "\""), delimiter != 0x0A, delimiter != 0x0D else {
            throw .invalidOptions("the delimiter must be an ASCII byte other than a double quote, CR or LF")
        }
        if let t = threads, t < 1 { throw .invalidOptions("threads must be at least 1 (got \(t))") }
        return self
    }

    /// The number of parsing threads to use.
    var threadCount: Int { threads ?? min(max(ProcessInfo.processInfo.activeProcessorCount, 1), 16) }
}
