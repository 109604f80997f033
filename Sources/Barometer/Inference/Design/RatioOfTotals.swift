/// The single estimation engine behind design-based means, totals, ratios,
/// proportions and their domain versions: each is a weighted total
/// `T_y = Σ wᵢ yᵢ` or a ratio of totals `R = T_y / T_x`, over rows whose
/// values are already multiplied by the domain/valid-answer indicator.
///
/// Variance (Binder 1983; R `survey`):
/// - linearization: influence values `zᵢ = wᵢ yᵢ` for a total and
///   `zᵢ = wᵢ (yᵢ − R xᵢ) / T_x` for a ratio, summed over PSUs by
///   ``SamplingStructure/linearizationCovariance(_:)``;
/// - replicates: every replicate total is one column of `Wᵀ·[Y X]` (a single
///   dgemm), then ``ReplicateWeights/covariance(replicates:full:)``.
///
/// Columns are given dense (n × k matrices) or grouped: one value per row in
/// the column of its domain, for k disjoint domains (R `svyby`), which costs
/// O(n) instead of O(n·k) under linearization (see
/// ``init(numerator:denominator:groups:groupCount:)``).
public struct RatioOfTotals: Sendable {
    /// How the estimating columns are stored.
    private enum Columns: Sendable {
        /// n × k numerators and n × k (or n × 1) denominators.
        case dense(numerators: Matrix, denominators: Matrix?)
        /// One value pair per row, in the column of its group (−1: none).
        case grouped(numerator: [Double], denominator: GroupedDenominator, groups: [Int32], count: Int)
    }
    /// The denominator of the grouped form.
    private enum GroupedDenominator: Sendable {
        /// Totals (no denominator).
        case none
        /// xᵢ = 1: domain means `Σ w y / Σ w` over each group.
        case ones
        /// One xᵢ per row.
        case values([Double])
    }
    private var columns: Columns
    /// Grouped form under linearization: compute only the variances (the
    /// covariance's diagonal; off-diagonal entries are left 0), at cost
    /// O(n + PSUs + Σ_h q_h) instead of O(… + Σ_p g_p²) — for many groups
    /// sharing PSUs when no contrast between groups is asked for.
    public var variancesOnly = false

    /// n × k numerators (yᵢ·dᵢ); built on access for the grouped form.
    public var numerators: Matrix {
        switch columns {
        case .dense(let num, _): return num
        case .grouped(let y, _, let g, let k): return Self.expand(y, g, k)
        }
    }
    /// n × k denominators (xᵢ·dᵢ), nil for totals; built on access for the grouped form.
    public var denominators: Matrix? {
        switch columns {
        case .dense(_, let den): return den
        case .grouped(let y, let x, let g, let k):
            switch x {
            case .none: return nil
            case .ones: return Self.expand([Double](repeating: 1, count: y.count), g, k)
            case .values(let v): return Self.expand(v, g, k)
            }
        }
    }

    /// Estimates of `T_y` (or `T_y/T_x`) per column and their design covariance.
    public struct Result: Sendable {
        /// One estimate per column.
        public let estimates: [Double]
        /// k × k design covariance.
        public let covariance: Matrix
        /// R × k replicate estimates (replicate designs only), for statistics
        /// that are non-linear functions of these estimates.
        public var replicateEstimates: Matrix? = nil
    }

    /// Totals of `numerators` (n × k), or ratios to the totals of
    /// `denominators` when given (n × k, or n × 1 shared by every column).
    /// Rows outside a domain carry zeros.
    public init(numerators: Matrix, denominators: Matrix? = nil) throws(BarometerError) {
        if let d = denominators, d.rows != numerators.rows || (d.columns != numerators.columns && d.columns != 1) {
            throw .invalidArgument("numerators \(numerators.rows)×\(numerators.columns) and denominators \(d.rows)×\(d.columns) differ")
        }
        self.columns = .dense(numerators: numerators, denominators: denominators)
    }

