/// The byte-level RFC 4180 state machine behind ``CSVReader``.
///
/// `parse(_:count:eof:)` consumes whole records from a buffer and returns how
/// many bytes it used; a record cut by the end of the buffer is rolled back
/// (values truncated, line counter restored) and left for the next call,
/// which sees it again followed by the next chunk. Fields are typed and
/// appended to ``ColumnBuffer``s as soon as their terminator is seen, so the
/// file is never copied as text. `CSVPieces` runs one parser per thread on
/// pieces of a mapped file and merges them into the main parser.
struct CSVParser {
    static let quote = UInt8(ascii: "\"")
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D

    let delimiter: UInt8
    /// The fused number scan skips blanks, so it is off when the delimiter is a space or tab.
    let fastNumbers: Bool
    let tokens: [String]
    let tokenBytes: [[UInt8]]
    let codebook: Codebook?
    /// ``CSVOptions/columns`` (nil: every column).
    let selection: Set<String>?

    private(set) var header: [String] = []
    private var columnStore: ColumnStore?
    private(set) var rows = 0
    private(set) var headerDone = false
    /// Next physical line (1-based; a piece parser counts from its piece's first line).
    private(set) var line = 1
    private var headerFields: [(bytes: [UInt8], line: Int)] = []
    private var scratch: [UInt8] = []

    /// Counts lines on from `line` (a chunk parser continuing where the previous chunk ended).
    mutating func `continue`(atLine line: Int) { self.line = line }

    init(options: CSVOptions, codebook: Codebook?) {
        delimiter = options.delimiter
        fastNumbers = !DecimalParser.isBlank(options.delimiter)
        tokens = options.missingTokens
        tokenBytes = options.missingTokens.map { Array($0.utf8) }
        self.codebook = codebook
        selection = options.columns
    }

