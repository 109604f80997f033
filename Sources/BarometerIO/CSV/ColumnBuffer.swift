/// A column's numbers while a file streams in. The inner loop writes to the
/// slot `cursor[pendingCount]` and pays one check per value against `limit`
/// (no uniqueness check of a Swift array per value); where the values end up:
///
/// - **own storage** (the default): the cursor is a small raw batch buffer
///   (256 values), whose full batches go, with one copy, to a Swift array
///   pre-sized by ``reserve(_:)``;
/// - **a window** (``useWindow(_:capacity:)``): `capacity` slots of a column
///   of the final result (`CSVDestination`, the direct parse of
///   ``CSVPieces``). The cursor points into the window itself, so the values
///   are written once, in place, and merging the piece copies nothing. Values
///   past the capacity go to the batch buffer instead; if they are still
///   there when the buffer is flushed and do not fit, they are dropped and
///   mark the buffer ``overflowed`` (the reader then falls back to the
///   copying path).
///
/// The batch buffer is freed by ``ColumnStore``.
struct DoubleBuffer {
    static let batch = 256
    private var storage: [Double] = []
    private let pending = UnsafeMutablePointer<Double>.allocate(capacity: DoubleBuffer.batch)
    /// Where the values not yet flushed are: `pending`, or the window from slot `windowCount` on.
    private var cursor: UnsafeMutablePointer<Double>
    /// Values `cursor` takes before a flush.
    private var limit = DoubleBuffer.batch
    private var pendingCount = 0
    /// The first slot of the window (nil: own storage), the values written there, and its capacity.
    private(set) var window: UnsafeMutablePointer<Double>? = nil
    private var windowCount = 0
    private var windowCapacity = 0
    /// A value did not fit in the window (window mode only).
    private(set) var overflowed = false

    init() {
        cursor = pending
        storage.reserveCapacity(1024)
    }

    @inline(__always) mutating func append(_ v: Double) {
        if pendingCount == limit { flush() }
        cursor[pendingCount] = v
        pendingCount += 1
    }

    /// Moves the batch to the storage or the window (window: before reading ``overflowed``).
    mutating func flush() {
        if pendingCount > 0 {
            if let w = window {
                if cursor != pending {
                    windowCount += pendingCount                       // written in place
                } else if !overflowed && windowCount + pendingCount <= windowCapacity {
                    (w + windowCount).update(from: pending, count: pendingCount)
                    windowCount += pendingCount
                } else {
                    overflowed = true
                }
            } else {
                storage.append(contentsOf: UnsafeBufferPointer(start: pending, count: pendingCount))
            }
            pendingCount = 0
        }
        aim()
    }

    /// Points the cursor at the window's next free slot while there is room (and nothing overflowed), else at the batch buffer.
    private mutating func aim() {
        if let w = window, !overflowed, windowCapacity > windowCount {
            cursor = w + windowCount
            limit = windowCapacity - windowCount
        } else {
            cursor = pending
            limit = Self.batch
        }
    }

    /// Makes room for `n` values in all (own storage).
    mutating func reserve(_ n: Int) { if window == nil && n > storage.capacity { storage.reserveCapacity(n) } }

    var count: Int { (window != nil ? windowCount : storage.count) + pendingCount }

    mutating func truncate(to n: Int) {
        let stored = window != nil ? windowCount : storage.count
        if n >= stored { pendingCount = min(pendingCount, n - stored); return }
        if window != nil { windowCount = n } else { storage.removeLast(stored - n) }
        pendingCount = 0
        aim()
    }

    mutating func removeAll() {
        storage = []
        pendingCount = 0
        windowCount = 0
        overflowed = false
        aim()
    }

    /// Empties the buffer but keeps its memory (a worker reuses one buffer per column for all its pieces).
    mutating func removeAllKeepingCapacity() {
        storage.removeAll(keepingCapacity: true)
        pendingCount = 0
        window = nil
        windowCount = 0
        overflowed = false
        aim()
    }

    /// Writes the next values to `base[0..<capacity]` (empties the buffer).
    mutating func useWindow(_ base: UnsafeMutablePointer<Double>, capacity: Int) {
        storage.removeAll(keepingCapacity: true)
        window = base
        windowCount = 0
        windowCapacity = capacity
        pendingCount = 0
        overflowed = false
        aim()
    }

    /// Window mode: lets the values run up to `capacity` slots from the window's start.
    mutating func setCapacity(_ capacity: Int) {
        guard window != nil else { return }
        if cursor != pending {
            // Values written in place stay where they are; only the room ahead changes.
            windowCount += pendingCount
            pendingCount = 0
        }
        windowCapacity = capacity
        if pendingCount == 0 { aim() }
    }

    /// Appends all values of `other`, in order: with no copy when `other`
    /// wrote them in a window that starts where this window's values end,
    /// else with one copy.
    mutating func append(contentsOf other: inout DoubleBuffer) {
        flush()
        other.flush()
        if let w = window, let o = other.window, !other.overflowed, o == w + windowCount {
            if !overflowed && windowCount + other.windowCount <= windowCapacity {
                windowCount += other.windowCount
            } else {
                overflowed = true
            }
            aim()
            return
        }
        if let o = other.window {
            appendValues(UnsafeBufferPointer(start: o, count: other.windowCount))
        } else {
            other.storage.withUnsafeBufferPointer { appendValues($0) }
        }
        aim()
    }

