#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The final numeric columns of a whole-file read, filled in place by the
/// parser threads (the direct parse of ``CSVPieces``): each piece's records
/// are counted first (``CSVPieces/countRecords(_:from:to:delimiter:)``), so
/// a piece knows the rows it will occupy (the counts of the pieces before it)
/// and writes its numbers there, and merging it copies nothing.
///
/// Pieces publish their counts in any order; ``window(piece:)`` waits for
/// the counts of the pieces before it. A piece gets a window only when every
/// piece before it was counted and its rows fit in ``capacity``; the pieces
/// with windows are therefore a prefix of the file. ``abandon()`` records
/// that the parse contradicted a count or ran out of room: the reader then
/// reads the input again on the copying path, so a wrong count can cost
/// time, never a value.
final class CSVDestination: @unchecked Sendable {
    /// The first slot of each parser column's final array (nil: no destination: text, skipped).
    let columns: [UnsafeMutablePointer<Double>?]
    /// Rows each final array holds.
    let capacity: Int
    /// Records of the first piece (counted by the reader, which sized the arrays from them).
    let firstPieceRows: Int
    /// Per piece: -2 not yet counted, -1 not countable, else its records.
    private var counts: [Int] = []
    private var abandonedFlag = false
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let counted = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init(columns: [UnsafeMutablePointer<Double>?], capacity: Int, firstPieceRows: Int) {
        self.columns = columns
        self.capacity = capacity
        self.firstPieceRows = firstPieceRows
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(counted, nil)
    }

    deinit {
        pthread_cond_destroy(counted)
        pthread_mutex_destroy(mutex)
        counted.deallocate()
        mutex.deallocate()
    }

    /// Records piece `k`'s count (nil: it could not be counted).
    func publish(piece k: Int, rows: Int?, pieces: Int) {
        pthread_mutex_lock(mutex)
        if counts.count < pieces { counts += [Int](repeating: -2, count: pieces - counts.count) }
        if k < counts.count { counts[k] = rows ?? -1 }
        pthread_cond_broadcast(counted)
        pthread_mutex_unlock(mutex)
    }

    /// Where piece `k` (already published) writes its rows: the rows of the
    /// pieces before it and its own count; nil when a piece up to `k` could
    /// not be counted or the rows do not fit. Waits for the earlier counts.
    func window(piece k: Int) -> (offset: Int, rows: Int)? {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        var offset = 0
        for j in 0..<min(k, counts.count) {
            while counts[j] == -2 { pthread_cond_wait(counted, mutex) }
            if counts[j] < 0 { return nil }
            offset += counts[j]
        }
        guard k < counts.count, counts[k] >= 0, offset + counts[k] <= capacity else { return nil }
        return (offset, counts[k])
    }

    /// Whether the direct parse was abandoned.
    var abandoned: Bool {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return abandonedFlag
    }

    /// Abandons the direct parse (the reader falls back to the copying path).
    func abandon() {
        pthread_mutex_lock(mutex)
        abandonedFlag = true
        pthread_mutex_unlock(mutex)
    }

    /// Most numeric columns read directly: each final array is created by a
    /// nested `Array(unsafeUninitializedCapacity:)`, one stack level per column.
    static let mostColumns = 2_000

    /// Creates `k` arrays of `capacity` doubles and hands their first slots to
    /// `body`, which fills them and returns how many values each holds (nil:
    /// none, the arrays are dropped). Each array is valid only inside its
    /// initializer, hence one nested initializer per column.
    static func withArrays(_ k: Int, capacity: Int,
                           _ body: ([UnsafeMutablePointer<Double>]) -> [Int]?) -> [[Double]]? {
        var pointers: [UnsafeMutablePointer<Double>] = []
        pointers.reserveCapacity(k)
        var arrays = [[Double]](repeating: [], count: k)
        var filled: [Int]? = nil
        func level(_ j: Int) {
            if j == k { filled = body(pointers); return }
            let array = [Double](unsafeUninitializedCapacity: max(capacity, 1)) { buffer, initialized in
                initialized = 0
                guard let p = buffer.baseAddress else { return }
                pointers.append(p)
                level(j + 1)
                if let f = filled, j < f.count { initialized = min(f[j], buffer.count) }
            }
            arrays[j] = array
        }
        level(0)
        guard let f = filled, f.count == k else { return nil }
        return arrays
    }
}