    /// Totals (or ratios) of one variable pair in each of `groupCount`
    /// disjoint domains — R `svyby(~y, ~g, design, svytotal / svyratio)` —
    /// in grouped form: row `i` belongs to domain `groups[i]` (−1: none).
    ///
    /// Identical in meaning to the dense form with columns
    /// `numerators[i, j] = numerator[i]·[groups[i] = j]` and likewise for
    /// `denominator`, and evaluated with the same formulas; only storage and
    /// cost differ: one pass over the rows for the estimates and
    /// `SamplingStructure.linearizationCovariance(values:groups:groupCount:)`
    /// for the variances (replicate designs expand to the dense columns for
    /// their single dgemm).
    /// - Throws: ``BarometerError/lengthMismatch(variable:expected:actual:)``
    ///   for arrays of different lengths, ``BarometerError/invalidArgument(_:)``
    ///   for a group outside `-1..<groupCount`.
    public init(numerator: [Double], denominator: [Double]? = nil, groups: [Int32], groupCount: Int) throws(BarometerError) {
        guard groupCount >= 0 else { throw .invalidArgument("negative group count \(groupCount)") }
        guard groups.count == numerator.count else {
            throw .lengthMismatch(variable: "groups", expected: numerator.count, actual: groups.count)
        }
        if let x = denominator, x.count != numerator.count {
            throw .lengthMismatch(variable: "denominator", expected: numerator.count, actual: x.count)
        }
        for g in groups where g < -1 || Int(g) >= groupCount {
            throw .invalidArgument("group \(g) outside -1..<\(groupCount)")
        }
        self.columns = .grouped(numerator: numerator, denominator: denominator.map { .values($0) } ?? .none,
                                groups: groups, count: groupCount)
    }

    /// Domain means `Σ w y / Σ w` of `numerator` in each of `groupCount`
    /// disjoint domains (R `svyby(~y, ~g, design, svymean)`): the grouped
    /// ratio with every `xᵢ = 1`, without storing the ones.
    /// - Throws: as ``init(numerator:denominator:groups:groupCount:)``.
    public init(meansOf numerator: [Double], groups: [Int32], groupCount: Int) throws(BarometerError) {
        try self.init(numerator: numerator, denominator: nil, groups: groups, groupCount: groupCount)
        self.columns = .grouped(numerator: numerator, denominator: .ones, groups: groups, count: groupCount)
    }

    /// The dense n × k column of a grouped variable.
    private static func expand(_ v: [Double], _ g: [Int32], _ k: Int) -> Matrix {
        var m = Matrix(rows: v.count, columns: k)
        for i in v.indices where g[i] >= 0 { m[i, Int(g[i])] = v[i] }
        return m
    }

    /// Number of estimating rows.
    private var rowCount: Int {
        switch columns {
        case .dense(let num, _): return num.rows
        case .grouped(let y, _, _, _): return y.count
        }
    }

    /// Evaluates the estimates and their covariance under `design`
    /// (linearization or replicates, whichever the design carries).
    /// - Throws: ``BarometerError/emptyDomain(_:)`` for a zero denominator,
    ///   and the design's variance errors (e.g. a lonely PSU under `fail`).
    public func evaluate(_ design: SurveyDesign) throws(BarometerError) -> Result {
        guard rowCount == design.rowCount else {
            throw .lengthMismatch(variable: "estimating columns", expected: design.rowCount, actual: rowCount)
        }
        return try evaluate(weights: design.weights, sampling: design.sampling, replicates: design.replicates)
    }

