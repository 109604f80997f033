/// A weighted design and the report of how its weights were made.
public struct WeightingResult: Sendable {
    /// The design over the same data with the new weights; it carries the
    /// calibration, so its variances know the weights were calibrated.
    public let design: SurveyDesign
    /// The new weight of each respondent.
    public var weights: [Double] { design.weights.values }
    /// Iterations, achieved margins, weight summaries.
    public let report: WeightingReport
}

extension SurveyDesign {
    /// Weights this design to `targets` (R `rake`, `calibrate`, `postStratify`,
    /// `trimWeights`; see ``WeightingMethod``), starting from its weights.
    ///
    /// The targets are checked against the data first
    /// (``WeightingTargets/resolve(against:baseWeights:)``). The iteration works on
    /// the weighted joint table of the margin variables (the g-weights are
    /// constant within its cells) and stops when every margin category's
    /// achieved share is within `options.epsilon` of its target share; when
    /// that does not happen within `options.iterationLimit` iterations it
    /// throws ``BarometerError/noConvergence(_:)`` naming the worst margin and
    /// category (or, with `allowNonConvergence`, returns a report flagged as
    /// not converged).
    ///
    /// The returned design carries the calibration: linearization variances
    /// use the residuals of the influence values on the calibration variables
    /// (as R's calibrated designs; `rake` as R's `rake`), and a replicate
    /// design re-calibrates every replicate to the same targets.
    /// Trimming without re-raking drops the calibration information (the
    /// trimmed weights no longer meet the targets), and the report says so.
    /// - Parameters:
    ///   - targets: the population margins (one-way or joint) to meet.
    ///   - options: method, convergence criterion, bounds and trimming.
    ///   - name: the name of the new weight variable.
    public func weighted(to targets: WeightingTargets, options: WeightingOptions = WeightingOptions(),
                         name: String = "calwt") throws(BarometerError) -> WeightingResult {
        try options.validate()
        let d = weights.values
        let resolved = try targets.resolve(against: data, baseWeights: d)
        if options.method == .poststrat && resolved.margins.count != 1 {
            throw .invalidArgument("post-stratification takes one margin (one-way or joint cells); the targets have \(resolved.margins.count): rake, or give the joint cells")
        }
        let full = try Self.pipeline(resolved, base: d, cellBase: resolved.cellBaseTotals, options: options, what: "")
        let w = full.weights, solution = full.solution
        let trimmedCount = full.trimmedCount, trimRounds = full.trimRounds, keepsCalibration = full.keepsCalibration
        // Summaries of the base and new weights and the new weights' cell totals: from the pass
        // that wrote the weights, or (trimmed weights) one pass over them.
        let pass = full.pass ?? Self.rowPass(base: d, cell: resolved.cellOfRow, cellCount: resolved.cellCount, weights: w)
        let newWeights = try pass.validatedWeights(name: name)
        // Calibration information for linearization variances.
        var sampling = self.sampling
        var summary = "\(options.method.rawValue) to \(resolved.margins.map(\.name).joined(separator: ", "))"
        if keepsCalibration {
            let cellBase = full.baseCells
            let problem = Self.problem(resolved, cellBase: cellBase)
            let projection: CalibrationAdjustment.Projection
            if options.method == .rake {
                projection = .backfit(category: resolved.cellCategory, categoryCounts: resolved.margins.map { $0.totals.count }, sweeps: 10)
            } else {
                projection = .greg(x: problem.modelMatrix().x, base: cellBase)
            }
            sampling.calibration = CalibrationAdjustment(projection: projection, cellOfRow: resolved.cellOfRow,
                                                         cellCounts: resolved.cellCounts, g: solution.g, weights: w)
            summary += replicates == nil ? " (variances on calibration residuals)" : " (every replicate re-calibrated)"
        } else {
            summary += ", trimmed (variances treat the trimmed weights as fixed)"
        }
        // Replicate designs: every replicate calibrated (and trimmed) the same way.
        var reps = replicates
        if let r = replicates {
            var m: [[Double]] = []
            for j in 0..<r.count {
                m.append(try Self.pipeline(resolved, base: r.columns[j], options: options, what: " in replicate '\(r.names[j])'").weights)
            }
            reps = ReplicateWeights(replacing: r, columns: m)
            sampling.calibration = nil
        }
        var design = SurveyDesign(data: data, weights: newWeights, sampling: sampling, replicates: reps)
        design.calibration = summary
        let report = WeightingReport(method: options.method, options: options, resolved: resolved, pass: pass,
                                     solution: solution, trimmedCount: trimmedCount, trimRounds: trimRounds,
                                     weightName: name, baseWeightName: weights.name, variance: design.varianceDescription,
                                     replicatesRecalibrated: replicates?.count ?? 0)
        return WeightingResult(design: design, report: report)
    }

