/// Mid-ranks for Spearman's ρ, weighted or not.
///
/// Definition: over the rows used, `R_i = W(x < x_i) + ½ · W(x = x_i)`,
/// where `W(·)` sums the weights of the rows satisfying the condition — the
/// weighted ridit score. With unit weights `R_i` is the usual average rank
/// (ties share the mean of their positions) minus ½, a shift that leaves
/// Pearson's r unchanged, so unweighted results equal scipy/pandas Spearman.
enum WeightedRanks {
    /// A copy of `column` with the values at `rows` replaced by their mid-ranks
    /// among `rows` and every other entry NaN. Sums run in ascending value
    /// order (ties in row order), so results are deterministic.
    static func ranks(of column: [Double], rows: [Int], weights: [Double]) -> [Double] {
        var out = [Double](repeating: .nan, count: column.count)
        let order = rows.sorted { a, b in column[a] != column[b] ? column[a] < column[b] : a < b }
        var below = 0.0
        var g = 0
        while g < order.count {
            var h = g
            var tied = 0.0
            while h < order.count && column[order[h]] == column[order[g]] { tied += weights[order[h]]; h += 1 }
            let r = below + 0.5 * tied
            for t in g..<h { out[order[t]] = r }
            below += tied
            g = h
        }
        return out
    }
}
