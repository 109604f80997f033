import Foundation
/// Unweighted counts, weighted counts and sums of squared weights per cell:
/// the one weighted-accumulation path behind frequencies, cross-tabs and
/// shares.
///
/// For each respondent `i` in the domain with cell index `c ≥ 0`, adds 1,
/// `wᵢ` and `wᵢ²` to cell `c`. Summation runs in row order, so results are
/// identical on any thread count. Kish's effective size of a cell is
/// `(Σw)² / Σw²`.
public struct CellTally: Sendable, Equatable, Codable {
    /// Respondents per cell.
    public private(set) var counts: [Int]
    /// Σw per cell.
    public private(set) var weighted: [Double]
    /// Σw² per cell.
    public private(set) var weightedSquares: [Double]

    /// An empty tally of `cellCount` cells.
    public init(cellCount: Int) {
        counts = [Int](repeating: 0, count: cellCount)
        weighted = [Double](repeating: 0, count: cellCount)
        weightedSquares = [Double](repeating: 0, count: cellCount)
    }

    /// A tally from accumulated cells (used by the all-pairs kernel, ``pairs(rows:columns:symmetric:weights:domain:chunkRows:workers:blockBytes:)``).
    init(counts: [Int], weighted: [Double], weightedSquares: [Double]) {
        self.counts = counts
        self.weighted = weighted
        self.weightedSquares = weightedSquares
    }

    /// Tallies `index` (−1 = skip) under `weights`, restricted to `domain`.
    /// - Throws: ``BarometerError/lengthMismatch(variable:expected:actual:)``
    ///   when the lengths differ, ``BarometerError/invalidArgument(_:)`` for
    ///   an index outside `0..<cellCount`.
    public init(cellCount: Int, index: [Int32], weights: Weights, domain: Domain? = nil) throws(BarometerError) {
        self.init(cellCount: cellCount)
        guard index.count == weights.count else {
            throw .lengthMismatch(variable: weights.name ?? "weights", expected: index.count, actual: weights.count)
        }
        if let d = domain, d.mask.count != index.count {
            throw .lengthMismatch(variable: "domain \(d.description)", expected: index.count, actual: d.mask.count)
        }
        let k = Int32(cellCount)
        let mask = domain?.mask
        // Row order, one respondent at a time; stops at the first index ≥ k.
        var outside: Int32?
        index.withUnsafeBufferPointer { idx in
            weights.values.withUnsafeBufferPointer { wts in
                (mask ?? []).withUnsafeBufferPointer { m in
                    counts.withUnsafeMutableBufferPointer { cnt in
                        weighted.withUnsafeMutableBufferPointer { sw in
                            weightedSquares.withUnsafeMutableBufferPointer { sq in
                                for i in 0..<idx.count {
                                    let c = idx[i]
                                    if c < 0 { continue }
                                    if mask != nil, !m[i] { continue }
                                    guard c < k else { outside = c; return }
                                    let w = wts[i]
                                    cnt[Int(c)] += 1
                                    sw[Int(c)] += w
                                    sq[Int(c)] += w * w
                                }
                            }
                        }
                    }
                }
            }
        }
        if let c = outside { throw .invalidArgument("cell index \(c) outside 0..<\(cellCount)") }
    }

    /// ``init(cellCount:index:weights:domain:)`` on the column-major cells
    /// `row + rowCount·column` of two category indices (−1 in either: no
    /// cell), built in the same pass: the same sums in the same row order.
    /// Also returns each respondent's cell (−1 outside `domain` or without a
    /// cell) and how many respondents with a cell have a non-zero weight.
    /// - Throws: ``BarometerError/invalidArgument(_:)`` for a category index
    ///   outside `rowCount` × `columnCount` (lengths are the caller's to check).
    static func crossed(rows: [Int32], rowCount: Int, columns: [Int32], columnCount: Int, weights: Weights,
                        domain: Domain?) throws(BarometerError) -> (tally: CellTally, cells: [Int32], weightedRows: Int) {
        var tally = CellTally(cellCount: rowCount * columnCount)
        let n = rows.count
        var cells = [Int32](repeating: -1, count: n)
        var positive = 0, outside: (Int32, Int32)? = nil
        let r = Int32(rowCount), c = Int32(columnCount), mask = domain?.mask
        rows.withUnsafeBufferPointer { ri in columns.withUnsafeBufferPointer { ci in
        weights.values.withUnsafeBufferPointer { wts in (mask ?? []).withUnsafeBufferPointer { m in
        cells.withUnsafeMutableBufferPointer { out in tally.counts.withUnsafeMutableBufferPointer { cnt in
        tally.weighted.withUnsafeMutableBufferPointer { sw in tally.weightedSquares.withUnsafeMutableBufferPointer { sq in
            for i in 0..<n {
                let a = ri[i], b = ci[i]
                if a < 0 || b < 0 { continue }
                guard a < r, b < c else { outside = (a, b); return }
                if mask != nil, !m[i] { continue }
                let cell = a + r * b, w = wts[i]
                out[i] = cell
                cnt[Int(cell)] += 1
                sw[Int(cell)] += w
                sq[Int(cell)] += w * w
                if w != 0 { positive += 1 }
            }
        } } } } } } } }
        if let (a, b) = outside { throw .invalidArgument("category index (\(a), \(b)) outside \(rowCount) × \(columnCount)") }
        return (tally, cells, positive)
    }