    /// What ``pipeline(_:base:cellBase:options:what:)`` made.
    struct PipelineResult {
        /// The new weights.
        var weights: [Double]
        /// The solution of the last calibration.
        var solution: CellSolution
        /// The row weights the last calibration started from, and their cell totals.
        var base: [Double]
        var baseCells: [Double]
        var trimmedCount: Int, trimRounds: Int, keepsCalibration: Bool
        /// The pass that wrote the weights (nil when trimming changed them afterwards).
        var pass: RowPass?
    }

    /// Calibration of row weights `base` (cell totals `cellBase` when known), then trimming
    /// (and re-raking) when asked.
    static func pipeline(_ resolved: ResolvedTargets, base d: [Double], cellBase: [Double]? = nil, options: WeightingOptions,
                         what: String) throws(BarometerError) -> PipelineResult {
        var base = d
        var baseCells = cellBase ?? cellTotals(base, resolved.cellOfRow, resolved.cellCount)
        var solution = try solve(resolved, cellBase: baseCells, options: options, what: what)
        guard let t = options.trimming else {
            let pass = rowPass(base: base, cell: resolved.cellOfRow, cellCount: resolved.cellCount, g: solution.g, cellBase: baseCells)
            return PipelineResult(weights: pass.weights, solution: solution, base: base, baseCells: baseCells,
                                  trimmedCount: 0, trimRounds: 0, keepsCalibration: true, pass: pass)
        }
        var w = rowWeights(base, solution.g, resolved.cellOfRow)
        var trimmedCount = 0, trimRounds = 0
        var keepsCalibration = true
        // anesrake's alternation: trim, and while the trimmed weights miss a target by more
        // than ε, rake again from them; the result is always the trimmed weights.
        let limit = options.iterationLimit
        while true {
            trimRounds += 1
            let (tw, count) = try trim(w, t)
            trimmedCount = max(trimmedCount, count)
            guard t.rerake else { w = tw; keepsCalibration = count == 0; break }
            let trimmedCells = cellTotals(tw, resolved.cellOfRow, resolved.cellCount)
            let p = problem(resolved, cellBase: trimmedCells)
            if count == 0 || p.deviations(p.base).allSatisfy({ $0 <= options.epsilon }) { w = tw; break }
            if trimRounds >= limit {
                if options.allowNonConvergence { w = tw; solution.converged = false; break }
                let (lo, hi) = trimBounds(w, t)
                throw .noConvergence("trimming to [\(lo), \(hi)] and re-raking\(what) did not meet the targets within ε = \(options.epsilon) in \(limit) rounds")
            }
            base = tw
            baseCells = trimmedCells
            solution = try solve(resolved, cellBase: baseCells, options: options, what: what + " (re-raking after trimming)")
            w = rowWeights(base, solution.g, resolved.cellOfRow)
        }
        return PipelineResult(weights: w, solution: solution, base: base, baseCells: baseCells,
                              trimmedCount: trimmedCount, trimRounds: trimRounds, keepsCalibration: keepsCalibration, pass: nil)
    }

    /// Solves the cell problem from the cell totals of the row weights; throws on non-convergence unless allowed.
    static func solve(_ r: ResolvedTargets, cellBase: [Double], options: WeightingOptions, what: String) throws(BarometerError) -> CellSolution {
        let p = problem(r, cellBase: cellBase)
        for (m, margin) in r.margins.enumerated() {
            let t = p.marginTotal(m, cellBase)
            for (k, x) in t.enumerated() where !(x > 0) {
                throw .invalidTarget(margin: margin.name, category: margin.labels[k], line: nil,
                                     reason: "a target category with no respondents of positive weight\(what)")
            }
        }
        let s: CellSolution
        switch options.method {
        case .rake: s = CellSolver.rake(p, epsilon: options.epsilon, maxIterations: options.iterationLimit)
        case .poststrat: s = CellSolver.postStratify(p)
        case .linear, .raking, .logit:
            let kind: CalibrationDistance.Kind = options.method == .linear ? .linear : options.method == .raking ? .raking : .logit
            let b = options.bounds ?? (-.infinity, .infinity)
            s = try CellSolver.calibrate(p, distance: CalibrationDistance(kind: kind, lower: b.lower, upper: b.upper),
                                         epsilon: options.epsilon, maxIterations: options.iterationLimit)
        }
        if !s.converged && !options.allowNonConvergence {
            throw .noConvergence(nonConvergenceMessage(r, p, s, options, what))
        }
        return s
    }

