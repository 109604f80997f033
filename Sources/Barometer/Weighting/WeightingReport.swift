import Foundation

/// What weighting did: the criterion and whether it was met, the achieved
/// margins against their targets before and after, and the weights'
/// spread (Kish 1965, §11.7: efficiency `(Σw)²/(n·Σw²)`, design effect of
/// weighting `1 + CV² = n·Σw²/(Σw)²`).
public struct WeightingReport: Sendable, Codable, Equatable, TableRepresentable {
    /// One margin category.
    public struct Category: Sendable, Codable, Equatable {
        /// The category's value label (its code when unlabelled; joint cells joined by " × ").
        public let label: String
        /// Respondents in the category.
        public let respondents: Int
        /// Population total and share.
        public let target: Double
        /// The target as a share of the population total (0…1).
        public let targetShare: Double
        /// Weighted total and share with the weights before weighting.
        public let before: Double
        /// Share with the weights before weighting (0…1).
        public let beforeShare: Double
        /// Weighted total and share with the new weights.
        public let after: Double
        /// Share with the new weights (0…1); within ε of ``targetShare`` when converged.
        public let afterShare: Double
    }
    /// One margin.
    public struct Margin: Sendable, Codable, Equatable {
        /// The margin's name (its variable, or the joint variables joined by " × ").
        public let name: String
        /// The margin's variables (one for a one-way margin).
        public let variables: [String]
        /// Whether the target file gave shares (else totals).
        public let givenAsShares: Bool
        /// Max |share achieved − target share| before and after weighting.
        public let maxDeviationBefore: Double
        /// Max |share achieved − target share| after weighting (the convergence criterion's quantity).
        public let maxDeviation: Double
        /// The margin's categories, in target-file order.
        public let categories: [Category]
    }
    /// Summary of a set of weights.
    public struct WeightSummary: Sendable, Codable, Equatable {
        /// Number of weights (respondents).
        public let count: Int
        /// Weights equal to 0.
        public let zeroCount: Int
        /// Σw.
        public let sum: Double
        /// Σw / n.
        public let mean: Double
        /// Smallest weight.
        public let min: Double
        /// Largest weight.
        public let max: Double
        /// max / min (nil when the smallest weight is 0).
        public let ratio: Double?
        /// Kish effective sample size (Σw)²/Σw².
        public let effectiveSize: Double
        /// Kish efficiency: effective size / n.
        public let efficiency: Double
        /// Design effect of weighting n·Σw²/(Σw)² (1 + CV²).
        public let weightingDesignEffect: Double

        init(count n: Int, zeros: Int, sum s: Double, sumOfSquares s2: Double, min lo: Double, max hi: Double) {
            count = n
            zeroCount = zeros
            sum = s
            mean = n > 0 ? s / Double(n) : 0
            min = n > 0 ? lo : 0
            max = n > 0 ? hi : 0
            ratio = min > 0 ? max / min : nil
            effectiveSize = s2 > 0 ? s * s / s2 : 0
            efficiency = n > 0 && s2 > 0 ? s * s / s2 / Double(n) : 0
            weightingDesignEffect = s > 0 ? Double(n) * s2 / (s * s) : 0
        }
    }

    /// Σw, Σw², zeros, min and max of weights added one at a time (left to right).
    struct SummaryAccumulator {
        var s = 0.0, s2 = 0.0, zeros = 0, lo = Double.infinity, hi = -Double.infinity
        @inline(__always) mutating func add(_ x: Double) {
            s += x; s2 += x * x
            if x == 0 { zeros += 1 }
            lo = Swift.min(lo, x); hi = Swift.max(hi, x)
        }
        func summary(count n: Int) -> WeightSummary {
            WeightSummary(count: n, zeros: zeros, sum: s, sumOfSquares: s2, min: lo, max: hi)
        }
    }