    /// Parses records from `base[0..<count]`; returns the bytes consumed.
    /// With `eof`, the buffer is the rest of the file and is consumed whole
    /// (unless `oneRecord`). With `oneRecord`, it returns after the first
    /// record (the header, when that has not been read yet).
    mutating func parse(_ base: UnsafePointer<UInt8>, count end: Int, eof: Bool,
                        oneRecord: Bool = false) throws(CSVError) -> Int {
        let delim = delimiter
        let quote = Self.quote, lf = Self.lf, cr = Self.cr
        let powers = DecimalParser.powersOfTen
        var consumed = 0
        while consumed < end {
            let recordLine = line
            var pos = consumed
            // Blank lines are skipped (as pandas and R do).
            let first = base[pos]
            if first == lf { line += 1; consumed = pos + 1; continue }
            if first == cr {
                if pos + 1 < end { if base[pos + 1] == lf { pos += 1 } } else if !eof { return consumed }
                line += 1; consumed = pos + 1; continue
            }
            // Raw column storage for this record (nil while reading the header).
            let cols = fastNumbers ? columnStore?.columns : nil
            let ncols = columnStore?.count ?? 0
            var field = 0
            while true {
                // Fast path: a plain number in a numeric column, converted while it is scanned.
                if let cols, field < ncols, cols[field].kind == .numeric,
                   let r = DecimalParser.scan(base, from: pos, to: end, powers: powers) {
                    let n = r.next
                    if n < end {
                        let b = base[n]
                        if b == delim {
                            cols[field].values.append(r.value); field += 1; pos = n + 1; continue
                        }
                        if b == lf || (b == cr && (n + 1 < end || eof)) {
                            cols[field].values.append(r.value)
                            pos = n + 1
                            if b == cr && pos < end && base[pos] == lf { pos += 1 }
                            line += 1
                            break
                        }
                    } else if eof {
                        cols[field].values.append(r.value); pos = n; break
                    }
                }
                let fieldLine = line
                var s = pos, e = pos
                var escapes = false
                if pos < end && base[pos] == quote {
                    var q = pos + 1
                    s = q
                    while true {
                        if q >= end {
                            if eof { throw .unterminatedQuote(position(fieldLine, field)) }
                            rollback(recordLine); return consumed
                        }
                        let b = base[q]
                        if b == quote {
                            if q + 1 < end {
                                if base[q + 1] == quote { escapes = true; q += 2; continue }
                            } else if !eof { rollback(recordLine); return consumed }
                            e = q; q += 1; break
                        } else if b == lf {
                            line += 1
                        } else if b == cr {
                            if q + 1 < end { if base[q + 1] != lf { line += 1 } }
                            else if !eof { rollback(recordLine); return consumed }
                            else { line += 1 }
                        }
                        q += 1
                    }
                    while q < end && base[q] != delim && (base[q] == 0x20 || base[q] == 0x09) { q += 1 }   // a tab delimiter is not a blank
                    pos = q
                    if pos < end {
                        let b = base[pos]
                        if b != delim && b != lf && b != cr {
                            throw .unexpectedAfterQuote(position(line, field), character: String(decoding: [b], as: UTF8.self))
                        }
                    } else if !eof { rollback(recordLine); return consumed }
                } else {
                    var q = pos
                    while q < end {
                        let b = base[q]
                        if b == delim || b == lf || b == cr { break }
                        if b == quote { throw .strayQuote(position(line, field)) }
                        q += 1
                    }
                    if q >= end && !eof { rollback(recordLine); return consumed }
                    e = q; pos = q
                }
                if escapes {
                    scratch.removeAll(keepingCapacity: true)
                    var k = s
                    while k < e { scratch.append(base[k]); k += base[k] == quote ? 2 : 1 }
                    let copy = scratch
                    try copy.withUnsafeBufferPointer { (b: UnsafeBufferPointer<UInt8>) throws(CSVError) in
                        try storeField(b.baseAddress ?? base, b.count, field: field, line: fieldLine, powers: powers)
                    }
                } else {
                    try storeField(base + s, e - s, field: field, line: fieldLine, powers: powers)
                }
                if pos < end && base[pos] == delim { field += 1; pos += 1; continue }
                if pos < end {
                    if base[pos] == cr {
                        if pos + 1 < end { if base[pos + 1] == lf { pos += 1 } }
                        else if !eof { rollback(recordLine); return consumed }
                    }
                    line += 1
                    pos += 1
                }
                break
            }
            try finishRecord(fields: field + 1, line: recordLine)
            consumed = pos
            if oneRecord { return consumed }
        }
        return consumed
    }

    private func position(_ line: Int, _ field: Int) -> CSVPosition {
        CSVPosition(line: line, column: field + 1, name: field < header.count ? header[field] : nil)
    }

    private mutating func rollback(_ recordLine: Int) {
        line = recordLine
        guard let store = columnStore else { headerFields.removeAll(); return }
        for j in 0..<store.count where store.columns[j].count > rows { store.columns[j].truncate(to: rows) }
    }

    private mutating func storeField(_ p: UnsafePointer<UInt8>, _ n: Int, field: Int, line: Int,
                                powers: UnsafePointer<Double>) throws(CSVError) {
        guard let store = columnStore else {
            headerFields.append((Array(UnsafeBufferPointer(start: p, count: n)), line))
            return
        }
        guard field < store.count else {
            throw .tooManyFields(CSVPosition(line: line, column: field + 1), expected: store.count)
        }
        let col = store.columns + field
        switch col.pointee.kind {
        case .skipped:
            return
        case .numeric, .undetermined:
            if let v = DecimalParser.parse(p, count: n, powers: powers) {
                col.pointee.values.append(v)
                col.pointee.kind = .numeric
                return
            }
            var a = 0, b = n
            while a < b && DecimalParser.isBlank(p[a]) { a += 1 }
            while b > a && DecimalParser.isBlank(p[b - 1]) { b -= 1 }
            if a == b { col.pointee.values.append(.nan); return }
            if let t = tokenIndex(p + a, b - a) {
                if col.pointee.kind == .undetermined { col.pointee.tokenRows.append((rows, t)) }
                col.pointee.values.append(.nan)
                return
            }
            if col.pointee.kind == .numeric {
                let text = String(decoding: UnsafeBufferPointer(start: p, count: min(n, 60)), as: UTF8.self)
                throw .nonNumeric(position(line, field), value: n > 60 ? text + "…" : text)
            }
            col.pointee.becomeString(tokens: tokens)
            try appendString(p, n, to: col, field: field, line: line)
        case .string:
            try appendString(p, n, to: col, field: field, line: line)
        }
    }