    static func nonConvergenceMessage(_ r: ResolvedTargets, _ p: CellProblem, _ s: CellSolution,
                                      _ options: WeightingOptions, _ what: String) -> String {
        let w = zip(p.base, s.g).map(*)
        let achieved = p.marginTotals(w)
        var worst = (margin: 0, category: 0, deviation: -1.0)
        for m in r.margins.indices {
            for k in r.margins[m].totals.indices {
                let dev = abs(achieved[m][k] - p.totals[m][k]) / p.populationTotal
                if !(dev <= worst.deviation) { worst = (m, k, dev.isNaN ? .infinity : dev) }
            }
        }
        let m = r.margins[worst.margin], k = worst.category
        let share = { (x: Double) in NumberFormat.fixed(100 * x / p.populationTotal, 4) + "%" }
        return "\(options.method.rawValue)\(what) did not meet the targets within ε = \(options.epsilon) after \(s.iterations) iteration(s) (limit \(options.iterationLimit)); "
            + "worst margin '\(m.name)', category '\(m.labels[k])': achieved \(share(achieved[worst.margin][k])) vs target \(share(m.totals[k])) "
            + "(deviation \(worst.deviation) on shares). The targets may be unreachable (e.g. bounds too tight, or margins that contradict each other); "
            + "raise the iteration limit, or allow a result flagged as not converged"
    }

    static func problem(_ r: ResolvedTargets, cellBase: [Double]) -> CellProblem {
        CellProblem(base: cellBase, category: r.cellCategory, totals: r.margins.map(\.totals), populationTotal: r.populationTotal)
    }

    static func cellTotals(_ w: [Double], _ cell: [Int32], _ count: Int) -> [Double] {
        var t = [Double](repeating: 0, count: count)
        t.withUnsafeMutableBufferPointer { t in
            w.withUnsafeBufferPointer { w in
                cell.withUnsafeBufferPointer { cell in
                    for i in 0..<w.count { t[Int(cell[i])] += w[i] }
                }
            }
        }
        return t
    }

    static func rowWeights(_ base: [Double], _ g: [Double], _ cell: [Int32]) -> [Double] {
        let n = base.count
        return [Double](unsafeUninitializedCapacity: n) { out, initialized in
            base.withUnsafeBufferPointer { d in
                g.withUnsafeBufferPointer { g in
                    cell.withUnsafeBufferPointer { cell in
                        for i in 0..<n { out[i] = d[i] * g[Int(cell[i])] }
                    }
                }
            }
            initialized = n
        }
    }

    /// What one pass over the rows learns about the base weights `d` and the new weights `w`,
    /// summed in row order: both weights' summaries, the new weights' cell totals and the
    /// range of g = w/d over the respondents with d > 0.
    struct RowPass {
        /// The new weights.
        var weights: [Double]
        /// Sums of the base and the new weights.
        var before: WeightingReport.SummaryAccumulator, after: WeightingReport.SummaryAccumulator
        /// Σ new weights per cell.
        var cellAfter: [Double]
        /// Range of g = w/d over the rows with d > 0 (±∞ when there are none).
        var gMin: Double, gMax: Double

        /// The new weights as ``Weights``: valid (finite, ≥ 0) ones take the pass's sums; an
        /// invalid one is found and named by ``Weights/init(validating:name:)``.
        func validatedWeights(name: String) throws(BarometerError) -> Weights {
            guard after.lo >= 0, after.s.isFinite, after.s2.isFinite else { return try Weights(validating: weights, name: name) }
            return Weights(checked: weights, name: name, zeroCount: after.zeros, sum: after.s, sumOfSquares: after.s2)
        }
    }

