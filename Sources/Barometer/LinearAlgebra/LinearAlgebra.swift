/// Thin, safe wrappers over the BLAS and LAPACK routines the engine uses.
///
/// Every wrapper validates shapes, refuses non-finite input where LAPACK
/// would propagate it silently, converts dimensions to 32-bit BLAS
/// integers with an overflow check, and maps LAPACK's `info` onto
/// ``LinearAlgebraError``. Results are bit-for-bit those of the loaded
/// BLAS; see ``BLASRuntime`` for which library that is.
public enum LinearAlgebra {
    static func int32(_ x: Int, _ what: @autoclosure () -> String) throws(LinearAlgebraError) -> Int32 {
        guard x >= 0, x <= Int(Int32.max) else { throw .tooLarge(what()) }
        return Int32(x)
    }

    static func requireFinite(_ m: Matrix, _ name: String) throws(LinearAlgebraError) {
        for v in m.storage where !v.isFinite { throw .nonFinite("\(name) holds \(v)") }
    }

    // MARK: BLAS level 3

    /// Symmetric rank-k update (BLAS `dsyrk`): `C ← α·AᵀA + β·C` when
    /// `transpose` is true (A is k × n), or `C ← α·AAᵀ + β·C` (A is n × k).
    /// Both triangles of `C` are filled on return.
    public static func syrk(_ a: Matrix, transpose: Bool = true, alpha: Double = 1, beta: Double = 0,
                            into c: inout Matrix) throws(LinearAlgebraError) {
        let n = transpose ? a.columns : a.rows
        let k = transpose ? a.rows : a.columns
        guard c.rows == n, c.columns == n else {
            throw .dimensionMismatch("syrk: C is \(c.rows)×\(c.columns), expected \(n)×\(n)")
        }
        if n == 0 { return }
        let n32 = try int32(n, "syrk n"), k32 = try int32(k, "syrk k"), lda = try int32(max(a.rows, 1), "lda")
        if k == 0 {
            for i in c.storage.indices { c.storage[i] *= beta }
            return
        }
        a.storage.withUnsafeBufferPointer { ap in
            c.storage.withUnsafeMutableBufferPointer { cp in
                Backend.syrk(upper: true, transpose: transpose, n: n32, k: k32, alpha: alpha,
                             a: ap.baseAddress!, lda: lda, beta: beta, c: cp.baseAddress!, ldc: n32)
            }
        }
        c.symmetrizeFromUpper()
    }

    /// Accumulates the upper triangle of `C ← AᵀA + C` for a raw column-major
    /// `rows × columns` block `a` (the streaming kernel behind correlation
    /// moments); the caller symmetrizes `C` once at the end.
    static func syrkAccumulateUpper(_ a: UnsafePointer<Double>, rows: Int, columns: Int,
                                    into c: inout Matrix) throws(LinearAlgebraError) {
        guard c.rows == columns, c.columns == columns else {
            throw .dimensionMismatch("syrk: C is \(c.rows)×\(c.columns), expected \(columns)×\(columns)")
        }
        if rows == 0 || columns == 0 { return }
        let n32 = try int32(columns, "syrk n"), k32 = try int32(rows, "syrk k")
        c.storage.withUnsafeMutableBufferPointer { cp in
            guard let cb = cp.baseAddress else { return }
            Backend.syrk(upper: true, transpose: true, n: n32, k: k32, alpha: 1, a: a, lda: k32, beta: 1, c: cb, ldc: n32)
        }
    }