    private func appendString(_ p: UnsafePointer<UInt8>, _ n: Int, to col: UnsafeMutablePointer<ColumnBuffer>,
                              field: Int, line: Int) throws(CSVError) {
        guard let s = String(validating: UnsafeBufferPointer(start: p, count: n), as: UTF8.self) else {
            throw .invalidUTF8(position(line, field))
        }
        if UnsafeBufferPointer(start: p, count: n).contains(0) { throw .nulByte(position(line, field)) }
        col.pointee.strings.append(s)
    }

    private func tokenIndex(_ p: UnsafePointer<UInt8>, _ n: Int) -> Int? {
        outer: for (t, bytes) in tokenBytes.enumerated() where bytes.count == n {
            for k in 0..<n where bytes[k] != p[k] { continue outer }
            return t
        }
        return nil
    }

    private mutating func finishRecord(fields: Int, line: Int) throws(CSVError) {
        guard headerDone else { try finishHeader(); return }
        let ncols = columnStore?.count ?? 0
        if fields < ncols {
            throw .tooFewFields(position(line, fields), expected: ncols, actual: fields)
        }
        rows += 1
    }

    private mutating func finishHeader() throws(CSVError) {
        var names: [String] = []
        var seen: [String: Int] = [:]
        for (j, f) in headerFields.enumerated() {
            let at = CSVPosition(line: f.line, column: j + 1)
            guard let raw = String(validating: f.bytes, as: UTF8.self) else { throw .invalidUTF8(at) }
            if f.bytes.contains(0) { throw .nulByte(at) }
            let name = raw.trimmingBlanks()
            if name.isEmpty { throw .emptyHeaderName(at) }
            if let first = seen[name] {
                throw .duplicateHeaderName(CSVPosition(line: f.line, column: j + 1, name: name), firstColumn: first)
            }
            seen[name] = j + 1
            names.append(name)
        }
        header = names
        headerFields = []
        var skip: [Bool]? = nil
        if var keep = selection {
            if let w = codebook?.weight { keep.insert(w) }   // the codebook's weight is every command's default weight
            skip = names.map { !keep.contains($0) }
        }
        columnStore = ColumnStore(types: names.map { codebook?.type(of: $0) }, skip: skip)
        headerDone = true
    }

    /// Reserves room for about `rows` records in every numeric column
    /// (estimated from the file size), sparing the copies of repeated growth.
    func reserve(rows: Int) {
        guard let store = columnStore else { return }
        for j in 0..<store.count where store.columns[j].kind != .string && store.columns[j].kind != .skipped {
            store.columns[j].values.reserve(rows)
        }
    }

    // MARK: - Pieces parsed in parallel (CSVPieces)

    /// The columns' current storage kinds.
    var kinds: [ColumnBuffer.Kind] {
        guard let store = columnStore else { return [] }
        return (0..<store.count).map { store.columns[$0].kind }
    }

    /// A parser for records that follow the header: same options and header,
    /// its own empty columns of the given kinds, lines counted from 1.
    func pieceParser(kinds: [ColumnBuffer.Kind]) -> CSVParser {
        var p = self
        p.headerFields = []
        p.scratch = []
        p.columnStore = ColumnStore(kinds: kinds)
        p.rows = 0
        p.line = 1
        return p
    }

    /// Empties a piece parser for its next piece (columns of `kinds`, lines from 1), keeping its memory.
    mutating func startPiece(kinds: [ColumnBuffer.Kind]) {
        rows = 0
        line = 1
        guard let store = columnStore else { return }
        for j in 0..<store.count { store.columns[j].reset(kind: kinds[j]) }
    }

