import Foundation

/// Pairwise-complete weighted moments of p columns from masked matrix
/// products, never a loop over pairs and rows.
///
/// With `M` the 0/1 validity mask, `X₀` the shifted data with missing set to 0,
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
/// One pass over the data: the chunk fill also takes each column's minimum
/// and maximum (for the constancy test) and notices ±∞ (reported through
/// ``CorrelationColumns/requireFinite(_:)``, as before any BLAS work would).
///
/// Accuracy: each column is first shifted by `K_j`, its weighted mean over its
/// valid rows among the first chunk (the formula is shift-invariant, as in
/// ``CentredMoments``), so `S_jk / W_jk` is the small difference between the
/// pair's mean and `K_j` — a few standard deviations / 64 at most — and the
/// subtraction loses only about log₁₀(mean²/variance) of that difference's
/// digits: for data offset by 10⁹ with unit spread the pairwise r agrees with
/// a two-pass computation to ~1e-12 relative (tested against numpy to 1e-10).
/// The chunk size is fixed and every column is filled by one worker, so no
/// sum depends on the thread count.
struct PairwiseMoments: Sendable {
    var counts: Matrix
    var sumW: Matrix
    var sumW2: Matrix
    var sums: Matrix
    var squares: Matrix
    var cross: Matrix
    /// Per column: max |x − K| over valid rows (for the constancy test).
    var scales: [Double]

    /// Rows per chunk of BLAS products (fixed: the summation order never
    /// depends on the thread count). 1024–16384 cost the same CPU time here.
    static let chunkRows = CentredMoments.chunkRows

    private init(counts: Matrix, sumW: Matrix, sumW2: Matrix, sums: Matrix, squares: Matrix, cross: Matrix, scales: [Double]) {
        self.counts = counts; self.sumW = sumW; self.sumW2 = sumW2
        self.sums = sums; self.squares = squares; self.cross = cross; self.scales = scales
    }

    /// - Throws: ``BarometerError/invalidArgument(_:)`` for an infinite value
    ///   (the first one of the first such variable), linear-algebra failures.
    init(_ cols: CorrelationColumns) throws(BarometerError) {
        let columns = cols.columns, weights = cols.weights
        let p = columns.count
        let n = weights.count
        let chunkRows = CentredMoments.chunkRows
        // Shift of each column: weighted mean of its valid values among the
        // first chunk (plain mean if their weights sum to 0; the first valid
        // value further down if the chunk has none), columns in parallel.
        let first = Swift.min(chunkRows, n)
        let shiftSlots = ColumnSlots(count: p)
        DispatchQueue.concurrentPerform(iterations: p) { j in
            var s = 0.0, sw = 0.0, plain = 0.0, cnt = 0.0
            var c = 0.0
            columns[j].withUnsafeBufferPointer { x in
                weights.withUnsafeBufferPointer { w in
                    for i in 0..<first {
                        let v = x[i]
                        if v.isNaN { continue }
                        s += w[i] * v; sw += w[i]; plain += v; cnt += 1
                    }
                    if sw > 0 { c = s / sw } else if cnt > 0 { c = plain / cnt } else {
                        var i = first
                        while i < n && x[i].isNaN { i += 1 }
                        if i < n { c = x[i] }
                    }
                }
            }
            // ±∞ as shift: reported below (the column's minimum or maximum is infinite)
            shiftSlots.set(j, (c.isFinite ? c : 0, 0))
        }
        var centres = shiftSlots.values.map(\.0)
        var pass = try Self.accumulate(cols, centres: centres)
        // A shift many standard deviations from the column's mean (a first
        // chunk unlike the rest) would cost digits in Q − S²/W: then shift by
        // the mean found (K + S_jj/W_jj) and accumulate once more.
        var refine = false
        for j in 0..<p {
            let w = pass.sumW[j, j], sj = pass.sums[j, j], q = pass.squares[j, j]
            guard w > 0, sj != 0 else { continue }
            let offset = sj * sj / w
            if !(offset <= 100 * (q - offset)) { centres[j] += sj / w; refine = true }
        }
        if refine { pass = try Self.accumulate(cols, centres: centres) }
        self = pass
    }

