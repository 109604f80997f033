/// How a quantile is read off the weighted distribution function (R
/// `svyquantile`'s `qrule`).
public enum QuantileRule: String, Sendable, Codable, CaseIterable {
    /// R's default `"math"`: the inverse of the weighted empirical CDF, the
    /// smallest x with F̂(x) ≥ p (R's `qs` bookkeeping, ties in x kept).
    case math
    /// `"hf7"`: Hyndman–Fan type 7 generalized to weights: linear
    /// interpolation of the sorted values at plotting positions
    /// p_k = (w₁ + … + w_{k−1}) / (w₁ + … + w_{n−1}).
    case hf7
}

/// One design-based quantile with its Woodruff interval.
public struct DesignQuantile: Sendable, Codable, Equatable {
    /// The probability p.
    public let probability: Double
    /// The quantile.
    public let estimate: Double
    /// Woodruff interval: quantiles at the ends of the CI of F̂(q̂) (nil when
    /// that end falls outside [0, 1], where R returns NaN).
    public let lower: Double?
    /// Upper end of the Woodruff interval (nil when it falls outside [0, 1]).
    public let upper: Double?
    /// (upper − lower) / (2·t_{df, 1−α/2}), as R reports it.
    public let standardError: Double?
    /// F̂(q̂) = design mean of 1(x ≤ q̂), its design SE, and the CI ends.
    public let proportionBelow: Double
    /// Design standard error of F̂(q̂).
    public let proportionStandardError: Double
    /// Lower end of the CI of F̂(q̂): F̂(q̂) − t_{df, 1−α/2} · SE.
    public let proportionLower: Double
    /// Upper end of the CI of F̂(q̂): F̂(q̂) + t_{df, 1−α/2} · SE.
    public let proportionUpper: Double
}

/// Design-based quantiles of one variable (R `svyquantile`).
public struct DesignQuantiles: Sendable, Codable, Equatable, TableRepresentable {
    /// Name of the variable.
    public let variable: String
    /// Variable label (nil when it has none).
    public let label: String?
    /// How each quantile is read off the weighted distribution function.
    public let rule: QuantileRule
    /// One result per requested probability, in the order requested.
    public let quantiles: [DesignQuantile]
    /// Confidence level.
    public let level: Double
    /// Degrees of freedom of the t quantile (the design's, over the rows used).
    public let degreesOfFreedom: Int
    /// Rows with a valid answer and positive weight, and their Σw.
    public let count: Int
    /// Σw over those rows.
    public let weightedCount: Double
    /// Description of the base (missing rule and domain).
    public let base: String
    /// How the design variance was computed (linearization or replicates).
    public let variance: String
    /// Weight variable, nil when unweighted.
    public let weight: String?

    public var textTable: TextTable {
        let pct = NumberFormat.fixed(level * 100, 0)
        let rows = quantiles.map { q in
            [NumberFormat.fixed(q.probability, 4), NumberFormat.fixed(q.estimate, 4), NumberFormat.fixed(q.lower, 4),
             NumberFormat.fixed(q.upper, 4), NumberFormat.fixed(q.standardError, 4), NumberFormat.fixed(q.proportionBelow, 4)]
        }
        return TextTable(title: "Design-based quantiles of \(variable)" + (label.map { ": \($0)" } ?? ""),
                         headers: ["p", "Quantile", "\(pct)% CI low", "\(pct)% CI high", "SE", "F(q)"], rows: rows,
                         notes: ["Rule: \(rule.rawValue) (R svyquantile qrule). CI: Woodruff (R interval.type \"mean\"): quantiles at F(q) ± t(\(degreesOfFreedom))·SE; SE = CI width / (2·t).",
                                 "Base: \(base); n = \(count) (weighted \(NumberFormat.fixed(weightedCount, 2))). Weight: \(weight ?? "none (unweighted)").",
                                 "Variance: \(variance)."])
    }
}

extension SurveyDesign {
    /// Probabilities in [0, 1] (at least one) and a confidence level in (0, 1).
    static func checkQuantileArguments(_ probabilities: [Double], level: Double) throws(BarometerError) {
        guard !probabilities.isEmpty else { throw .invalidArgument("no probabilities given") }
        for p in probabilities where !(p >= 0 && p <= 1) {
            throw .invalidArgument("quantile probability \(p) outside [0, 1]")
        }
        guard level > 0, level < 1 else { throw .invalidArgument("confidence level \(level) outside (0, 1)") }
    }

