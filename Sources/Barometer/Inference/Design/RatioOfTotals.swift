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
struct RatioOfTotals {
    /// n × k numerators (yᵢ·dᵢ).
    let numerators: Matrix
    /// n × k denominators (xᵢ·dᵢ), nil for totals.
    let denominators: Matrix?

    struct Result {
        let estimates: [Double]
        let covariance: Matrix
    }

    func evaluate(_ design: SurveyDesign) throws(BarometerError) -> Result {
        let n = numerators.rows, k = numerators.columns
        let w = design.weights.values
        var ty = [Double](repeating: 0, count: k), tx = [Double](repeating: 0, count: k)
        for j in 0..<k {
            for i in 0..<n {
                ty[j] += w[i] * numerators[i, j]
                if let d = denominators { tx[j] += w[i] * d[i, j] }
            }
        }
        if denominators != nil {
            for j in 0..<k where tx[j] == 0 {
                throw .emptyDomain("the denominator of estimate \(j + 1) has zero weighted total")
            }
        }
        let est = denominators == nil ? ty : zip(ty, tx).map { $0 / $1 }
        if let reps = design.replicates {
            let ry = try reps.replicateTotals(numerators)
            var theta = ry
            if let d = denominators {
                let rx = try reps.replicateTotals(d)
                for j in 0..<k { for r in 0..<theta.rows {
                    theta[r, j] = rx[r, j] != 0 ? ry[r, j] / rx[r, j] : .nan
                } }
                for v in theta.storage where v.isNaN {
                    throw .emptyDomain("a replicate has zero weighted total in a denominator")
                }
            }
            return Result(estimates: est, covariance: try reps.covariance(replicates: theta, full: est))
        }
        var z = Matrix(rows: n, columns: k)
        for j in 0..<k {
            for i in 0..<n {
                if let d = denominators {
                    z[i, j] = w[i] * (numerators[i, j] - est[j] * d[i, j]) / tx[j]
                } else {
                    z[i, j] = w[i] * numerators[i, j]
                }
            }
        }
        return Result(estimates: est, covariance: try design.sampling.linearizationCovariance(z))
    }
}
