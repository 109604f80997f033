import Foundation

extension SamplingStructure {
    /// ``linearizationCovariance(_:)`` for influence values of k disjoint
    /// domains given in grouped form: row `i` carries `z(i)` in column
    /// `groups[i]` (−1: in no domain, zero influence everywhere) and zero in
    /// every other column. The result equals the dense n × k call on the
    /// expanded matrix (same formula, same stratum treatment through
    /// ``stratumPlan()``), up to rounding, at cost O(n + PSUs + Σ_h q_h² +
    /// Σ_p g_p²) instead of O((n + PSUs)·k + PSUs·k²), where q_h and g_p are
    /// the groups present in stratum h and PSU p.
    ///
    /// Stratum h with PSU totals `t_pj`, mean `m_j = Σ_p t_pj / n_h` (0 when
    /// uncentred), `u_pj = t_pj − m_j`, and `A_j` the PSUs holding rows of
    /// group j (where `t_pj` may be non-zero; elsewhere `u_pj = −m_j`):
    ///
    ///     Σ_p u_pj²    = Σ_{A_j} u_pj² + (n_h − |A_j|)·m_j²
    ///     Σ_p u_pj u_pl = Σ_{A_j∩A_l} u_pj u_pl + m_l·(Σ_{A_j∩A_l} u_pj − Σ_{A_j} u_pj)
    ///                    + m_j·(Σ_{A_j∩A_l} u_pl − Σ_{A_l} u_pl)
    ///                    + m_j m_l·(n_h − |A_j| − |A_l| + |A_j∩A_l|)
    ///
    /// Every term is a product of centred values (never `Σ t² − n m²`), so
    /// the accuracy is that of the centred dense computation. Sums run in
    /// PSU order within strata and row order within PSUs: the result does
    /// not depend on the thread count.
    ///
    /// `z(i)` is evaluated only for rows with a group, at most twice per row
    /// (it must be a pure function of the row), so no n-vector of influence
    /// values is stored.
    ///
    /// With `diagonalOnly`, only the variances are computed (off-diagonal
    /// entries stay 0): O(n + PSUs + Σ_h q_h) time and O(k) scratch.
    /// - Throws: ``BarometerError/lengthMismatch(variable:expected:actual:)``,
    ///   ``BarometerError/invalidArgument(_:)`` for a group outside `-1..<groupCount`,
    ///   and the lonely-PSU errors of ``linearizationCovariance(_:)``.
    ///
    /// `workers` caps the cores that sum the dense strata (nil: every core; tests compare 1 with more).
    func linearizationCovariance(groups: [Int32], groupCount k: Int, diagonalOnly: Bool = false, workers: Int? = nil,
                                 influence z: (Int) -> Double) throws(BarometerError) -> Matrix {
        let n = clusters.count
        guard groups.count == n else { throw .lengthMismatch(variable: "influence groups", expected: n, actual: groups.count) }
        for g in groups where g < -1 || Int(g) >= k {
            throw .invalidArgument("influence group \(g) outside -1..<\(k)")
        }
        if calibration != nil {
            // Calibration residuals are non-zero outside the groups: use the dense kernel.
            var dense = Matrix(rows: n, columns: k)
            for i in 0..<n where groups[i] >= 0 { dense[i, Int(groups[i])] = z(i) }
            return try linearizationCovariance(dense)
        }
        let plan = try stratumPlan()
        var v = Matrix(rows: k, columns: k)
        guard k > 0 else { return v }
        var mean = [Double](repeating: 0, count: k)
        var presentIn = [Int](repeating: -1, count: k)          // stratum that last saw group j
        var present: [Int] = []
        // Σ_{A_j∩A_l} u_pj u_pl, Σ_{A_j∩A_l} u_pj (at [j + k·l]) and |A_j ∩ A_l|; when every
        // PSU is one row no two groups share a PSU and only the diagonal is used.
        // With diagonalOnly, only the diagonal sums are kept (at [j]).
        let diagonal = order.oneRowPerPSU || diagonalOnly
        let pairs = diagonal ? k : k * k
        var x = [Double](repeating: 0, count: pairs), y = [Double](repeating: 0, count: pairs)
        var c = [Int](repeating: 0, count: pairs)
        @inline(__always) func d(_ a: Int) -> Int { diagonal ? a : a + k * a }
        // Per-PSU totals of the groups present (general case), in first-seen order: entries
        // 0..<used of the stratum, PSU slot s holding entries psuStart[s]..<psuStart[s + 1].
        var scratch = [Double](repeating: 0, count: k)
        var seenIn = [Int](repeating: -1, count: k)            // PSU that last touched group j
        var entryGroups: [Int] = [], entryTotals: [Double] = [], psuStart: [Int] = []
        var psuEntries = order.oneRowPerPSU ? [] : [Int](repeating: 0, count: k)
        var entryCentred: [Double] = []
        var denseTable: [Double] = []
        var denseTerms = [Double](repeating: 0, count: k * (k + 1) / 2)
        // Strata summed as dense tables, their terms computed ahead on several cores (nil: one by one below).
        var parallelDense = diagonalOnly ? nil : ParallelDenseStrata(self, plan: plan, groups: groups, groupCount: k, workers: workers)
        // BLAS single-threaded once for all strata (the dense strata's dsyrk).
        BLASRuntime.withSingleThreadedBLAS {
        for h in 0..<strataCount {
            guard case .include(let centred, let factor) = plan.treatment[h] else { continue }
            let nh = psusPerStratum[h], members = order.stratumStart[h]..<order.stratumStart[h + 1]
            present.removeAll(keepingCapacity: true)
            if order.oneRowPerPSU {
                // Each PSU total is its row's value: one pass for the means, one for the centred sums.
                let rowOf: (Int) -> Int = order.isIdentity ? { $0 } : { order.row(order.psu($0)) }
                if order.isIdentity {
                    groups.withUnsafeBufferPointer { gp in presentIn.withUnsafeMutableBufferPointer { pp in
                    mean.withUnsafeMutableBufferPointer { mp in
                        for i in members {
                            let g = Int(gp[i])
                            if g < 0 { continue }
                            if pp[g] != h { pp[g] = h; present.append(g); mp[g] = 0 }
                            mp[g] += z(i)
                        }
                    } } }
                } else {
                    for q in members {
                        let i = rowOf(q), g = Int(groups[i])
                        if g < 0 { continue }
                        if presentIn[g] != h { presentIn[g] = h; present.append(g); mean[g] = 0 }
                        mean[g] += z(i)
                    }
                }
                if present.isEmpty { continue }
                for g in present { x[g] = 0; y[g] = 0; c[g] = 0 }
                if centred { for g in present { mean[g] /= Double(nh) } } else { for g in present { mean[g] = 0 } }
                if order.isIdentity {
                    groups.withUnsafeBufferPointer { gp in
                        mean.withUnsafeBufferPointer { mp in x.withUnsafeMutableBufferPointer { xp in
                        y.withUnsafeMutableBufferPointer { yp in c.withUnsafeMutableBufferPointer { cp in
                            for i in members {
                                let g = Int(gp[i])
                                if g < 0 { continue }
                                let u = z(i) - mp[g]
                                xp[g] += u * u; yp[g] += u; cp[g] += 1
                            }
                        } } } }
                    }
                } else {
                    for q in members {
                        let i = rowOf(q), g = Int(groups[i])
                        if g < 0 { continue }
                        let u = z(i) - mean[g]
                        x[g] += u * u; y[g] += u; c[g] += 1
                    }
                }
            } else {
                // PSU totals of this stratum, in PSU order; each in row order. The stratum's rows
                // bound its entries, so the buffers are sized once and filled through pointers.
                var stratumRows = 0
                for q in members { stratumRows += order.rows(of: order.psu(q)).count }
                if !diagonalOnly && Self.usesDenseTable(rows: stratumRows, psus: nh, groupCount: k) {
                    // Few groups against the rows per PSU: the stratum's PSU × group table, dense.
                    let ready = parallelDense?.terms(of: h, into: &denseTerms, influence: z) ?? false
                    if !ready {
                        if denseTable.count < nh * k { denseTable = [Double](repeating: 0, count: nh * k) }
                        denseTable.withUnsafeMutableBufferPointer { tp in denseTerms.withUnsafeMutableBufferPointer { xp in
                            guard let t = tp.baseAddress, let x = xp.baseAddress else { return }
                            denseStratum(members, centred: centred, factor: factor, groups: groups, groupCount: k,
                                         table: t, terms: x, influence: z)
                        } }
                    }
                    var e = 0
                    for a in 0..<k {
                        for b in a..<k {
                            let x = denseTerms[e]; e += 1
                            v[a, b] += x
                            if b != a { v[b, a] += x }
                        }
                    }
                    continue
                }
                if entryGroups.count < stratumRows {
                    entryGroups = [Int](repeating: 0, count: stratumRows)
                    entryTotals = [Double](repeating: 0, count: stratumRows)
                }
                if psuStart.count < members.count + 1 { psuStart = [Int](repeating: 0, count: members.count + 1) }
                let used = order.withBuffers { psuAt, rowStart, rowAt in
                    groups.withUnsafeBufferPointer { gp in seenIn.withUnsafeMutableBufferPointer { sp in
                    scratch.withUnsafeMutableBufferPointer { tp in psuEntries.withUnsafeMutableBufferPointer { pe in
                    entryGroups.withUnsafeMutableBufferPointer { eg in entryTotals.withUnsafeMutableBufferPointer { et in
                    psuStart.withUnsafeMutableBufferPointer { ps in
                        var used = 0
                        for (slot, q) in members.enumerated() {
                            let p = psuAt.map { Int($0[q]) } ?? q
                            ps[slot] = used
                            var m = 0
                            let range = rowStart.map { $0[p]..<$0[p + 1] } ?? p..<(p + 1)
                            for r in range {
                                let i = rowAt.map { Int($0[r]) } ?? r, g = Int(gp[i])
                                if g < 0 { continue }
                                if sp[g] != p { sp[g] = p; tp[g] = 0; pe[m] = g; m += 1 }
                                tp[g] += z(i)
                            }
                            for e in 0..<m { eg[used] = pe[e]; et[used] = tp[pe[e]]; used += 1 }
                        }
                        ps[members.count] = used
                        return used
                    } } } } } } }
                }
                for e in 0..<used {
                    let g = entryGroups[e]
                    if presentIn[g] != h { presentIn[g] = h; present.append(g); mean[g] = 0 }
                }
                if present.isEmpty { continue }
                // Stratum means (PSUs without group j add zero).
                if centred {
                    for e in 0..<used { mean[entryGroups[e]] += entryTotals[e] }
                    for g in present { mean[g] /= Double(nh) }
                }
                if diagonalOnly {
                    for g in present { x[g] = 0; y[g] = 0; c[g] = 0 }
                    for e in 0..<used {
                        let a = entryGroups[e], ua = entryTotals[e] - mean[a]
                        x[a] += ua * ua; y[a] += ua; c[a] += 1
                    }
                } else {
                for a in present { for b in present { x[a + k * b] = 0; y[a + k * b] = 0; c[a + k * b] = 0 } }
                // Centred cross-products within each PSU (the same sums in the same order, through
                // buffer pointers: this loop is most of the kernel's time). x and c are symmetric, so
                // each pair of groups a ≠ b adds once, at [min + k·max]; y at both [a + k·b] and [b + k·a].
                entryCentred.removeAll(keepingCapacity: true)
                for e in 0..<used { entryCentred.append(entryTotals[e] - mean[entryGroups[e]]) }
                x.withUnsafeMutableBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
                c.withUnsafeMutableBufferPointer { cp in entryGroups.withUnsafeBufferPointer { gp in
                entryCentred.withUnsafeBufferPointer { up in psuStart.withUnsafeBufferPointer { sp in
                    for q in 0..<members.count {
                        let lo = sp[q], hi = sp[q + 1]
                        for e in lo..<hi {
                            let a = gp[e], ua = up[e], aa = a + k * a
                            xp[aa] += ua * ua; yp[aa] += ua; cp[aa] += 1
                            for f in (e + 1)..<hi {
                                let b = gp[f], ub = up[f], ab = a + k * b, ba = b + k * a
                                let sym = a < b ? ab : ba
                                xp[sym] += ua * ub
                                cp[sym] += 1
                                yp[ab] += ua
                                yp[ba] += ub
                            }
                        }
                    }
                } } } } } }
                }
            }
            for a in present {
                let ma = mean[a], na = c[d(a)], ua = y[d(a)]
                v[a, a] += factor * (x[d(a)] + Double(nh - na) * ma * ma)
                if diagonalOnly { continue }
                for b in present where b != a {
                    let mb = mean[b], nb = c[d(b)], ub = y[d(b)]
                    // Groups sharing no PSU (always so with one row per PSU): the pair terms vanish.
                    var xab = 0.0, yab = 0.0, yba = 0.0, cab = 0
                    if !diagonal {
                        let sym = min(a, b) + k * max(a, b)
                        xab = x[sym]; yab = y[a + k * b]; yba = y[b + k * a]; cab = c[sym]
                    }
                    let neither = Double(nh - na - nb + cab)
                    let s: Double = xab + mb * (yab - ua) + ma * (yba - ub) + ma * mb * neither
                    v[a, b] += factor * s
                }
            }
        }
        }
        plan.applyAveraging(&v)
        return v
    }

    /// Most groups for which a stratum's PSU totals may be summed as a dense
    /// PSU × group table (``denseStratum(_:centred:factor:groups:groupCount:table:terms:influence:)``).
    static let denseGroupLimit = 64

    /// Whether a stratum of `rows` rows in `psus` PSUs is summed as a dense PSU × group table:
    /// at most ``denseGroupLimit`` groups and at least a quarter of the groups' rows per PSU.
    static func usesDenseTable(rows: Int, psus: Int, groupCount k: Int) -> Bool {
        k <= denseGroupLimit && 4 * rows >= k * psus
    }

    /// One stratum of ``linearizationCovariance(groups:groupCount:diagonalOnly:influence:)``
    /// through its dense table of PSU totals (`n_h × k`, column-major, in `table`'s first
    /// `n_h·k` entries): the totals in PSU order and row order within each PSU, the means,
    /// the centred totals `u_pj = t_pj − m_j` (absent groups: `−m_j`), and the stratum's
    /// terms `factor · (UᵀU)_ab` for a ≤ b (row by row of the upper triangle, in `terms`)
    /// from one BLAS `dsyrk` of the centred table, called single-threaded (the caller holds
    /// ``BLASRuntime/withSingleThreadedBLAS(_:)``), so the result does not depend on the
    /// thread that computes it (and agrees across BLAS kernels to rounding). The same sums as the
    /// sparse path, over every PSU instead of `A_j ∩ A_l` and its corrections: chosen when
    /// the rows per PSU are at least a quarter of the groups (the sparse path's pairs then
    /// cost more than the table's vectorized dot products, and the table is at most 4 × the
    /// stratum's rows).
    func denseStratum(_ members: Range<Int>, centred: Bool, factor: Double, groups: [Int32], groupCount k: Int,
                      table t: UnsafeMutablePointer<Double>, terms: UnsafeMutablePointer<Double>,
                      influence z: (Int) -> Double) {
        let nh = members.count
        t.update(repeating: 0, count: nh * k)
        order.withBuffers { psuAt, rowStart, rowAt in
            groups.withUnsafeBufferPointer { gp in
                if psuAt == nil && rowAt == nil, let rs = rowStart {
                    // PSUs in index order and their rows contiguous (a file sorted by stratum and PSU).
                    for slot in 0..<nh {
                        let q = members.lowerBound + slot
                        for i in rs[q]..<rs[q + 1] {
                            let g = Int(gp[i])
                            if g >= 0 { t[slot + nh * g] += z(i) }
                        }
                    }
                    return
                }
                for (slot, q) in members.enumerated() {
                    let p = psuAt.map { Int($0[q]) } ?? q
                    let range = rowStart.map { $0[p]..<$0[p + 1] } ?? p..<(p + 1)
                    for r in range {
                        let i = rowAt.map { Int($0[r]) } ?? r, g = Int(gp[i])
                        if g < 0 { continue }
                        t[slot + nh * g] += z(i)
                    }
                }
            }
        }
        if centred {
            for g in 0..<k {
                let column = t + nh * g
                let mean = DesignTotalsAccumulator.sum(column, count: nh) / Double(nh)
                if mean != 0 { for s in 0..<nh { column[s] -= mean } }
            }
        }
        // Terms (a, b ≥ a) in that order: factor·UᵀU through one dsyrk (the callers hold
        // BLAS single-threaded, so the bits depend on neither the thread count nor the worker).
        let gram = UnsafeMutablePointer<Double>.allocate(capacity: k * k)
        defer { gram.deallocate() }
        if LinearAlgebra.syrkUpper(t, rows: nh, columns: k, alpha: factor, into: gram) {
            var e = 0
            for a in 0..<k { for b in a..<k { terms[e] = gram[a + k * b]; e += 1 } }
            return
        }
        // (Dimensions beyond BLAS's 32-bit integers: fixed-order dot products, two columns b per sweep of column a.)
        var e = 0
        for a in 0..<k {
            var b = a
            while b + 2 <= k {
                let (x, y) = DesignTotalsAccumulator.dot2(t + nh * a, t + nh * b, t + nh * (b + 1), count: nh)
                terms[e] = factor * x; terms[e + 1] = factor * y
                e += 2; b += 2
            }
            if b < k { terms[e] = factor * DesignTotalsAccumulator.dot(t + nh * a, t + nh * b, count: nh); e += 1 }
        }
    }
}

