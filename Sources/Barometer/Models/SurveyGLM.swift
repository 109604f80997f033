#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Options of a design-based GLM (``SurveyDesign/glm(_:options:domain:)``).
public struct GLMOptions: Sendable {
    /// Error distribution (default Gaussian, R's default).
    public var family: GLMFamily
    /// Link (nil: the family's canonical link). Binomial families take
    /// `logit` or `probit`; the others only their canonical link.
    public var link: GLMLink?
    /// For binomial families: the response is 1 when its code is in this set,
    /// else 0 (nil: the response must already lie in [0, 1]).
    public var successCodes: Set<Double>?
    /// Confidence level of the coefficient intervals.
    public var level: Double
    /// IRLS stops when |D_k − D_{k−1}| / (|D_k| + 0.1) falls below this
    /// (R's criterion; R's default 1e-8 is looser).
    public var tolerance: Double
    /// IRLS iteration limit (also for every replicate refit).
    public var maxIterations: Int

    /// - Parameters:
    ///   - family: Error distribution (default Gaussian).
    ///   - link: Link (nil: the family's canonical link).
    ///   - successCodes: For binomial families, the response codes that count as 1 (nil: response already in [0, 1]).
    ///   - level: Confidence level of the coefficient intervals, in (0, 1).
    ///   - tolerance: IRLS convergence threshold on the relative deviance change.
    ///   - maxIterations: IRLS iteration limit.
    public init(family: GLMFamily = .gaussian, link: GLMLink? = nil, successCodes: Set<Double>? = nil,
                level: Double = 0.95, tolerance: Double = 1e-12, maxIterations: Int = 100) {
        self.family = family
        self.link = link
        self.successCodes = successCodes
        self.level = level
        self.tolerance = tolerance
        self.maxIterations = maxIterations
    }
}

