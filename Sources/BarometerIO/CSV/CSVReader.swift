import Barometer
import Foundation

/// Streaming RFC 4180 CSV import into a `Dataset`, with an optional JSON
/// ``Codebook``.
///
/// **Format.** A header row, then records of the same number of fields.
/// Fields may be quoted with `"`; quoted fields may hold delimiters, line
/// breaks (LF, CRLF, CR) and doubled quotes (`""` → `"`). Records end with
/// LF, CRLF or a lone CR; a final line end is optional. A UTF-8 byte-order
/// mark is skipped. Blank lines are skipped (as in pandas and R), so a
/// one-column file writes an empty value as `""`. Header names are trimmed
/// of spaces and tabs; spaces after a closing quote are ignored.
///
/// **Types.** A codebook `type` wins. Otherwise a column is numeric unless its
/// first value that is neither empty nor a missing token is not a number;
/// then it is a string column, kept verbatim (earlier empty cells become
/// `""`, earlier missing tokens keep their text). A numeric column that
/// later meets a non-number is an error (``CSVError/nonNumeric(_:value:)``).
/// A codebook weight is numeric.
///
/// **Numbers** follow Python's `float()` (without `inf`/`nan`/`_`),
/// surrounding spaces and tabs allowed, correctly rounded
/// (see `DecimalParser`: Clinger's fast path, else `strtod`).
///
/// **Missing.** In numeric columns an empty cell and the
/// ``CSVOptions/missingTokens`` (default `NA`, `.`) are system-missing (NaN);
/// user-missing codes come only from the codebook (`missing`,
/// `missingRanges`) and stay as their codes.
///
/// **Parallel parsing.** A regular file is mapped into memory (`mmap`, page
/// cache, no copy) and its records are cut into ``CSVOptions/chunkSize``
/// pieces (default 4 MiB) that one thread per core parses into per-piece
/// column buffers, merged in file order (`CSVPieces`); a piece whose
/// start turns out not to be a record start (a line feed inside a quoted
/// field) or that holds an error is read on sequentially, so values,
/// types and error positions are exactly those of a single sequential
/// pass, whatever the number of threads. Memory is the columns (8 bytes
/// per numeric cell) plus one piece per thread. Input that cannot be
/// mapped (a pipe) is streamed with `read(2)` in chunks of the same size.
/// The header is read and checked against the codebook before any record.
///
/// **Errors** are ``CSVError`` (with line and column, where lines are
/// physical 1-based file lines, header = line 1, correct across quoted line
/// breaks) and ``CodebookError``. Weights are validated later by
/// `SurveyDesign` (`BarometerError.invalidWeight(variable:row:value:)`,
/// row = 1-based data row).
public enum CSVReader {
    /// Reads `path` with the codebook at `codebookPath`, if any, and default options.
    /// - Throws: ``CSVError`` or ``CodebookError``.
    public static func read(path: String, codebookPath: String? = nil) throws -> Dataset {
        let codebook = try codebookPath.map { (p: String) throws(CodebookError) -> Codebook in try Codebook.load(path: p) }
        return try read(path: path, codebook: codebook, options: .default)
    }

    /// Reads `path` with an already decoded codebook and explicit options.
    /// - Throws: ``CSVError`` or ``CodebookError``.
    public static func read(path: String, codebook: Codebook?, options: CSVOptions) throws -> Dataset {
        let options = try options.validated()
        if let file = try MappedFile(path: path) {
            return try withExtendedLifetime(file) {
                try read(contiguous: file.bytes, count: file.count, codebook: codebook, options: options,
                         release: { file.release(upTo: $0) }, file: path)
            }
        }
        var source = try FileByteSource(path: path)
        return try read(from: &source, codebook: codebook, options: options, file: path)
    }

    /// The header names of `path` (its first record, trimmed, checked as a
    /// full read checks them), without reading the records.
    /// - Throws: ``CSVError``.
    public static func header(path: String, options: CSVOptions = .default) throws -> [String] {
        let options = try options.validated()
        var parser = CSVParser(options: options, codebook: nil)
        if let file = try MappedFile(path: path) {
            try withExtendedLifetime(file) {
                let base = file.bytes, count = file.count
                var start = 0
                if count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { start = 3 }
                _ = try parser.parse(base + start, count: count - start, eof: true, oneRecord: true)
            }
        } else {
            // Not mappable (an empty file, a pipe): read on, records included.
            var source = try FileByteSource(path: path)
            try stream(&source, into: &parser, chunkSize: options.chunkSize, codebook: nil)
        }
        guard parser.headerDone else { throw CSVError.noHeader }
        return parser.header
    }