/// The dense strata of one ``SamplingStructure/linearizationCovariance(groups:groupCount:diagonalOnly:influence:)``
/// call, their terms (``SamplingStructure/denseStratum(_:centred:factor:groups:groupCount:table:terms:influence:)``)
/// computed ahead, a batch of strata at a time, by several workers: each stratum by one worker
/// with the same code as the sequential path, and the caller adds them to the covariance in
/// stratum order, so the bits do not depend on the thread count.
private struct ParallelDenseStrata {
    let structure: SamplingStructure
    let plan: SamplingStructure.StratumPlan
    let groups: [Int32]
    let k: Int
    /// The dense strata in stratum order, and each one's slot in the current batch (−1: not in it).
    let strata: [Int]
    var slot: [Int]
    /// Terms of the current batch (k(k+1)/2 per stratum), its first index into `strata`, and the next.
    var terms: [Double] = []
    var first = 0, next = 0
    let workers: Int
    /// Strata per batch: the batch's terms stay within 4 MiB.
    let batch: Int

    /// Nil when fewer than two strata (or fewer than 2¹⁶ rows) go through the dense table,
    /// or one core is available: the caller then sums them one by one.
    init?(_ s: SamplingStructure, plan: SamplingStructure.StratumPlan, groups: [Int32], groupCount k: Int, workers: Int?) {
        let cores = workers ?? ProcessInfo.processInfo.activeProcessorCount
        // (A given worker cap, as in the tests, applies at any row count.)
        guard cores > 1, k > 0, s.calibration == nil, !s.order.oneRowPerPSU, workers != nil || groups.count >= 1 << 16 else {
            return nil
        }
        var dense: [Int] = []
        for h in 0..<s.strataCount {
            guard case .include = plan.treatment[h] else { continue }
            let members = s.order.stratumStart[h]..<s.order.stratumStart[h + 1]
            var stratumRows = 0
            for q in members { stratumRows += s.order.rows(of: s.order.psu(q)).count }
            if SamplingStructure.usesDenseTable(rows: stratumRows, psus: members.count, groupCount: k) { dense.append(h) }
        }
        guard dense.count >= 2 else { return nil }
        structure = s; self.plan = plan; self.groups = groups; self.k = k
        strata = dense
        slot = [Int](repeating: -1, count: s.strataCount)
        let used: Int = min(cores, 8, dense.count), width: Int = k * (k + 1) / 2
        self.workers = used
        batch = max(used, min(dense.count, (1 << 19) / width))
    }