    /// The upper triangle of `C ← α·AᵀA` (BLAS `dsyrk`, β = 0) for a raw column-major
    /// `rows × columns` block `a` into the raw `columns × columns` `c` (column-major; the
    /// lower triangle is not written). False, with nothing done, when a dimension does not
    /// fit BLAS's 32-bit integers. Deterministic for a given BLAS when called single-threaded
    /// (``BLASRuntime/withSingleThreadedBLAS(_:)``).
    static func syrkUpper(_ a: UnsafePointer<Double>, rows: Int, columns: Int, alpha: Double,
                          into c: UnsafeMutablePointer<Double>) -> Bool {
        guard let n32 = try? int32(columns, "syrk n"), let k32 = try? int32(max(rows, 1), "syrk k") else { return false }
        guard rows > 0, columns > 0 else { c.update(repeating: 0, count: columns * columns); return true }
        Backend.syrk(upper: true, transpose: true, n: n32, k: k32, alpha: alpha, a: a, lda: k32, beta: 0, c: c, ldc: n32)
        return true
    }

    /// `AᵀA` (the Gram or cross-product matrix) through `dsyrk`.
    public static func gram(_ a: Matrix) throws(LinearAlgebraError) -> Matrix {
        var c = Matrix(rows: a.columns, columns: a.columns)
        try syrk(a, transpose: true, into: &c)
        return c
    }

    /// General matrix product (BLAS `dgemm`): `C ← α·op(A)·op(B) + β·C`.
    public static func gemm(_ a: Matrix, _ b: Matrix, transposeA: Bool = false, transposeB: Bool = false,
                            alpha: Double = 1, beta: Double = 0, into c: inout Matrix) throws(LinearAlgebraError) {
        let m = transposeA ? a.columns : a.rows
        let k = transposeA ? a.rows : a.columns
        let kb = transposeB ? b.columns : b.rows
        let n = transposeB ? b.rows : b.columns
        guard k == kb else { throw .dimensionMismatch("gemm: inner dimensions \(k) and \(kb)") }
        guard c.rows == m, c.columns == n else {
            throw .dimensionMismatch("gemm: C is \(c.rows)×\(c.columns), expected \(m)×\(n)")
        }
        if m == 0 || n == 0 { return }
        if k == 0 { for i in c.storage.indices { c.storage[i] *= beta }; return }
        let m32 = try int32(m, "m"), n32 = try int32(n, "n"), k32 = try int32(k, "k")
        let lda = try int32(max(a.rows, 1), "lda"), ldb = try int32(max(b.rows, 1), "ldb")
        a.storage.withUnsafeBufferPointer { ap in
            b.storage.withUnsafeBufferPointer { bp in
                c.storage.withUnsafeMutableBufferPointer { cp in
                    Backend.gemm(transA: transposeA, transB: transposeB, m: m32, n: n32, k: k32, alpha: alpha,
                                 a: ap.baseAddress!, lda: lda, b: bp.baseAddress!, ldb: ldb,
                                 beta: beta, c: cp.baseAddress!, ldc: m32)
                }
            }
        }
    }

    /// `op(A)·op(B)` as a new matrix.
    public static func multiply(_ a: Matrix, _ b: Matrix, transposeA: Bool = false,
                                transposeB: Bool = false) throws(LinearAlgebraError) -> Matrix {
        var c = Matrix(rows: transposeA ? a.columns : a.rows, columns: transposeB ? b.rows : b.columns)
        try gemm(a, b, transposeA: transposeA, transposeB: transposeB, into: &c)
        return c
    }

    /// Matrix-vector product (BLAS `dgemv`): `op(A)·x`.
    public static func gemv(_ a: Matrix, _ x: [Double], transpose: Bool = false) throws(LinearAlgebraError) -> [Double] {
        let inLen = transpose ? a.rows : a.columns
        let outLen = transpose ? a.columns : a.rows
        guard x.count == inLen else { throw .dimensionMismatch("gemv: x has \(x.count), expected \(inLen)") }
        var y = [Double](repeating: 0, count: outLen)
        if outLen == 0 || inLen == 0 { return y }
        let m32 = try int32(a.rows, "m"), n32 = try int32(a.columns, "n")
        a.storage.withUnsafeBufferPointer { ap in
            x.withUnsafeBufferPointer { xp in
                y.withUnsafeMutableBufferPointer { yp in
                    Backend.gemv(transpose: transpose, m: m32, n: n32, alpha: 1, a: ap.baseAddress!,
                                 lda: max(m32, 1), x: xp.baseAddress!, beta: 0, y: yp.baseAddress!)
                }
            }
        }
        return y
    }

