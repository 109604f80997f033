import Foundation

/// Pairwise-complete weighted moments of p columns from masked matrix
/// products, never a loop over pairs and rows.
///
/// With `M` the 0/1 validity mask, `X₀` the data with missing set to 0,
/// and `√w` applied to rows, the per-pair sums are BLAS products over row
/// chunks of ``CentredMoments/chunkRows``:
/// counts `N = MᵀM`, weights `W = (√w M)ᵀ(√w M)`, Σw² `= (wM)ᵀ(wM)`,
/// sums `S = (√w X₀)ᵀ(√w M)` (S_jk = Σ w x_j over rows where j and k are valid),
/// squares `Q = (√w X₀²)ᵀ(√w M)` — both from one `dgemm` of the chunk
/// `[√w X₀ | √w X₀²]` — and cross-products `C = (√w X₀)ᵀ(√w X₀)` (`dsyrk` on
/// the first block in place, ``LinearAlgebra/syrk(_:alpha:beta:columns:into:)``).
/// Then for the pair (j, k): `cov = C_jk − S_jk S_kj / W_jk`,
/// `var_j = Q_jk − S_jk² / W_jk`.
///
/// Accuracy: each column is first centred by its own weighted mean over its
/// valid rows (the formula is shift-invariant), so `S_jk / W_jk` is the small
/// difference between the pair's mean and the column's mean and the
/// subtraction loses only about log₁₀(mean²/variance) of that difference's
/// digits — for data offset by 10⁹ with unit spread the pairwise r agrees with
/// a two-pass computation to ~1e-12 relative (tested against numpy to 1e-10).
struct PairwiseMoments: Sendable {
    var counts: Matrix
    var sumW: Matrix
    var sumW2: Matrix
    var sums: Matrix
    var squares: Matrix
    var cross: Matrix
    /// Per column: max |x − centre| over valid rows (for the constancy test).
    var scales: [Double]