extension SurveyDesign {
    /// Design-based generalized linear model, as R `survey::svyglm`.
    ///
    /// Coefficients maximize the design-weighted (pseudo-)likelihood by IRLS,
    /// each step a weighted least-squares problem solved on a Householder QR
    /// (LAPACK `dgeqrf`, `dormqr`, `dtrtrs`). Variances (Binder 1983):
    /// - linearization: influence values `uᵢ = (XᵀWX)⁻¹ xᵢ wᵢ (yᵢ − μᵢ) μ'(ηᵢ)/V(μᵢ)`
    ///   (zero outside the rows used) summed over PSUs by
    ///   ``SamplingStructure/linearizationCovariance(_:)``, exactly R's
    ///   `svy.varcoef`;
    /// - replicate designs: the model is refitted with every replicate's
    ///   weights, starting from the full-sample estimate, and
    ///   ``ReplicateWeights/covariance(replicates:full:)`` combines them, as
    ///   R's `svyglm.svyrep.design`.
    ///
    /// Residual degrees of freedom are R's `degf(design) + 1 − p` (design df
    /// of the rows used, minus the coefficients, plus one); t tests, intervals
    /// `β ± t_{df}·SE` and per-term Wald F tests (R `regTermTest`, F with
    /// (k, df)) use them. Deviances and the AIC are those R's `glm` reports
    /// with the weights rescaled to mean 1 over the design (or domain) rows.
    ///
    /// Rows: in `domain`, with a valid answer on every model variable
    /// (listwise: Don't know, Refused and system-missing excluded); other rows
    /// stay in the design with zero influence, so variances remain right.
    /// - Throws: ``BarometerError/rankDeficient(columns:)`` naming aliased
    ///   columns, ``BarometerError/separation(columns:)`` when fitted
    ///   probabilities reach 0 or 1, ``BarometerError/noConvergence(_:)``,
    ///   and data errors (unknown or string variables, bad response values).
    public func glm(_ formula: ModelFormula, options: GLMOptions = GLMOptions(),
                    domain: Domain? = nil) throws(BarometerError) -> GLMResult {
        let family = options.family
        let link = options.link ?? family.canonicalLink
        guard family.accepts(link) else {
            throw .invalidArgument("the \(family.rawValue) family does not take the \(link.rawValue) link")
        }
        guard options.level > 0, options.level < 1 else {
            throw .invalidArgument("confidence level \(options.level) outside (0, 1)")
        }
        guard options.maxIterations > 0, options.tolerance > 0 else {
            throw .invalidArgument("IRLS needs a positive tolerance and iteration limit")
        }
        let mm = try ModelMatrix(formula: formula, data: data, domain: domain, family: family,
                                 successCodes: options.successCodes)
        let nUsed = mm.rows.count, p = mm.names.count
        let w = mm.rows.map { weights.values[$0] }
        guard w.contains(where: { $0 > 0 }) else { throw .emptyDomain("every row used has weight 0") }
        // Under linearization with PSU totals, the last IRLS pass also sums the scores per PSU.
        var psus: [Int32]? = nil
        if replicates == nil, sampling.acceptsPSUTotals {
            let count = rowCount, clusters = sampling.clusters
            psus = mm.rows.map { $0 < count && $0 < clusters.count ? clusters[$0] : -1 }
        }
        let fit = try GLMFit.irls(columns: mm.columns, y: mm.y, w: w, family: family, link: link, start: nil,
                                  tolerance: options.tolerance, maxIterations: options.maxIterations, names: mm.names,
                                  psus: psus, psuCount: sampling.psuCount)
        // Covariance.
        let beta = fit.beta
        var cov: Matrix
        if let reps = replicates {
            var thetas = Matrix(rows: reps.count, columns: p)
            try LongWork.step("replicate fits", completed: 0, total: reps.count)
            for r in 0..<reps.count {
                let wr = mm.rows.map { reps.columns[r][$0] }
                let fr = try GLMFit.irls(columns: mm.columns, y: mm.y, w: wr, family: family, link: link, start: beta,
                                         tolerance: options.tolerance, maxIterations: options.maxIterations,
                                         names: mm.names, replicate: reps.names[r])
                for j in 0..<p { thetas[r, j] = fr.beta[j] }
                try LongWork.step("replicate fits", completed: r + 1, total: reps.count)
            }
            cov = try reps.covariance(replicates: thetas, full: beta)
        } else {
            // Single-threaded BLAS: the same bits on any number of OpenBLAS threads.
            let structure = sampling, n = rowCount
            cov = try BLASRuntime.withSingleThreadedBLAS { () -> Result<Matrix, BarometerError> in
                do throws(BarometerError) {
                    let ainv = try fit.inverseInformation()
                    if structure.acceptsPSUTotals {
                        return .success(try structure.linearizationCovariance(psuTotals: fit.influence(
                            columns: mm.columns, y: mm.y, w: w, family: family, link: link, ainv: ainv, rows: mm.rows, count: n,
                            clusters: structure.clusters, psuCount: structure.psuCount, psuScores: fit.psuScoreTotals)))
                    }
                    return .success(try structure.linearizationCovariance(fit.influence(
                        columns: mm.columns, y: mm.y, w: w, family: family, link: link, ainv: ainv, rows: mm.rows, count: n,
                        clusters: nil, psuCount: 0)))
                } catch { return .failure(error) }
            }.get()
        }
        // Degrees of freedom: R's degf(design[rows used]) + 1 − p. Every row used with a
        // non-zero weight: every PSU and stratum counts, the design's own df.
        let designDF: Int
        if nUsed == rowCount && !w.contains(0) {
            designDF = degreesOfFreedom(in: nil)
        } else {
            var usedMask = [Bool](repeating: false, count: rowCount)
            for i in mm.rows { usedMask[i] = true }
            designDF = degreesOfFreedom(in: Domain(mask: usedMask, description: "rows used"))
        }
        let df = designDF + 1 - p
        // Tests and intervals.
        let t = df > 0 ? StudentT(degreesOfFreedom: Double(df)) : nil
        let crit = t?.quantile(0.5 + options.level / 2)
        let logit = link == .logit
        var coefficients: [GLMCoefficient] = []
        for j in 0..<p {
            let se = max(cov[j, j], 0).squareRoot()
            let tv = beta[j] / se
            let pv = t.map { $0.twoSidedP(tv) }
            let lo = crit.map { beta[j] - $0 * se }, hi = crit.map { beta[j] + $0 * se }
            coefficients.append(GLMCoefficient(
                name: mm.names[j], term: mm.terms[j], levelLabel: mm.levelLabels[j], estimate: beta[j],
                standardError: se, t: tv, p: pv, lower: lo, upper: hi,
                oddsRatio: logit ? exp(beta[j]) : nil, oddsRatioLower: logit ? lo.map { exp($0) } : nil,
                oddsRatioUpper: logit ? hi.map { exp($0) } : nil))
        }
        var tests: [GLMTermTest] = []
        for (label, cols) in mm.termColumns where !cols.isEmpty {
            let k = cols.count
            let sub = cov.submatrix(rows: cols, columns: cols)
            var stat: Double? = nil, pv: Double? = nil
            if let ch = try? LinearAlgebra.cholesky(sub) {
                let b = try? ch.solve(Matrix(rows: k, columns: 1, columnMajor: cols.map { beta[$0] }))
                if let b {
                    var q = 0.0
                    for (a, c) in cols.enumerated() { q += beta[c] * b[a, 0] }
                    stat = q / Double(k)
                    if df > 0 { pv = FisherF(d1: Double(k), d2: Double(df)).sf(q / Double(k)) }
                }
            }
            tests.append(GLMTermTest(term: label, columns: cols.map { mm.names[$0] }, f: stat,
                                     numeratorDF: k, denominatorDF: df, p: pv))
        }
        // Deviance, null deviance and AIC with weights rescaled to mean 1 (R svyglm's rescale).
        var meanW = 0.0, domainCount = 0
        if let domain {
            for (i, inside) in domain.mask.enumerated() where inside { meanW += weights.values[i]; domainCount += 1 }
        } else {
            for v in weights.values { meanW += v }
            domainCount = rowCount
        }
        meanW /= Double(max(domainCount, 1))
        let ws = w.map { $0 / meanW }
        var deviance = 0.0, nullDeviance = 0.0, sw = 0.0, swy = 0.0
        for k in 0..<nUsed { sw += ws[k]; swy += ws[k] * mm.y[k] }
        let mu0 = formula.intercept ? swy / sw : link.inverse(0)
        // The fit's deviance is its last IRLS pass's (at the estimate, prior weights), rescaled.
        deviance = fit.deviance / meanW
        // The null model's unit deviance depends on y alone (two values for a 0/1 response);
        // w·(2·u) is 2·w·u to the bit. Gaussian: (w·(y − μ₀))·(y − μ₀) as before.
        var lastY = Double.nan, lastUnit = 0.0
        for k in 0..<nUsed {
            let yk = mm.y[k]
            if family == .gaussian { nullDeviance += family.deviance(yk, mu0, ws[k]); continue }
            if yk.bitPattern != lastY.bitPattern { lastY = yk; lastUnit = family.deviance(yk, mu0, 1) }
            nullDeviance += ws[k] * lastUnit
        }
        let aic = Self.glmAIC(family: family, y: mm.y, mu: fit.mu, w: ws, deviance: deviance, rank: p)
        var wsum = 0.0
        for v in w { wsum += v }
        let base = (domain?.description ?? "all respondents")
            + "; listwise: rows with Don't know/Refused (\(mm.excludedUserMissing)) or system-missing (\(mm.excludedSystemMissing)) on a model variable excluded, kept in the design with zero influence"
        var covRows: [[Double]] = []
        for i in 0..<p { covRows.append((0..<p).map { cov[i, $0] }) }
        return GLMResult(formula: formula.description, family: family, link: link, coefficients: coefficients,
                         termTests: tests, degreesOfFreedom: df, level: options.level, deviance: deviance,
                         nullDeviance: nullDeviance, aic: aic, iterations: fit.iterations, rowsUsed: nUsed,
                         weightedRowsUsed: wsum, excludedUserMissing: mm.excludedUserMissing,
                         excludedSystemMissing: mm.excludedSystemMissing, successCodes: options.successCodes?.sorted(),
                         base: base, variance: varianceDescription, weight: weights.name, covariance: covRows)
    }

