/// The rows of a design in (stratum, PSU, row) order: the iteration order of
/// every per-PSU kernel (linearization variances, domain degrees of freedom).
///
/// PSUs of stratum h are `psu(q)` for q in `stratumStart[h]..<stratumStart[h + 1]`,
/// in PSU index order; the rows of PSU p are `row(r)` for r in `rows(of: p)`,
/// in row order. Identity maps (one stratum, or strata already contiguous;
/// every PSU one respondent with PSU index = row) are not stored, so the
/// weights-only design costs no allocation beyond `stratumStart`.
struct PSUOrder: Sendable {
    /// Offsets of each stratum's PSUs (strataCount + 1 entries).
    let stratumStart: [Int]
    /// PSU at each position; nil when position = PSU index.
    private let psuAt: [Int32]?
    /// Offsets of each PSU's rows (psuCount + 1 entries); nil when every PSU is one row.
    private let rowStart: [Int]?
    /// Row at each position; nil when position = row index.
    private let rowAt: [Int32]?

    /// From each row's PSU (`clusters`) and each PSU's stratum (`psuStratum`).
    init(clusters: [Int32], psuStratum: [Int32], strataCount strata: Int) {
        let n = clusters.count, psus = psuStratum.count
        var start = [Int](repeating: 0, count: strata + 1)
        for h in psuStratum { start[Int(h) + 1] += 1 }
        for h in 0..<strata { start[h + 1] += start[h] }
        var sorted = true
        for p in psuStratum.indices.dropFirst() where psuStratum[p] < psuStratum[p - 1] { sorted = false; break }
        if sorted {
            psuAt = nil
        } else {
            var next = start, order = [Int32](repeating: 0, count: psus)
            for (p, h) in psuStratum.enumerated() { order[next[Int(h)]] = Int32(p); next[Int(h)] += 1 }
            psuAt = order
        }
        stratumStart = start
        if psus == n {
            // Every PSU is exactly one row (each of the n PSUs holds at least one of n rows).
            rowStart = nil
            var identity = true
            for i in 0..<n where Int(clusters[i]) != i { identity = false; break }
            if identity { rowAt = nil } else {
                var order = [Int32](repeating: 0, count: n)
                for i in 0..<n { order[Int(clusters[i])] = Int32(i) }
                rowAt = order
            }
        } else {
            var rs = [Int](repeating: 0, count: psus + 1)
            for c in clusters { rs[Int(c) + 1] += 1 }
            for p in 0..<psus { rs[p + 1] += rs[p] }
            rowStart = rs
            // Rows already grouped by PSU in PSU index order (a file sorted by PSU, PSUs numbered
            // by first appearance): position = row, no map is stored.
            var grouped = n == 0 || clusters[0] == 0
            if grouped {
                for i in 1..<max(n, 1) where clusters[i] != clusters[i - 1] && clusters[i] != clusters[i - 1] &+ 1 {
                    grouped = false; break
                }
            }
            if grouped { rowAt = nil } else {
                var next = rs, order = [Int32](repeating: 0, count: n)
                for i in 0..<n { let p = Int(clusters[i]); order[next[p]] = Int32(i); next[p] += 1 }
                rowAt = order
            }
        }
    }

    /// Whether every PSU is a single row.
    var oneRowPerPSU: Bool { rowStart == nil }

    /// Whether position = PSU = row: one row per PSU, PSU index = row, and
    /// strata contiguous in row order (the weights-only design). The rows of
    /// stratum h are then `stratumStart[h]..<stratumStart[h + 1]` directly.
    var isIdentity: Bool { rowStart == nil && rowAt == nil && psuAt == nil }

    /// The PSU at position q.
    @inline(__always) func psu(_ q: Int) -> Int { psuAt.map { Int($0[q]) } ?? q }

    /// Positions of the rows of PSU p (pass each to ``row(_:)``).
    @inline(__always) func rows(of p: Int) -> Range<Int> { rowStart.map { $0[p]..<$0[p + 1] } ?? p..<(p + 1) }

    /// The row at position r.
    @inline(__always) func row(_ r: Int) -> Int { rowAt.map { Int($0[r]) } ?? r }

    /// The maps behind ``psu(_:)``, ``rows(of:)`` and ``row(_:)`` as buffer pointers for the
    /// duration of `body` (nil: the identity map; `rowStart` nil: every PSU one row), for inner
    /// loops that should not touch the arrays' reference counts once per row.
    func withBuffers<R>(_ body: (_ psuAt: UnsafeBufferPointer<Int32>?, _ rowStart: UnsafeBufferPointer<Int>?,
                                 _ rowAt: UnsafeBufferPointer<Int32>?) -> R) -> R {
        func with<T>(_ a: [T]?, _ f: (UnsafeBufferPointer<T>?) -> R) -> R {
            guard let a else { return f(nil) }
            return a.withUnsafeBufferPointer { f($0) }
        }
        return with(psuAt) { pa in with(rowStart) { rs in with(rowAt) { ra in body(pa, rs, ra) } } }
    }
}
