import Foundation

/// Weighted centred cross-products of p columns over a fixed set of rows,
/// computed through BLAS `dsyrk` on shifted, √w-scaled row chunks in one
/// streaming pass over the data.
///
/// Algorithm (shifted data with an exact correction; Chan, Golub & LeVeque
/// 1983): the shift `K_j` is column j's weighted mean over the first chunk of
/// rows; the rows are then streamed in chunks of ``chunkRows``, forming
/// `aᵢⱼ = √wᵢ (xᵢⱼ − K_j)` and accumulating `C += AᵀA` with `dsyrk`, while
/// also summing `e_j = Σ wᵢ (xᵢⱼ − K_j)`; finally `C_jk −= e_j e_k / Σw` and
/// the mean is `K_j + e_j/Σw`. The correction makes the result exactly
/// shift-invariant in exact arithmetic; in floating point the relative error
/// of a variance is about `ε · (1 + (x̄ − K)²/s²)`, and `K` (a mean of 8192
/// rows) lies within a few standard deviations of `x̄`, so a column offset by
/// 10⁹ keeps ~15 digits — unlike the one-pass `Σxy − Σx Σy / n`.
/// The chunk size is fixed, so the summation order never depends on the
/// thread count.
///
/// **Two fixed row partitions.** With two or more chunks, the even chunks and
/// the odd chunks form two partitions, each filled (shift, √w scaling, column
/// sums) and multiplied by its own worker with single-threaded BLAS
/// (``BLASRuntime/withSingleThreadedBLAS(_:)``) into its own p × p sum; the
/// two sums are added at the end. The partition of a row depends only on n,
/// so results are the same on one core or two. Measured at n = 10⁶ × p = 200
/// (OpenBLAS 0.3.21, 2 cores): 0.62–0.77 s, against 0.85–1.1 s for one
/// multi-threaded `dsyrk` on a prebuilt matrix and ≈ 1–1.2 s for the earlier
/// single stream of multi-threaded calls (OpenBLAS splits a 200 × 200 update
/// poorly and its idle threads spin between calls). With one chunk
/// (n ≤ 4,096) the fill spreads columns over the cores and one
/// multi-threaded `dsyrk` follows. Memory: one chunk buffer of 4,096 × p
/// doubles and one p × p sum per partition, plus √w for the rows when
/// weighted. The partition count is fixed at two (the project's 2-core
/// target), so this pass uses at most two cores even where more exist.
struct CentredMoments: Sendable {
    /// Σ wᵢ (xᵢⱼ − m_j)(xᵢₖ − m_k), p × p.
    var crossProducts: Matrix
    /// Weighted means.
    var means: [Double]
    /// Magnitude of column j's values, `max(|K_j|, |mean_j|)` (for the constancy test).
    var scales: [Double]
    var count: Int
    var sumW: Double
    var sumW2: Double

    /// Rows per `dsyrk` call.
    static let chunkRows = 4096

    /// Moments over every row when all values are finite, else nil (checked
    /// chunk by chunk before each `dsyrk`, so little work is wasted): the
    /// single-pass fast path for complete data.
    init?(allRowsOf columns: [[Double]], weights: [Double]) throws(BarometerError) {
        do {
            try self.init(columns: columns, rows: Array(0..<(columns.first?.count ?? 0)), weights: weights, stopOnNonFinite: true)
        } catch let e {
            if case .invalidArgument("non-finite") = e { return nil }
            throw e
        }
    }