extension CSVPieces {
    /// The records in `base[a..<b]`, read as a piece starting at a record
    /// start outside quotes (as ``CSVParser/parse(_:count:eof:oneRecord:)``
    /// reads them at the end of the input: blank lines skipped, LF, CRLF or a
    /// lone CR ending a record, quoted fields holding delimiters and line
    /// ends); nil when the piece ends inside a quoted field or holds what
    /// the parser rejects (a stray quote, text after a closing quote).
    /// Without quotes, one `memchr` per line; otherwise field by field.
    static func countRecords(_ base: UnsafePointer<UInt8>, from a: Int, to b: Int, delimiter: UInt8) -> Int? {
        guard b > a else { return 0 }
        let lf = CSVParser.lf, cr = CSVParser.cr
        func offset(_ hit: UnsafeMutableRawPointer) -> Int { UnsafeRawPointer(hit) - UnsafeRawPointer(base) }
        // Blocks of 64 KiB, each scanned three times while it is in the L1/L2 cache:
        // for quotes (then the whole piece is read field by field), for CRs (allowed
        // only right before an LF; a lone CR also sends the piece field by field),
        // and for the LFs that end non-blank lines.
        var records = 0, lineStart = a, p = a
        while p < b {
            let blockEnd = min(p + Self.countBlockBytes, b)
            if memchr(base + p, Int32(CSVParser.quote), blockEnd - p) != nil {
                return countQuotedRecords(base, from: a, to: b, delimiter: delimiter)
            }
            var c = p, crs = false
            while c < blockEnd, let hit = memchr(base + c, Int32(cr), blockEnd - c) {
                let at = offset(hit)
                guard at + 1 < b, base[at + 1] == lf else { return countQuotedRecords(base, from: a, to: b, delimiter: delimiter) }
                c = at + 2
                crs = true
            }
            if !crs && !(p > a && base[p - 1] == cr) {
                // No CR: a line feed ends a record unless it ends a blank line (the line starts at it).
                let (feeds, blank) = lineFeeds(base, from: p, to: blockEnd, lineStart: lineStart)
                records += feeds - blank
                if feeds > 0 {
                    var l = blockEnd - 1
                    while base[l] != lf { l -= 1 }                            // the block's last line feed
                    lineStart = l + 1
                }
                p = blockEnd
                continue
            }
            var q = p
            while q < blockEnd, let hit = memchr(base + q, Int32(lf), blockEnd - q) {
                let l = offset(hit)
                var e = l
                if e > lineStart && base[e - 1] == cr { e -= 1 }
                if e > lineStart { records += 1 }
                lineStart = l + 1
                q = l + 1
            }
            p = blockEnd
        }
        if lineStart < b { records += 1 }    // the input's last record, without a line end
        return records
    }

    /// The line feeds in `base[p..<e]` (a block without CRs) and those of them
    /// that end a blank line: the one at `p` when the line starts there, and any
    /// other right after a line feed. Sixteen bytes at a time (each compared
    /// with LF, and so is the byte before it), counted in byte lanes.
    static func lineFeeds(_ base: UnsafePointer<UInt8>, from p: Int, to e: Int, lineStart: Int) -> (feeds: Int, blank: Int) {
        guard e > p else { return (0, 0) }
        let lf = CSVParser.lf
        var feeds = 0, blank = 0
        if base[p] == lf { feeds += 1; if lineStart == p { blank += 1 } }
        let raw = UnsafeRawPointer(base)
        let lfs = SIMD16<UInt8>(repeating: lf), one = SIMD16<UInt8>(repeating: 1)
        var i = p + 1
        while i + 16 <= e {
            // At most 255 steps per lane count.
            var f = SIMD16<UInt8>(repeating: 0), b = SIMD16<UInt8>(repeating: 0)
            var steps = 0
            while steps < 255 && i + 16 <= e {
                let v = raw.loadUnaligned(fromByteOffset: i, as: SIMD16<UInt8>.self)
                let u = raw.loadUnaligned(fromByteOffset: i - 1, as: SIMD16<UInt8>.self)
                let isFeed = unsafeBitCast(v .== lfs, to: SIMD16<UInt8>.self) & one
                f &+= isFeed
                b &+= isFeed & unsafeBitCast(u .== lfs, to: SIMD16<UInt8>.self)
                i += 16
                steps += 1
            }
            feeds += Int(SIMD16<UInt16>(truncatingIfNeeded: f).wrappedSum())
            blank += Int(SIMD16<UInt16>(truncatingIfNeeded: b).wrappedSum())
        }
        while i < e {
            if base[i] == lf { feeds += 1; if base[i - 1] == lf { blank += 1 } }
            i += 1
        }
        return (feeds, blank)
    }

    /// Bytes per block of ``countRecords(_:from:to:delimiter:)``'s scans.
    static let countBlockBytes = 64 << 10

    /// ``countRecords(_:from:to:delimiter:)`` field by field (quotes, lone CRs).
    static func countQuotedRecords(_ base: UnsafePointer<UInt8>, from a: Int, to b: Int, delimiter: UInt8) -> Int? {
        let quote = CSVParser.quote, lf = CSVParser.lf, cr = CSVParser.cr
        var p = a, records = 0
        while p < b {
            let c = base[p]
            if c == lf { p += 1; continue }                                   // blank line
            if c == cr { p += 1; if p < b && base[p] == lf { p += 1 }; continue }
            while true {                                                       // the fields of one record
                if p >= b { records += 1; break }                              // the input ends after a delimiter
                if base[p] == quote {
                    var q = p + 1
                    while true {
                        guard q < b, let hit = memchr(base + q, Int32(quote), b - q) else { return nil }
                        q = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
                        if q + 1 < b && base[q + 1] == quote { q += 2; continue }
                        q += 1
                        break
                    }
                    while q < b && base[q] != delimiter && (base[q] == 0x20 || base[q] == 0x09) { q += 1 }
                    p = q
                    if p < b { let d = base[p]; if d != delimiter && d != lf && d != cr { return nil } }
                } else {
                    var q = p
                    while q < b {
                        let d = base[q]
                        if d == delimiter || d == lf || d == cr { break }
                        if d == quote { return nil }
                        q += 1
                    }
                    p = q
                }
                if p >= b { records += 1; break }                              // the last record, without a line end
                let d = base[p]
                p += 1
                if d == delimiter { continue }
                if d == cr && p < b && base[p] == lf { p += 1 }
                records += 1
                break
            }
        }
        return records
    }
}
