import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Parses the records of a CSV file held contiguously in memory (mapped or
/// an array) on several threads, with exactly the result and the errors of
/// one ``CSVParser`` reading the bytes from start to end.
///
/// **Split.** The records after the header are cut into pieces of about
/// `pieceSize` bytes, each ending just after a line feed. The first piece
/// is read by the main parser (so that the columns' kinds are known); the
/// others are claimed in order by the worker threads, each parsing its piece
/// speculatively with its own parser, which assumes the piece starts a
/// record outside quotes, counts lines from 1 and starts from the kinds
/// after the first piece.
///
/// **Ordered merge.** Pieces are merged strictly in file order, one at a
/// time. The merge keeps the position `P` up to which the main parser has
/// read (its line counter and kinds are the sequential reader's). A piece
/// is accepted, its columns appended and its line count added, when it
/// starts at `P` (so its first byte really starts a record: the previous
/// piece, read authoritatively, ended there), parsed without error, and
/// its start kinds read it as the main parser's current kinds would
/// (``CSVParser/accepts(_:startingFrom:)``). Otherwise (a line feed inside
/// a quoted field, a record cut by the split, an error, a column that has
/// become text) the main parser itself reads on from `P` to the piece's
/// end, as the sequential reader would; the first error in file order is
/// therefore thrown with its true line and column. Column values are
/// copied, never recomputed, so the result does not depend on the number
/// of threads or the piece size.
enum CSVPieces {
    /// Parses `base[start..<end]` (whole records after the header) into `main`.
    /// `release`, if given, is told after each merge that the bytes before
    /// that offset are no longer needed (a mapped file gives their pages back).
    /// With `eof` false, `end` is not the end of the input (a chunk of a
    /// streamed file): a record cut by `end` is left unread, and the returned
    /// offset (where the next chunk starts) is before it.
    /// - Returns: the offset after the last record read.
    /// With `direct` (a whole input, `eof`), the numeric columns are written
    /// straight into their final arrays (`CSVDestination`): `main`'s and each
    /// piece's values go to the rows the piece's records will occupy, found
    /// by counting the piece's records first (``countRecords(_:from:to:delimiter:)``),
    /// so that an accepted piece needs no copy. Any inconsistency (an
    /// uncountable piece, a count the parse contradicts, more rows than the
    /// destination holds) sets `direct.abandoned` and the caller reads the
    /// input again on the copying path; errors are thrown as without `direct`.
    @discardableResult
    static func parse(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int, into main: inout CSVParser,
                      pieceSize: Int, threads: Int, eof: Bool = true,
                      release: (@Sendable (Int) -> Void)? = nil, direct: CSVDestination? = nil) throws(CSVError) -> Int {
        guard end > start else { return start }
        let size = max(pieceSize, 1)
        let span = end - start
        let pieces = span / size + (span % size == 0 ? 0 : 1)
        let first = boundary(base, start: start, end: end, size: size, pieces: pieces, piece: 1)
        if let d = direct {
            // Piece 0's rows (counted by the caller, which sized the destination from them).
            d.publish(piece: 0, rows: d.firstPieceRows, pieces: pieces)
            main.useDestination(d, offset: 0, capacity: d.firstPieceRows)
        }
        var position = start + (try main.parse(base + start, count: first - start, eof: first == end && eof))
        if let d = direct {
            if main.flushWindows() || main.rows != d.firstPieceRows { d.abandon(); return position }
            main.setDestinationCapacity(d.capacity)
        }
        if pieces <= 1 { return position }
        // Room for the rest, from the rows per byte of the first piece, plus 5%,
        // but never more rows than the bytes allow (a record holds at least a
        // delimiter per column after the first, and a line end).
        if direct == nil && main.rows > 0 && position > start {
            let most = span / max(main.kinds.count, 1) + 1
            let estimate = Double(main.rows) * Double(span) / Double(position - start) * 1.05
            if estimate.isFinite { main.reserve(rows: min(Int(min(estimate, 1e15)), most)) }
        }
        let workers = min(max(threads, 1), pieces - 1)
        if workers <= 1 {
            // One thread: the main parser reads piece after piece (a record cut
            // by a piece's end is read again with the next piece).
            for k in 1..<pieces {
                let b = boundary(base, start: start, end: end, size: size, pieces: pieces, piece: k + 1)
                position += try main.parse(base + position, count: b - position, eof: k == pieces - 1 && eof)
                release?(position)
            }
            if let d = direct, main.flushWindows() { d.abandon() }
            return position
        }
        let startKinds = main.kinds
        let state = MergeState(main: main, position: position)
        let parsers = UnsafeMutablePointer<CSVParser>.allocate(capacity: workers)
        for w in 0..<workers { (parsers + w).initialize(to: main.pieceParser(kinds: startKinds)) }
        defer {
            parsers.deinitialize(count: workers)
            parsers.deallocate()
        }
        let shared = SharedPieces(base: base, parsers: parsers, direct: direct)
        let delimiter = main.delimiter
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let base = shared.base
            let piece = shared.parsers + w
            while true {
                let k = state.claim()
                if k >= pieces { return }
                let a = boundary(base, start: start, end: end, size: size, pieces: pieces, piece: k)
                let b = boundary(base, start: start, end: end, size: size, pieces: pieces, piece: k + 1)
                // The last piece, or the one that reaches the end (the pieces after it are empty):
                // at the end of the input, a final record without a line end is read with it.
                let last = k == pieces - 1 || b == end
                piece.pointee.startPiece(kinds: startKinds)
                // Direct: the piece's rows, then (once the pieces before it are counted) where they go.
                var window: (offset: Int, rows: Int)? = nil
                if let d = shared.direct {
                    d.publish(piece: k, rows: state.failed || !(last && eof || b < end) ? nil
                                                : countRecords(base, from: a, to: b, delimiter: delimiter),
                              pieces: pieces)
                    window = d.window(piece: k)
                    if let w = window { piece.pointee.useDestination(d, offset: w.offset, capacity: w.rows) }
                }
                var used = -1                     // -1: not parsed or failed
                if !state.failed {
                    do { used = b > a ? try piece.pointee.parse(base + a, count: b - a, eof: last && eof) : 0 }
                    catch { used = -1 }
                }
                state.waitForTurn(k)
                if state.error == nil && !(shared.direct?.abandoned ?? false) {
                    do throws(CSVError) {
                        // Direct: the main parser writes no further than this piece's rows
                        // (the next pieces are being written in place), and must end there.
                        if let w = window {
                            if state.main.rows != w.offset { shared.direct?.abandon() }
                            state.main.setDestinationCapacity(w.offset + w.rows)
                        }
                        if shared.direct?.abandoned ?? false {
                            // Nothing more is merged: the caller reads the input again.
                        } else if state.position == a && used >= 0 && (window == nil || piece.pointee.rows == window?.rows)
                                    && state.main.accepts(piece.pointee, startingFrom: startKinds) {
                            state.main.absorb(&piece.pointee)
                            state.position = a + used
                        } else if state.position < b || last {
                            let p = state.position
                            state.position = p + (try state.main.parse(base + p, count: b - p, eof: last && eof))
                        }
                        if let d = shared.direct {
                            if let w = window, state.main.rows != w.offset + w.rows { d.abandon() }
                            if state.main.flushWindows() { d.abandon() }
                            state.main.setDestinationCapacity(d.capacity)
                        }
                    } catch {
                        state.error = error
                    }
                    if shared.direct?.abandoned ?? false { state.stop() }
                    release?(state.position)
                }
                state.endTurn(k)
                if state.failed { return }   // the error is known: later pieces are not needed
            }
        }
        if let e = state.error { throw e }
        main = state.main
        return state.position
    }

    /// Where the first piece of `base[start..<end]` ends (as ``parse(_:from:to:into:pieceSize:threads:eof:release:direct:)`` cuts it).
    static func firstPieceEnd(_ base: UnsafePointer<UInt8>, from start: Int, to end: Int, pieceSize: Int) -> Int {
        let size = max(pieceSize, 1), span = end - start
        let pieces = span / size + (span % size == 0 ? 0 : 1)
        return boundary(base, start: start, end: end, size: size, pieces: pieces, piece: 1)
    }

    /// Where piece `k` starts: just after the first line feed at or after
    /// `start + k·size − 1` (the first piece at `start`, past the last at `end`).
    static func boundary(_ base: UnsafePointer<UInt8>, start: Int, end: Int, size: Int, pieces: Int, piece k: Int) -> Int {
        if k <= 0 { return start }
        if k >= pieces { return end }
        let from = start + k * size - 1
        guard from < end, let hit = memchr(base + from, Int32(CSVParser.lf), end - from) else { return end }
        return UnsafeRawPointer(hit) - UnsafeRawPointer(base) + 1
    }
}

