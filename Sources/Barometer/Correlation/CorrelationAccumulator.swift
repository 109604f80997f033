/// Collects estimates, counts and test sizes, then adds inference (internal).
struct CorrelationAccumulator {
    var est: [[Double?]]
    var counts: [[Int]]
    var sizes: [[Double]]
    /// Method-specific (SE, p) replacing the t test (Kendall, polychoric).
    var override: [[(Double?, Double?)?]]
    /// Method-specific (lower, upper) replacing the Fisher-z interval (polychoric).
    var intervals: [[(Double?, Double?)?]]
    var notes: [String] = []
    /// Polychoric pairs in (i < j) order, with thresholds and tests.
    var polychoricPairs: [PolychoricPair] = []

    init(p: Int) {
        est = Array(repeating: Array(repeating: nil, count: p), count: p)
        counts = Array(repeating: Array(repeating: 0, count: p), count: p)
        sizes = Array(repeating: Array(repeating: 0, count: p), count: p)
        override = Array(repeating: Array(repeating: nil, count: p), count: p)
        intervals = Array(repeating: Array(repeating: nil, count: p), count: p)
    }

    mutating func set(_ i: Int, _ j: Int, r: Double?, n: Int, size: Double) {
        est[i][j] = r; est[j][i] = r
        counts[i][j] = n; counts[j][i] = n
        sizes[i][j] = size; sizes[j][i] = size
    }

    func finish(variables: [String], method: CorrelationMethod, kind: CorrelationKind, controls: [String],
                options: CorrelationOptions, cols: CorrelationColumns, rule: String,
                pseudoInverse: Bool = false, controlCount: Int? = nil) -> CorrelationMatrix {
        let p = variables.count
        let k = controlCount ?? controls.count
        var se = [[Double?]](repeating: [Double?](repeating: nil, count: p), count: p)
        var pv = se, lo = se, hi = se, df = se
        for i in 0..<p {
            for j in 0..<p where i != j {
                guard let r = est[i][j] else { continue }
                let inf = CorrelationInference.tTest(r: r, n: sizes[i][j], controls: k, level: options.confidenceLevel)
                df[i][j] = inf.df
                if let o = override[i][j] {
                    se[i][j] = o.0; pv[i][j] = o.1
                    if method == .kendall { df[i][j] = nil }
                } else {
                    se[i][j] = inf.se; pv[i][j] = inf.p
                }
                if let iv = intervals[i][j] {
                    lo[i][j] = iv.0; hi[i][j] = iv.1; df[i][j] = nil
                } else if method != .kendall {
                    lo[i][j] = inf.lower; hi[i][j] = inf.upper
                }
            }
            lo[i][i] = nil
        }
        // adjustment over distinct pairs
        var family: [Double] = [], where_: [(Int, Int)] = []
        for i in 0..<p { for j in (i + 1)..<max(p, i + 1) { family.append(pv[i][j] ?? .nan); where_.append((i, j)) } }
        let adjusted = options.adjustment.adjust(family)
        var adj = [[Double?]](repeating: [Double?](repeating: nil, count: p), count: p)
        for (t, (i, j)) in where_.enumerated() {
            let a = adjusted[t].isNaN ? nil : adjusted[t]
            adj[i][j] = a; adj[j][i] = a
        }
        var e = est
        for i in 0..<p { e[i][i] = 1 }
        var out = CorrelationMatrix(variables: variables, method: method, kind: kind, controls: controls,
                                 missing: options.missing, userMissingExcluded: options.excludeUserMissing,
                                 weight: cols.isWeighted ? cols.weightName : nil, weightSemantics: options.weightSemantics,
                                 confidenceLevel: options.confidenceLevel, adjustment: options.adjustment, rule: rule,
                                 estimates: e, counts: counts, testSizes: sizes, degreesOfFreedom: df,
                                 standardErrors: se, pValues: pv, adjustedPValues: adj, lower: lo, upper: hi,
                                 usedPseudoInverse: pseudoInverse, notes: notes)
        if method == .polychoric { out.polychoric = polychoricPairs }
        return out
    }
}
