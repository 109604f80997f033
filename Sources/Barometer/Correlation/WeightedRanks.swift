import Foundation

/// Mid-ranks for Spearman's ρ, weighted or not.
///
/// Definition: over the rows used, `R_i = W(x < x_i) + ½ · W(x = x_i)`,
/// where `W(·)` sums the weights of the rows satisfying the condition — the
/// weighted ridit score. With unit weights `R_i` is the usual average rank
/// (ties share the mean of their positions) minus ½, a shift that leaves
/// Pearson's r unchanged, so unweighted results equal scipy/pandas Spearman.
///
/// Order: rows are sorted by the IEEE-754 total order of their values (−0
/// before +0), ties in the order of `rows`; tie groups are then formed with
/// `==` (so −0 and +0 share one rank) and the weights are summed along that
/// order. The order depends only on the data, never on the thread count.
enum WeightedRanks {
    /// A copy of `column` with the values at `rows` replaced by their mid-ranks
    /// among `rows` and every other entry NaN. Values at `rows` must not be NaN.
    static func ranks(of column: [Double], rows: [Int], weights: [Double]) -> [Double] {
        var scratch = Scratch()
        return ranks(of: column, rows: rows, weights: weights,
                     unitWeights: weights.allSatisfy { $0 == 1 }, scratch: &scratch)
    }

