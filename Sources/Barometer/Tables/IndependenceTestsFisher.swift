/// Fisher's exact test for a 2 × 2 table of integer counts, as R
/// `fisher.test` computes it.
///
/// Conditioning on the margins, the top-left count `x` is hypergeometric:
/// `total = W`, `successes` = first column total, `draws` = first row total.
/// - two-sided p: the sum of the probabilities of all tables no more likely
///   than the observed one, with R's relative tolerance: `Σ P(k)` over `k`
///   with `P(k) ≤ P(x)·(1 + 10⁻⁷)`;
/// - `less`: `P(X ≤ x)` (odds ratio < 1); `greater`: `P(X ≥ x)`.
/// Probabilities come from ``Hypergeometric``; tails are sums of point
/// probabilities in a fixed order.
public struct FisherExactTest: Sendable, Equatable, Codable {
    /// Two-sided p-value.
    public let twoSided: Double
    /// One-sided p-value for a negative association (odds ratio < 1).
    public let less: Double
    /// One-sided p-value for a positive association (odds ratio > 1).
    public let greater: Double

    /// Fisher's exact test of `counts`.
    /// - Throws: ``BarometerError/invalidArgument(_:)`` unless `counts` is
    ///   2 × 2 with non-negative integer entries (weighted counts are not
    ///   frequencies: round them deliberately if that is what is meant);
    ///   ``BarometerError/insufficientData(_:)`` when a row or column is
    ///   empty (the test is then undefined).
    public init(counts: Matrix) throws(BarometerError) {
        guard counts.rows == 2, counts.columns == 2 else {
            throw .invalidArgument("Fisher's exact test needs a 2 × 2 table, got \(counts.rows) × \(counts.columns)")
        }
        var n = [Int](repeating: 0, count: 4)
        for (k, v) in counts.storage.enumerated() {
            guard v.isFinite, v >= 0, v == v.rounded(), v < 1e9 else {
                throw .invalidArgument("Fisher's exact test needs non-negative integer counts (found \(v))")
            }
            n[k] = Int(v)
        }
        // column-major: n[0]=(0,0) n[1]=(1,0) n[2]=(0,1) n[3]=(1,1)
        let x = n[0]
        let col1 = n[0] + n[1], col2 = n[2] + n[3]
        let row1 = n[0] + n[2], row2 = n[1] + n[3]
        guard col1 > 0, col2 > 0, row1 > 0, row2 > 0 else {
            throw .insufficientData("Fisher's exact test is undefined when a row or column of the 2 × 2 table is empty")
        }
        let total = col1 + col2
        let h = Hypergeometric(total: total, successes: col1, draws: row1)
        let lo = max(0, row1 - col2), hi = min(row1, col1)
        let probs = (lo...hi).map { h.pmf($0) }
        let pObs = probs[x - lo]
        let cut = pObs * (1 + 1e-7)
        var two = 0.0, less = 0.0, greater = 0.0
        for (off, p) in probs.enumerated() {
            let k = lo + off
            if p <= cut { two += p }
            if k <= x { less += p }
            if k >= x { greater += p }
        }
        self.twoSided = min(1, two)
        self.less = min(1, less)
        self.greater = min(1, greater)
    }
}