    // MARK: LAPACK

    /// Cholesky factorization `A = UᵀU` (LAPACK `dpotrf`, upper).
    ///
    /// `dpotrf` accepts a numerically singular matrix whenever rounding
    /// leaves a tiny positive pivot, which would make every later inverse
    /// garbage. So a pivot with `U_kk² ≤ relativeTolerance · A_kk` is
    /// rejected too (default tolerance `16 · n · ε`): the matrix is then
    /// singular to working precision.
    /// - Throws: ``LinearAlgebraError/notPositiveDefinite(leadingMinor:)``
    ///   when A is not (numerically) positive definite;
    ///   ``LinearAlgebraError/nonFinite(_:)`` for NaN/∞ input.
    public static func cholesky(_ a: Matrix, relativeTolerance: Double? = nil) throws(LinearAlgebraError) -> CholeskyFactor {
        guard a.isSquare else { throw .dimensionMismatch("cholesky of a \(a.rows)×\(a.columns) matrix") }
        try requireFinite(a, "cholesky input")
        var u = a
        let n = try int32(a.rows, "n")
        if n == 0 { return CholeskyFactor(upper: u) }
        let info = u.storage.withUnsafeMutableBufferPointer { Backend.potrf(n: n, a: $0.baseAddress!, lda: n) }
        if info < 0 { throw .illegalArgument(routine: "dpotrf", argument: Int(-info)) }
        if info > 0 { throw .notPositiveDefinite(leadingMinor: Int(info)) }
        let tol = relativeTolerance ?? 16 * Double(a.rows) * Double.ulpOfOne
        for k in 0..<a.rows where u[k, k] * u[k, k] <= tol * a[k, k] {
            throw .notPositiveDefinite(leadingMinor: k + 1)
        }
        for j in 0..<a.columns { for i in (j + 1)..<max(a.rows, j + 1) { u[i, j] = 0 } }
        return CholeskyFactor(upper: u)
    }

    /// Inverse of a symmetric positive definite matrix (`dpotrf` + `dpotri`),
    /// both triangles filled.
    public static func inverseSPD(_ a: Matrix) throws(LinearAlgebraError) -> Matrix {
        try cholesky(a).inverse()
    }

    /// Eigen-decomposition of a symmetric matrix (LAPACK `dsyevd`, upper
    /// triangle read). Eigenvalues ascend; eigenvectors are the columns of
    /// `vectors` when requested.
    public static func symmetricEigen(_ a: Matrix, vectors: Bool = false) throws(LinearAlgebraError)
        -> (values: [Double], vectors: Matrix?) {
        guard a.isSquare else { throw .dimensionMismatch("eigen of a \(a.rows)×\(a.columns) matrix") }
        try requireFinite(a, "eigen input")
        var m = a
        let n = try int32(a.rows, "n")
        var w = [Double](repeating: 0, count: a.rows)
        if n == 0 { return ([], vectors ? m : nil) }
        let info = m.storage.withUnsafeMutableBufferPointer { mp in
            w.withUnsafeMutableBufferPointer { wp in
                Backend.syevd(vectors: vectors, n: n, a: mp.baseAddress!, lda: n, w: wp.baseAddress!)
            }
        }
        if info < 0 { throw .illegalArgument(routine: "dsyevd", argument: Int(-info)) }
        if info > 0 { throw .noConvergence(routine: "dsyevd", info: Int(info)) }
        return (w, vectors ? m : nil)
    }

