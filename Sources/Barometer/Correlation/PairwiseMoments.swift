/// Pairwise-complete weighted moments of p columns from masked matrix
/// products, never a loop over pairs and rows.
///
/// With `M` the 0/1 validity mask, `X₀` the data with missing set to 0,
/// and `√w` applied to rows, the per-pair sums are BLAS products over row
/// chunks of ``CentredMoments/chunkRows``:
/// counts `N = MᵀM`, weights `W = (√w M)ᵀ(√w M)`, Σw² `= (wM)ᵀ(wM)`,
/// sums `S = (√w X₀)ᵀ(√w M)` (S_jk = Σ w x_j over rows where j and k are valid),
/// squares `Q = (√w X₀²)ᵀ(√w M)`, cross-products `C = (√w X₀)ᵀ(√w X₀)`.
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
        var cN = Matrix(rows: p, columns: p), cW = cN, cW2 = cN, cS = cN, cQ = cN, cC = cN
        let chunkRows = CentredMoments.chunkRows
        var start = 0
        while start < n {
            let len = Swift.min(chunkRows, n - start)
            var x0 = Matrix(rows: len, columns: p), m = x0, x2 = x0, m01 = x0, wm = x0
            for j in 0..<p {
                columns[j].withUnsafeBufferPointer { x in
                    let c = centres[j]
                    for k in 0..<len {
                        let v = x[start + k]
                        if v.isNaN { continue }
                        let w = weights[start + k], sq = w.squareRoot(), d = v - c
                        let at = k + j * len
                        x0.storage[at] = sq * d
                        x2.storage[at] = sq * d * d
                        m.storage[at] = sq
                        m01.storage[at] = 1
                        wm.storage[at] = w
                    }
                }
            }
            do {
                try LinearAlgebra.syrk(x0, beta: 1, into: &cC)
                try LinearAlgebra.gemm(x0, m, transposeA: true, beta: 1, into: &cS)
                try LinearAlgebra.gemm(x2, m, transposeA: true, beta: 1, into: &cQ)
                try LinearAlgebra.syrk(m, beta: 1, into: &cW)
                if weighted {
                    try LinearAlgebra.syrk(m01, beta: 1, into: &cN)
                    try LinearAlgebra.syrk(wm, beta: 1, into: &cW2)
                }
            } catch { throw .linearAlgebra(error) }
            start += len
        }
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