    /// Whether `piece`, parsed without error from columns of kinds `start`,
    /// holds exactly what this parser would have read from the same bytes
    /// with its current kinds. Kinds only move from undetermined to numeric
    /// or string, and this parser's kinds descend from `start`; where they
    /// differ (a column still undetermined in `start` has since been
    /// decided), the piece is the same when the column became numeric and
    /// the piece never met text in it (then every cell was a number, empty,
    /// or a missing token: NaN either way). A column that has become a
    /// string column here is kept verbatim, which an undetermined piece
    /// column is not, so such a piece is parsed again.
    func accepts(_ piece: CSVParser, startingFrom start: [ColumnBuffer.Kind]) -> Bool {
        guard let store = columnStore, let other = piece.columnStore,
              store.count == other.count, start.count == store.count, !piece.flushWindows() else { return false }
        for j in 0..<store.count {
            let now = store.columns[j].kind
            if now == start[j] { continue }
            guard start[j] == .undetermined, now == .numeric, other.columns[j].kind != .string else { return false }
        }
        return true
    }

    /// Appends the records of `piece` (accepted by ``accepts(_:startingFrom:)``),
    /// as if this parser had read them itself.
    mutating func absorb(_ piece: inout CSVParser) {
        guard let store = columnStore, let other = piece.columnStore else { return }
        for j in 0..<store.count {
            store.columns[j].absorb(&other.columns[j], rowOffset: rows, tokens: tokens)
        }
        rows += piece.rows
        line += piece.line - 1
    }

    // MARK: - Direct parse (CSVDestination)

    /// Writes the numbers of the numeric and undetermined columns from here
    /// on straight into `destination`, from row `offset`, for at most
    /// `capacity` rows (a piece parser: its counted rows; the main parser: up
    /// to where the next piece writes).
    mutating func useDestination(_ destination: CSVDestination, offset: Int, capacity: Int) {
        guard let store = columnStore, destination.columns.count == store.count else { return }
        for j in 0..<store.count where store.columns[j].kind == .numeric || store.columns[j].kind == .undetermined {
            if let p = destination.columns[j] { store.columns[j].values.useWindow(p + offset, capacity: capacity) }
        }
    }

    /// The main parser's room in the destination: `rows` rows from its start.
    func setDestinationCapacity(_ rows: Int) {
        guard let store = columnStore else { return }
        for j in 0..<store.count { store.columns[j].values.setCapacity(rows) }
    }

    /// Moves every column's last batch into its window or storage and tells
    /// whether a column met more rows than its destination window holds.
    func flushWindows() -> Bool {
        guard let store = columnStore else { return false }
        var overflowed = false
        for j in 0..<store.count where store.columns[j].kind != .string {
            store.columns[j].values.flush()
            if store.columns[j].values.overflowed { overflowed = true }
        }
        return overflowed
    }

    /// The finished columns of a direct parse: the numbers are in `arrays`
    /// (indexed as the parser's columns; nil: a column without a destination).
    func finish(arrays: [[Double]?]) throws(CSVError) -> (header: [String], columns: [ParsedColumn]) {
        guard let store = columnStore else { throw .noHeader }
        let kept = (0..<store.count).filter { store.columns[$0].kind != .skipped }
        return (kept.map { header[$0] }, kept.map { j in
            if store.columns[j].kind == .string { return .strings(store.columns[j].strings) }
            if j < arrays.count, let a = arrays[j] { return .numbers(a) }
            return .numbers(store.columns[j].values.take())
        })
    }

    /// Moves the finished columns out (skipped columns are left out, header names included).
    func finish() throws(CSVError) -> (header: [String], columns: [ParsedColumn]) {
        guard let store = columnStore else { throw .noHeader }
        let kept = (0..<store.count).filter { store.columns[$0].kind != .skipped }
        return (kept.map { header[$0] }, kept.map { j in
            store.columns[j].kind == .string ? .strings(store.columns[j].strings) : .numbers(store.columns[j].values.take())
        })
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    func trimmingBlanks() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
