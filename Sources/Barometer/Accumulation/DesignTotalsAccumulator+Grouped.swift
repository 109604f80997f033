import Foundation

extension DesignTotalsChunk {
    /// The grouped layout of a chunk's estimating columns (k disjoint estimates,
    /// R `svyby`): each row gives its values to at most one estimate, so it is
    /// stored as that estimate's index and the values, not as n × k matrices.
    /// Identical in meaning to the dense columns `numerators[i, j] = yᵢ·[eᵢ = j]`,
    /// `denominators[i, j] = xᵢ·[eᵢ = j]`, `indicators[i, j] = [eᵢ = j]`, plus
    /// an indicator-only estimate (``marked``): the dense form with those columns
    /// gives the same sums (``DesignTotalsAccumulator/add(_:)``).
    struct Grouped: Sendable {
        /// Per row the estimate its values go to (−1: none).
        let estimate: [Int32]
        /// Per row its numerator yᵢ (read where `estimate[i] ≥ 0`).
        let y: [Double]
        /// Per row its denominator xᵢ; nil: 1 (means and shares).
        let x: [Double]?
        /// An estimate with zero values whose indicator is `markedRows` (the
        /// `--where` domain of a grouped estimate: its df flags); nil: none.
        let marked: Int?
        let markedRows: [Bool]
    }

    /// A chunk of `design`'s rows `rows` in grouped layout (``Grouped``), `count`
    /// estimates; `ratio`: ratios (the denominator `grouped.x`, or ones), else totals.
    init(_ design: SurveyDesign, rows: Range<Int>, sampling: Sampling, grouped: Grouped, count k: Int, ratio: Bool,
         srs: Bool, degreesOfFreedomRows: DegreesOfFreedomRows = .none) throws(BarometerError) {
        let n = rows.count
        guard rows.lowerBound >= 0, rows.upperBound <= design.rowCount, grouped.estimate.count == n, grouped.y.count == n,
              grouped.x.map({ $0.count == n }) ?? true, grouped.marked == nil || grouped.markedRows.count == n else {
            throw .lengthMismatch(variable: "estimating columns", expected: n, actual: grouped.estimate.count)
        }
        guard ratio || grouped.x == nil else { throw .invalidArgument("totals with denominators") }
        for e in grouped.estimate where e < -1 || Int(e) >= k {
            throw .invalidArgument("estimate \(e) outside -1..<\(k)")
        }
        if let m = grouped.marked, m < 0 || m >= k { throw .invalidArgument("estimate \(m) outside 0..<\(k)") }
        if case .domain(let mask) = degreesOfFreedomRows, mask.count != n {
            throw .lengthMismatch(variable: "domain rows", expected: n, actual: mask.count)
        }
        self.weights = Array(design.weights.values[rows])
        self.numerators = Matrix(rows: 0, columns: k)
        self.denominators = ratio ? Matrix(rows: 0, columns: k) : nil
        self.indicators = Matrix(rows: 0, columns: k)
        self.srs = srs
        self.sampling = sampling.rows(rows)
        self.degreesOfFreedomRows = degreesOfFreedomRows
        self.grouped = grouped
    }
}

