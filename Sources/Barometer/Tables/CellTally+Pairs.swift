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
        var counts = [Int](repeating: 0, count: cells)
        var weighted = [Double](repeating: 0, count: cells)
        var squares = [Double](repeating: 0, count: cells)
        let step = max(chunkRows, 1)
        counts.withUnsafeMutableBufferPointer { cp in
            weighted.withUnsafeMutableBufferPointer { wp in
                squares.withUnsafeMutableBufferPointer { sp in
                    weights.values.withUnsafeBufferPointer { w in
                        var start = 0
                        while start < n {
                            let end = min(n, start + step)
                            for a in 0..<nr {
                                let ka = rows[a].count
                                ri[a].withUnsafeBufferPointer { ia in
                                    for b in (symmetric ? a : 0)..<nc {
                                        let base = offset[a * nc + b]
                                        ci[b].withUnsafeBufferPointer { ib in
                                            for r in start..<end {
                                                let i = ia[r], j = ib[r]
                                                if i < 0 || j < 0 { continue }
                                                let c = base + Int(i) + ka * Int(j)
                                                let x = w[r]
                                                cp[c] += 1
                                                wp[c] += x
                                                sp[c] += x * x
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