    /// Design-based quantiles with Woodruff confidence intervals, as R
    /// `svyquantile(~x, design, probabilities, qrule =, na.rm = TRUE)` with its
    /// default `interval.type = "mean"`:
    ///
    /// 1. q̂ = the rule's quantile of the valid answers (positive weights);
    /// 2. p̂ = design mean of 1(x ≤ q̂) over the valid answers in the domain
    ///    (``RatioOfTotals``: linearization or replicates), with the
    ///    interval p̂ ± t_{df, 1−α/2}·SE(p̂), df the design df of those rows;
    /// 3. the interval is the rule's quantiles at its two ends; SE = width / (2t).
    ///
    /// User-missing (Don't know, Refused) and system-missing answers are
    /// excluded; their rows stay in the design.
    /// - Throws: ``BarometerError/invalidArgument(_:)`` for p outside [0, 1] or
    ///   a level outside (0, 1); ``BarometerError/emptyDomain(_:)`` without
    ///   valid answers (hf7 needs two).
    public func quantiles(_ variable: String, probabilities: [Double], rule: QuantileRule = .math,
                          level: Double = 0.95, domain: Domain? = nil) throws(BarometerError) -> DesignQuantiles {
        try Self.checkQuantileArguments(probabilities, level: level)
        let v = try self.variable(variable)
        try v.requireNumeric()
        let ind = try validIndicator([v], domain: domain)
        // Valid answers with positive weight, sorted by value (stable, as R's order()).
        var idx: [Int] = []
        for i in 0..<rowCount where ind[i] != 0 && weights.values[i] > 0 { idx.append(i) }
        guard idx.count >= (rule == .hf7 ? 2 : 1) else {
            throw .emptyDomain("\(idx.count) valid answers to '\(variable)' with positive weight in \(domain?.description ?? "the data")")
        }
        let order = idx.enumerated().sorted { a, b in
            v.values[a.element] != v.values[b.element] ? v.values[a.element] < v.values[b.element] : a.offset < b.offset
        }.map(\.element)
        let curve = WeightedQuantileCurve(sorted: order, in: idx, values: v.values, weights: weights.values)
        let acc = curve.total
        let estimates = probabilities.map { curve.quantile($0, rule: rule) }
        // F̂(q̂) for every p in one engine call.
        let k = probabilities.count
        var num = Matrix(rows: rowCount, columns: k), den = Matrix(rows: rowCount, columns: 1)
        for i in 0..<rowCount where ind[i] != 0 {
            den[i, 0] = 1
            for j in 0..<k where v.values[i] <= estimates[j] { num[i, j] = 1 }
        }
        let result = try RatioOfTotals(numerators: num, denominators: den).evaluate(self)
        var mask = [Bool](repeating: false, count: rowCount)
        for i in 0..<rowCount { mask[i] = ind[i] != 0 }
        let df = degreesOfFreedom(in: Domain(mask: mask, description: "valid answers"))
        let t = StudentT(degreesOfFreedom: Double(max(df, 1))).quantile(0.5 + level / 2)
        var out: [DesignQuantile] = []
        for j in 0..<k {
            out.append(DesignQuantile(woodruff: curve, probability: probabilities[j], estimate: estimates[j],
                                      proportion: result.estimates[j],
                                      standardError: max(result.covariance[j, j], 0).squareRoot(), t: t, rule: rule))
        }
        let base = (domain?.description ?? "all respondents")
            + "; valid answers only (Don't know, Refused and system-missing excluded, rows kept in the design)"
        return DesignQuantiles(variable: variable, label: v.label, rule: rule, quantiles: out, level: level,
                               degreesOfFreedom: df, count: idx.count, weightedCount: acc, base: base,
                               variance: varianceDescription, weight: weights.name)
    }
}

/// Sorted values and their cumulative weights (all weights positive).
struct WeightedQuantileCurve: Sendable {
    let x: [Double]
    let cumulativeWeights: [Double]
    /// Σw of the rows (R `sum(w)`).
    let total: Double

    /// The rows `sorted` (sorted by value) of the rows `rows` (in row order).
    /// Sums are accumulated in extended precision and rounded to `Double`, as
    /// R's `cumsum` and `sum` do (long double on x86-64): with equal weights,
    /// `cumw_k ≤ p·Σw` and `p − cumw_k/Σw == 0` then decide exactly as in R,
    /// where a `Double` running sum can land one ulp off and pick the next value.
    init<S: Collection<Int>, T: Collection<Int>>(sorted: S, in rows: T, values: [Double], weights: [Double]) {
        #if arch(x86_64) && !os(Windows)
        typealias Wide = Float80
        #else
        typealias Wide = Double
        #endif
        var acc: Wide = 0
        var cumw = [Double](repeating: 0, count: sorted.count), x = [Double](repeating: 0, count: sorted.count)
        for (k, i) in sorted.enumerated() { acc += Wide(weights[i]); cumw[k] = Double(acc); x[k] = values[i] }
        var sum: Wide = 0
        for i in rows { sum += Wide(weights[i]) }
        self.x = x
        self.cumulativeWeights = cumw
        self.total = Double(sum)
    }

    func quantile(_ p: Double, rule: QuantileRule) -> Double {
        let n = x.count
        guard n > 0 else { return .nan }
        switch rule {
        case .math:
            // R survey's qs(): pos = last k with cumw_k ≤ p·W (1 if none); x[pos] when
            // p − cumw_pos/W is exactly 0, else the next value.
            let target = p * total
            var lo = 0, hi = n                     // first index with cumw > target
            while lo < hi {
                let mid = (lo + hi) / 2
                if cumulativeWeights[mid] <= target { lo = mid + 1 } else { hi = mid }
            }
            let pos = max(lo - 1, 0)
            if p - cumulativeWeights[pos] / total == 0 { return x[pos] }
            return x[min(pos + 1, n - 1)]
        case .hf7:
            guard n >= 2 else { return x[0] }
            let denom = cumulativeWeights[n - 2]
            // Plotting positions pk_0 = 0, pk_k = cumw_{k−1}/denom; linear interpolation, clamped.
            func pk(_ k: Int) -> Double { k == 0 ? 0 : cumulativeWeights[k - 1] / denom }
            if p <= 0 { return x[0] }
            if p >= pk(n - 1) { return x[n - 1] }
            var lo = 0, hi = n - 1                 // find k with pk(k) ≤ p < pk(k+1)
            while hi - lo > 1 {
                let mid = (lo + hi) / 2
                if pk(mid) <= p { lo = mid } else { hi = mid }
            }
            let a = pk(lo), b = pk(hi)
            if p == b { return x[hi] }
            if p == a { return x[lo] }
            return x[lo] + (x[hi] - x[lo]) * ((p - a) / (b - a))     // R approx()'s order of operations
        }
    }
}