    init(columns: [[Double]], weights: [Double], weighted: Bool) throws(BarometerError) {
        let p = columns.count
        let n = weights.count
        // Centre (weighted mean of the non-missing values) and scale (largest
        // distance from it, via min and max) of each column in one pass,
        // columns in parallel: each column is summed in order by one worker.
        let stats = ColumnSlots(count: p)
        DispatchQueue.concurrentPerform(iterations: p) { j in
            var s = 0.0, sw = 0.0, plain = 0.0, cnt = 0.0
            var lo = Double.infinity, hi = -Double.infinity
            columns[j].withUnsafeBufferPointer { x in
                weights.withUnsafeBufferPointer { w in
                    for i in 0..<n {
                        let v = x[i]
                        if v.isNaN { continue }
                        s += w[i] * v; sw += w[i]; plain += v; cnt += 1
                        lo = Swift.min(lo, v); hi = Swift.max(hi, v)
                    }
                }
            }
            let c = sw > 0 ? s / sw : (cnt > 0 ? plain / cnt : 0)
            stats.set(j, (c, cnt > 0 ? Swift.max(hi - c, c - lo) : 0))
        }
        let centres = stats.values.map(\.0)
        let scales = stats.values.map(\.1)
        var cN = Matrix(rows: p, columns: p), cW = cN, cW2 = cN, cC = cN
        var cSQ = Matrix(rows: 2 * p, columns: p)      // [S; Q] from one dgemm
        let chunkRows = CentredMoments.chunkRows
        var start = 0
        var len = Swift.min(chunkRows, n)
        // x0x2 = [√w·x̃ | √w·x̃²] (len × 2p); m = √w·mask; m01 = mask; wm = w·mask
        var x0x2 = Matrix(rows: len, columns: 2 * p), m = Matrix(rows: len, columns: p)
        var m01 = weighted ? m : Matrix(rows: 0, columns: 0), wm = m01
        while start < n {
            len = Swift.min(chunkRows, n - start)
            if len != m.rows {
                x0x2 = Matrix(rows: len, columns: 2 * p); m = Matrix(rows: len, columns: p)
                if weighted { m01 = m; wm = m }
            }
            // Fill the chunk, columns in parallel (each writes its own columns).
            let chunkStart = start, chunkLen = len
            x0x2.storage.withUnsafeMutableBufferPointer { xqBuf in
                m.storage.withUnsafeMutableBufferPointer { mmBuf in
                    m01.storage.withUnsafeMutableBufferPointer { moBuf in
                        wm.storage.withUnsafeMutableBufferPointer { wwBuf in
                            weights.withUnsafeBufferPointer { wtsBuf in
                                let xqP = UnsafeSendablePointer(xqBuf.baseAddress), mmP = UnsafeSendablePointer(mmBuf.baseAddress)
                                let moP = UnsafeSendablePointer(moBuf.baseAddress), wwP = UnsafeSendablePointer(wwBuf.baseAddress)
                                let wtsP = UnsafeSendablePointer(wtsBuf.baseAddress)
                                DispatchQueue.concurrentPerform(iterations: p) { j in
                                    guard let xq = xqP.pointer, let mm = mmP.pointer, let wts = wtsP.pointer else { return }
                                    columns[j].withUnsafeBufferPointer { x in
                                        let c = centres[j]
                                        let b0 = j * chunkLen, b2 = (p + j) * chunkLen
                                        for k in 0..<chunkLen {
                                            let v = x[chunkStart + k]
                                            if v.isNaN {
                                                xq[b0 + k] = 0; xq[b2 + k] = 0; mm[b0 + k] = 0
                                                if weighted, let mo = moP.pointer, let ww = wwP.pointer { mo[b0 + k] = 0; ww[b0 + k] = 0 }
                                            } else if weighted {
                                                let w = wts[chunkStart + k], sq = w.squareRoot(), d = v - c
                                                xq[b0 + k] = sq * d; xq[b2 + k] = sq * d * d; mm[b0 + k] = sq
                                                if let mo = moP.pointer, let ww = wwP.pointer { mo[b0 + k] = 1; ww[b0 + k] = w }
                                            } else {
                                                let d = v - c
                                                xq[b0 + k] = d; xq[b2 + k] = d * d; mm[b0 + k] = 1
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            do {
                try LinearAlgebra.syrk(x0x2, beta: 1, columns: 0..<p, into: &cC)
                try LinearAlgebra.gemm(x0x2, m, transposeA: true, beta: 1, into: &cSQ)
                try LinearAlgebra.syrk(m, beta: 1, into: &cW)
                if weighted {
                    try LinearAlgebra.syrk(m01, beta: 1, into: &cN)
                    try LinearAlgebra.syrk(wm, beta: 1, into: &cW2)
                }
            } catch { throw .linearAlgebra(error) }
            start += len
        }
        let cS = cSQ.submatrix(rows: Array(0..<p), columns: Array(0..<p))
        let cQ = cSQ.submatrix(rows: Array(p..<(2 * p)), columns: Array(0..<p))
        if !weighted { cN = cW; cW2 = cW }
        counts = cN; sumW = cW; sumW2 = cW2; sums = cS; squares = cQ; cross = cC
        self.scales = scales
    }

    /// Number of rows valid on both j and k.
    func count(_ j: Int, _ k: Int) -> Int { Int(counts[j, k].rounded()) }

    /// (cov, var_j, var_k) sums over the pair's rows (not divided by Σw).
    func moments(_ j: Int, _ k: Int) -> (cov: Double, vj: Double, vk: Double) {
        let w = sumW[j, k]
        guard w > 0 else { return (.nan, .nan, .nan) }
        let sj = sums[j, k], sk = sums[k, j]
        return (cross[j, k] - sj * sk / w, squares[j, k] - sj * sj / w, squares[k, j] - sk * sk / w)
    }

    /// Whether column j is constant over the rows of pair (j, k): its
    /// centred sum of squares `v` is at the rounding level of `Q_jk`.
    func isConstant(_ j: Int, inPairWith k: Int, variance v: Double) -> Bool {
        !(v > 64 * Double.ulpOfOne * squares[j, k]) || !(scales[j] > 0)
    }
}

/// Per-column results written by concurrent workers, one slot each.
final class ColumnSlots: @unchecked Sendable {
    private var slots: [(Double, Double)]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: (0, 0), count: count) }
    func set(_ j: Int, _ v: (Double, Double)) { lock.lock(); slots[j] = v; lock.unlock() }
    var values: [(Double, Double)] { lock.lock(); defer { lock.unlock() }; return slots }
}
