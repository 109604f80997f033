/// A validated r × c table of (weighted or unweighted) counts, the common
/// input of the independence tests and association measures, with rows and
/// columns whose total is zero removed.
///
/// A category nobody chose (a labelled code with no answers, or a category
/// emptied by a domain) carries no information about association, and
/// keeping it would make expected counts zero and inflate the degrees of
/// freedom. It is dropped and recorded in ``droppedRows`` /
/// ``droppedColumns`` and in ``notes``. Statistics are undefined when fewer
/// than two non-empty rows or columns remain (a 1 × k table).
public struct TwoWayCounts: Sendable, Equatable, Codable {
    /// The counts with empty rows and columns removed.
    public let counts: Matrix
    /// Indices (into the original table) of the rows kept.
    public let rowsKept: [Int]
    /// Indices (into the original table) of the columns kept.
    public let columnsKept: [Int]
    /// Indices of the rows dropped because their total is zero.
    public let droppedRows: [Int]
    /// Indices of the columns dropped because their total is zero.
    public let droppedColumns: [Int]
    /// Row totals rᵢ of the kept table.
    public let rowTotals: [Double]
    /// Column totals cⱼ of the kept table.
    public let columnTotals: [Double]
    /// The grand total W.
    public let total: Double
    /// Explanations of what was dropped.
    public let notes: [String]

    /// Validates `counts` and drops its empty rows and columns.
    /// - Throws: ``BarometerError/invalidArgument(_:)`` for a negative, NaN
    ///   or infinite count; ``BarometerError/emptyDomain(_:)`` when the
    ///   total is zero; ``BarometerError/insufficientData(_:)`` when fewer
    ///   than two non-empty rows or columns remain.
    public init(_ counts: Matrix) throws(BarometerError) {
        for v in counts.storage where !(v.isFinite && v >= 0) {
            throw .invalidArgument("cell counts must be finite and non-negative (found \(v))")
        }
        var rowSum = [Double](repeating: 0, count: counts.rows)
        var colSum = [Double](repeating: 0, count: counts.columns)
        for j in 0..<counts.columns {
            for i in 0..<counts.rows {
                rowSum[i] += counts[i, j]
                colSum[j] += counts[i, j]
            }
        }
        let rows = rowSum.indices.filter { rowSum[$0] > 0 }
        let cols = colSum.indices.filter { colSum[$0] > 0 }
        guard !rows.isEmpty else { throw .emptyDomain("the table has no respondents (total count 0)") }
        guard rows.count >= 2, cols.count >= 2 else {
            throw .insufficientData("a table needs at least 2 non-empty rows and 2 non-empty columns; "
                + "it has \(rows.count) × \(cols.count), so tests of independence and measures of association are undefined")
        }
        self.rowsKept = rows
        self.columnsKept = cols
        self.droppedRows = rowSum.indices.filter { rowSum[$0] == 0 }
        self.droppedColumns = colSum.indices.filter { colSum[$0] == 0 }
        self.counts = counts.submatrix(rows: rows, columns: cols)
        self.rowTotals = rows.map { rowSum[$0] }
        self.columnTotals = cols.map { colSum[$0] }
        self.total = rowTotals.reduce(0, +)
        var notes: [String] = []
        if !droppedRows.isEmpty {
            notes.append("\(droppedRows.count) empty row(s) dropped (no respondents); df counts non-empty rows only")
        }
        if !droppedColumns.isEmpty {
            notes.append("\(droppedColumns.count) empty column(s) dropped (no respondents); df counts non-empty columns only")
        }
        self.notes = notes
    }

    /// Number of non-empty rows.
    public var rowCount: Int { counts.rows }
    /// Number of non-empty columns.
    public var columnCount: Int { counts.columns }
    /// Degrees of freedom of the independence test, (r − 1)(c − 1).
    public var degreesOfFreedom: Int { (rowCount - 1) * (columnCount - 1) }

    /// Expected count under independence, `Eᵢⱼ = rᵢ cⱼ / W`.
    public func expected(_ i: Int, _ j: Int) -> Double { rowTotals[i] * columnTotals[j] / total }
}
