extension LinearAlgebra {
    /// `C ← α·A_Jᵀ A_J + β·C` (BLAS `dsyrk`) for a contiguous range J of A's
    /// columns, without copying them: the sub-matrix is addressed in place with
    /// A's leading dimension. Both triangles of `C` are filled on return.
    /// Used by the correlation engine to take one block of a chunk that also
    /// feeds a `dgemm`.
    public static func syrk(_ a: Matrix, alpha: Double = 1, beta: Double = 0, columns range: Range<Int>,
                            into c: inout Matrix) throws(LinearAlgebraError) {
        guard range.lowerBound >= 0, range.upperBound <= a.columns else {
            throw .dimensionMismatch("syrk: columns \(range) of a matrix with \(a.columns)")
        }
        let n = range.count, k = a.rows
        guard c.rows == n, c.columns == n else {
            throw .dimensionMismatch("syrk: C is \(c.rows)×\(c.columns), expected \(n)×\(n)")
        }
        if n == 0 { return }
        if k == 0 { for i in c.storage.indices { c.storage[i] *= beta }; return }
        let n32 = try int32(n, "syrk n"), k32 = try int32(k, "syrk k"), lda = try int32(max(a.rows, 1), "lda")
        let offset = range.lowerBound * a.rows
        a.storage.withUnsafeBufferPointer { ap in
            c.storage.withUnsafeMutableBufferPointer { cp in
                guard let abase = ap.baseAddress, let cbase = cp.baseAddress else { return }
                Backend.syrk(upper: true, transpose: true, n: n32, k: k32, alpha: alpha,
                             a: abase + offset, lda: lda, beta: beta, c: cbase, ldc: n32)
            }
        }
        c.symmetrizeFromUpper()
    }
}
