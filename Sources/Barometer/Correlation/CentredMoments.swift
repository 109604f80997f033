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
/// thread count (OpenBLAS may still split a single `dsyrk` across threads).
///
/// With more than two chunks the pass is pipelined: a filler thread assembles
/// chunk k + 1 (shift, √w scaling, column sums — each column in its fixed
/// order) into the second of two buffers while `dsyrk` runs on chunk k, so
/// the memory-bound fill overlaps the compute-bound update. Measured at
/// n = 10⁶ × p = 200 (OpenBLAS 0.3.21, 2 threads): about 5% faster than
/// filling between `dsyrk` calls, and about 1.1–1.2× a bare `dsyrk` on a
/// prebuilt matrix (see README "Benchmarks" for the run). Memory: two chunk
/// buffers of 4,096 × p doubles, plus √w for the rows when weighted.
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
        var c = Matrix(rows: p, columns: p)
        var resid = [Double](repeating: 0, count: p)
        let chunkCount = (n + Self.chunkRows - 1) / Self.chunkRows
        // Two chunk buffers (ChunkPipeline): with several chunks, a filler thread
        // assembles chunk k + 1 while dsyrk (on the BLAS threads) consumes chunk k.
        let buffers = (0..<2).map { _ in UnsafeMutableBufferPointer<Double>.allocate(capacity: first * p) }
        let partial = (0..<2).map { _ in UnsafeMutableBufferPointer<Double>.allocate(capacity: p) }
        defer { buffers.forEach { $0.deallocate() }; partial.forEach { $0.deallocate() } }
        let sqrtW = UnsafeMutableBufferPointer<Double>.allocate(capacity: unit ? 0 : n)
        defer { sqrtW.deallocate() }
        if !unit { for k in 0..<n { sqrtW[k] = weights[rows[k]].squareRoot() } }
        let job = ChunkFill(columns: columns, rows: rows, weights: weights, sqrtW: UnsafeSendablePointer(sqrtW.baseAddress),
                            shift: shift, all: all, unit: unit, n: n)
        let bufP = buffers.map { UnsafeSendablePointer($0.baseAddress) }, partP = partial.map { UnsafeSendablePointer($0.baseAddress) }
        try ChunkPipeline.run(chunkCount: chunkCount, fill: { k, slot, parallel in
            guard let a = bufP[slot].pointer, let r = partP[slot].pointer else { return }
            job.fill(chunk: k, into: a, sums: r, parallel: parallel)
        }, consume: { (k, slot) throws(BarometerError) in
            let len = Swift.min(Self.chunkRows, n - k * Self.chunkRows)
            guard let a = bufP[slot].pointer, let r = partP[slot].pointer else { return }
            for j in 0..<p { resid[j] += r[j] }
            if stopOnNonFinite && !resid.allSatisfy({ $0.isFinite }) { throw .invalidArgument("non-finite") }
            do throws(LinearAlgebraError) { try LinearAlgebra.syrkAccumulateUpper(a, rows: len, columns: p, into: &c) }
            catch { throw .linearAlgebra(error) }
        })
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