extension DesignTotalsAccumulator {
    /// ``add(_:)`` of a chunk in grouped layout: O(n) per chunk whatever the
    /// number of estimates k (O(n·R) under replicates), against O(n·k) for the
    /// dense columns. Every sum adds the same terms in the same row order as
    /// the dense pass, except the weights-only totals' cross-products (a
    /// closed form of the centred sums, `−n·m̄ⱼm̄ₗ` off the diagonal) and the
    /// replicate totals (per replicate and estimate in row order): one fixed
    /// order whatever the thread count.
    mutating func addGrouped(_ chunk: DesignTotalsChunk, _ g: DesignTotalsChunk.Grouped) throws(BarometerError) {
        let n = chunk.weights.count
        guard chunk.numerators.columns == k, g.estimate.count == n, (chunk.denominators == nil) == totals else {
            throw .invalidArgument("a chunk of \(chunk.numerators.columns) estimates added to an accumulator of \(k)")
        }
        srsWanted = chunk.srs
        try setFlagMode(chunk.degreesOfFreedomRows, rows: n)
        let flagCols = flagWidth ?? 0
        let w = chunk.weights, e = g.estimate, y = g.y, x = g.x, ratio = !totals
        let marked = g.marked ?? -1, markedRows = g.markedRows
        // Estimates and SRS moments per estimate, rows in order.
        // The totals as the dense path sums them: blocks of 256 rows of the chunk summed plainly in
        // row order, each block's sum added to the running total with its rounding error carried
        // (``CompensatedSum``); only the estimates a block touched are added (adding a zero sum
        // changes no bit), so the bits equal the dense path's.
        if tyLow.count != k { tyLow = [Double](repeating: 0, count: k); txLow = tyLow }
        // The per-row loops read and write through raw buffers (no uniqueness or bounds check per
        // row); the operations and their order are those of the plain loops.
        let sums = UnsafeMutablePointer<Double>.allocate(capacity: 7 * k)
        let counts = UnsafeMutablePointer<Int>.allocate(capacity: 2 * k)
        let inBlock = UnsafeMutablePointer<Bool>.allocate(capacity: k)
        defer { sums.deallocate(); counts.deallocate(); inBlock.deallocate() }
        sums.initialize(repeating: 0, count: 7 * k); counts.initialize(repeating: 0, count: 2 * k)
        inBlock.initialize(repeating: false, count: k)
        let sy = sums, sx = sums + k, sw = sums + 2 * k, swy = sums + 3 * k, chunkY = sums + 4 * k
        let mean = sums + 5 * k, ss = sums + 6 * k
        let cnt = counts, touched = counts + k
        var touchedCount = 0
        let xs = x ?? [], hasX = x != nil
        w.withUnsafeBufferPointer { w in e.withUnsafeBufferPointer { e in y.withUnsafeBufferPointer { y in
            xs.withUnsafeBufferPointer { xs in markedRows.withUnsafeBufferPointer { markedRows in
                for i in 0..<n {
                    let j = Int(e[i]), wi = w[i]
                    if j >= 0 {
                        let xi = hasX ? xs[i] : 1
                        if !inBlock[j] { inBlock[j] = true; touched[touchedCount] = j; touchedCount += 1 }
                        sy[j] += wi * y[i]
                        if ratio { sx[j] += wi * xi }
                        if wi != 0 { cnt[j] += 1; sw[j] += wi; swy[j] += wi * y[i] }
                    }
                    if marked >= 0 && j != marked && markedRows[i] && wi != 0 { cnt[marked] += 1; sw[marked] += wi }
                    if i % 256 == 255 || i == n - 1 {
                        for b in 0..<touchedCount {
                            let t = touched[b]
                            CompensatedSum.add(sy[t], to: &ty[t], &tyLow[t]); CompensatedSum.add(sx[t], to: &tx[t], &txLow[t])
                            chunkY[t] += sy[t]; sy[t] = 0; sx[t] = 0; inBlock[t] = false
                        }
                        touchedCount = 0
                    }
                }
                if chunk.srs {
                    for j in 0..<k where cnt[j] > 0 { mean[j] = swy[j] / sw[j] }
                    for i in 0..<n where w[i] != 0 {
                        let j = Int(e[i])
                        if j >= 0 { let d = y[i] - mean[j]; ss[j] += w[i] * d * d }
                        if marked >= 0 && j != marked && markedRows[i] { ss[marked] += w[i] * (0 - mean[marked]) * (0 - mean[marked]) }
                    }
                }
            } }
        } } }
        for j in 0..<k where cnt[j] > 0 {
            Self.mergeMoments(&respondents[j], &sumW[j], &meanY[j], &ssY[j], cnt[j], sw[j], mean[j], ss[j])
        }
        /// Calls `body(i, c)` for each row i counting for the df of flag column c.
        func forEachFlag(_ body: (Int, Int) -> Void) {
            switch chunk.degreesOfFreedomRows {
            case .none: return
            case .domain(let mask): for i in 0..<n where w[i] != 0 && mask[i] { body(i, 0) }
            case .indicators:
                for i in 0..<n where w[i] != 0 {
                    let j = Int(e[i])
                    if j >= 0 { body(i, j) }
                    if marked >= 0 && j != marked && markedRows[i] { body(i, marked) }
                }
            }
        }
        switch (kind, chunk.sampling) {
        case (.independent, .independent):
            if flagCols > 0 {
                let flagged = UnsafeMutablePointer<Int>.allocate(capacity: flagCols)
                defer { flagged.deallocate() }
                flagged.initialize(repeating: 0, count: flagCols)
                forEachFlag { _, c in flagged[c] += 1 }
                for c in 0..<flagCols { flagRows[c] += flagged[c] }
            }
            guard n > 0 else { return }
            if totals {
                // Centred influence zᵢⱼ = wᵢyᵢ[eᵢ = j] − m̄ⱼ over all n rows: Σᵢ zᵢⱼzᵢₗ is −n·m̄ⱼm̄ₗ for j ≠ l
                // (disjoint estimates) and Σ_{eᵢ=j}(wᵢyᵢ − m̄ⱼ)² + (n − nⱼ)·m̄ⱼ² on the diagonal.
                let m = (0..<k).map { chunkY[$0] / Double(n) }
                var c = [Double](repeating: 0, count: k * k), inside = [Int](repeating: 0, count: k)
                for i in 0..<n {
                    let j = Int(e[i])
                    guard j >= 0 else { continue }
                    let d = w[i] * y[i] - m[j]
                    c[j * (k + 1)] += d * d; inside[j] += 1
                }
                for j in 0..<k {
                    for l in 0..<k where l != j { c[j + k * l] = -Double(n) * m[j] * m[l] }
                    c[j * (k + 1)] += Double(n - inside[j]) * m[j] * m[j]
                }
                mergeCoMoments(n, m, c)
            } else {
                // Shift: the ratio of the chunk's first row with a non-zero denominator, per estimate;
                // S, A and B are diagonal (each row touches one estimate): kept as their diagonals.
                var c = [Double](repeating: 0, count: k), set = [Bool](repeating: false, count: k)
                var s = [Double](repeating: 0, count: k), a = s, b = s
                c.withUnsafeMutableBufferPointer { c in set.withUnsafeMutableBufferPointer { set in
                    s.withUnsafeMutableBufferPointer { s in a.withUnsafeMutableBufferPointer { a in b.withUnsafeMutableBufferPointer { b in
                        w.withUnsafeBufferPointer { w in e.withUnsafeBufferPointer { e in y.withUnsafeBufferPointer { y in
                            xs.withUnsafeBufferPointer { xs in
                                for i in 0..<n {
                                    let j = Int(e[i])
                                    guard j >= 0 else { continue }
                                    let xi = hasX ? xs[i] : 1
                                    if !set[j] && xi != 0 { c[j] = y[i] / xi; set[j] = true }
                                    let u = w[i] * (y[i] - c[j] * xi), v = w[i] * xi
                                    s[j] += u * u; a[j] += u * v; b[j] += v * v
                                }
                            }
                        } } }
                    } } }
                } }
                mergeShiftedDiagonal(rows: n, shift: c, s: s, a: a, b: b)
            }
        case (.clustered, .clustered(let strata, let psus, let labels, let names, let fpc, let given)):
            guard strata.count == n, psus.count == n else {
                throw .lengthMismatch(variable: "design rows", expected: n, actual: strata.count)
            }
            designKeys.populationGiven = given
            let width = 2 * k
            // Each row's PSU in this accumulator, by index when seeded, else through the chunk's PSU table.
            let psu: [Int]
            if chunk.seeded {
                guard labels.count == designKeys.strata.count, names.count == designKeys.psus.count else {
                    throw .invalidArgument("a chunk of another design added to a seeded design accumulator")
                }
                for i in 0..<n where psus[i] < 0 || Int(psus[i]) >= names.count {
                    throw .invalidArgument("PSU index \(psus[i]) outside the design's \(names.count) PSUs")
                }
                psu = psus.map { Int($0) }
            } else {
                psu = try psuIndices(strata: strata, psus: psus, labels: labels, names: names, fpc: fpc)
            }
            if flagCols > 0 { forEachFlag { i, c in psuFlags[psu[i] * flagCols + c] = true } }
            psuTotals.withUnsafeMutableBufferPointer { t in
                for i in 0..<n {
                    let j = Int(e[i])
                    guard j >= 0 else { continue }
                    let q = psu[i] * width
                    t[q + j] += w[i] * y[i]
                    if ratio { t[q + k + j] += w[i] * (x?[i] ?? 1) }
                }
            }
        case (.replicate, .replicateRows(let reps, let range)):
            guard range.count == n, range.upperBound <= reps.rowCount else {
                throw .lengthMismatch(variable: "replicate weights", expected: n, actual: range.count)
            }
            var columns: [UnsafePointer<Double>?] = []
            for r in 0..<reps.count {
                columns.append(reps.columns[r].withUnsafeBufferPointer { $0.baseAddress.map { UnsafePointer($0 + range.lowerBound) } })
            }
            try addGroupedReplicates(columns, n, g, ratio: ratio)
            try addRankSketch(chunk.sampling, rows: n)
        case (.replicate, .replicate(let reps)):
            guard reps.rows == n else { throw .lengthMismatch(variable: "replicate weights", expected: n, actual: reps.rows) }
            try reps.storage.withUnsafeBufferPointer { (all) throws(BarometerError) in
                let columns = (0..<reps.columns).map { r in all.baseAddress.map { UnsafePointer($0 + r * n) } }
                try addGroupedReplicates(columns, n, g, ratio: ratio)
            }
            try addRankSketch(chunk.sampling, rows: n)
        default:
            throw .invalidArgument("a chunk of another design kind added to a \(kind) design accumulator")
        }
    }