    /// Method (`rake`, `linear`, `raking`, `logit`, `poststrat`).
    public let method: WeightingMethod
    /// Bounds on the g-weights, when given.
    public let bounds: [Double]?
    /// The convergence criterion in words.
    public let criterion: String
    /// ε: the largest accepted |achieved share − target share| (default 1e-7).
    public let epsilon: Double
    /// The iteration limit (1000 for rake, 50 for calibration by default).
    public let maxIterations: Int
    /// Iterations used (sweeps for rake, Newton steps for calibration).
    public let iterations: Int
    /// Whether every margin met the criterion.
    public let converged: Bool
    /// Population total the targets refer to.
    public let populationTotal: Double
    /// The margins, in target-file order.
    public let margins: [Margin]
    /// Base weight variable (nil: unweighted start) and the new one.
    public let baseWeight: String?
    /// Name of the new weight variable.
    public let weight: String
    /// Summary of the base weights (all 1 for an unweighted start).
    public let weightsBefore: WeightSummary
    /// Summary of the new weights.
    public let weightsAfter: WeightSummary
    /// Range of the g-weights w/d (rows with d > 0).
    public let gMin: Double
    /// Largest g-weight w/d.
    public let gMax: Double
    /// Trimming rule, weights trimmed and trimming rounds.
    public let trimming: WeightTrimming?
    /// Weights set to a trimming bound.
    public let trimmedCount: Int
    /// Trimming rounds (more than 1 with strict trimming or re-raking).
    public let trimRounds: Int
    /// Replicates re-calibrated (replicate designs).
    public let replicatesRecalibrated: Int
    /// How variances of the weighted design are computed.
    public let variance: String

    /// The report from the targets and the pass that wrote (or read) the new weights: the
    /// margins' before and after totals are sums of the cell totals of the base weights
    /// (``ResolvedTargets``) and of the new weights (`pass`), each summed in row order.
    init(method: WeightingMethod, options: WeightingOptions, resolved: ResolvedTargets, pass: SurveyDesign.RowPass,
         solution: CellSolution, trimmedCount: Int, trimRounds: Int, weightName: String, baseWeightName: String?,
         variance: String, replicatesRecalibrated: Int) {
        self.method = method
        self.bounds = options.bounds.map { [$0.lower, $0.upper] }
        self.criterion = "max |achieved share − target share| ≤ ε over every margin category"
        self.epsilon = options.epsilon
        self.maxIterations = options.iterationLimit
        self.iterations = solution.iterations
        self.populationTotal = resolved.populationTotal
        let N = resolved.populationTotal
        let cells = resolved.cellCount
        let cb = resolved.cellBaseTotals, ca = pass.cellAfter
        let sb = cb.reduce(0, +)
        var margins: [Margin] = []
        var allMet = true
        for (m, r) in resolved.margins.enumerated() {
            let K = r.totals.count
            var tb = [Double](repeating: 0, count: K), ta = tb
            var n = [Int](repeating: 0, count: K)
            for c in 0..<cells {
                let k = Int(resolved.cellCategory[m][c])
                tb[k] += cb[c]; ta[k] += ca[c]; n[k] += resolved.cellCounts[c]
            }
            var cats: [Category] = []
            var devB = 0.0, devA = 0.0
            for k in 0..<K {
                let c = Category(label: r.labels[k], respondents: n[k], target: r.totals[k], targetShare: r.totals[k] / N,
                                 before: tb[k], beforeShare: sb > 0 ? tb[k] / sb : 0, after: ta[k], afterShare: ta[k] / N)
                devB = Swift.max(devB, abs(c.beforeShare - c.targetShare))
                devA = Swift.max(devA, abs(ta[k] - r.totals[k]) / N)
                cats.append(c)
            }
            if !(devA <= options.epsilon) { allMet = false }
            margins.append(Margin(name: r.name, variables: r.variables, givenAsShares: r.givenAsShares,
                                  maxDeviationBefore: devB, maxDeviation: devA, categories: cats))
        }
        self.margins = margins
        self.converged = solution.converged && (allMet || options.trimming != nil)
        self.baseWeight = baseWeightName
        self.weight = weightName
        self.weightsBefore = pass.before.summary(count: resolved.cellOfRow.count)
        self.weightsAfter = pass.after.summary(count: resolved.cellOfRow.count)
        self.gMin = pass.gMin.isFinite ? pass.gMin : 0
        self.gMax = pass.gMax.isFinite ? pass.gMax : 0
        self.trimming = options.trimming
        self.trimmedCount = trimmedCount
        self.trimRounds = trimRounds
        self.replicatesRecalibrated = replicatesRecalibrated
        self.variance = variance
    }

