/// A dense matrix of `Double` in column-major order, the layout BLAS and
/// LAPACK expect: element (i, j) lives at `storage[i + j * rows]`.
///
/// The type is a plain value (copy-on-write through its array) and is
/// `Sendable`. Indexing is bounds-checked by the underlying array.
public struct Matrix: Sendable, Equatable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// Column-major elements, `rows * columns` of them.
    public var storage: [Double]

    /// A `rows × columns` matrix filled with `value`.
    public init(rows: Int, columns: Int, repeating value: Double = 0) {
        self.rows = max(rows, 0)
        self.columns = max(columns, 0)
        self.storage = Array(repeating: value, count: self.rows * self.columns)
    }

    /// A matrix over existing column-major storage.
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` when the
    ///   element count is not `rows * columns`.
    public init(rows: Int, columns: Int, columnMajor storage: [Double]) throws(LinearAlgebraError) {
        guard rows >= 0, columns >= 0, storage.count == rows * columns else {
            throw .dimensionMismatch("\(storage.count) elements for a \(rows)×\(columns) matrix")
        }
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// A matrix from rows given as arrays (convenient in tests and examples).
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` for ragged rows.
    public init(rowMajor rowsOfValues: [[Double]]) throws(LinearAlgebraError) {
        let r = rowsOfValues.count
        let c = rowsOfValues.first?.count ?? 0
        var s = [Double](repeating: 0, count: r * c)
        for (i, row) in rowsOfValues.enumerated() {
            guard row.count == c else { throw .dimensionMismatch("row \(i) has \(row.count) values, expected \(c)") }
            for (j, v) in row.enumerated() { s[i + j * r] = v }
        }
        self.rows = r
        self.columns = c
        self.storage = s
    }

    /// The `n × n` identity matrix.
    public static func identity(_ n: Int) -> Matrix {
        var m = Matrix(rows: n, columns: n)
        for i in 0..<n { m.storage[i + i * n] = 1 }
        return m
    }

    /// Element (i, j).
    @inlinable public subscript(i: Int, j: Int) -> Double {
        get { storage[i + j * rows] }
        set { storage[i + j * rows] = newValue }
    }

    /// Whether the matrix is square.
    public var isSquare: Bool { rows == columns }

    /// Copies the upper triangle into the lower one (after `syrk`/`potri`,
    /// which fill one triangle only).
    public mutating func symmetrizeFromUpper() {
        let n = rows
        storage.withUnsafeMutableBufferPointer { a in
            for j in 0..<n { for i in 0..<j { a[j + i * n] = a[i + j * n] } }
        }
    }

    /// The sub-matrix of the given row and column indices.
    public func submatrix(rows rowIndices: [Int], columns columnIndices: [Int]) -> Matrix {
        var out = Matrix(rows: rowIndices.count, columns: columnIndices.count)
        for (jj, j) in columnIndices.enumerated() {
            for (ii, i) in rowIndices.enumerated() { out.storage[ii + jj * out.rows] = self[i, j] }
        }
        return out
    }

    /// The transpose.
    public var transposed: Matrix {
        var out = Matrix(rows: columns, columns: rows)
        for j in 0..<columns { for i in 0..<rows { out.storage[j + i * columns] = storage[i + j * rows] } }
        return out
    }

    /// Rows as arrays (row-major), e.g. for printing or JSON.
    public var rowArrays: [[Double]] {
        (0..<rows).map { i in (0..<columns).map { j in self[i, j] } }
    }
}
