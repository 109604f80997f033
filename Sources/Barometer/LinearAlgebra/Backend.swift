// The only file that calls BLAS/LAPACK symbols. Linux: the Fortran
// interface of Debian's libblas.so.3 / liblapack.so.3 (the alternatives
// system selects OpenBLAS or the reference libraries at run time).
// macOS: Accelerate, same internal API (not testable on the Linux CI).
#if canImport(Accelerate)
import Accelerate
#else
import CLAPACK
#endif

/// Raw, unchecked calls. Everything here takes column-major storage and
/// 32-bit dimensions already validated by ``LinearAlgebra``.
enum Backend {
    typealias Int32Ptr = UnsafeMutablePointer<Int32>

    #if canImport(Accelerate)
    static func syrk(upper: Bool, transpose: Bool, n: Int32, k: Int32, alpha: Double,
                     a: UnsafePointer<Double>, lda: Int32, beta: Double,
                     c: UnsafeMutablePointer<Double>, ldc: Int32) {
        cblas_dsyrk(CblasColMajor, upper ? CblasUpper : CblasLower, transpose ? CblasTrans : CblasNoTrans,
                    n, k, alpha, a, lda, beta, c, ldc)
    }
    static func gemm(transA: Bool, transB: Bool, m: Int32, n: Int32, k: Int32, alpha: Double,
                     a: UnsafePointer<Double>, lda: Int32, b: UnsafePointer<Double>, ldb: Int32,
                     beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int32) {
        cblas_dgemm(CblasColMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }
    static func gemv(transpose: Bool, m: Int32, n: Int32, alpha: Double, a: UnsafePointer<Double>, lda: Int32,
                     x: UnsafePointer<Double>, beta: Double, y: UnsafeMutablePointer<Double>) {
        cblas_dgemv(CblasColMajor, transpose ? CblasTrans : CblasNoTrans, m, n, alpha, a, lda, x, 1, beta, y, 1)
    }
    static func potrf(n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32) -> Int32 {
        var uplo = Int8(UInt8(ascii: "U")), n = n, lda = lda, info: Int32 = 0
        dpotrf_(&uplo, &n, a, &lda, &info); return info
    }
    static func potri(n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32) -> Int32 {
        var uplo = Int8(UInt8(ascii: "U")), n = n, lda = lda, info: Int32 = 0
        dpotri_(&uplo, &n, a, &lda, &info); return info
    }
    static func potrs(n: Int32, nrhs: Int32, a: UnsafeMutablePointer<Double>, lda: Int32,
                      b: UnsafeMutablePointer<Double>, ldb: Int32) -> Int32 {
        var uplo = Int8(UInt8(ascii: "U")), n = n, nrhs = nrhs, lda = lda, ldb = ldb, info: Int32 = 0
        dpotrs_(&uplo, &n, &nrhs, a, &lda, b, &ldb, &info); return info
    }
    static func syevd(vectors: Bool, n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32,
                      w: UnsafeMutablePointer<Double>) -> Int32 {
        var jobz = Int8(UInt8(ascii: vectors ? "V" : "N")), uplo = Int8(UInt8(ascii: "U"))
        var n = n, lda = lda, info: Int32 = 0, lwork: Int32 = -1, liwork: Int32 = -1
        var wq = 0.0, iwq: Int32 = 0
        dsyevd_(&jobz, &uplo, &n, a, &lda, w, &wq, &lwork, &iwq, &liwork, &info)
        guard info == 0 else { return info }
        lwork = Int32(wq); liwork = max(iwq, 1)
        var work = [Double](repeating: 0, count: Int(lwork)), iwork = [Int32](repeating: 0, count: Int(liwork))
        dsyevd_(&jobz, &uplo, &n, a, &lda, w, &work, &lwork, &iwork, &liwork, &info)
        return info
    }
    static func gesddValues(m: Int32, n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32,
                            s: UnsafeMutablePointer<Double>) -> Int32 {
        var jobz = Int8(UInt8(ascii: "N")), m = m, n = n, lda = lda, one: Int32 = 1, info: Int32 = 0
        var lwork: Int32 = -1, wq = 0.0, u = 0.0, vt = 0.0
        var iwork = [Int32](repeating: 0, count: Int(8 * min(m, n)))
        dgesdd_(&jobz, &m, &n, a, &lda, s, &u, &one, &vt, &one, &wq, &lwork, &iwork, &info)
        guard info == 0 else { return info }
        lwork = Int32(wq)
        var work = [Double](repeating: 0, count: Int(lwork))
        dgesdd_(&jobz, &m, &n, a, &lda, s, &u, &one, &vt, &one, &work, &lwork, &iwork, &info)
        return info
    }
    static func geqrf(m: Int32, n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32,
                      tau: UnsafeMutablePointer<Double>) -> Int32 {
        var m = m, n = n, lda = lda, info: Int32 = 0, lwork: Int32 = -1, wq = 0.0
        dgeqrf_(&m, &n, a, &lda, tau, &wq, &lwork, &info)
        guard info == 0 else { return info }
        lwork = max(Int32(wq.rounded(.up)), 1)
        var work = [Double](repeating: 0, count: Int(lwork))
        dgeqrf_(&m, &n, a, &lda, tau, &work, &lwork, &info)
        return info
    }
    static func ormqrLeftTransposed(m: Int32, n: Int32, k: Int32, a: UnsafeMutablePointer<Double>, lda: Int32,
                                    tau: UnsafeMutablePointer<Double>, c: UnsafeMutablePointer<Double>, ldc: Int32) -> Int32 {
        var side = Int8(UInt8(ascii: "L")), trans = Int8(UInt8(ascii: "T"))
        var m = m, n = n, k = k, lda = lda, ldc = ldc, info: Int32 = 0, lwork: Int32 = -1, wq = 0.0
        dormqr_(&side, &trans, &m, &n, &k, a, &lda, tau, c, &ldc, &wq, &lwork, &info)
        guard info == 0 else { return info }
        lwork = max(Int32(wq.rounded(.up)), 1)
        var work = [Double](repeating: 0, count: Int(lwork))
        dormqr_(&side, &trans, &m, &n, &k, a, &lda, tau, c, &ldc, &work, &lwork, &info)
        return info
    }
    static func trtrsUpper(n: Int32, nrhs: Int32, a: UnsafeMutablePointer<Double>, lda: Int32,
                           b: UnsafeMutablePointer<Double>, ldb: Int32) -> Int32 {
        var uplo = Int8(UInt8(ascii: "U")), trans = Int8(UInt8(ascii: "N")), diag = Int8(UInt8(ascii: "N"))
        var n = n, nrhs = nrhs, lda = lda, ldb = ldb, info: Int32 = 0
        dtrtrs_(&uplo, &trans, &diag, &n, &nrhs, a, &lda, b, &ldb, &info)
        return info
    }
    #else
    /// LAPACK calls on at most this many matrix elements run with BLAS single-threaded
    /// (``BLASRuntime/withSingleThreadedBLAS(_:)``): OpenBLAS 0.3.21 threads the level-2
    /// kernels inside them (`dsymv` in `dsyevd`, `dgemv` in `dgesdd`) at any size, and so starts
    /// its parked workers (``BLASRuntime/parkIdleThreads()``), each then spinning ~0.1 s on a
    /// core: measured, a 20 × 20 eigendecomposition in `pcorr` and the replicate sketch's
    /// singular values each cost a core for that long. These calls are then single-threaded
    /// whatever the BLAS thread count, so their bits depend on it even less than before.
    static let smallLAPACKElements = 1 << 20

    @inline(__always)
    private static func lapack<R>(_ elements: Int, _ body: () -> R) -> R {
        elements <= smallLAPACKElements ? BLASRuntime.withSingleThreadedBLAS(body) : body()
    }

    private static let U: CChar = CChar(UInt8(ascii: "U"))
    private static let N: CChar = CChar(UInt8(ascii: "N"))
    private static let T: CChar = CChar(UInt8(ascii: "T"))
    private static let V: CChar = CChar(UInt8(ascii: "V"))
    private static let L: CChar = CChar(UInt8(ascii: "L"))

    static func syrk(upper: Bool, transpose: Bool, n: Int32, k: Int32, alpha: Double,
                     a: UnsafePointer<Double>, lda: Int32, beta: Double,
                     c: UnsafeMutablePointer<Double>, ldc: Int32) {
        var uplo = upper ? U : L, trans = transpose ? T : N
        var n = n, k = k, alpha = alpha, lda = lda, beta = beta, ldc = ldc
        dsyrk_(&uplo, &trans, &n, &k, &alpha, a, &lda, &beta, c, &ldc, 1, 1)
    }
    static func gemm(transA: Bool, transB: Bool, m: Int32, n: Int32, k: Int32, alpha: Double,
                     a: UnsafePointer<Double>, lda: Int32, b: UnsafePointer<Double>, ldb: Int32,
                     beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int32) {
        var ta = transA ? T : N, tb = transB ? T : N
        var m = m, n = n, k = k, alpha = alpha, lda = lda, ldb = ldb, beta = beta, ldc = ldc
        dgemm_(&ta, &tb, &m, &n, &k, &alpha, a, &lda, b, &ldb, &beta, c, &ldc, 1, 1)
    }
    static func gemv(transpose: Bool, m: Int32, n: Int32, alpha: Double, a: UnsafePointer<Double>, lda: Int32,
                     x: UnsafePointer<Double>, beta: Double, y: UnsafeMutablePointer<Double>) {
        var t = transpose ? T : N, m = m, n = n, alpha = alpha, lda = lda, beta = beta, inc: Int32 = 1
        dgemv_(&t, &m, &n, &alpha, a, &lda, x, &inc, &beta, y, &inc, 1)
    }
    static func potrf(n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32) -> Int32 {
        lapack(Int(n) * Int(n)) {
            var uplo = U, n = n, lda = lda, info: Int32 = 0
            dpotrf_(&uplo, &n, a, &lda, &info, 1); return info
        }
    }
    static func potri(n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32) -> Int32 {
        lapack(Int(n) * Int(n)) {
            var uplo = U, n = n, lda = lda, info: Int32 = 0
            dpotri_(&uplo, &n, a, &lda, &info, 1); return info
        }
    }
    static func potrs(n: Int32, nrhs: Int32, a: UnsafeMutablePointer<Double>, lda: Int32,
                      b: UnsafeMutablePointer<Double>, ldb: Int32) -> Int32 {
        lapack(Int(n) * (Int(n) + Int(nrhs))) {
            var uplo = U, n = n, nrhs = nrhs, lda = lda, ldb = ldb, info: Int32 = 0
            dpotrs_(&uplo, &n, &nrhs, a, &lda, b, &ldb, &info, 1); return info
        }
    }
    static func syevd(vectors: Bool, n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32,
                      w: UnsafeMutablePointer<Double>) -> Int32 {
        lapack(Int(n) * Int(n)) {
            var jobz = vectors ? V : N, uplo = U, n = n, lda = lda, info: Int32 = 0
            var lwork: Int32 = -1, liwork: Int32 = -1, wq = 0.0, iwq: Int32 = 0
            dsyevd_(&jobz, &uplo, &n, a, &lda, w, &wq, &lwork, &iwq, &liwork, &info, 1, 1)
            guard info == 0 else { return info }
            lwork = Int32(wq.rounded(.up)); liwork = max(iwq, 1)
            var work = [Double](repeating: 0, count: Int(max(lwork, 1)))
            var iwork = [Int32](repeating: 0, count: Int(liwork))
            dsyevd_(&jobz, &uplo, &n, a, &lda, w, &work, &lwork, &iwork, &liwork, &info, 1, 1)
            return info
        }
    }
    static func gesddValues(m: Int32, n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32,
                            s: UnsafeMutablePointer<Double>) -> Int32 {
        lapack(Int(m) * Int(n)) {
            var jobz = N, m = m, n = n, lda = lda, one: Int32 = 1, info: Int32 = 0
            var lwork: Int32 = -1, wq = 0.0, u = 0.0, vt = 0.0
            var iwork = [Int32](repeating: 0, count: Int(8 * max(min(m, n), 1)))
            dgesdd_(&jobz, &m, &n, a, &lda, s, &u, &one, &vt, &one, &wq, &lwork, &iwork, &info, 1)
            guard info == 0 else { return info }
            lwork = Int32(wq.rounded(.up))
            var work = [Double](repeating: 0, count: Int(max(lwork, 1)))
            dgesdd_(&jobz, &m, &n, a, &lda, s, &u, &one, &vt, &one, &work, &lwork, &iwork, &info, 1)
            return info
        }
    }
    static func geqrf(m: Int32, n: Int32, a: UnsafeMutablePointer<Double>, lda: Int32,
                      tau: UnsafeMutablePointer<Double>) -> Int32 {
        lapack(Int(m) * Int(n)) {
            var m = m, n = n, lda = lda, info: Int32 = 0, lwork: Int32 = -1, wq = 0.0
            dgeqrf_(&m, &n, a, &lda, tau, &wq, &lwork, &info)
            guard info == 0 else { return info }
            lwork = max(Int32(wq.rounded(.up)), 1)
            var work = [Double](repeating: 0, count: Int(lwork))
            dgeqrf_(&m, &n, a, &lda, tau, &work, &lwork, &info)
            return info
        }
    }
    static func ormqrLeftTransposed(m: Int32, n: Int32, k: Int32, a: UnsafeMutablePointer<Double>, lda: Int32,
                                    tau: UnsafeMutablePointer<Double>, c: UnsafeMutablePointer<Double>, ldc: Int32) -> Int32 {
        lapack(Int(m) * Int(n)) {
            var side = L, trans = T
            var m = m, n = n, k = k, lda = lda, ldc = ldc, info: Int32 = 0, lwork: Int32 = -1, wq = 0.0
            dormqr_(&side, &trans, &m, &n, &k, a, &lda, tau, c, &ldc, &wq, &lwork, &info, 1, 1)
            guard info == 0 else { return info }
            lwork = max(Int32(wq.rounded(.up)), 1)
            var work = [Double](repeating: 0, count: Int(lwork))
            dormqr_(&side, &trans, &m, &n, &k, a, &lda, tau, c, &ldc, &work, &lwork, &info, 1, 1)
            return info
        }
    }
    static func trtrsUpper(n: Int32, nrhs: Int32, a: UnsafeMutablePointer<Double>, lda: Int32,
                           b: UnsafeMutablePointer<Double>, ldb: Int32) -> Int32 {
        lapack(Int(n) * (Int(n) + Int(nrhs))) {
            var uplo = U, trans = N, diag = N
            var n = n, nrhs = nrhs, lda = lda, ldb = ldb, info: Int32 = 0
            dtrtrs_(&uplo, &trans, &diag, &n, &nrhs, a, &lda, b, &ldb, &info, 1, 1, 1)
            return info
        }
    }
    #endif
}
