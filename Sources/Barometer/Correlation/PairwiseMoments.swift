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
        var centres = [Double](repeating: 0, count: p)
        var scales = [Double](repeating: 0, count: p)
        for j in 0..<p {
            var s = 0.0, sw = 0.0, plain = 0.0, cnt = 0.0
            for i in 0..<n where !columns[j][i].isNaN {
                s += weights[i] * columns[j][i]; sw += weights[i]; plain += columns[j][i]; cnt += 1
            }
            centres[j] = sw > 0 ? s / sw : (cnt > 0 ? plain / cnt : 0)
            var mx = 0.0
            for i in 0..<n where !columns[j][i].isNaN { mx = Swift.max(mx, Swift.abs(columns[j][i] - centres[j])) }
            scales[j] = mx
        }
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
            x0x2.storage.withUnsafeMutableBufferPointer { xq in
                m.storage.withUnsafeMutableBufferPointer { mm in
                    m01.storage.withUnsafeMutableBufferPointer { mo in
                        wm.storage.withUnsafeMutableBufferPointer { ww in
                            weights.withUnsafeBufferPointer { wts in
                                for j in 0..<p {
                                    columns[j].withUnsafeBufferPointer { x in
                                        let c = centres[j]
                                        let b0 = j * len, b2 = (p + j) * len
                                        for k in 0..<len {
                                            let v = x[start + k]
                                            if v.isNaN {
                                                xq[b0 + k] = 0; xq[b2 + k] = 0; mm[b0 + k] = 0
                                                if weighted { mo[b0 + k] = 0; ww[b0 + k] = 0 }
                                            } else if weighted {
                                                let w = wts[start + k], sq = w.squareRoot(), d = v - c
                                                xq[b0 + k] = sq * d; xq[b2 + k] = sq * d * d; mm[b0 + k] = sq
                                                mo[b0 + k] = 1; ww[b0 + k] = w
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