    /// `rows` must be ascending and distinct (then `rows.count == n` means every row).
    init(columns: [[Double]], rows: [Int], weights: [Double], stopOnNonFinite: Bool = false) throws(BarometerError) {
        let p = columns.count, n = rows.count
        let all = n == columns.first?.count
        var sw = 0.0, sw2 = 0.0
        for r in rows { let w = weights[r]; sw += w; sw2 += w * w }
        if stopOnNonFinite {
            // the shift must be finite too
            for j in 0..<p { for k in 0..<Swift.min(Self.chunkRows, n) where !columns[j][rows[k]].isFinite {
                throw .invalidArgument("non-finite")
            } }
        }
        guard n > 0 else { throw .insufficientData("no rows with valid values on every variable") }
        guard sw > 0 else { throw .insufficientData("the \(n) rows used have zero total weight") }
        let unit = weights.allSatisfy { $0 == 1 }
        // shift: weighted mean of the first chunk (plain mean when its weights are all zero)
        let first = Swift.min(Self.chunkRows, n)
        var shift = [Double](repeating: 0, count: p)
        var w0 = 0.0
        for k in 0..<first { w0 += weights[rows[k]] }
        for j in 0..<p {
            var s = 0.0, plain = 0.0
            for k in 0..<first { let r = rows[k]; s += weights[r] * columns[j][r]; plain += columns[j][r] }
            shift[j] = w0 > 0 ? s / w0 : plain / Double(first)
        }
        let chunkCount = (n + Self.chunkRows - 1) / Self.chunkRows
        let sqrtW = UnsafeMutableBufferPointer<Double>.allocate(capacity: unit ? 0 : n)
        defer { sqrtW.deallocate() }
        if !unit { for k in 0..<n { sqrtW[k] = weights[rows[k]].squareRoot() } }
        let job = ChunkFill(columns: columns, rows: rows, weights: weights, sqrtW: UnsafeSendablePointer(sqrtW.baseAddress),
                            shift: shift, all: all, unit: unit, n: n)
        let parts = (0..<Swift.min(chunkCount, 2)).map { _ in MomentPartition(p: p, rows: first) }
        defer { parts.forEach { $0.free() } }
        if parts.count == 1 {
            parts[0].run(job, chunks: stride(from: 0, to: chunkCount, by: 1), parallelFill: true,
                         stopOnNonFinite: stopOnNonFinite, abandoned: nil)
        } else {
            let stop = StopFlag()
            BLASRuntime.withSingleThreadedBLAS {
                DispatchQueue.concurrentPerform(iterations: 2) { part in
                    parts[part].run(job, chunks: stride(from: part, to: chunkCount, by: 2), parallelFill: false,
                                    stopOnNonFinite: stopOnNonFinite, abandoned: stop)
                }
            }
        }
        for part in parts { if let e = part.failure { throw .linearAlgebra(e) } }
        if parts.contains(where: { $0.sawNonFinite }) { throw .invalidArgument("non-finite") }
        var c = parts[0].sum, resid = parts[0].resid
        for part in parts.dropFirst() {
            for i in c.storage.indices { c.storage[i] += part.sum.storage[i] }
            for j in 0..<p { resid[j] += part.resid[j] }
        }
        c.symmetrizeFromUpper()
        for j in 0..<p { for k in 0..<p { c[j, k] -= resid[j] * resid[k] / sw } }
        crossProducts = c
        means = (0..<p).map { shift[$0] + resid[$0] / sw }
        self.scales = (0..<p).map { Swift.max(Swift.abs(shift[$0]), Swift.abs(shift[$0] + resid[$0] / sw)) }
        count = n
        sumW = sw
        sumW2 = sw2
    }

    /// Whether column j is constant among the rows: its weighted variance is
    /// below the rounding level of its values, `(64 ε · max(|K|, |x̄|))²`.
    func isConstant(_ j: Int) -> Bool {
        let v = crossProducts[j, j] / sumW
        let tol = 64 * Double.ulpOfOne * scales[j]
        return !(v > tol * tol)
    }

    /// The correlation-scaled matrix `D^{-1/2} C D^{-1/2}` (unit diagonal).
    func correlation() -> Matrix {
        let p = crossProducts.rows
        var r = crossProducts
        let d = (0..<p).map { crossProducts[$0, $0].squareRoot() }
        for j in 0..<p { for i in 0..<p { r[i, j] = i == j ? 1 : crossProducts[i, j] / (d[i] * d[j]) } }
        return r
    }
}

/// One row partition of a ``CentredMoments`` pass: its chunk buffer, its
/// running upper-triangle sum `Σ AᵀA` and column sums `Σ w (x − K)`, touched
/// only by the worker that owns it.
private final class MomentPartition: @unchecked Sendable {
    let chunk: UnsafeMutablePointer<Double>
    var sum: Matrix
    var resid: [Double]
    private let chunkSums: UnsafeMutablePointer<Double>
    var sawNonFinite = false
    var failure: LinearAlgebraError? = nil

