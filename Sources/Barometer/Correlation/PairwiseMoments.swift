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
/// The chunk size is fixed, and the rows are split into two fixed partitions
/// (even and odd chunks, each with its own worker and single-threaded BLAS,
/// added at the end), so no sum depends on the thread count.
struct PairwiseMoments: Sendable {
    var counts: Matrix
    var sumW: Matrix
    var sumW2: Matrix
    var sums: Matrix
    var squares: Matrix
    var cross: Matrix
    /// Per column: max |x − K| over valid rows (for the constancy test).
    var scales: [Double]
    /// Per column: the shift `K` the sums are taken about.
    var centres: [Double]
    /// Per column: the least and greatest valid value (±∞ reversed when none).
    var lows: [Double], highs: [Double]

    /// Rows per chunk of BLAS products (fixed: the summation order never
    /// depends on the thread count). 1024–16384 cost the same CPU time here.
    static let chunkRows = CentredMoments.chunkRows

    private init(counts: Matrix, sumW: Matrix, sumW2: Matrix, sums: Matrix, squares: Matrix, cross: Matrix, scales: [Double],
                 centres: [Double], lows: [Double], highs: [Double]) {
        self.counts = counts; self.sumW = sumW; self.sumW2 = sumW2
        self.sums = sums; self.squares = squares; self.cross = cross; self.scales = scales
        self.centres = centres; self.lows = lows; self.highs = highs
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

    /// One streaming pass with the given shifts, over two fixed row
    /// partitions (even and odd chunks). Each partition is filled and
    /// multiplied by its own worker, with single-threaded BLAS, into its own
    /// sums; the two are added at the end. The order is fixed whatever the
    /// core count, so results do not depend on it. With small matrices
    /// (p ≈ 50, 4,096-row chunks) this beats one stream of multi-threaded BLAS
    /// calls, whose idle threads spin between calls (measured at 10⁶ × 50:
    /// 0.31–0.35 s against 0.47–0.55 s).
    private static func accumulate(_ cols: CorrelationColumns, centres: [Double]) throws(BarometerError) -> PairwiseMoments {
        let columns = cols.columns, weights = cols.weights, weighted = cols.isWeighted
        let p = columns.count
        let n = weights.count
        let chunkRows = Self.chunkRows
        let chunkCount = (n + chunkRows - 1) / chunkRows
        let parts = (0..<2).map { _ in PairwiseChunk(p: p, rows: Swift.min(chunkRows, n), weighted: weighted) }
        BLASRuntime.withSingleThreadedBLAS {
          DispatchQueue.concurrentPerform(iterations: 2) { part in
            let b = parts[part]
            var k = part
            while k < chunkCount {
                let start = k * chunkRows
                b.fill(columns: columns, weights: weights, centres: centres, start: start,
                       length: Swift.min(chunkRows, n - start))
                // ±∞ (BLAS would turn it into NaN silently): stop; reported below
                if b.lows.contains(-.infinity) || b.highs.contains(.infinity) { b.sawInfinity = true; return }
                b.multiply()
                if b.failure != nil { return }
                k += 2
            }
          }
        }
        var lows = [Double](repeating: .infinity, count: p), highs = [Double](repeating: -.infinity, count: p)
        // the same error as a scan column by column
        for b in parts where b.sawInfinity { for j in 0..<p { try cols.requireFinite(j) } }
        for b in parts { if let e = b.failure { throw .linearAlgebra(e) } }
        for b in parts { for j in 0..<p { lows[j] = Swift.min(lows[j], b.lows[j]); highs[j] = Swift.max(highs[j], b.highs[j]) } }
        func sum(_ a: Matrix, _ b: Matrix) -> Matrix { var c = a; for i in c.storage.indices { c.storage[i] += b.storage[i] }; return c }
        var cN = sum(parts[0].cN, parts[1].cN), cW = sum(parts[0].cW, parts[1].cW), cW2 = sum(parts[0].cW2, parts[1].cW2)
        let cC = sum(parts[0].cC, parts[1].cC), cSQ = sum(parts[0].cSQ, parts[1].cSQ)
        let cS = cSQ.submatrix(rows: Array(0..<p), columns: Array(0..<p))
        let cQ = cSQ.submatrix(rows: Array(p..<(2 * p)), columns: Array(0..<p))
        if !weighted { cN = cW; cW2 = cW }
        let scales = (0..<p).map { j in
            lows[j] <= highs[j] ? Swift.max(highs[j] - centres[j], centres[j] - lows[j]) : 0
        }
        return PairwiseMoments(counts: cN, sumW: cW, sumW2: cW2, sums: cS, squares: cQ, cross: cC, scales: scales,
                               centres: centres, lows: lows, highs: highs)
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

/// One row partition of a ``PairwiseMoments`` pass: its current chunk
/// (`x0x2 = [√w·x̃ | √w·x̃²]`, `m = √w·mask`, and when weighted `m01 = mask`,
/// `wm = w·mask`), the column minima and maxima and the running products of
/// the partition so far. Only the worker that owns the partition touches it.
private final class PairwiseChunk: @unchecked Sendable {
    var x0x2: Matrix, m: Matrix, m01: Matrix, wm: Matrix
    var sqrtW: [Double]
    /// Column minima and maxima over the partition's rows so far.
    var lows: [Double], highs: [Double]
    var cN: Matrix, cW: Matrix, cW2: Matrix, cC: Matrix, cSQ: Matrix
    var sawInfinity = false
    var failure: LinearAlgebraError? = nil
    let weighted: Bool

    init(p: Int, rows: Int, weighted: Bool) {
        self.weighted = weighted
        x0x2 = Matrix(rows: rows, columns: 2 * p); m = Matrix(rows: rows, columns: p)
        m01 = weighted ? m : Matrix(rows: 0, columns: 0); wm = m01
        sqrtW = [Double](repeating: 0, count: weighted ? rows : 0)
        lows = [Double](repeating: .infinity, count: p); highs = lows.map { -$0 }
        cN = Matrix(rows: p, columns: p); cW = cN; cW2 = cN; cC = cN
        cSQ = Matrix(rows: 2 * p, columns: p)
    }

    /// Adds the chunk's products to the partition's sums (single-threaded BLAS).
    func multiply() {
        let p = m.columns
        do throws(LinearAlgebraError) {
            try LinearAlgebra.syrk(x0x2, beta: 1, columns: 0..<p, into: &cC)
            try LinearAlgebra.gemm(x0x2, m, transposeA: true, beta: 1, into: &cSQ)
            try LinearAlgebra.syrk(m, beta: 1, into: &cW)
            if weighted {
                try LinearAlgebra.syrk(m01, beta: 1, into: &cN)
                try LinearAlgebra.syrk(wm, beta: 1, into: &cW2)
            }
        } catch { failure = error }
    }

    /// Fills the chunk of rows `start ..< start + length`, column by column,
    /// with no branch on missingness (two running minima and maxima: short
    /// dependency chains; NaN never wins a comparison).
    func fill(columns: [[Double]], weights: [Double], centres: [Double], start chunkStart: Int, length chunkLen: Int) {
        let p = columns.count, weighted = self.weighted
        if chunkLen != m.rows {
            x0x2 = Matrix(rows: chunkLen, columns: 2 * p); m = Matrix(rows: chunkLen, columns: p)
            if weighted { m01 = m; wm = m; sqrtW = [Double](repeating: 0, count: chunkLen) }
        }
        if weighted { for k in 0..<chunkLen { sqrtW[k] = weights[chunkStart + k].squareRoot() } }
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
                                    let column: (Int) -> Void = { j in
                                        guard let xq = xqP.pointer, let mm = mmP.pointer, let wts = wtsP.pointer,
                                              let lo = loP.pointer, let hi = hiP.pointer else { return }
                                        columns[j].withUnsafeBufferPointer { xb in
                                            guard let x0 = xb.baseAddress else { return }
                                            let x = x0 + chunkStart
                                            let c = centres[j]
                                            let a = xq + j * chunkLen, a2 = xq + (p + j) * chunkLen, mk = mm + j * chunkLen
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
                                    for j in 0..<p { column(j) }
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
