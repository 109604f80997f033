/// Weighted centred cross-products of p columns over a fixed set of rows,
/// computed through BLAS `dsyrk` on centred, √w-scaled row chunks.
///
/// Algorithm (two-pass with correction, Chan, Golub & LeVeque 1983):
/// pass 1 computes the weighted means `m_j = Σ wᵢ xᵢⱼ / Σw`; pass 2 streams
/// the rows in chunks of ``chunkRows``, forms `aᵢⱼ = √wᵢ (xᵢⱼ − m_j)` and
/// accumulates `C += AᵀA` with `dsyrk`, while also summing the residuals
/// `e_j = Σ wᵢ (xᵢⱼ − m_j)` (zero in exact arithmetic); finally
/// `C_jk −= e_j e_k / Σw`. Centring first makes the result shift-invariant:
/// a column offset by 10⁹ loses no more than a few ulps of its mean's
/// rounding, unlike the one-pass `Σxy − Σx Σy / n` formula.
/// The chunk size is fixed, so the summation order never depends on the
/// thread count (OpenBLAS may still split a single `dsyrk` across threads).
struct CentredMoments: Sendable {
    /// Σ wᵢ (xᵢⱼ − m_j)(xᵢₖ − m_k), p × p.
    var crossProducts: Matrix
    /// Weighted means.
    var means: [Double]
    /// max |xᵢⱼ| over the rows, per column (for the constancy test).
    var scales: [Double]
    var count: Int
    var sumW: Double
    var sumW2: Double

    /// Rows per `dsyrk` call.
    static let chunkRows = 4096

    init(columns: [[Double]], rows: [Int], weights: [Double]) throws(BarometerError) {
        let p = columns.count, n = rows.count
        var sw = 0.0, sw2 = 0.0
        for r in rows { let w = weights[r]; sw += w; sw2 += w * w }
        guard n > 0 else { throw .insufficientData("no rows with valid values on every variable") }
        guard sw > 0 else { throw .insufficientData("the \(n) rows used have zero total weight") }
        var means = [Double](repeating: 0, count: p), scales = [Double](repeating: 0, count: p)
        weights.withUnsafeBufferPointer { w in
            rows.withUnsafeBufferPointer { rr in
                for j in 0..<p {
                    columns[j].withUnsafeBufferPointer { x in
                        var s = 0.0, mx = 0.0
                        for r in rr { s += w[r] * x[r]; mx = Swift.max(mx, Swift.abs(x[r])) }
                        means[j] = s / sw
                        scales[j] = mx
                    }
                }
            }
        }
        var c = Matrix(rows: p, columns: p)
        var resid = [Double](repeating: 0, count: p)
        var chunk = Matrix(rows: Swift.min(Self.chunkRows, n), columns: p)
        var sqrtW = [Double](repeating: 0, count: chunk.rows)
        var start = 0
        while start < n {
            let len = Swift.min(Self.chunkRows, n - start)
            if len != chunk.rows { chunk = Matrix(rows: len, columns: p) }
            for k in 0..<len { sqrtW[k] = weights[rows[start + k]].squareRoot() }
            chunk.storage.withUnsafeMutableBufferPointer { a in
                rows.withUnsafeBufferPointer { rr in
                    weights.withUnsafeBufferPointer { w in
                        for j in 0..<p {
                            columns[j].withUnsafeBufferPointer { x in
                                let m = means[j]
                                var s = 0.0
                                let base = j * len
                                for k in 0..<len {
                                    let r = rr[start + k]
                                    let d = x[r] - m
                                    s += w[r] * d
                                    a[base + k] = d * sqrtW[k]
                                }
                                resid[j] += s
                            }
                        }
                    }
                }
            }
            do { try LinearAlgebra.syrk(chunk, transpose: true, alpha: 1, beta: 1, into: &c) }
            catch { throw .linearAlgebra(error) }
            start += len
        }
        for j in 0..<p { for k in 0..<p { c[j, k] -= resid[j] * resid[k] / sw } }
        crossProducts = c
        self.means = means
        self.scales = scales
        count = n
        sumW = sw
        sumW2 = sw2
    }

    /// Whether column j is constant among the rows: its weighted variance is
    /// below the rounding level of its values, `(64 ε max|x|)²`.
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