    private mutating func appendValues(_ values: UnsafeBufferPointer<Double>) {
        guard let w = window else { storage.append(contentsOf: values); return }
        guard !overflowed, windowCount + values.count <= windowCapacity, let src = values.baseAddress else {
            if !values.isEmpty { overflowed = true }
            return
        }
        (w + windowCount).update(from: src, count: values.count)
        windowCount += values.count
    }

    /// All values, in order (own storage; a window's values are in its destination).
    mutating func take() -> [Double] {
        flush()
        return storage
    }

    func free() { pending.deallocate() }
}

/// One column's growing storage while a CSV file streams in.
///
/// A column without a codebook type starts `undetermined`: empty cells and
/// missing tokens are stored as NaN (and the tokens remembered) until the
/// first other value decides it. A number makes it numeric; anything else
/// makes it a string column, and the cells seen so far become `""` (empty)
/// or the missing token's text.
struct ColumnBuffer {
    /// `skipped`: a column outside ``CSVOptions/columns``; its fields are
    /// scanned (quotes and field counts still checked) but neither typed nor stored.
    enum Kind { case undetermined, numeric, string, skipped }

    var kind: Kind
    var values = DoubleBuffer()
    var strings: [String] = []
    /// Rows (0-based) of an undetermined column that held a missing token, with the token's index.
    var tokenRows: [(row: Int, token: Int)] = []

    init(type: CSVColumnType?) {
        switch type {
        case .numeric?: kind = .numeric
        case .string?: kind = .string
        case nil: kind = .undetermined
        }
    }

    var count: Int { kind == .string ? strings.count : values.count }

    /// Turns an undetermined column into a string column.
    mutating func becomeString(tokens: [String]) {
        var s = [String](repeating: "", count: values.count)
        for t in tokenRows { s[t.row] = tokens[t.token] }
        strings = s
        values.removeAll()
        tokenRows = []
        kind = .string
    }

    /// Appends the cells of `piece`, a column of the records that follow, parsed
    /// by its own ``CSVParser`` from a start that reads them exactly as this
    /// column would (see ``CSVParser/accepts(_:startingFrom:)``); `rowOffset`
    /// is this column's row count, for the piece's token rows.
    mutating func absorb(_ piece: inout ColumnBuffer, rowOffset: Int, tokens: [String]) {
        if kind == .skipped { return }
        if piece.kind == .string {
            if kind != .string { becomeString(tokens: tokens) }
            strings.append(contentsOf: piece.strings)
            return
        }
        values.append(contentsOf: &piece.values)
        if kind == .undetermined {
            if piece.kind == .numeric {
                kind = .numeric
                tokenRows = []
            } else {
                tokenRows.append(contentsOf: piece.tokenRows.lazy.map { (row: $0.row + rowOffset, token: $0.token) })
            }
        }
    }

    /// Empties the column and gives it `kind`, keeping its memory.
    mutating func reset(kind: Kind) {
        self.kind = kind
        values.removeAllKeepingCapacity()
        strings.removeAll(keepingCapacity: true)
        tokenRows.removeAll(keepingCapacity: true)
    }

    /// Drops values past `rows` (a record that was only partly in the buffer).
    mutating func truncate(to rows: Int) {
        if kind == .string {
            if strings.count > rows { strings.removeLast(strings.count - rows) }
        } else if values.count > rows {
            values.truncate(to: rows)
            while let last = tokenRows.last, last.row >= rows { tokenRows.removeLast() }
        }
    }
}

/// Owns the columns' raw memory for the duration of a read.
final class ColumnStore {
    let columns: UnsafeMutablePointer<ColumnBuffer>
    let count: Int

    /// Columns of the given codebook types; those where `skip` is true are
    /// ``ColumnBuffer/Kind/skipped`` and hold no storage.
    init(types: [CSVColumnType?], skip: [Bool]? = nil) {
        count = types.count
        columns = UnsafeMutablePointer<ColumnBuffer>.allocate(capacity: max(types.count, 1))
        for (j, t) in types.enumerated() {
            var c = ColumnBuffer(type: t)
            if skip?[j] == true { c.kind = .skipped; c.values.removeAll() }
            (columns + j).initialize(to: c)
        }
    }

    init(kinds: [ColumnBuffer.Kind]) {
        count = kinds.count
        columns = UnsafeMutablePointer<ColumnBuffer>.allocate(capacity: max(kinds.count, 1))
        for (j, k) in kinds.enumerated() {
            (columns + j).initialize(to: ColumnBuffer(type: nil))
            columns[j].kind = k
            if k == .skipped { columns[j].values.removeAll() }
        }
    }

    deinit {
        for j in 0..<count { columns[j].values.free() }
        columns.deinitialize(count: count)
        columns.deallocate()
    }
}