    /// Ranks of several columns over the same rows, columns in parallel (each
    /// column is ranked by one worker, so the result equals ranking them one by one).
    static func ranks(of columns: [[Double]], rows: [Int], weights: [Double]) -> [[Double]] {
        let unit = weights.allSatisfy { $0 == 1 }
        let slots = RankSlots(count: columns.count)
        let workers = Swift.max(1, Swift.min(columns.count, ProcessInfo.processInfo.activeProcessorCount))
        // Each worker claims columns one at a time and reuses its scratch buffers.
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            var scratch = Scratch()
            while let j = slots.claim() {
                slots.set(j, ranks(of: columns[j], rows: rows, weights: weights, unitWeights: unit, scratch: &scratch))
            }
        }
        return slots.values
    }

    /// Reusable work arrays of one worker.
    struct Scratch {
        var keys: [UInt64] = []
        var keys2: [UInt64] = []
        var values: [Double] = []
    }

    /// Order-preserving unsigned key of a (non-NaN) double: unsigned order of
    /// keys = IEEE total order of values (−0 < +0).
    @inline(__always)
    static func orderKey(_ x: Double) -> UInt64 {
        let b = x.bitPattern
        return (b & (1 << 63)) != 0 ? ~b : b | (1 << 63)
    }

    static func ranks(of column: [Double], rows: [Int], weights: [Double], unitWeights: Bool,
                      scratch: inout Scratch) -> [Double] {
        var out = [Double](repeating: .nan, count: column.count)
        let n = rows.count
        if n == 0 { return out }
        let mask = sortedPositions(column, rows, &scratch)
        // scratch.keys: positions k into `rows` (bits under `mask`), ascending by value;
        // scratch.values: the values in that order. Walk the tie groups.
        scratch.keys.withUnsafeBufferPointer { ks in
            scratch.values.withUnsafeBufferPointer { vs in
                rows.withUnsafeBufferPointer { rr in
                    weights.withUnsafeBufferPointer { w in
                        out.withUnsafeMutableBufferPointer { o in
                            var below = 0.0
                            var g = 0
                            while g < n {
                                var h = g + 1
                                let v = vs[g]
                                while h < n && vs[h] == v { h += 1 }
                                var tied = 0.0
                                if unitWeights {
                                    tied = Double(h - g)        // = the sum of h − g ones, exactly
                                } else {
                                    for t in g..<h { tied += w[rr[Int(ks[t] & mask)]] }
                                }
                                let r = below + 0.5 * tied
                                for t in g..<h { o[rr[Int(ks[t] & mask)]] = r }
                                below += tied
                                g = h
                            }
                        }
                    }
                }
            }
        }
        return out
    }

    /// Sorts the positions `k` of `rows` by `column[rows[k]]` (total order,
    /// ties by `k`) into `scratch.keys[0..<n]` (k = key & the returned mask),
    /// and puts the sorted values into `scratch.values[0..<n]`.
    ///
    /// Method: a stable LSD radix sort (11 bits a pass, passes whose digit is
    /// the same for every entry skipped) on the upper 32 bits of the order
    /// key, packed above `k` in one 64-bit word; then each run sharing those
    /// 32 bits (rare for continuous data, or all equal values for coded data)
    /// is put in full-key order, ties by `k`. More than 2³² rows fall back to
    /// a comparison sort with the same order.
    static func sortedPositions(_ column: [Double], _ rows: [Int], _ s: inout Scratch) -> UInt64 {
        let n = rows.count
        if s.keys.count < n {
            s.keys = [UInt64](repeating: 0, count: n)
            s.keys2 = s.keys
            s.values = [Double](repeating: 0, count: n)
        }
        guard n <= Int(UInt32.max) else {
            let order = (0..<n).sorted {
                let a = orderKey(column[rows[$0]]), b = orderKey(column[rows[$1]])
                return a < b || (a == b && $0 < $1)
            }
            for (t, k) in order.enumerated() { s.keys[t] = UInt64(k); s.values[t] = column[rows[k]] }
            return ~0
        }
        let radix = 11, buckets = 1 << radix
        var counts = [Int](repeating: 0, count: 3 * buckets)
        var swapped = false
        column.withUnsafeBufferPointer { x in
            rows.withUnsafeBufferPointer { rr in
                s.keys.withUnsafeMutableBufferPointer { a in
                    s.keys2.withUnsafeMutableBufferPointer { b in
                        counts.withUnsafeMutableBufferPointer { c in
                            // pack (key prefix, k) and count all three digits in one pass
                            for k in 0..<n {
                                let key = (orderKey(x[rr[k]]) & 0xFFFF_FFFF_0000_0000) | UInt64(k)
                                a[k] = key
                                c[Int((key >> 32) & 0x7FF)] += 1
                                c[buckets + Int((key >> 43) & 0x7FF)] += 1
                                c[2 * buckets + Int(key >> 54)] += 1
                            }
                            var src = a, dst = b
                            for pass in 0..<3 {
                                let base = pass * buckets
                                let shift = UInt64(32 + radix * pass)
                                // a digit shared by every entry leaves the order unchanged
                                if c[base + Int((src[0] >> shift) & 0x7FF)] == n { continue }
                                var total = 0
                                for d in 0..<buckets { let v = c[base + d]; c[base + d] = total; total += v }
                                for k in 0..<n {
                                    let key = src[k]
                                    let d = base + Int((key >> shift) & 0x7FF)
                                    dst[c[d]] = key
                                    c[d] += 1
                                }
                                swap(&src, &dst)
                                swapped.toggle()
                            }
                        }
                    }
                }
            }
        }
        if swapped { swap(&s.keys, &s.keys2) }
        // Gather the values in sorted order; order each run of equal prefixes by full key.
        var fixups: [(start: Int, end: Int)] = []
        column.withUnsafeBufferPointer { x in
            rows.withUnsafeBufferPointer { rr in
                s.keys.withUnsafeBufferPointer { a in
                    s.values.withUnsafeMutableBufferPointer { v in
                        var runStart = 0
                        var inOrder = true
                        for t in 0..<n {
                            let value = x[rr[Int(a[t] & 0xFFFF_FFFF)]]
                            v[t] = value
                            if t > 0 {
                                if (a[t] >> 32) == (a[t - 1] >> 32) {
                                    // same prefix: k ascends, so the run is in order iff keys do not descend
                                    if orderKey(value) < orderKey(v[t - 1]) { inOrder = false }
                                } else {
                                    if !inOrder { fixups.append((runStart, t)) }
                                    runStart = t; inOrder = true
                                }
                            }
                        }
                        if !inOrder { fixups.append((runStart, n)) }
                    }
                }
            }
        }
        for run in fixups {
            var items = (run.start..<run.end).map { (orderKey(s.values[$0]), s.keys[$0]) }
            items.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
            for (t, item) in items.enumerated() {
                s.keys[run.start + t] = item.1
                s.values[run.start + t] = column[rows[Int(item.1 & 0xFFFF_FFFF)]]
            }
        }
        return 0xFFFF_FFFF
    }
}

/// Ranked columns written by concurrent workers, one slot each, and the
/// counter from which workers claim the next column.
private final class RankSlots: @unchecked Sendable {
    private var slots: [[Double]]
    private var next = 0
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: [], count: count) }
    func claim() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < slots.count else { return nil }
        next += 1
        return next - 1
    }
    func set(_ j: Int, _ v: [Double]) { lock.lock(); slots[j] = v; lock.unlock() }
    var values: [[Double]] { lock.lock(); defer { lock.unlock() }; return slots }
}
