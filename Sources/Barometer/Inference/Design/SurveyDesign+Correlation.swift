#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SurveyDesign {
    /// Design-based Pearson correlation of `x` and `y`, or their partial
    /// correlation given `controlling`, with a design-based standard error
    /// (beyond R `survey`, which has none for correlations).
    ///
    /// Rows: in `domain` and valid on every variable (listwise; user- and
    /// system-missing excluded; rows stay in the design). With `c` the
    /// variables centred at their weighted means, `Σ_ab = Σw c_a c_b / Σw`
    /// (ratios of totals), `P = Σ⁻¹` over {x, y} ∪ Z and
    /// `ρ = −P_xy / √(P_xx P_yy)` (the plain correlation when Z is empty).
    /// - Linearization: `V(Σ̂)` from ``RatioOfTotals`` under the design, and
    ///   the delta method with the exact gradient
    ///   `∂ρ/∂Σ_ab = −∂P_xy/k − ρ(∂P_xx/2P_xx + ∂P_yy/2P_yy)`,
    ///   `∂P_ij/∂Σ_ab = −(P_ia P_bj + P_ib P_aj)` (a ≠ b; one term for a = b),
    ///   `k = √(P_xx P_yy)`. Centring at the estimated means costs nothing:
    ///   the derivative with respect to the means vanishes at the centre.
    /// - Replicates: ρ is recomputed from each replicate's weighted moments
    ///   and combined with the method's scale factors.
    ///
    /// The CI is Fisher's z with the design's degrees of freedom:
    /// `tanh(atanh ρ ± t_{df} · SE/(1 − ρ²))`, so it stays inside [−1, 1].
    /// - Throws: ``BarometerError/constantVariable(_:)``,
    ///   ``BarometerError/singularMatrix(variables:conditionNumber:)`` when a
    ///   control is collinear with the others or equal to x or y,
    ///   ``BarometerError/insufficientData(_:)`` with fewer than |Z| + 3 rows.
    public func correlation(_ x: String, _ y: String, controlling z: [String] = [], domain: Domain? = nil,
                            level: Double = 0.95) throws(BarometerError) -> DesignEstimate {
        guard level > 0, level < 1 else { throw .invalidArgument("confidence level \(level) outside (0, 1)") }
        let m = try correlationMoments(x, y, controlling: z, domain: domain)
        let result = try RatioOfTotals(numerators: m.columns, denominators: m.indicator).evaluate(self)
        let (rho, g) = try m.rhoAndGradient { result.estimates[$0] }
        var variance: Double
        if let theta = result.replicateEstimates, let reps = replicates {
            var rr = Matrix(rows: theta.rows, columns: 1)
            for r in 0..<theta.rows { rr[r, 0] = try m.rhoAndGradient { theta[r, $0] }.rho }
            variance = try reps.covariance(replicates: rr, full: [rho])[0, 0]
        } else {
            let v = result.covariance
            variance = 0
            for i in 0..<g.count where g[i] != 0 { for j in 0..<g.count where g[j] != 0 { variance += g[i] * v[i, j] * g[j] } }
        }
        let n = rowCount, w = weights.values, ind = m.indicator, sw = m.weightedCount
        let se = max(variance, 0).squareRoot()
        let df = degreesOfFreedom(in: domain)
        let t = StudentT(degreesOfFreedom: Double(max(df, 1))).quantile(0.5 + level / 2)
        let zc = atanh(rho), half = t * se / (1 - rho * rho)
        var count = 0
        for i in 0..<n where ind[i, 0] != 0 && w[i] != 0 { count += 1 }
        let label = z.isEmpty ? "corr(\(x), \(y))" : "pcorr(\(x), \(y) | \(z.joined(separator: ", ")))"
        return DesignEstimate(name: label, estimate: rho, standardError: se, lower: tanh(zc - half), upper: tanh(zc + half),
                              level: level, degreesOfFreedom: df, designEffect: nil, designEffectReplace: nil,
                              count: count, weightedCount: sw)
    }

    /// ρ_{01·rest} = −P₀₁/√(P₀₀P₁₁) with P = Σ⁻¹ by Cholesky; a singular Σ
    /// names the variable at which the factorization failed.
    static func partialFromCovariance(_ sigma: Matrix, names: [String]) throws(BarometerError) -> (rho: Double, precision: Matrix) {
        // Work on the correlation scale so the singularity test is scale-free.
        let s = sigma.rows
        var scaled = sigma
        for a in 0..<s { for b in 0..<s { scaled[a, b] = sigma[a, b] / (sigma[a, a] * sigma[b, b]).squareRoot() } }
        let pr: Matrix
        do { pr = try LinearAlgebra.inverseSPD(scaled) }
        catch .notPositiveDefinite(let k) {
            throw .singularMatrix(variables: Array(names.prefix(k)), conditionNumber: try? LinearAlgebra.conditionNumber(scaled))
        } catch { throw .linearAlgebra(error) }
        var p = pr
        for a in 0..<s { for b in 0..<s { p[a, b] = pr[a, b] / (sigma[a, a] * sigma[b, b]).squareRoot() } }
        let rho = -p[0, 1] / (p[0, 0] * p[1, 1]).squareRoot()
        return (min(max(rho, -1), 1), p)
    }
}

extension SurveyDesign {
    /// Design-based correlations of every pair of `variables` (i < j), each
    /// given `controlling` (or, with `givenOthers`, each pair given all the
    /// other variables of the list), with SEs and Fisher-z CIs as
    /// ``correlation(_:_:controlling:domain:level:)``. Each pair uses its own
    /// complete rows (pairwise over the pair and its controls).
    public func correlations(_ variables: [String], controlling: [String] = [], givenOthers: Bool = false,
                             domain: Domain? = nil, level: Double = 0.95) throws(BarometerError) -> DesignEstimates {
        guard variables.count >= 2 else { throw .invalidArgument("design-based correlations need at least two variables") }
        var out: [DesignEstimate] = []
        for i in 0..<variables.count {
            for j in (i + 1)..<variables.count {
                let z = givenOthers ? variables.enumerated().filter { $0.offset != i && $0.offset != j }.map(\.element) : controlling
                out.append(try correlation(variables[i], variables[j], controlling: z, domain: domain, level: level))
            }
        }
        let kind = controlling.isEmpty && !givenOthers ? "correlation" : "partial correlation"
        return DesignEstimates(kind: kind, estimates: out, variance: varianceDescription,
                               base: (domain?.description ?? "all respondents")
                                + "; complete rows of each pair and its controls (Don't know, Refused and system-missing excluded)",
                               weight: weights.name)
    }
}