    /// Rows × replicates of a grouped chunk from which its replicate totals are summed
    /// by several threads (each thread whole replicates, ``KernelThreads``).
    static let groupedReplicateParallelWork = 1 << 16

    /// Per replicate r and estimate j the totals `Σ_{eᵢ=j} wᵣᵢyᵢ` (and `Σ_{eᵢ=j} wᵣᵢxᵢ` for ratios)
    /// of the chunk's `n` rows, added to ``replicateY`` and ``replicateX``: `Wᵣᵀ` times the sparse
    /// indicator columns, each row adding into its estimate's cell. Rows go in blocks (a block's
    /// values and estimates stay in cache while each replicate reads its weights of those rows);
    /// each total is summed in row order by one thread, so the result does not depend on the
    /// thread count.
    private mutating func addGroupedReplicates(_ weights: [UnsafePointer<Double>?], _ n: Int,
                                               _ g: DesignTotalsChunk.Grouped, ratio: Bool) throws(BarometerError) {
        let R = weights.count
        var out = [Double](repeating: 0, count: R * 2 * k)
        if n > 0 && R > 0 {
            g.estimate.withUnsafeBufferPointer { ep in g.y.withUnsafeBufferPointer { yp in
                (g.x ?? []).withUnsafeBufferPointer { xp in out.withUnsafeMutableBufferPointer { op in
                    let work = GroupedReplicateWork(weights: weights, estimate: UnsafeSendablePointer(ep.baseAddress),
                                                    y: UnsafeSendablePointer(yp.baseAddress),
                                                    x: UnsafeSendablePointer(g.x == nil ? nil : xp.baseAddress),
                                                    out: UnsafeSendablePointer(op.baseAddress), rows: n, k: k, ratio: ratio)
                    let workers = n * R >= DesignTotalsAccumulator.groupedReplicateParallelWork ? KernelThreads.count(limit: R) : 1
                    if workers == 1 {
                        work.replicates(from: 0, step: 1)
                    } else {
                        DispatchQueue.concurrentPerform(iterations: workers) { t in work.replicates(from: t, step: workers) }
                    }
                } }
            } }
        }
        var ry = Matrix(rows: R, columns: k), rx = Matrix(rows: R, columns: k)
        for r in 0..<R { for j in 0..<k { ry[r, j] = out[r * 2 * k + j]; rx[r, j] = out[r * 2 * k + k + j] } }
        try Self.addInto(&replicateY, &replicateYLow, ry)
        if ratio { try Self.addInto(&replicateX, &replicateXLow, rx) }
    }
}