    /// Singular values in descending order (LAPACK `dgesdd`, no vectors).
    public static func singularValues(_ a: Matrix) throws(LinearAlgebraError) -> [Double] {
        try requireFinite(a, "SVD input")
        var m = a
        let m32 = try int32(a.rows, "m"), n32 = try int32(a.columns, "n")
        var s = [Double](repeating: 0, count: min(a.rows, a.columns))
        if s.isEmpty { return s }
        let info = m.storage.withUnsafeMutableBufferPointer { mp in
            s.withUnsafeMutableBufferPointer { sp in
                Backend.gesddValues(m: m32, n: n32, a: mp.baseAddress!, lda: max(m32, 1), s: sp.baseAddress!)
            }
        }
        if info < 0 { throw .illegalArgument(routine: "dgesdd", argument: Int(-info)) }
        if info > 0 { throw .noConvergence(routine: "dgesdd", info: Int(info)) }
        return s
    }

    /// Numerical rank: the number of singular values above
    /// `tolerance` (default `max(m, n) · σ_max · ε`, as NumPy and MATLAB use).
    public static func rank(_ a: Matrix, tolerance: Double? = nil) throws(LinearAlgebraError) -> Int {
        let s = try singularValues(a)
        guard let smax = s.first else { return 0 }
        let tol = tolerance ?? Double(max(a.rows, a.columns)) * smax * Double.ulpOfOne
        return s.filter { $0 > tol }.count
    }

    /// 2-norm condition number σ_max / σ_min (∞ when σ_min = 0).
    public static func conditionNumber(_ a: Matrix) throws(LinearAlgebraError) -> Double {
        let s = try singularValues(a)
        guard let smax = s.first, let smin = s.last else { return 0 }
        return smin > 0 ? smax / smin : .infinity
    }
}

/// The upper Cholesky factor U of a symmetric positive definite matrix
/// `A = UᵀU`, from ``LinearAlgebra/cholesky(_:relativeTolerance:)``.
public struct CholeskyFactor: Sendable {
    /// U, with zeros below the diagonal.
    public let upper: Matrix

    /// Order of the factored matrix.
    public var order: Int { upper.rows }

    /// `A⁻¹` (LAPACK `dpotri`), both triangles filled.
    public func inverse() throws(LinearAlgebraError) -> Matrix {
        var m = upper
        let n = try LinearAlgebra.int32(order, "n")
        if n == 0 { return m }
        let info = m.storage.withUnsafeMutableBufferPointer { Backend.potri(n: n, a: $0.baseAddress!, lda: n) }
        if info < 0 { throw .illegalArgument(routine: "dpotri", argument: Int(-info)) }
        if info > 0 { throw .singular(position: Int(info)) }
        m.symmetrizeFromUpper()
        return m
    }

    /// Solves `A·X = B` (LAPACK `dpotrs`).
    public func solve(_ b: Matrix) throws(LinearAlgebraError) -> Matrix {
        guard b.rows == order else { throw .dimensionMismatch("solve: B has \(b.rows) rows, expected \(order)") }
        try LinearAlgebra.requireFinite(b, "right-hand side")
        var x = b
        var u = upper
        let n = try LinearAlgebra.int32(order, "n"), nrhs = try LinearAlgebra.int32(b.columns, "nrhs")
        if n == 0 || nrhs == 0 { return x }
        let info = u.storage.withUnsafeMutableBufferPointer { up in
            x.storage.withUnsafeMutableBufferPointer { xp in
                Backend.potrs(n: n, nrhs: nrhs, a: up.baseAddress!, lda: n, b: xp.baseAddress!, ldb: n)
            }
        }
        if info < 0 { throw .illegalArgument(routine: "dpotrs", argument: Int(-info)) }
        return x
    }

    /// `log det A = 2 Σ log U_ii`.
    public var logDeterminant: Double {
        (0..<order).reduce(0) { $0 + 2 * log(upper[$1, $1]) }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
