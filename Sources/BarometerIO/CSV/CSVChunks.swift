import Barometer
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
    /// by a few chunks' columns, not by the file: the streaming pass of
    /// `barometer partial`. Errors name physical file lines as
    /// ``read(path:codebook:options:)`` does. A record longer than a chunk
    /// widens that chunk. A file that cannot be mapped (a pipe) is read whole.
    /// Each chunk is cut into `piecesPerChunk` pieces parsed on every core
    /// (`CSVPieces`, as ``read(path:codebook:options:)``), and only the
    /// ``CSVOptions/columns`` selected are kept: values, column kinds and error
    /// positions do not depend on the thread count or the piece size.
    ///
    /// **Pipeline.** With more than one thread, a reader thread parses chunk
    /// k + 1 while `body` accumulates chunk k on the calling thread (depth 2:
    /// at most the chunk in `body`, one parsed chunk waiting and the one being
    /// parsed). `body` still sees the chunks one at a time, in file order, on
    /// the calling thread, with the same boundaries as a sequential pass (a
    /// chunk's end depends only on the bytes), so results are bit-identical
    /// whatever the thread count. A parse error of chunk k + 1 is thrown only
    /// after `body(chunk k)` has returned (as the sequential pass throws it);
    /// if `body` or a step throws, the reader thread is stopped and joined
    /// before this function rethrows.
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
            let reader = try ChunkReader(file: file, path: path, codebook: codebook, options: options, chunkBytes: chunkBytes)
            func consume(_ chunk: ChunkReader.Chunk) throws {
                try body(chunk.data)
                try LongWork.step("CSV bytes", completed: chunk.end, total: file.count)
                file.release(upTo: chunk.end)
            }
            if options.threadCount <= 1 {
                var reader = reader
                while let chunk = try reader.next() { try consume(chunk) }
                return
            }
            let pipeline = ChunkPipeline(reader)
            try pipeline.run(consume)
        }
    }
}

/// The chunks of a mapped CSV file after its header, one after the other
/// (``CSVReader/forEachChunk(path:codebook:options:chunkBytes:_:)``): the
/// header is read and checked once; each chunk's parser starts from it, with
/// the column kinds and the line where the previous chunk ended.
struct ChunkReader {
    /// A parsed chunk and the file offset after its last record.
    struct Chunk {
        let data: Dataset
        let end: Int
    }

    private let base: UnsafePointer<UInt8>
    private let count: Int
    private let codebook: Codebook?
    private let options: CSVOptions
    private let chunkBytes: Int
    /// The parser after the header (each chunk's parser is a piece parser of it).
    private let header: CSVParser
    private var kinds: [ColumnBuffer.Kind]
    private var pos: Int
    private var line: Int
    private var emitted = false

    init(file: MappedFile, path: String, codebook: Codebook?, options: CSVOptions, chunkBytes: Int) throws {
        base = file.bytes
        count = file.count
        self.codebook = codebook
        self.options = options
        self.chunkBytes = max(chunkBytes, 1)
        var start = 0
        if count >= 3 && base[0] == 0xEF && base[1] == 0xBB && base[2] == 0xBF { start = 3 }
        var first = CSVParser(options: options, codebook: codebook)
        let headerLength = try first.parse(base + start, count: count - start, eof: true, oneRecord: true)
        guard first.headerDone else { throw CSVError.noHeader }
        try codebook?.validate(header: first.header)
        try ColumnSelectionError.check(options.columns, header: first.header, file: path)
        header = first
        kinds = first.kinds
        pos = start + headerLength
        line = first.line
    }

