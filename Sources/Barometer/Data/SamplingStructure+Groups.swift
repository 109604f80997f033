extension SamplingStructure {
    /// ``linearizationCovariance(_:)`` for influence values of k disjoint
    /// domains given in grouped form: row `i` carries `z[i]` in column
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
    /// - Throws: ``BarometerError/lengthMismatch(variable:expected:actual:)``,
    ///   ``BarometerError/invalidArgument(_:)`` for a group outside `-1..<groupCount`,
    ///   and the lonely-PSU errors of ``linearizationCovariance(_:)``.
    func linearizationCovariance(values z: [Double], groups: [Int32], groupCount k: Int) throws(BarometerError) -> Matrix {
        let n = clusters.count
        guard z.count == n else { throw .lengthMismatch(variable: "influence values", expected: n, actual: z.count) }
        guard groups.count == n else { throw .lengthMismatch(variable: "influence groups", expected: n, actual: groups.count) }
        for g in groups where g < -1 || Int(g) >= k {
            throw .invalidArgument("influence group \(g) outside -1..<\(k)")
        }
        let plan = try stratumPlan()
        var v = Matrix(rows: k, columns: k)
        guard k > 0 else { return v }
        let rows = rowsByPSU(), psus = psusByStratum()
        // Per-PSU totals of the groups present (entries in first-seen order).
        var scratch = [Double](repeating: 0, count: k)
        var seenIn = [Int](repeating: -1, count: k)            // PSU that last touched group j
        var entryGroups: [Int] = [], entryTotals: [Double] = []
        // Per-stratum accumulators, reset over the groups present only.
        var mean = [Double](repeating: 0, count: k)
        var presentIn = [Int](repeating: -1, count: k)          // stratum that last saw group j
        var present: [Int] = []
        var x = [Double](repeating: 0, count: k * k)            // Σ_{A_j∩A_l} u_pj u_pl
        var y = [Double](repeating: 0, count: k * k)            // Σ_{A_j∩A_l} u_pj at [j + k·l]
        var c = [Int](repeating: 0, count: k * k)               // |A_j ∩ A_l|
        var psuStart: [Int] = [], psuEntries: [Int] = []
        for h in 0..<strataCount {
            guard case .include(let centred, let factor) = plan.treatment[h] else { continue }
            let nh = psusPerStratum[h]
            // PSU totals of this stratum, in PSU order; each in row order.
            entryGroups.removeAll(keepingCapacity: true); entryTotals.removeAll(keepingCapacity: true)
            psuStart.removeAll(keepingCapacity: true)
            present.removeAll(keepingCapacity: true)
            for pi in psus.start[h]..<psus.start[h + 1] {
                let p = Int(psus.order[pi])
                psuStart.append(entryGroups.count)
                psuEntries.removeAll(keepingCapacity: true)
                for ri in rows.start[p]..<rows.start[p + 1] {
                    let i = Int(rows.order[ri]), g = Int(groups[i])
                    if g < 0 { continue }
                    if seenIn[g] != p { seenIn[g] = p; scratch[g] = 0; psuEntries.append(g) }
                    scratch[g] += z[i]
                }
                for g in psuEntries {
                    entryGroups.append(g); entryTotals.append(scratch[g])
                    if presentIn[g] != h { presentIn[g] = h; present.append(g); mean[g] = 0 }
                }
            }
            psuStart.append(entryGroups.count)
            if present.isEmpty { continue }
            // Stratum means (PSUs without group j add zero).
            if centred {
                for e in entryGroups.indices { mean[entryGroups[e]] += entryTotals[e] }
                for g in present { mean[g] /= Double(nh) }
            }
            for a in present { for b in present { x[a + k * b] = 0; y[a + k * b] = 0; c[a + k * b] = 0 } }
            // Centred cross-products within each PSU.
            for q in 0..<(psuStart.count - 1) {
                let lo = psuStart[q], hi = psuStart[q + 1]
                for e in lo..<hi {
                    let a = entryGroups[e], ua = entryTotals[e] - mean[a]
                    for f in lo..<hi {
                        let b = entryGroups[f], ub = entryTotals[f] - mean[b]
                        x[a + k * b] += ua * ub
                        y[a + k * b] += ua
                        c[a + k * b] += 1
                    }
                }
            }
            for a in present {
                let ma = mean[a], na = c[a + k * a], ua = y[a + k * a]
                v[a, a] += factor * (x[a + k * a] + Double(nh - na) * ma * ma)
                for b in present where b != a {
                    let mb = mean[b], nb = c[b + k * b], ub = y[b + k * b]
                    let s = x[a + k * b] + mb * (y[a + k * b] - ua) + ma * (y[b + k * a] - ub)
                        + ma * mb * Double(nh - na - nb + c[a + k * b])
                    v[a, b] += factor * s
                }
            }
        }
        plan.applyAveraging(&v)
        return v
    }
}
