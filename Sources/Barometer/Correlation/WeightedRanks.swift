import Foundation

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
        // Sort (value, row) pairs with a stable radix sort on order-preserving
        // keys: ties keep ascending row order, so the order (and every sum
        // below) is fully determined.
        let pairs = sortedPairs(column, rows)
        var below = 0.0
        var g = 0
        pairs.withUnsafeBufferPointer { pb in
            out.withUnsafeMutableBufferPointer { o in
                weights.withUnsafeBufferPointer { w in
                    while g < pb.count {
                        var h = g
                        var tied = 0.0
                        let v = pb[g].0
                        while h < pb.count && pb[h].0 == v { tied += w[pb[h].1]; h += 1 }
                        let r = below + 0.5 * tied
                        for t in g..<h { o[pb[t].1] = r }
                        below += tied
                        g = h
                    }
                }
            }
        }
        return out
    }

    /// `(column[r], r)` for `r` in `rows`, in ascending value order, ties in
    /// the order of `rows` (LSD radix sort, 11 bits a pass, on the IEEE bits
    /// mapped to an order-preserving unsigned key). Values must not be NaN.
    static func sortedPairs(_ column: [Double], _ rows: [Int]) -> [(Double, Int)] {
        let n = rows.count
        if n == 0 { return [] }
        var keys = [UInt64](repeating: 0, count: n), idx = [Int](repeating: 0, count: n)
        for (k, r) in rows.enumerated() {
            let b = column[r].bitPattern
            keys[k] = (b & (1 << 63)) != 0 ? ~b : b | (1 << 63)
            idx[k] = r
        }
        var keys2 = keys, idx2 = idx
        let radix = 11, buckets = 1 << radix, mask = UInt64(buckets - 1)
        var counts = [Int](repeating: 0, count: buckets)
        var shift: UInt64 = 0
        while shift < 64 {
            for b in 0..<buckets { counts[b] = 0 }
            var allSame = true
            let first = (keys[0] >> shift) & mask
            for k in 0..<n {
                let d = Int((keys[k] >> shift) & mask)
                counts[d] += 1
                if UInt64(d) != first { allSame = false }
            }
            if !allSame {
                var total = 0
                for b in 0..<buckets { let c = counts[b]; counts[b] = total; total += c }
                for k in 0..<n {
                    let d = Int((keys[k] >> shift) & mask)
                    keys2[counts[d]] = keys[k]; idx2[counts[d]] = idx[k]
                    counts[d] += 1
                }
                swap(&keys, &keys2); swap(&idx, &idx2)
            }
            shift += UInt64(radix)
        }
        return idx.map { (column[$0], $0) }
    }

    /// Ranks of several columns over the same rows, columns in parallel (each
    /// column is ranked by one worker, so the result equals ranking them one by one).
    static func ranks(of columns: [[Double]], rows: [Int], weights: [Double]) -> [[Double]] {
        let slots = RankSlots(count: columns.count)
        DispatchQueue.concurrentPerform(iterations: columns.count) { j in
            slots.set(j, ranks(of: columns[j], rows: rows, weights: weights))
        }
        return slots.values
    }
}

/// Ranked columns written by concurrent workers, one slot each.
private final class RankSlots: @unchecked Sendable {
    private var slots: [[Double]]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: [], count: count) }
    func set(_ j: Int, _ v: [Double]) { lock.lock(); slots[j] = v; lock.unlock() }
    var values: [[Double]] { lock.lock(); defer { lock.unlock() }; return slots }
}