    /// The same from the design's parts (for callers that hold weights but no dataset).
    func evaluate(weights: Weights, sampling: SamplingStructure, replicates: ReplicateWeights?) throws(BarometerError) -> Result {
        guard rowCount == weights.count else {
            throw .lengthMismatch(variable: "estimating columns", expected: weights.count, actual: rowCount)
        }
        let w = weights.values
        switch columns {
        case .dense(let numerators, let denominators):
            let n = numerators.rows, k = numerators.columns
            var ty = [Double](repeating: 0, count: k), tx = [Double](repeating: 0, count: k)
            for j in 0..<k {
                for i in 0..<n {
                    ty[j] += w[i] * numerators[i, j]
                    if let d = denominators { tx[j] += w[i] * d[i, d.columns == 1 ? 0 : j] }
                }
            }
            let est = try Self.estimates(ty, denominators == nil ? nil : tx)
            if let reps = replicates {
                return try Self.replicateResult(numerators, denominators, est, reps)
            }
            var z = Matrix(rows: n, columns: k)
            for j in 0..<k {
                for i in 0..<n {
                    if let d = denominators {
                        z[i, j] = w[i] * (numerators[i, j] - est[j] * d[i, d.columns == 1 ? 0 : j]) / tx[j]
                    } else {
                        z[i, j] = w[i] * numerators[i, j]
                    }
                }
            }
            return Result(estimates: est, covariance: try sampling.linearizationCovariance(z))
        case .grouped(let y, let x, let g, let k):
            let n = y.count
            var ty = [Double](repeating: 0, count: k), tx = [Double](repeating: 0, count: k)
            w.withUnsafeBufferPointer { w in y.withUnsafeBufferPointer { y in g.withUnsafeBufferPointer { g in
            ty.withUnsafeMutableBufferPointer { ty in tx.withUnsafeMutableBufferPointer { tx in
                switch x {
                case .none:
                    for i in 0..<n where g[i] >= 0 { ty[Int(g[i])] += w[i] * y[i] }
                case .ones:
                    for i in 0..<n where g[i] >= 0 { let j = Int(g[i]); ty[j] += w[i] * y[i]; tx[j] += w[i] }
                case .values(let x):
                    for i in 0..<n where g[i] >= 0 { let j = Int(g[i]); ty[j] += w[i] * y[i]; tx[j] += w[i] * x[i] }
                }
            } } } } }
            let est = try Self.estimates(ty, { if case .none = x { return nil } else { return tx } }())
            if let reps = replicates {
                return try Self.replicateResult(numerators, denominators, est, reps)
            }
            // Influence values zᵢ, evaluated by the kernel as it needs them (no n-vector stored).
            let cov: Matrix = try w.withUnsafeBufferPointer { (w) throws(BarometerError) -> Matrix in
                try y.withUnsafeBufferPointer { (y) throws(BarometerError) -> Matrix in
                    try g.withUnsafeBufferPointer { (gp) throws(BarometerError) -> Matrix in
                        switch x {
                        case .none:
                            return try sampling.linearizationCovariance(groups: g, groupCount: k, diagonalOnly: variancesOnly) { w[$0] * y[$0] }
                        case .ones:
                            return try sampling.linearizationCovariance(groups: g, groupCount: k, diagonalOnly: variancesOnly) { i in
                                let j = Int(gp[i]); return w[i] * (y[i] - est[j]) / tx[j]
                            }
                        case .values(let x):
                            return try sampling.linearizationCovariance(groups: g, groupCount: k, diagonalOnly: variancesOnly) { i in
                                let j = Int(gp[i]); return w[i] * (y[i] - est[j] * x[i]) / tx[j]
                            }
                        }
                    }
                }
            }
            return Result(estimates: est, covariance: cov)
        }
    }

    /// Totals, or ratios when denominator totals are given.
    /// - Throws: ``BarometerError/emptyDomain(_:)`` for a zero denominator total.
    private static func estimates(_ ty: [Double], _ tx: [Double]?) throws(BarometerError) -> [Double] {
        guard let tx else { return ty }
        for j in tx.indices where tx[j] == 0 {
            throw .emptyDomain("the denominator of estimate \(j + 1) has zero weighted total")
        }
        return zip(ty, tx).map { $0 / $1 }
    }

    /// Replicate estimates (one dgemm per matrix) and their covariance.
    private static func replicateResult(_ numerators: Matrix, _ denominators: Matrix?, _ est: [Double],
                                        _ reps: ReplicateWeights) throws(BarometerError) -> Result {
        let k = numerators.columns
        let ry = try reps.replicateTotals(numerators)
        var theta = ry
        if let d = denominators {
            let rx = try reps.replicateTotals(d)
            for j in 0..<k { for r in 0..<theta.rows {
                let x = rx[r, rx.columns == 1 ? 0 : j]
                theta[r, j] = x != 0 ? ry[r, j] / x : .nan
            } }
            for v in theta.storage where v.isNaN {
                throw .emptyDomain("a replicate has zero weighted total in a denominator")
            }
        }
        return Result(estimates: est, covariance: try reps.covariance(replicates: theta, full: est),
                      replicateEstimates: theta)
    }
}
