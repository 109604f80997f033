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
    var values: [Double] = []
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

    mutating func reserve(_ n: Int) {
        if kind == .string { strings.reserveCapacity(n) } else { values.reserveCapacity(n) }
    }

    /// Turns an undetermined column into a string column.
    mutating func becomeString(tokens: [String]) {
        var s = [String](repeating: "", count: values.count)
        for t in tokenRows { s[t.row] = tokens[t.token] }
        strings = s
        values = []
        tokenRows = []
        kind = .string
    }

    /// Drops values past `rows` (a record that was only partly in the buffer).
    mutating func truncate(to rows: Int) {
        if kind == .string {
            if strings.count > rows { strings.removeLast(strings.count - rows) }
        } else if values.count > rows {
            values.removeLast(values.count - rows)
            while let last = tokenRows.last, last.row >= rows { tokenRows.removeLast() }
        }
    }
}
