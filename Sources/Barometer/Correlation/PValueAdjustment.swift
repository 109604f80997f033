/// Multiplicity adjustment of a family of p-values, defined exactly as R's
/// `p.adjust` (R Core, stats package): NaN entries are left out of the family
/// and stay NaN; `m` is the number of non-NaN p-values.
///
/// - Bonferroni: `min(1, m·p)`.
/// - Holm (1979): with p ascending, `p̃₍ᵢ₎ = min(1, max_{k ≤ i} (m − k + 1)·p₍ₖ₎)`.
/// - Benjamini–Hochberg (1995): with p ascending,
///   `p̃₍ᵢ₎ = min(1, min_{k ≥ i} m/k · p₍ₖ₎)` (controls the false discovery rate).
///
/// For a correlation matrix the family is the p(p−1)/2 distinct pairs.
public enum PValueAdjustment: String, Sendable, Codable, CaseIterable {
    /// No adjustment: the raw p-values (R `p.adjust(method = "none")`).
    case none
    /// Bonferroni: min(1, m·p) over m tests (R `"bonferroni"`); controls the family-wise error.
    case bonferroni
    /// Holm's step-down: p₍ᵢ₎·(m − i + 1), made monotone (R `"holm"`); family-wise, uniformly more powerful than Bonferroni.
    case holm
    /// Benjamini-Hochberg step-up: p₍ᵢ₎·m/i, made monotone from the largest (R `"BH"`); controls the false discovery rate.
    case benjaminiHochberg = "bh"

    /// Adjusted p-values in the input order.
    public func adjust(_ p: [Double]) -> [Double] {
        let idx = p.indices.filter { !p[$0].isNaN }
        let m = Double(idx.count)
        var out = p
        guard !idx.isEmpty else { return out }
        switch self {
        case .none:
            return out
        case .bonferroni:
            for i in idx { out[i] = Swift.min(1, m * p[i]) }
        case .holm:
            // stable ascending order, as R's order()
            let o = idx.enumerated().sorted { (a, b) in
                p[a.element] != p[b.element] ? p[a.element] < p[b.element] : a.offset < b.offset
            }.map(\.element)
            var running = 0.0
            for (k, i) in o.enumerated() {
                running = Swift.max(running, (m - Double(k)) * p[i])
                out[i] = Swift.min(1, running)
            }
        case .benjaminiHochberg:
            let o = idx.enumerated().sorted { (a, b) in
                p[a.element] != p[b.element] ? p[a.element] > p[b.element] : a.offset < b.offset
            }.map(\.element)
            var running = Double.infinity
            for (k, i) in o.enumerated() {
                let rank = m - Double(k)          // rank in ascending order
                running = Swift.min(running, m / rank * p[i])
                out[i] = Swift.min(1, running)
            }
        }
        return out
    }
}
