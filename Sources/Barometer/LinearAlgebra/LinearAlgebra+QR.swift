/// Householder QR factorization `A = QR` of an m × n matrix with m ≥ n
/// (LAPACK `dgeqrf`), for least squares without forming `AᵀA`.
///
/// `Q` stays in LAPACK's compact form (reflectors below the diagonal and
/// `tau`); ``applyQTransposed(_:)`` applies `Qᵀ` through `dormqr` and
/// ``solveUpper(_:)`` back-substitutes with `R` through `dtrtrs`.
public struct QRFactorization: Sendable {
    /// The factored matrix as `dgeqrf` leaves it: `R` on and above the
    /// diagonal, the Householder vectors below it.
    public let factored: Matrix
    /// Scalar factors of the reflectors.
    public let tau: [Double]

    /// Rows of the factored matrix (m).
    public var rows: Int { factored.rows }
    /// Columns of the factored matrix (n).
    public var columns: Int { factored.columns }

    /// The n × n upper triangular factor `R`.
    public var r: Matrix {
        let n = columns
        var out = Matrix(rows: n, columns: n)
        for j in 0..<n { for i in 0...j { out[i, j] = factored[i, j] } }
        return out
    }

    /// `Qᵀ·B` for an m × k matrix B (LAPACK `dormqr`, side L, trans T).
    public func applyQTransposed(_ b: Matrix) throws(LinearAlgebraError) -> Matrix {
        guard b.rows == rows else { throw .dimensionMismatch("Qᵀ·B: B has \(b.rows) rows, expected \(rows)") }
        try LinearAlgebra.requireFinite(b, "Qᵀ·B right-hand side")
        var c = b, a = factored, t = tau
        if rows == 0 || b.columns == 0 || columns == 0 { return c }
        let m32 = try LinearAlgebra.int32(rows, "m"), n32 = try LinearAlgebra.int32(b.columns, "n")
        let k32 = try LinearAlgebra.int32(columns, "k")
        let info = a.storage.withUnsafeMutableBufferPointer { ap in
            t.withUnsafeMutableBufferPointer { tp in
                c.storage.withUnsafeMutableBufferPointer { cp in
                    Backend.ormqrLeftTransposed(m: m32, n: n32, k: k32, a: ap.baseAddress!, lda: m32,
                                                tau: tp.baseAddress!, c: cp.baseAddress!, ldc: m32)
                }
            }
        }
        if info < 0 { throw .illegalArgument(routine: "dormqr", argument: Int(-info)) }
        return c
    }

    /// Solves `R·X = B` for an n × k matrix B (LAPACK `dtrtrs`).
    /// - Throws: ``LinearAlgebraError/singular(position:)`` when a diagonal
    ///   element of `R` is exactly zero.
    public func solveUpper(_ b: Matrix) throws(LinearAlgebraError) -> Matrix {
        guard b.rows == columns else { throw .dimensionMismatch("R·X = B: B has \(b.rows) rows, expected \(columns)") }
        try LinearAlgebra.requireFinite(b, "triangular right-hand side")
        var x = b, a = factored
        if columns == 0 || b.columns == 0 { return x }
        let n32 = try LinearAlgebra.int32(columns, "n"), nrhs = try LinearAlgebra.int32(b.columns, "nrhs")
        let lda = try LinearAlgebra.int32(rows, "lda")
        let info = a.storage.withUnsafeMutableBufferPointer { ap in
            x.storage.withUnsafeMutableBufferPointer { xp in
                Backend.trtrsUpper(n: n32, nrhs: nrhs, a: ap.baseAddress!, lda: lda, b: xp.baseAddress!, ldb: n32)
            }
        }
        if info < 0 { throw .illegalArgument(routine: "dtrtrs", argument: Int(-info)) }
        if info > 0 { throw .singular(position: Int(info)) }
        return x
    }

    /// The least-squares solution of `min ‖A·x − b‖₂` for a full-rank A:
    /// `x = R⁻¹·(Qᵀb)[0..<n]`.
    public func leastSquares(_ b: [Double]) throws(LinearAlgebraError) -> [Double] {
        guard b.count == rows else { throw .dimensionMismatch("least squares: b has \(b.count), expected \(rows)") }
        let qtb = try applyQTransposed(try Matrix(rows: rows, columns: 1, columnMajor: b))
        let top = try Matrix(rows: columns, columns: 1, columnMajor: Array(qtb.storage.prefix(columns)))
        return try solveUpper(top).storage
    }

    /// `(AᵀA)⁻¹ = R⁻¹R⁻ᵀ` (LAPACK `dpotri` on `R`, both triangles filled).
    public func inverseGram() throws(LinearAlgebraError) -> Matrix {
        try CholeskyFactor(upper: r).inverse()
    }
}

extension LinearAlgebra {
    /// Householder QR of an m × n matrix with m ≥ n (LAPACK `dgeqrf`).
    /// - Throws: ``LinearAlgebraError/dimensionMismatch(_:)`` when m < n,
    ///   ``LinearAlgebraError/nonFinite(_:)`` for NaN/∞ input.
    public static func qr(_ a: Matrix) throws(LinearAlgebraError) -> QRFactorization {
        guard a.rows >= a.columns else { throw .dimensionMismatch("QR of a \(a.rows)×\(a.columns) matrix needs rows ≥ columns") }
        try requireFinite(a, "QR input")
        var f = a
        var tau = [Double](repeating: 0, count: a.columns)
        if a.columns == 0 { return QRFactorization(factored: f, tau: tau) }
        let m32 = try int32(a.rows, "m"), n32 = try int32(a.columns, "n")
        let info = f.storage.withUnsafeMutableBufferPointer { fp in
            tau.withUnsafeMutableBufferPointer { tp in
                Backend.geqrf(m: m32, n: n32, a: fp.baseAddress!, lda: m32, tau: tp.baseAddress!)
            }
        }
        if info < 0 { throw .illegalArgument(routine: "dgeqrf", argument: Int(-info)) }
        return QRFactorization(factored: f, tau: tau)
    }
}
