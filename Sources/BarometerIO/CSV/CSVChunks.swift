import Barometer

extension CSVReader {
    /// Pieces a streamed chunk is cut into for the parser threads (the first
    /// is read before the others start, so more pieces keep the cores busier).
    static let piecesPerChunk = 16
    /// Smallest piece of a streamed chunk.
    static let minimumPieceBytes = 4 << 10

    /// Reads `path` in chunks of whole records, about `chunkBytes` bytes of
    /// the file each, handing each chunk to `body` as a `Dataset` with every
    /// header variable (codebook applied) in file order. The file is mapped
    /// and the pages of finished chunks are given back, so memory is bounded
    /// by one chunk's columns, not by the file: the streaming pass of
    /// `barometer partial`. Errors name physical file lines as
    /// ``read(path:codebook:options:)`` does. A record longer than a chunk
    /// widens that chunk. A file that cannot be mapped (a pipe) is read whole.
    /// Each chunk is cut into ``piecesPerChunk`` pieces parsed on every core
    /// (`CSVPieces`, as ``read(path:codebook:options:)``), and only the
    /// ``CSVOptions/columns`` selected are kept: values, column kinds and error
    /// positions do not depend on the thread count or the piece size.
    /// After each chunk, `LongWork/step(_:completed:total:)` reports the bytes done and stops a
    /// cancelled task (`BarometerError/cancelled(stage:completed:total:)`).
    /// - Throws: ``CSVError``, ``CodebookError`` or whatever `body` throws.
    public static func forEachChunk(path: String, codebook: Codebook?, options: CSVOptions = .default,
                                    chunkBytes: Int = 8 << 20, _ body: (Dataset) throws -> Void) throws {
        let options = try options.validated()
        guard let file = try MappedFile(path: path) else {
            try body(read(path: path, codebook: codebook, options: options))
            return
        }
        try withExtendedLifetime(file) {
            let base = file.bytes, count = file.count
            var start = 0
            if count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { start = 3 }
            var first = CSVParser(options: options, codebook: codebook)
            let headerLength = try first.parse(base + start, count: count - start, eof: true, oneRecord: true)
            guard first.headerDone else { throw CSVError.noHeader }
            try codebook?.validate(header: first.header)
            try ColumnSelectionError.check(options.columns, header: first.header, file: path)
            var pos = start + headerLength, line = first.line
            var size = max(chunkBytes, 1), emitted = false
            var kinds: [ColumnBuffer.Kind]? = nil
            while pos < count || !emitted {
                let length = min(size, count - pos), last = pos + length == count
                var parser = CSVParser(options: options, codebook: codebook)
                _ = try parser.parse(base + start, count: headerLength, eof: true, oneRecord: true)
                // Column kinds carry over from the previous chunk, as one pass over the file
                // would have them (a numeric column that meets text is an error at its line).
                if let k = kinds { parser.startPiece(kinds: k) }
                parser.continue(atLine: line)
                // The chunk's records on every core (`CSVPieces`: same values and errors as one thread).
                let pieceSize = max(length / Self.piecesPerChunk, Self.minimumPieceBytes)
                let used = length > 0
                    ? try CSVPieces.parse(base, from: pos, to: pos + length, into: &parser, pieceSize: pieceSize,
                                          threads: options.threadCount, eof: last) - pos
                    : 0
                if used == 0 && !last { size *= 2; continue }
                kinds = parser.kinds
                let (header, columns) = try parser.finish()
                try body(assemble(header: header, columns: columns, codebook: codebook))
                emitted = true
                line = parser.line
                pos += used
                try LongWork.step("CSV bytes", completed: pos, total: count)
                file.release(upTo: pos)
                size = max(chunkBytes, 1)
            }
        }
    }
}