    /// One streaming pass with the given shifts.
    private static func accumulate(_ cols: CorrelationColumns, centres: [Double]) throws(BarometerError) -> PairwiseMoments {
        let columns = cols.columns, weights = cols.weights, weighted = cols.isWeighted
        let p = columns.count
        let n = weights.count
        let chunkRows = Self.chunkRows
        var lows = [Double](repeating: .infinity, count: p), highs = [Double](repeating: -.infinity, count: p)
        var cN = Matrix(rows: p, columns: p), cW = cN, cW2 = cN, cC = cN
        var cSQ = Matrix(rows: 2 * p, columns: p)      // [S; Q] from one dgemm
        var start = 0
        var len = Swift.min(chunkRows, n)
        // x0x2 = [√w·x̃ | √w·x̃²] (len × 2p); m = √w·mask; m01 = mask; wm = w·mask
        var x0x2 = Matrix(rows: len, columns: 2 * p), m = Matrix(rows: len, columns: p)
        var m01 = weighted ? m : Matrix(rows: 0, columns: 0), wm = m01
        var sqrtW = [Double](repeating: 0, count: weighted ? len : 0)     // √w of the chunk's rows, once
        while start < n {
            len = Swift.min(chunkRows, n - start)
            if len != m.rows {
                x0x2 = Matrix(rows: len, columns: 2 * p); m = Matrix(rows: len, columns: p)
                if weighted { m01 = m; wm = m }
            }
            // Fill the chunk, columns in parallel (each writes its own columns
            // and its own minimum and maximum); no branch on missingness.
            let chunkStart = start, chunkLen = len
            if weighted { for k in 0..<len { sqrtW[k] = weights[start + k].squareRoot() } }
            x0x2.storage.withUnsafeMutableBufferPointer { xqBuf in
                m.storage.withUnsafeMutableBufferPointer { mmBuf in
                    m01.storage.withUnsafeMutableBufferPointer { moBuf in
                        wm.storage.withUnsafeMutableBufferPointer { wwBuf in
                            weights.withUnsafeBufferPointer { wtsBuf in
                              sqrtW.withUnsafeBufferPointer { sqBuf in
                                lows.withUnsafeMutableBufferPointer { loBuf in
                                    highs.withUnsafeMutableBufferPointer { hiBuf in
                                        let xqP = UnsafeSendablePointer(xqBuf.baseAddress), mmP = UnsafeSendablePointer(mmBuf.baseAddress)
                                        let moP = UnsafeSendablePointer(moBuf.baseAddress), wwP = UnsafeSendablePointer(wwBuf.baseAddress)
                                        let sqP = UnsafeSendablePointer(sqBuf.baseAddress), wtsP = UnsafeSendablePointer(wtsBuf.baseAddress)
                                        let loP = UnsafeSendablePointer(loBuf.baseAddress), hiP = UnsafeSendablePointer(hiBuf.baseAddress)
                                        DispatchQueue.concurrentPerform(iterations: p) { j in
                                            guard let xq = xqP.pointer, let mm = mmP.pointer, let wts = wtsP.pointer,
                                                  let lo = loP.pointer, let hi = hiP.pointer else { return }
                                            columns[j].withUnsafeBufferPointer { xb in
                                                guard let x0 = xb.baseAddress else { return }
                                                let x = x0 + chunkStart
                                                let c = centres[j]
                                                let a = xq + j * chunkLen, a2 = xq + (p + j) * chunkLen, mk = mm + j * chunkLen
                                                // two running minima and two maxima: short dependency chains (NaN never wins a comparison)
                                                var l0 = lo[j], l1 = l0, h0 = hi[j], h1 = h0
                                                var k = 0
                                                if weighted, let mo = moP.pointer, let ww = wwP.pointer, let sr = sqP.pointer {
                                                    let o = mo + j * chunkLen, wq = ww + j * chunkLen
                                                    let wr = wts + chunkStart
                                                    while k < chunkLen {
                                                        let v = x[k], ok = !v.isNaN
                                                        let w = wr[k], sq = sr[k], d = ok ? v - c : 0
                                                        a[k] = sq * d; a2[k] = sq * d * d
                                                        mk[k] = ok ? sq : 0; o[k] = ok ? 1 : 0; wq[k] = ok ? w : 0
                                                        if k & 1 == 0 { l0 = v < l0 ? v : l0; h0 = v > h0 ? v : h0 }
                                                        else { l1 = v < l1 ? v : l1; h1 = v > h1 ? v : h1 }
                                                        k += 1
                                                    }
                                                } else {
                                                    let pairs = chunkLen / 2 * 2
                                                    while k < pairs {
                                                        let v0 = x[k], v1 = x[k + 1]
                                                        let ok0 = !v0.isNaN, ok1 = !v1.isNaN
                                                        let d0 = ok0 ? v0 - c : 0, d1 = ok1 ? v1 - c : 0
                                                        a[k] = d0; a[k + 1] = d1; a2[k] = d0 * d0; a2[k + 1] = d1 * d1
                                                        mk[k] = ok0 ? 1 : 0; mk[k + 1] = ok1 ? 1 : 0
                                                        l0 = v0 < l0 ? v0 : l0; h0 = v0 > h0 ? v0 : h0
                                                        l1 = v1 < l1 ? v1 : l1; h1 = v1 > h1 ? v1 : h1
                                                        k += 2
                                                    }
                                                    while k < chunkLen {
                                                        let v = x[k], ok = !v.isNaN, d = ok ? v - c : 0
                                                        a[k] = d; a2[k] = d * d; mk[k] = ok ? 1 : 0
                                                        l0 = v < l0 ? v : l0; h0 = v > h0 ? v : h0
                                                        k += 1
                                                    }
                                                }
                                                lo[j] = Swift.min(l0, l1); hi[j] = Swift.max(h0, h1)
                                            }
                                        }
                                    }
                                }
                              }
                            }
                        }
                    }
                }
            }
            // ±∞ (BLAS would turn it into NaN silently): the same error as a scan column by column
            if lows.contains(-.infinity) || highs.contains(.infinity) {
                for j in 0..<p { try cols.requireFinite(j) }
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
        let scales = (0..<p).map { j in
            lows[j] <= highs[j] ? Swift.max(highs[j] - centres[j], centres[j] - lows[j]) : 0
        }
        return PairwiseMoments(counts: cN, sumW: cW, sumW2: cW2, sums: cS, squares: cQ, cross: cC, scales: scales)
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