    /// Each respondent's cell of ``crossed(rows:rowCount:columns:columnCount:weights:domain:)``
    /// without the sums, for a caller that already holds them (the table's own tally, in the
    /// same row order): the cells (−1 outside `domain` or without a cell), how many
    /// respondents have a cell, and how many of those have a non-zero weight. Elementwise
    /// with integer counts, so on 2¹⁶ rows or more it runs in contiguous row ranges on every
    /// core with the same result. Nil for a category index outside `rowCount` × `columnCount`
    /// (``crossed(rows:rowCount:columns:columnCount:weights:domain:)`` then reports it).
    /// Lengths are the caller's to check. O(n).
    static func cells(rows: [Int32], rowCount: Int, columns: [Int32], columnCount: Int, weights: Weights,
                      domain: Domain?) -> (cells: [Int32], withCell: Int, weightedRows: Int)? {
        let n = rows.count
        var cells = [Int32](repeating: -1, count: n)
        let r = Int32(rowCount), c = Int32(columnCount), mask = domain?.mask, masked = mask != nil
        let workers = n >= 1 << 16 ? min(ProcessInfo.processInfo.activeProcessorCount, 8) : 1
        var withCell = [Int](repeating: 0, count: workers), positive = withCell, outside = [Bool](repeating: false, count: workers)
        rows.withUnsafeBufferPointer { ri in columns.withUnsafeBufferPointer { ci in
        weights.values.withUnsafeBufferPointer { wts in (mask ?? []).withUnsafeBufferPointer { m in
        cells.withUnsafeMutableBufferPointer { out in withCell.withUnsafeMutableBufferPointer { wc in
        positive.withUnsafeMutableBufferPointer { pc in outside.withUnsafeMutableBufferPointer { bad in
            let (ri, ci, wts, m) = (UnsafeSendablePointer(ri.baseAddress), UnsafeSendablePointer(ci.baseAddress),
                                    UnsafeSendablePointer(wts.baseAddress), UnsafeSendablePointer(m.baseAddress))
            let (out, wc, pc, bad) = (UnsafeSendablePointer(out.baseAddress), UnsafeSendablePointer(wc.baseAddress),
                                      UnsafeSendablePointer(pc.baseAddress), UnsafeSendablePointer(bad.baseAddress))
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                guard let a = ri.pointer, let b = ci.pointer, let x = wts.pointer, let o = out.pointer else { return }
                var cellsHere = 0, weighted = 0
                for i in (n * w / workers)..<(n * (w + 1) / workers) {
                    let ai = a[i], bi = b[i]
                    if ai < 0 || bi < 0 { continue }
                    guard ai < r, bi < c else { bad.pointer?[w] = true; return }
                    if masked, let mp = m.pointer, !mp[i] { continue }
                    o[i] = ai + r * bi
                    cellsHere += 1
                    if x[i] != 0 { weighted += 1 }
                }
                wc.pointer?[w] = cellsHere; pc.pointer?[w] = weighted
            }
        } } } } } } } }
        guard !outside.contains(true) else { return nil }
        return (cells, withCell.reduce(0, +), positive.reduce(0, +))
    }

    /// Number of cells.
    public var cellCount: Int { counts.count }

    /// Total respondents over all cells.
    public var totalCount: Int { counts.reduce(0, +) }
    /// Σw over all cells.
    public var totalWeighted: Double { weighted.reduce(0, +) }
    /// Σw² over all cells.
    public var totalWeightedSquares: Double { weightedSquares.reduce(0, +) }

    /// Kish effective size `(Σw)² / Σw²` of a set of cells (0 when empty).
    public func kishEffectiveSize(cells: some Sequence<Int>) -> Double {
        var s = 0.0, s2 = 0.0
        for c in cells { s += weighted[c]; s2 += weightedSquares[c] }
        return s2 > 0 ? s * s / s2 : 0
    }
}
