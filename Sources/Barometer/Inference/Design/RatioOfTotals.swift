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
public struct RatioOfTotals: Sendable {
    /// n × k numerators (yᵢ·dᵢ).
    public let numerators: Matrix
    /// n × k denominators (xᵢ·dᵢ), nil for totals.
    public let denominators: Matrix?

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
        self.numerators = numerators
        self.denominators = denominators
    }

    /// Evaluates the estimates and their covariance under `design`
    /// (linearization or replicates, whichever the design carries).
    /// - Throws: ``BarometerError/emptyDomain(_:)`` for a zero denominator,
    ///   and the design's variance errors (e.g. a lonely PSU under `fail`).
    public func evaluate(_ design: SurveyDesign) throws(BarometerError) -> Result {
        guard numerators.rows == design.rowCount else {
            throw .lengthMismatch(variable: "estimating columns", expected: design.rowCount, actual: numerators.rows)
        }
        return try evaluate(weights: design.weights, sampling: design.sampling, replicates: design.replicates)
    }

    /// The same from the design's parts (for callers that hold weights but no dataset).
    func evaluate(weights: Weights, sampling: SamplingStructure, replicates: ReplicateWeights?) throws(BarometerError) -> Result {
        guard numerators.rows == weights.count else {
            throw .lengthMismatch(variable: "estimating columns", expected: weights.count, actual: numerators.rows)
        }
        let n = numerators.rows, k = numerators.columns
        let w = weights.values
        var ty = [Double](repeating: 0, count: k), tx = [Double](repeating: 0, count: k)
        for j in 0..<k {
            for i in 0..<n {
                ty[j] += w[i] * numerators[i, j]
                if let d = denominators { tx[j] += w[i] * d[i, d.columns == 1 ? 0 : j] }
            }
        }
        if denominators != nil {
            for j in 0..<k where tx[j] == 0 {
                throw .emptyDomain("the denominator of estimate \(j + 1) has zero weighted total")
            }
        }
        let est = denominators == nil ? ty : zip(ty, tx).map { $0 / $1 }
        if let reps = replicates {
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
    }
}