    /// Reads CSV bytes held in memory (cut into `options.chunkSize` pieces, as a file is).
    /// - Throws: ``CSVError`` or ``CodebookError``.
    public static func read(bytes: [UInt8], codebook: Codebook? = nil, options: CSVOptions = .default) throws -> Dataset {
        let options = try options.validated()
        return try bytes.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress, b.count > 0 else {
                var source = MemoryByteSource(bytes: [])
                return try read(from: &source, codebook: codebook, options: options)
            }
            return try read(contiguous: base, count: b.count, codebook: codebook, options: options)
        }
    }

    /// Reads CSV text held in memory (convenience for tests and small inputs).
    public static func read(string: String, codebook: Codebook? = nil, options: CSVOptions = .default) throws -> Dataset {
        try read(bytes: Array(string.utf8), codebook: codebook, options: options)
    }

    /// `bytes` read as a stream (the path of a pipe), for the fuzz harness
    /// that checks the streamed and the mapped readings agree.
    package static func readStreamed(bytes: [UInt8], codebook: Codebook?, options: CSVOptions) throws -> Dataset {
        var source = MemoryByteSource(bytes: bytes)
        return try read(from: &source, codebook: codebook, options: options)
    }

    static func read<S: ByteSource>(from source: inout S, codebook: Codebook?, options: CSVOptions,
                                    file: String = "the CSV input") throws -> Dataset {
        let options = try options.validated()
        var parser = CSVParser(options: options, codebook: codebook)
        try stream(&source, into: &parser, chunkSize: options.chunkSize, codebook: codebook, file: file)
        let (header, columns) = try parser.finish()
        return try assemble(header: header, columns: columns, codebook: codebook)
    }

    /// Reads a whole file held in memory: the BOM, the header record, the
    /// codebook check, then the records, on several threads (`CSVPieces`).
    static func read(contiguous base: UnsafePointer<UInt8>, count: Int, codebook: Codebook?,
                     options: CSVOptions, release: (@Sendable (Int) -> Void)? = nil,
                     file: String = "the CSV input") throws -> Dataset {
        var parser = CSVParser(options: options, codebook: codebook)
        var start = 0
        if count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { start = 3 }
        start += try parser.parse(base + start, count: count - start, eof: true, oneRecord: true)
        guard parser.headerDone else { throw CSVError.noHeader }
        try codebook?.validate(header: parser.header)
        try ColumnSelectionError.check(options.columns, header: parser.header, file: file)
        let headerParser = parser, headerKinds = parser.kinds, headerLine = parser.line
        if let (header, columns) = try readDirect(base, from: start, to: count, parser: &parser, options: options,
                                                  release: release) {
            return try assemble(header: header, columns: columns, codebook: codebook)
        }
        // The copying path: the direct parse was not possible or was abandoned (a fresh parser after the header).
        parser = headerParser.pieceParser(kinds: headerKinds)
        parser.continue(atLine: headerLine)
        try CSVPieces.parse(base, from: start, to: count, into: &parser,
                            pieceSize: options.chunkSize, threads: options.threadCount, release: release)
        let (header, columns) = try parser.finish()
        return try assemble(header: header, columns: columns, codebook: codebook)
    }

    /// The records of `base[start..<end]` parsed into the final arrays of the
    /// numeric columns (`CSVDestination`), sized from the records of the
    /// first piece (counted, not parsed) times the file's pieces, plus 25%:
    /// nil when that is not possible (no numeric column, an uncountable
    /// first piece, more than ``CSVDestination/mostColumns`` columns) or the
    /// parse was abandoned (a piece that could not be counted is fine; more
    /// rows than the arrays hold is not); the caller then reads the records
    /// again on the copying path. Errors are the sequential reader's.
    static func readDirect(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int, parser: inout CSVParser,
                           options: CSVOptions, release: (@Sendable (Int) -> Void)?) throws(CSVError)
        -> (header: [String], columns: [ParsedColumn])? {
        let kinds = parser.kinds
        let numeric = kinds.indices.filter { kinds[$0] == .numeric || kinds[$0] == .undetermined }
        guard end > start, !numeric.isEmpty, numeric.count <= CSVDestination.mostColumns else { return nil }
        let first = CSVPieces.firstPieceEnd(base, from: start, to: end, pieceSize: options.chunkSize)
        guard let firstRows = CSVPieces.countRecords(base, from: start, to: first, delimiter: parser.delimiter),
              firstRows > 0 else { return nil }
        // No more rows than the bytes allow: a record holds a delimiter per column after the first and a line end.
        let most = (end - start) / max(kinds.count, 1) + 1
        let estimate = Double(firstRows) * Double(end - start) / Double(first - start) * 1.25 + 64
        let capacity = first == end ? firstRows : min(most, Int(min(estimate, 1e15)))
        var thrown: CSVError? = nil
        var main = parser
        let arrays = CSVDestination.withArrays(numeric.count, capacity: capacity) { pointers -> [Int]? in
            var columns = [UnsafeMutablePointer<Double>?](repeating: nil, count: kinds.count)
            for (k, j) in numeric.enumerated() { columns[j] = pointers[k] }
            let destination = CSVDestination(columns: columns, capacity: capacity, firstPieceRows: firstRows)
            do throws(CSVError) {
                try CSVPieces.parse(base, from: start, to: end, into: &main, pieceSize: options.chunkSize,
                                    threads: options.threadCount, release: release, direct: destination)
            } catch {
                thrown = error
                return nil
            }
            if destination.abandoned { return nil }
            let final = main.kinds
            return numeric.map { final[$0] == .string ? 0 : main.rows }
        }
        if let e = thrown { throw e }
        guard let arrays else { return nil }
        var byColumn = [[Double]?](repeating: nil, count: kinds.count)
        for (k, j) in numeric.enumerated() where main.kinds[j] != .string { byColumn[j] = arrays[k] }
        parser = main
        return try main.finish(arrays: byColumn)
    }

    /// The chunk loop: read, parse whole records, carry the unfinished one over.
    static func stream<S: ByteSource>(_ source: inout S, into parser: inout CSVParser, chunkSize: Int,
                                      codebook: Codebook?, file: String = "the CSV input") throws {
        var capacity = max(chunkSize * 2, 64)
        var buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        var filled = 0          // bytes in buffer
        var start = 0           // first unparsed byte
        var bomChecked = false
        var eof = false
        var reserved = false
        var parsedBytes = 0
        let sizeHint = source.sizeHint
        while !eof {
            if start > 0 {
                if filled > start { buffer.update(from: buffer + start, count: filled - start) }
                filled -= start
                start = 0
            }
            if filled + chunkSize > capacity {
                let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: max(capacity * 2, filled + chunkSize))
                bigger.update(from: buffer, count: filled)
                buffer.deallocate()
                buffer = bigger
                capacity = max(capacity * 2, filled + chunkSize)
            }
            let n = try source.read(into: buffer + filled, count: chunkSize)
            if n == 0 { eof = true }
            filled += n
            parsedBytes += n
            if !bomChecked {
                if filled < 3 && !eof { continue }
                bomChecked = true
                if filled >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF { start = 3 }
            }
            // The header alone first, so that the codebook is checked before any record.
            let header = !parser.headerDone
            start += try parser.parse(buffer + start, count: filled - start, eof: eof, oneRecord: header)
            if header && parser.headerDone {
                try codebook?.validate(header: parser.header)
                try ColumnSelectionError.check(parser.selection, header: parser.header, file: file)
                start += try parser.parse(buffer + start, count: filled - start, eof: eof)
            }
            if !reserved && parser.rows >= 64, let size = sizeHint {
                // Rows per byte so far, times the file size, plus 5%.
                reserved = true
                let estimate = Double(size) * Double(parser.rows) / Double(max(parsedBytes - (filled - start), 1)) * 1.05
                if estimate.isFinite && estimate < 1e10 { parser.reserve(rows: Int(estimate)) }
            }
        }
    }

    /// Builds the variables and applies the codebook.
    static func assemble(header: [String], columns: [ParsedColumn], codebook: Codebook?) throws -> Dataset {
        var variables: [Variable] = []
        variables.reserveCapacity(header.count)
        for (name, column) in zip(header, columns) {
            let entry = codebook?.variable(named: name)
            var v: Variable
            switch column {
            case .strings(let strings):
                if name == codebook?.weight { throw CodebookError.weightNotNumeric(name) }
                if let e = entry, !e.valueLabels.isEmpty || !e.missing.isEmpty {
                    throw CodebookError.codesOnStringVariable(name)   // inferred string, but the codebook gives codes
                }
                v = Variable(name: name, label: entry?.label, strings: strings)
            case .numbers(let values):
                v = Variable(name: name, label: entry?.label, values: values)
                v.valueLabels = entry?.valueLabels ?? [:]
                v.missing = entry?.missing ?? .none
            }
            if let level = entry?.level { v.level = level }
            v.format = entry?.format
            variables.append(v)
        }
        return try Dataset(variables: variables, weightVariable: codebook?.weight)
    }
}
