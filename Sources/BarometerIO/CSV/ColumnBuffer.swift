/// A growable buffer of doubles on raw memory, so that appending in the
/// parser's inner loop costs no uniqueness check. Owned and freed by
/// ``ColumnStore``.
struct DoubleBuffer {
    private(set) var base: UnsafeMutablePointer<Double>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 1024) {
        self.capacity = max(capacity, 16)
        base = UnsafeMutablePointer<Double>.allocate(capacity: self.capacity)
    }

    @inline(__always) mutating func append(_ v: Double) {
        if count == capacity { grow() }
        base[count] = v
        count += 1
    }

    private mutating func grow() { reserve(capacity * 2) }

    /// Makes room for `n` values in all (no-op if there is room already).
    mutating func reserve(_ n: Int) {
        guard n > capacity else { return }
        let bigger = UnsafeMutablePointer<Double>.allocate(capacity: n)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = n
    }

    mutating func truncate(to n: Int) { count = min(count, n) }
    mutating func removeAll() { count = 0 }

    var array: [Double] {
        Array(unsafeUninitializedCapacity: count) { buf, n in
            if let b = buf.baseAddress { b.initialize(from: base, count: count) }
            n = count
        }
    }

    func free() { base.deallocate() }
}

/// One column's growing storage while a CSV file streams in.
///
/// A column without a codebook type starts `undetermined`: empty cells and
/// missing tokens are stored as NaN (and the tokens remembered) until the
/// first other value decides it. A number makes it numeric; anything else
/// makes it a string column, and the cells seen so far become `""` (empty)
/// or the missing token's text.
struct ColumnBuffer {
    enum Kind { case undetermined, numeric, string }

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

    init(types: [CSVColumnType?]) {
        count = types.count
        columns = UnsafeMutablePointer<ColumnBuffer>.allocate(capacity: max(types.count, 1))
        for (j, t) in types.enumerated() { (columns + j).initialize(to: ColumnBuffer(type: t)) }
    }

    deinit {
        for j in 0..<count { columns[j].values.free() }
        columns.deinitialize(count: count)
        columns.deallocate()
    }
}
