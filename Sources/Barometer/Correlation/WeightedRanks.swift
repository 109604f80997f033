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
    /// among `rows` and every other entry NaN. `rows` must be ascending and
    /// distinct (so `rows.count == column.count` means every row), and the
    /// values at `rows` must not be NaN.
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
        let order = sortedPositions(column, rows, &scratch)
        // `rows` ascending and distinct: all rows means rows[k] == k
        let identity = n == column.count
        // scratch.keys[0..<n]: positions k into `rows`, ascending by value. Walk the tie groups.
        scratch.keys.withUnsafeBufferPointer { ks in
            column.withUnsafeBufferPointer { x in
                rows.withUnsafeBufferPointer { rr in
                    weights.withUnsafeBufferPointer { w in
                        out.withUnsafeMutableBufferPointer { o in
                            @inline(__always) func row(_ t: Int) -> Int {
                                let k = Int(ks[t] & order.mask)
                                return identity ? k : rr[k]
                            }
                            // whether the t-th value equals the (t−1)-th: different
                            // prefixes mean different values, except −0 beside +0
                            @inline(__always) func tiedWithPrevious(_ t: Int) -> Bool {
                                guard order.prefixed else { return x[row(t - 1)] == x[row(t)] }
                                let a = ks[t - 1] &>> order.shift, b = ks[t] &>> order.shift
                                if a == b { return order.exactPrefix || x[row(t - 1)] == x[row(t)] }
                                return a == order.minusZero && b == order.minusZero &+ 1 && x[row(t - 1)] == x[row(t)]
                            }
                            var below = 0.0
                            var g = 0
                            while g < n {
                                var h = g + 1
                                while h < n && tiedWithPrevious(h) { h += 1 }
                                var tied = 0.0
                                if unitWeights {
                                    tied = Double(h - g)        // = the sum of h − g ones, exactly
                                } else {
                                    for t in g..<h { tied += w[row(t)] }
                                }
                                let r = below + 0.5 * tied
                                for t in g..<h { o[row(t)] = r }
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

    /// How ``sortedPositions(_:_:_:)`` left its result in `scratch.keys`.
    struct SortedOrder {
        /// k = key & mask.
        var mask: UInt64
        /// key >> shift = the value's order key >> shift (its prefix).
        var shift: UInt64
        /// Whether keys carry a prefix at all.
        var prefixed: Bool
        /// Whether equal prefixes mean equal values (no value has bits below the prefix).
        var exactPrefix: Bool
        /// The prefix of −0 (+0's is the next one).
        var minusZero: UInt64 { orderKey(-0.0) &>> shift }
    }

    /// Sorts the positions `k` of `rows` by `column[rows[k]]` (total order,
    /// ties by `k`) into `scratch.keys[0..<n]`.
    ///
    /// Method: `k` takes the low `b = bitWidth(n − 1)` bits of a 64-bit word
    /// and the upper `64 − b` bits of the value's order key sit above it; a
    /// stable LSD radix sort (≤ 12 bits a pass; a pass whose digit is the same
    /// for every entry is skipped) orders the words by that prefix, ties by
    /// `k`. Runs that share a prefix (values equal to ~15 digits) are then put
    /// in full-key order, ties by `k` — unless no value has bits below the
    /// prefix (coded data), when a run is one value. More than 2³² rows fall
    /// back to a comparison sort with the same order.
    static func sortedPositions(_ column: [Double], _ rows: [Int], _ s: inout Scratch) -> SortedOrder {
        let n = rows.count
        if s.keys.count < n {
            s.keys = [UInt64](repeating: 0, count: n)
            s.keys2 = s.keys
        }
        guard n <= Int(UInt32.max) else {
            let order = (0..<n).sorted {
                let a = orderKey(column[rows[$0]]), b = orderKey(column[rows[$1]])
                return a < b || (a == b && $0 < $1)
            }
            for (t, k) in order.enumerated() { s.keys[t] = UInt64(k) }
            return SortedOrder(mask: ~0, shift: 0, prefixed: false, exactPrefix: false)
        }
        let kBits = Swift.max(1, UInt64.bitWidth - UInt64(n - 1).leadingZeroBitCount)
        let prefixBits = 64 - kBits
        let passes = (prefixBits + 11) / 12
        let digit = (prefixBits + passes - 1) / passes          // ≤ 12
        let buckets = 1 << digit, digitMask = UInt64(buckets - 1)
        let kMask = (UInt64(1) << UInt64(kBits)) - 1, prefixMask = ~kMask
        var counts = [Int](repeating: 0, count: passes * buckets)
        var swapped = false
        var lowBits: UInt64 = 0
        column.withUnsafeBufferPointer { x in
            rows.withUnsafeBufferPointer { rr in
                s.keys.withUnsafeMutableBufferPointer { a in
                    s.keys2.withUnsafeMutableBufferPointer { b in
                        counts.withUnsafeMutableBufferPointer { c in
                            // pack (key prefix, k) and count every digit in one pass
                            for k in 0..<n {
                                let bits = x[rr[k]].bitPattern
                                lowBits |= bits & kMask
                                let key = (orderKey(x[rr[k]]) & prefixMask) | UInt64(k)
                                a[k] = key
                                var sh = UInt64(kBits)
                                for pass in 0..<passes {
                                    c[pass &* buckets &+ Int((key &>> sh) & digitMask)] &+= 1
                                    sh &+= UInt64(digit)
                                }
                            }
                            var src = a, dst = b
                            for pass in 0..<passes {
                                let base = pass * buckets
                                let shift = UInt64(kBits + digit * pass)
                                // a digit shared by every entry leaves the order unchanged
                                if c[base + Int((src[0] &>> shift) & digitMask)] == n { continue }
                                var total = 0
                                for d in 0..<buckets { let v = c[base + d]; c[base + d] = total; total &+= v }
                                for k in 0..<n {
                                    let key = src[k]
                                    let d = base &+ Int((key &>> shift) & digitMask)
                                    dst[c[d]] = key
                                    c[d] &+= 1
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
        let order = SortedOrder(mask: kMask, shift: UInt64(kBits), prefixed: true, exactPrefix: lowBits == 0)
        if order.exactPrefix { return order }
        // Runs of equal prefixes: k ascends within a run, so it is in order iff
        // the full keys do not descend; otherwise insertion-sort it by (full key, k).
        column.withUnsafeBufferPointer { x in
            rows.withUnsafeBufferPointer { rr in
                s.keys.withUnsafeMutableBufferPointer { a in
                    @inline(__always) func full(_ key: UInt64) -> UInt64 { orderKey(x[rr[Int(key & kMask)]]) }
                    var t = 1
                    while t < n {
                        if (a[t] &>> order.shift) != (a[t - 1] &>> order.shift) { t += 1; continue }
                        // a run starts at t − 1
                        let start = t - 1
                        var end = t + 1
                        while end < n && (a[end] &>> order.shift) == (a[start] &>> order.shift) { end += 1 }
                        var sorted = true
                        for u in (start + 1)..<end where full(a[u]) < full(a[u - 1]) { sorted = false; break }
                        if !sorted {
                            if end - start <= 32 {
                                for u in (start + 1)..<end {
                                    let item = a[u], key = full(item)
                                    var v = u
                                    // strict <: equal full keys keep ascending k
                                    while v > start && key < full(a[v - 1]) { a[v] = a[v - 1]; v -= 1 }
                                    a[v] = item
                                }
                            } else {
                                var items = (start..<end).map { (full(a[$0]), a[$0]) }
                                items.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
                                for (u, item) in items.enumerated() { a[start + u] = item.1 }
                            }
                        }
                        t = end + 1
                    }
                }
            }
        }
        return order
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