/// One grouped chunk's replicate totals (``DesignTotalsAccumulator/addGrouped(_:_:)``),
/// shared read-only by the workers; each writes only its replicates' totals.
private struct GroupedReplicateWork: @unchecked Sendable {
    let weights: [UnsafePointer<Double>?]
    let estimate: UnsafeSendablePointer<Int32>
    let y: UnsafeSendablePointer<Double>, x: UnsafeSendablePointer<Double>, out: UnsafeSendablePointer<Double>
    let rows: Int, k: Int, ratio: Bool

    /// Rows per block: a block's estimates and values (16 KB) stay in the core's cache
    /// while every replicate of the worker reads its weights of those rows.
    static let blockRows = 1024

    /// The totals of replicates `first`, `first + step`, …: `out[r·2k + j]` the numerators,
    /// `out[r·2k + k + j]` the denominators, rows in order within each.
    func replicates(from first: Int, step: Int) {
        guard let o = out.pointer, let ep = estimate.pointer, let yp = y.pointer else { return }
        let xp = x.pointer, n = rows, width = 2 * k
        var b0 = 0
        while b0 < n {
            let b1 = min(b0 + Self.blockRows, n)
            var r = first
            while r < weights.count {
                if let w = weights[r] {
                    let acc = o + r * width
                    if !ratio {
                        for i in b0..<b1 { let j = Int(ep[i]); if j >= 0 { acc[j] += w[i] * yp[i] } }
                    } else if let xp {
                        for i in b0..<b1 { let j = Int(ep[i]); if j >= 0 { acc[j] += w[i] * yp[i]; acc[k + j] += w[i] * xp[i] } }
                    } else {
                        for i in b0..<b1 { let j = Int(ep[i]); if j >= 0 { acc[j] += w[i] * yp[i]; acc[k + j] += w[i] } }
                    }
                }
                r += step
            }
            b0 = b1
        }
    }
}