    /// `3.0e-10`-style text for deviations.
    static func scientific(_ x: Double) -> String {
        guard x.isFinite else { return "n/a" }
        return x == 0 ? "0" : String(format: "%.1e", x)
    }

    public var textTable: TextTable {
        let status = converged
            ? "converged in \(iterations) iteration(s)"
            : "NOT CONVERGED after \(iterations) iteration(s)"
        let worst = margins.map(\.maxDeviation).max() ?? 0
        var rows: [[String]] = []
        for m in margins {
            for (k, c) in m.categories.enumerated() {
                rows.append([k == 0 ? m.name : "", c.label, String(c.respondents), NumberFormat.fixed(100 * c.targetShare, 2),
                             NumberFormat.fixed(100 * c.beforeShare, 2), NumberFormat.fixed(100 * c.afterShare, 2),
                             k == 0 ? Self.scientific(m.maxDeviation) : ""])
            }
        }
        func summary(_ s: WeightSummary) -> String {
            "min \(NumberFormat.fixed(s.min, 4)), max \(NumberFormat.fixed(s.max, 4)), ratio \(s.ratio.map { NumberFormat.fixed($0, 2) } ?? "n/a"), "
                + "mean \(NumberFormat.fixed(s.mean, 4)), sum \(NumberFormat.fixed(s.sum, 2)), Kish efficiency \(NumberFormat.fixed(100 * s.efficiency, 1))%, "
                + "deff of weighting \(NumberFormat.fixed(s.weightingDesignEffect, 3)), effective n \(NumberFormat.fixed(s.effectiveSize, 1))"
        }
        var notes = [
            "Criterion: \(criterion), ε = \(epsilon), at most \(maxIterations) iterations: \(status); achieved max deviation \(Self.scientific(worst)).",
            "Population total \(NumberFormat.fixed(populationTotal, 2)); shares are of this total (before: of the base weight total).",
            "Weights before (\(baseWeight ?? "unweighted")): \(summary(weightsBefore)).",
            "Weights after (\(weight)): \(summary(weightsAfter)); g = w/d from \(NumberFormat.fixed(gMin, 4)) to \(NumberFormat.fixed(gMax, 4))."
        ]
        if let b = bounds { notes.append("Bounds on g: [\(b[0]), \(b[1])].") }
        if let t = trimming {
            let lo = t.lower.map { String($0) } ?? "none", hi = t.upper.map { String($0) } ?? "none"
            notes.append("Trimming: lower \(lo), upper \(hi)\(t.capRatio.map { ", cap \($0) × mean" } ?? "")\(t.strict ? ", strict" : "")\(t.rerake ? ", re-raked" : ""): \(trimmedCount) weight(s) trimmed in \(trimRounds) round(s).")
        }
        if replicatesRecalibrated > 0 { notes.append("\(replicatesRecalibrated) replicates re-calibrated to the same targets.") }
        notes.append("Variance: \(variance).")
        return TextTable(title: "Weighting: \(method.rawValue) to \(margins.count) margin(s), \(status)",
                         headers: ["Margin", "Category", "n", "Target %", "Before %", "After %", "Max dev."],
                         alignments: [.left, .left, .right, .right, .right, .right, .right], rows: rows, notes: notes)
    }
}