    /// The next chunk (nil after the last; a file with a header only gives one empty chunk).
    mutating func next() throws -> Chunk? {
        guard pos < count || !emitted else { return nil }
        var size = chunkBytes
        while true {
            let length = min(size, count - pos), last = pos + length == count
            // Column kinds carry over from the previous chunk, as one pass over the file
            // would have them (a numeric column that meets text is an error at its line).
            var parser = header.pieceParser(kinds: kinds)
            parser.continue(atLine: line)
            // The chunk's records on every core (`CSVPieces`: same values and errors as one thread).
            let pieceSize = max(length / CSVReader.piecesPerChunk, CSVReader.minimumPieceBytes)
            let used = length > 0
                ? try CSVPieces.parse(base, from: pos, to: pos + length, into: &parser, pieceSize: pieceSize,
                                      threads: options.threadCount, eof: last) - pos
                : 0
            if used == 0 && !last { size *= 2; continue }
            kinds = parser.kinds
            let (names, columns) = try parser.finish()
            let data = try CSVReader.assemble(header: names, columns: columns, codebook: codebook)
            emitted = true
            line = parser.line
            pos += used
            return Chunk(data: data, end: pos)
        }
    }
}

/// The reader thread of ``CSVReader/forEachChunk(path:codebook:options:chunkBytes:_:)``:
/// it parses the next chunk while the calling thread consumes the current one,
/// handing chunks over through a one-slot mailbox, strictly in file order.
///
/// The ``ChunkReader`` is used only by the reader thread once it has started;
/// the slot and the flags are touched under the mutex, which also orders the
/// memory of a chunk handed over. The reader thread ends after the last chunk,
/// after an error (kept in the slot, thrown by the consumer in its turn), or
/// when the consumer stops it; ``run(_:)`` joins it before it returns or throws.
private final class ChunkPipeline: @unchecked Sendable {
    private var reader: ChunkReader
    /// The next chunk, nil at the end, or the error that ended the reading.
    private var slot: Result<ChunkReader.Chunk?, any Error>? = nil
    private var stopped = false
    private var finished = false
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let changed = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init(_ reader: ChunkReader) {
        self.reader = reader
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(changed, nil)
    }

    deinit {
        pthread_cond_destroy(changed)
        pthread_mutex_destroy(mutex)
        changed.deallocate()
        mutex.deallocate()
    }

    /// Runs the reader thread and calls `consume` with each chunk on the calling thread.
    func run(_ consume: (ChunkReader.Chunk) throws -> Void) throws {
        let thread = Thread { [self] in produce() }
        thread.stackSize = 8 << 20
        thread.start()
        defer { stopAndJoin() }
        while true {
            pthread_mutex_lock(mutex)
            while slot == nil { pthread_cond_wait(changed, mutex) }
            let item = slot
            slot = nil
            pthread_cond_broadcast(changed)
            pthread_mutex_unlock(mutex)
            switch item {
            case .success(let chunk?)?: try consume(chunk)
            case .failure(let error)?: throw error
            case .success(nil)?, nil: return
            }
        }
    }

    /// The reader thread: parses a chunk whenever the slot is free, until the end, an error or a stop.
    private func produce() {
        while true {
            pthread_mutex_lock(mutex)
            while slot != nil && !stopped { pthread_cond_wait(changed, mutex) }
            let stop = stopped
            pthread_mutex_unlock(mutex)
            if stop { break }
            let item: Result<ChunkReader.Chunk?, any Error>
            do { item = .success(try reader.next()) } catch { item = .failure(error) }
            pthread_mutex_lock(mutex)
            slot = item
            pthread_cond_broadcast(changed)
            pthread_mutex_unlock(mutex)
            if case .success(let c) = item, c != nil { continue }
            break
        }
        pthread_mutex_lock(mutex)
        finished = true
        pthread_cond_broadcast(changed)
        pthread_mutex_unlock(mutex)
    }

    /// Stops the reader thread (after the chunk it is parsing) and waits for it to end.
    private func stopAndJoin() {
        pthread_mutex_lock(mutex)
        stopped = true
        slot = nil
        pthread_cond_broadcast(changed)
        while !finished { pthread_cond_wait(changed, mutex) }
        pthread_mutex_unlock(mutex)
    }
}