    init(p: Int, rows: Int) {
        chunk = .allocate(capacity: Swift.max(rows * p, 1))
        chunkSums = .allocate(capacity: Swift.max(p, 1))
        sum = Matrix(rows: p, columns: p)
        resid = [Double](repeating: 0, count: p)
    }

    func free() { chunk.deallocate(); chunkSums.deallocate() }

    /// Fills and multiplies `chunks` in order. Stops early after a
    /// non-finite column sum (when asked to), a BLAS failure, or once the
    /// other partition has stopped (`abandoned`).
    func run(_ job: ChunkFill, chunks: StrideTo<Int>, parallelFill: Bool, stopOnNonFinite: Bool, abandoned: StopFlag?) {
        let p = sum.rows
        for k in chunks {
            if let a = abandoned, a.isSet { return }
            let len = Swift.min(CentredMoments.chunkRows, job.n - k * CentredMoments.chunkRows)
            job.fill(chunk: k, into: chunk, sums: chunkSums, parallel: parallelFill)
            for j in 0..<p { resid[j] += chunkSums[j] }
            if stopOnNonFinite && !resid.allSatisfy({ $0.isFinite }) {
                sawNonFinite = true; abandoned?.set(); return
            }
            do throws(LinearAlgebraError) {
                try LinearAlgebra.syrkAccumulateUpper(chunk, rows: len, columns: p, into: &sum)
            } catch { failure = error; abandoned?.set(); return }
        }
    }
}

/// Fills one row chunk of a ``CentredMoments`` pass: `a_kj = √w (x_rj − K_j)`,
/// column-major, and the per-column sums `Σ w (x − K)` of the chunk, each in
/// a fixed order (four interleaved partial sums) whatever the thread layout.
private struct ChunkFill: @unchecked Sendable {
    let columns: [[Double]], rows: [Int], weights: [Double]
    let sqrtW: UnsafeSendablePointer<Double>
    let shift: [Double]
    let all: Bool, unit: Bool, n: Int

    func fill(chunk: Int, into a: UnsafeMutablePointer<Double>, sums: UnsafeMutablePointer<Double>, parallel: Bool) {
        let start = chunk * CentredMoments.chunkRows, len = Swift.min(CentredMoments.chunkRows, n - start)
        let p = columns.count
        let aP = UnsafeSendablePointer(a), sP = UnsafeSendablePointer(sums)
        let body: @Sendable (Int) -> Void = { j in
            guard let a = aP.pointer, let res = sP.pointer else { return }
            res[j] = self.column(j, start: start, len: len, into: a + j * len)
        }
        if parallel { DispatchQueue.concurrentPerform(iterations: p, execute: body) }
        else { for j in 0..<p { body(j) } }
    }

    private func column(_ j: Int, start: Int, len: Int, into a: UnsafeMutablePointer<Double>) -> Double {
        let m = shift[j]
        return columns[j].withUnsafeBufferPointer { x -> Double in
            guard let xb = x.baseAddress else { return 0 }
            var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
            let quads = len / 4 * 4
            if all && unit {
                let x0 = xb + start
                var k = 0
                while k < quads {
                    let d0 = x0[k] - m, d1 = x0[k + 1] - m, d2 = x0[k + 2] - m, d3 = x0[k + 3] - m
                    s0 += d0; s1 += d1; s2 += d2; s3 += d3
                    a[k] = d0; a[k + 1] = d1; a[k + 2] = d2; a[k + 3] = d3
                    k += 4
                }
                while k < len { let d = x0[k] - m; s0 += d; a[k] = d; k += 1 }
            } else if unit {
                for k in 0..<len { let d = xb[rows[start + k]] - m; s0 += d; a[k] = d }
            } else if let sq = sqrtW.pointer {
                for k in 0..<len {
                    let r = rows[start + k]
                    let d = xb[r] - m
                    s0 += weights[r] * d; a[k] = d * sq[start + k]
                }
            }
            return (s0 + s1) + (s2 + s3)
        }
    }
}