/// The worker threads' view of the bytes and of their own piece parsers.
private struct SharedPieces: @unchecked Sendable {
    let base: UnsafePointer<UInt8>
    let parsers: UnsafeMutablePointer<CSVParser>
    let direct: CSVDestination?
}

/// The merge state: the main parser and its position, touched only by the
/// worker whose turn it is (turns are handed over under a mutex, which also
/// orders the memory), plus the piece counter.
private final class MergeState: @unchecked Sendable {
    var main: CSVParser
    var position: Int
    var error: CSVError?
    private var next = 1
    private var merged = 1
    private var failedFlag = false
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let turn = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init(main: CSVParser, position: Int) {
        self.main = main
        self.position = position
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(turn, nil)
    }

    deinit {
        pthread_cond_destroy(turn)
        pthread_mutex_destroy(mutex)
        turn.deallocate()
        mutex.deallocate()
    }

    /// The next piece to parse (pieces are claimed in file order).
    func claim() -> Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        let k = next
        next += 1
        return k
    }

    /// Whether an error has been found (later pieces need not be parsed).
    var failed: Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return failedFlag
    }

    /// Blocks until pieces 1..<k are merged.
    func waitForTurn(_ k: Int) {
        pthread_mutex_lock(mutex)
        while merged != k { pthread_cond_wait(turn, mutex) }
        pthread_mutex_unlock(mutex)
    }

    /// Stops the merge without an error (the direct parse was abandoned).
    func stop() {
        pthread_mutex_lock(mutex)
        failedFlag = true
        pthread_mutex_unlock(mutex)
    }

    /// Marks piece `k` merged and wakes the waiting workers.
    func endTurn(_ k: Int) {
        pthread_mutex_lock(mutex)
        merged = k + 1
        if error != nil { failedFlag = true }
        pthread_cond_broadcast(turn)
        pthread_mutex_unlock(mutex)
    }
}
