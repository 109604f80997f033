import Dispatch
import Foundation

extension CellTally {
    /// Tallies every pair (row coding a, column coding b) at once: the
    /// counting kernel behind ``BannerTable``.
    ///
    /// Pair (a, b) gets the tally of the combined index
    /// `i_a + k_a · i_b` (as ``CategoryCoding/combinedIndex(_:)`` builds it),
    /// so its cells are identical — bit for bit — to
    /// `CellTally(cellCount: k_a·k_b, index: combinedIndex([a, b]), …)`:
    /// every cell still sums its respondents in row order. Rows are visited
    /// in chunks of `chunkRows`, all pairs per chunk, so each chunk's codes
    /// stay in cache. When the row and column lists are the same coding
    /// list, only pairs a ≤ b are counted and the others are their transposes.
    ///
    /// Cost: one increment per respondent per pair, `O(n · pairs)`, against
    /// `O(n · K²)` for indicator-matrix products (measured, 50 six-code
    /// questions, n = 10⁶, whole ``BannerTable`` call: median 5.9 s with
    /// this kernel versus 14.6 s with `dgemm`/`dsyrk` on indicator chunks,
    /// on the same shared 2-core machine; see README "Benchmarks").
    /// - Returns: tallies in row-major pair order (`a · columns.count + b`).
    /// - Throws: ``BarometerError/lengthMismatch(variable:expected:actual:)``.
    static func pairs(rows: [CategoryCoding], columns: [CategoryCoding], symmetric: Bool, weights: Weights,
                      domain: Domain?, chunkRows: Int) throws(BarometerError) -> [CellTally] {
        let n = weights.count
        for c in rows + columns where c.index.count != n {
            throw .lengthMismatch(variable: "category coding", expected: n, actual: c.index.count)
        }
        if let d = domain, d.mask.count != n {
            throw .lengthMismatch(variable: "domain \(d.description)", expected: n, actual: d.mask.count)
        }
        // Respondents outside the domain are excluded (−1) once, up front.
        func masked(_ c: CategoryCoding) -> [Int32] {
            guard let m = domain?.mask else { return c.index }
            var out = c.index
            for i in 0..<n where !m[i] { out[i] = -1 }
            return out
        }
        let ri = rows.map(masked)
        let ci = symmetric ? ri : columns.map(masked)
        let nr = rows.count, nc = columns.count
        // Flat cell storage per pair.
        var offset = [Int](repeating: 0, count: nr * nc + 1)
        for a in 0..<nr { for b in 0..<nc { offset[a * nc + b + 1] = offset[a * nc + b] + rows[a].count * columns[b].count } }
        let cells = offset[nr * nc]
        // One SIMD4 accumulator per cell: (count, Σw, Σw², unused), a single
        // vector read-modify-write per respondent and pair.
        let acc = UnsafeMutableBufferPointer<SIMD4<Double>>.allocate(capacity: max(cells, 1))
        acc.initialize(repeating: .zero)
        defer { acc.deallocate() }
        // Pairs are split between workers; each cell is summed by one worker in
        // row order, so the result does not depend on the number of workers.
        // Work is split by row variable a (each with its partners b); each cell
        // is summed by one worker in row order, so the result does not depend
        // on the number of workers.
        let firstPartner = (0..<nr).map { symmetric ? $0 : 0 }
        let workers = min(max(ProcessInfo.processInfo.activeProcessorCount, 1), 8, nr)
        let step = max(chunkRows, 1)
        let accBase = UnsafeSendablePointer(acc.baseAddress)
        let offsets = offset, rowCounts = rows.map(\.count)
        ri.withUnsafeBufferPointers { riPointers in
        ci.withUnsafeBufferPointers { ciPointers in
        weights.values.withUnsafeBufferPointer { w in
            let rp = UnsafeSendableBuffers(riPointers), cp = UnsafeSendableBuffers(ciPointers)
            let wp = UnsafeSendablePointer(w.baseAddress)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                guard let out = accBase.pointer, let wts = wp.pointer else { return }
                let mine = Array(stride(from: worker, to: nr, by: workers))
                var partners = [UnsafePointer<Int32>](), bases = [Int]()
                var start = 0
                while start < n {
                    let end = min(n, start + step)
                    for a in mine {
                        guard let ia = rp.buffers[a] else { continue }
                        let ka = rowCounts[a]
                        partners.removeAll(keepingCapacity: true); bases.removeAll(keepingCapacity: true)
                        for b in firstPartner[a]..<nc {
                            if let ib = cp.buffers[b] { partners.append(ib); bases.append(offsets[a * nc + b]) }
                        }
                        let m = partners.count
                        partners.withUnsafeBufferPointer { pb in
                            bases.withUnsafeBufferPointer { bb in
                                for r in start..<end {
                                    let i = ia[r]
                                    if i < 0 { continue }
                                    let x = wts[r]
                                    let v = SIMD4(1, x, x * x, 0)
                                    let row = Int(i)
                                    for q in 0..<m {
                                        let j = pb[q][r]
                                        if j < 0 { continue }
                                        out[bb[q] + row + ka * Int(j)] += v
                                    }
                                }
                            }
                        }
                    }
                    start = end
                }
            }
        }
        }
        }
        var counts = [Int](repeating: 0, count: cells)
        var weighted = [Double](repeating: 0, count: cells)
        var squares = [Double](repeating: 0, count: cells)
        for c in 0..<cells { counts[c] = Int(acc[c][0]); weighted[c] = acc[c][1]; squares[c] = acc[c][2] }
        var out: [CellTally] = []
        out.reserveCapacity(nr * nc)
        for a in 0..<nr {
            for b in 0..<nc {
                if symmetric && b < a {
                    // The transpose of pair (b, a): cell (i, j) of (a, b) is cell (j, i) of (b, a).
                    let src = offset[b * nc + a], ka = rows[a].count, kb = rows[b].count
                    var c = [Int](repeating: 0, count: ka * kb), w = [Double](repeating: 0, count: ka * kb), s = w
                    for i in 0..<ka { for j in 0..<kb {
                        c[i + ka * j] = counts[src + j + kb * i]
                        w[i + ka * j] = weighted[src + j + kb * i]
                        s[i + ka * j] = squares[src + j + kb * i]
                    } }
                    out.append(CellTally(counts: c, weighted: w, weightedSquares: s))
                } else {
                    let r = offset[a * nc + b]..<offset[a * nc + b + 1]
                    out.append(CellTally(counts: Array(counts[r]), weighted: Array(weighted[r]),
                                         weightedSquares: Array(squares[r])))
                }
            }
        }
        return out
    }
}

/// A raw pointer handed to concurrent workers that write disjoint cells.
struct UnsafeSendablePointer<T>: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<T>?
    init(_ p: UnsafeMutablePointer<T>?) { pointer = p }
    init(_ p: UnsafePointer<T>?) { pointer = p.map { UnsafeMutablePointer(mutating: $0) } }
}

/// Read-only base addresses of several arrays, for concurrent workers.
struct UnsafeSendableBuffers: @unchecked Sendable {
    let buffers: [UnsafePointer<Int32>?]
    init(_ b: [UnsafeBufferPointer<Int32>]) { buffers = b.map(\.baseAddress) }
}

extension Array where Element == [Int32] {
    /// Calls `body` with buffer pointers to every inner array, valid for its duration.
    func withUnsafeBufferPointers<R>(_ body: ([UnsafeBufferPointer<Int32>]) throws -> R) rethrows -> R {
        func go(_ i: Int, _ acc: [UnsafeBufferPointer<Int32>]) throws -> R {
            if i == count { return try body(acc) }
            return try self[i].withUnsafeBufferPointer { try go(i + 1, acc + [$0]) }
        }
        return try go(0, [])
    }
}