    /// ``glm(_:options:domain:)`` from formula text.
    /// - Throws: ``BarometerError/invalidFormula(token:column:reason:)`` and the errors of the fit.
    public func glm(_ formula: String, family: GLMFamily = .gaussian, link: GLMLink? = nil,
                    successCodes: Set<Double>? = nil, level: Double = 0.95,
                    domain: Domain? = nil) throws(BarometerError) -> GLMResult {
        try glm(try ModelFormula(parsing: formula),
                options: GLMOptions(family: family, link: link, successCodes: successCodes, level: level), domain: domain)
    }

    /// R `glm`'s AIC (`family$aic` + 2·rank) with the rescaled weights; nil
    /// for quasi families (R: NA) or when undefined (a zero weight under Gaussian).
    static func glmAIC(family: GLMFamily, y: [Double], mu: [Double], w: [Double], deviance: Double, rank: Int) -> Double? {
        let n = y.count
        switch family {
        case .gaussian:
            var slw = 0.0
            for v in w { guard v > 0 else { return nil }; slw += log(v) }
            let nobs = Double(n)
            return nobs * (log(2 * Double.pi * deviance / nobs) + 1) + 2 - slw + 2 * Double(rank)
        case .binomial:
            var s = 0.0
            for k in 0..<n where w[k] > 0 {
                let m = w[k].rounded(.toNearestOrEven), x = (w[k] * y[k]).rounded(.toNearestOrEven)
                if m == 0 { continue }
                let p = mu[k]
                // log C(m, x) is exactly 0 at x = 0 and x = m (lgamma(1) = 0): no lgamma there.
                var ld = x == 0 || x == m ? 0 : lgamma(m + 1) - lgamma(x + 1) - lgamma(m - x + 1)
                ld += x > 0 ? x * log(p) : 0
                ld += m - x > 0 ? (m - x) * log(1 - p) : 0
                s += ld
            }
            return -2 * s + 2 * Double(rank)
        case .poisson:
            var s = 0.0
            for k in 0..<n {
                guard y[k] == y[k].rounded() else { return nil }
                let ld = y[k] > 0 ? y[k] * log(mu[k]) - mu[k] - lgamma(y[k] + 1) : -mu[k]
                s += w[k] * ld
            }
            return -2 * s + 2 * Double(rank)
        case .quasibinomial, .quasipoisson:
            return nil
        }
    }
}