    /// The pass that writes the new weights `wᵢ = dᵢ·g_{c(i)}` (every row of a cell gets its
    /// cell's factor) and sums them as it goes; g's range is read off the cells with base
    /// total `cellBase` > 0 (exactly the cells with a row of d > 0).
    static func rowPass(base d: [Double], cell: [Int32], cellCount: Int, g: [Double], cellBase: [Double]) -> RowPass {
        var gl = Double.infinity, gh = -Double.infinity
        for c in 0..<cellCount where cellBase[c] > 0 { gl = min(gl, g[c]); gh = max(gh, g[c]) }
        var before = WeightingReport.SummaryAccumulator(), after = WeightingReport.SummaryAccumulator()
        var cellAfter = [Double](repeating: 0, count: cellCount)
        let n = d.count
        let w = [Double](unsafeUninitializedCapacity: n) { out, initialized in
            d.withUnsafeBufferPointer { d in
                g.withUnsafeBufferPointer { g in
                    cell.withUnsafeBufferPointer { cell in
                        cellAfter.withUnsafeMutableBufferPointer { ca in
                            for i in 0..<n {
                                let c = Int(cell[i]), x = d[i], y = x * g[c]
                                out.initializeElement(at: i, to: y)
                                ca[c] += y
                                before.add(x); after.add(y)
                            }
                        }
                    }
                }
            }
            initialized = n
        }
        return RowPass(weights: w, before: before, after: after, cellAfter: cellAfter, gMin: gl, gMax: gh)
    }

    /// The same pass over given new weights `w` (after trimming): g = wᵢ/dᵢ row by row.
    static func rowPass(base d: [Double], cell: [Int32], cellCount: Int, weights w: [Double]) -> RowPass {
        var gl = Double.infinity, gh = -Double.infinity
        var before = WeightingReport.SummaryAccumulator(), after = WeightingReport.SummaryAccumulator()
        var cellAfter = [Double](repeating: 0, count: cellCount)
        d.withUnsafeBufferPointer { d in
            w.withUnsafeBufferPointer { w in
                cell.withUnsafeBufferPointer { cell in
                    cellAfter.withUnsafeMutableBufferPointer { ca in
                        for i in 0..<d.count {
                            let x = d[i], y = w[i]
                            ca[Int(cell[i])] += y
                            before.add(x); after.add(y)
                            if x > 0 { let g = y / x; gl = min(gl, g); gh = max(gh, g) }
                        }
                    }
                }
            }
        }
        return RowPass(weights: w, before: before, after: after, cellAfter: cellAfter, gMin: gl, gMax: gh)
    }

    /// The bounds a trimming rule puts on weights `w`.
    static func trimBounds(_ w: [Double], _ t: WeightTrimming) -> (Double, Double) {
        var hi = t.upper ?? .infinity
        if let c = t.capRatio, !w.isEmpty { hi = min(hi, c * w.reduce(0, +) / Double(w.count)) }
        return (t.lower ?? -.infinity, hi)
    }

    /// R `trimWeights`: weights outside [lower, upper] are set to the bound and
    /// the total trimmed is shared equally among the others (`strict`:
    /// repeated until none is outside). Returns the weights and how many were trimmed.
    static func trim(_ w: [Double], _ t: WeightTrimming) throws(BarometerError) -> ([Double], Int) {
        var out = w
        let (lo, hi) = trimBounds(w, t)
        var trimmed = Set<Int>()
        for round in 0..<10_000 {
            let outside = out.indices.filter { out[$0] < lo || out[$0] > hi }
            if outside.isEmpty { return (out, trimmed.count) }
            let insideCount = out.count - outside.count
            guard insideCount > 0 else {
                throw .invalidArgument("trimming to [\(lo), \(hi)] leaves no weight inside the bounds to take the excess")
            }
            var excess = 0.0
            for i in outside { let v = min(max(out[i], lo), hi); excess += out[i] - v; out[i] = v; trimmed.insert(i) }
            let isOut = Set(outside)
            let share = excess / Double(insideCount)
            for i in out.indices where !isOut.contains(i) { out[i] += share }
            if !t.strict { return (out, trimmed.count) }
            if round == 9_999 { break }
        }
        throw .noConvergence("strict trimming to [\(lo), \(hi)] did not settle in 10000 rounds (the bounds may be infeasible for this weight total)")
    }
}

extension SurveyDesign {
    /// A design with the same data and new parts (weighting).
    init(data: Dataset, weights: Weights, sampling: SamplingStructure, replicates: ReplicateWeights?) {
        self.data = data
        self.weights = weights
        self.sampling = sampling
        self.replicates = replicates
    }
}

extension ReplicateWeights {
    /// The same replicate design with new replicate weights (re-calibrated replicates).
    init(replacing r: ReplicateWeights, columns: [[Double]]) {
        self.columns = columns
        self.rowCount = r.rowCount
        self.names = r.names
        self.method = r.method
        self.scale = r.scale
        self.rscales = r.rscales
        self.mse = r.mse
        self.degreesOfFreedom = r.degreesOfFreedom
        self.hasPopulationSize = r.hasPopulationSize
    }
}