    /// Copies stratum h's terms into `out`, computing the batch that starts at h when needed
    /// (the caller asks for the dense strata in stratum order); false when h is none of them.
    mutating func terms(of h: Int, into out: inout [Double], influence z: (Int) -> Double) -> Bool {
        if slot[h] < 0 {
            guard next < strata.count, strata[next] == h else { return false }
            computeBatch(influence: z)
        }
        let width = k * (k + 1) / 2, base = slot[h] * width
        for e in 0..<width { out[e] = terms[base + e] }
        return true
    }

    /// The terms of the next `batch` dense strata, stratum j of the batch by worker j mod workers.
    private mutating func computeBatch(influence: (Int) -> Double) {
        let width = k * (k + 1) / 2
        for j in first..<next { slot[strata[j]] = -1 }
        let count = min(batch, strata.count - next)
        first = next; next += count
        for j in 0..<count { slot[strata[first + j]] = j }
        if terms.count < count * width { terms = [Double](repeating: 0, count: count * width) }
        let workers = min(self.workers, count)
        let batchStrata = Array(strata[first..<next])
        let (s, plan, groups, k) = (structure, plan, groups, self.k)
        BLASRuntime.withSingleThreadedBLAS {
        terms.withUnsafeMutableBufferPointer { tp in
            let out = UnsafeSendablePointer(tp.baseAddress)
            withoutActuallyEscaping(influence) { z in
                let zz = SendableInfluence(z: z)
                DispatchQueue.concurrentPerform(iterations: workers) { w in
                    var table: [Double] = []
                    for j in stride(from: w, to: batchStrata.count, by: workers) {
                        let h = batchStrata[j]
                        guard case .include(let centred, let factor) = plan.treatment[h], let o = out.pointer else { continue }
                        let members = s.order.stratumStart[h]..<s.order.stratumStart[h + 1]
                        if table.count < members.count * k { table = [Double](repeating: 0, count: members.count * k) }
                        table.withUnsafeMutableBufferPointer { t in
                            guard let tb = t.baseAddress else { return }
                            s.denseStratum(members, centred: centred, factor: factor, groups: groups, groupCount: k,
                                           table: tb, terms: o + j * width, influence: zz.z)
                        }
                    }
                }
            }
        }
        }
    }
}

/// An influence function handed to the dense-strata workers: a pure function of the row
/// (``SamplingStructure/linearizationCovariance(groups:groupCount:diagonalOnly:influence:)``),
/// only read while the call that owns it runs.
private struct SendableInfluence: @unchecked Sendable {
    let z: (Int) -> Double
}
