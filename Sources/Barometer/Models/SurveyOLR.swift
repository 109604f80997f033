#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Link of a proportional-odds (cumulative) model: `P(Y ≤ k) = F(ζ_k − xᵀβ)`.
public enum OrdinalLink: String, Sendable, Codable, CaseIterable {
    /// F logistic (proportional odds; R `method = "logistic"`, the default).
    case logistic
    /// F standard normal (R `method = "probit"`).
    case probit

    func cdf(_ z: Double) -> Double {
        if z == .infinity { return 1 }
        if z == -.infinity { return 0 }
        switch self {
        case .logistic: return 1 / (1 + exp(-z))
        case .probit: return Normal.cdf(z)
        }
    }
    func density(_ z: Double) -> Double {
        if !z.isFinite { return 0 }
        switch self {
        case .logistic: let e = exp(-abs(z)); return e / ((1 + e) * (1 + e))
        case .probit: return Normal.pdf(z)
        }
    }
    /// f′(z).
    func densityDerivative(_ z: Double) -> Double {
        if !z.isFinite { return 0 }
        switch self {
        case .logistic: return density(z) * (1 - 2 * cdf(z))
        case .probit: return -z * Normal.pdf(z)
        }
    }
    func quantile(_ p: Double) -> Double {
        switch self {
        case .logistic: return log(p / (1 - p))
        case .probit: return Normal.quantile(p)
        }
    }
}

/// One threshold ζ_k (cut point between categories k and k+1) of an ordinal model.
public struct OrdinalThreshold: Sendable, Codable, Equatable {
    /// R's name `a|b` from the two response codes.
    public let name: String
    /// Value labels of the two categories, when the codebook has them.
    public let labels: String?
    /// Estimated cut point ζ̂_k on the latent scale.
    public let estimate: Double
    /// Design standard error of ζ̂_k.
    public let standardError: Double
    /// t = ζ̂_k / SE (R reports no p-value for thresholds).
    public let t: Double
}

/// A design-based proportional-odds model (R `svyolr`).
public struct OLRResult: Sendable, Codable, Equatable, TableRepresentable {
    /// The formula as fitted (response ~ predictors).
    public let formula: String
    /// Link F of `P(Y ≤ k) = F(ζ_k − xᵀβ)`.
    public let link: OrdinalLink
    /// Slope coefficients (no intercept: it is absorbed by the thresholds).
    /// `p` uses the t distribution with ``degreesOfFreedom``; intervals β ± t·SE;
    /// `oddsRatio` = exp(β) for the logistic link: the factor on the odds of
    /// answering above any threshold per unit of the predictor.
    public let coefficients: [GLMCoefficient]
    /// The cut points ζ₁ < … < ζ_{K−1}, one between each pair of adjacent response categories.
    public let thresholds: [OrdinalThreshold]
    /// R `svyolr`'s residual df: design df of the rows used − number of slopes.
    public let degreesOfFreedom: Int
    /// Confidence level of the coefficient intervals.
    public let level: Double
    /// 2·(−ℓ) with the weights divided by their mean (R svyolr's deviance).
    public let deviance: Double
    /// Newton iterations of the full-sample fit.
    public let iterations: Int
    /// Rows that entered the fit (listwise complete, in the domain).
    public let rowsUsed: Int
    /// Σw over them.
    public let weightedRowsUsed: Double
    /// Rows excluded for Don't know/Refused (user-missing) on a model variable.
    public let excludedUserMissing: Int
    /// Rows excluded for system-missing values (and no user-missing one).
    public let excludedSystemMissing: Int
    /// The base: domain and deletion rule.
    public let base: String
    /// How variances were computed (linearization or replicates).
    public let variance: String
    /// Weight variable (nil: unweighted).
    public let weight: String?

    public var textTable: TextTable {
        let pct = NumberFormat.fixed(level * 100, 0)
        var rows = coefficients.map { c in
            [c.name, c.levelLabel ?? "", NumberFormat.fixed(c.estimate, 4), NumberFormat.fixed(c.standardError, 4),
             NumberFormat.fixed(c.t, 3), NumberFormat.fixed(c.p, 4), NumberFormat.fixed(c.lower, 4), NumberFormat.fixed(c.upper, 4),
             NumberFormat.fixed(c.oddsRatio, 4)]
        }
        rows += thresholds.map { z in
            [z.name, z.labels ?? "", NumberFormat.fixed(z.estimate, 4), NumberFormat.fixed(z.standardError, 4),
             NumberFormat.fixed(z.t, 3), "", "", "", ""]
        }
        return TextTable(title: "Design-based proportional-odds model (\(link.rawValue))",
                         headers: ["Coefficient", "Level", "Estimate", "SE", "t", "p", "\(pct)% CI low", "\(pct)% CI high", "Odds ratio"],
                         alignments: (0..<9).map { $0 < 2 ? .left : .right }, rows: rows,
                         notes: ["Model: P(\(formula.split(separator: "~").first.map { String($0).filter { $0 != " " } } ?? "y") ≤ k) = F(ζ_k − xβ); thresholds are the rows a|b. Positive β: higher categories more likely.",
                                 "Base: \(base).",
                                 "Rows used: \(rowsUsed) (weighted \(NumberFormat.fixed(weightedRowsUsed, 2))). Weight: \(weight ?? "none (unweighted)").",
                                 "Variance: \(variance). df \(degreesOfFreedom) (design df − \(coefficients.count) slopes, R svyolr). Deviance \(NumberFormat.fixed(deviance, 4))."])
    }
}

extension SurveyDesign {
    /// Design-based proportional-odds (cumulative logit or probit) model, as R
    /// `survey::svyolr`: `P(Y ≤ k) = F(ζ_k − xᵀβ)` for the ordered valid codes of
    /// the response.
    ///
    /// Estimates maximize the weighted log-likelihood by Newton's method with the
    /// analytic Hessian (R uses BFGS and a finite-difference Hessian; both reach the
    /// same maximum). Variances: linearization of the influence values
    /// `uᵢ = H⁻¹ sᵢ` (sᵢ the score of row i in (β, ζ), H the observed information)
    /// through ``SamplingStructure/linearizationCovariance(_:)``, or refits per
    /// replicate combined by ``ReplicateWeights/covariance(replicates:full:)``.
    /// The intercept of the formula is absorbed by the thresholds (R's treatment of
    /// factor contrasts is kept). Rows are chosen as in ``glm(_:options:domain:)``.
    /// - Throws: ``BarometerError/invalidArgument(_:)`` for a response with fewer
    ///   than three categories, ``BarometerError/rankDeficient(columns:)``,
    ///   ``BarometerError/noConvergence(_:)``.
    public func olr(_ formula: ModelFormula, link: OrdinalLink = .logistic, level: Double = 0.95,
                    domain: Domain? = nil) throws(BarometerError) -> OLRResult {
        guard level > 0, level < 1 else { throw .invalidArgument("confidence level \(level) outside (0, 1)") }
        guard formula.intercept else {
            throw .invalidArgument("a proportional-odds model needs the intercept (its thresholds replace it); remove '- 1'")
        }
        let mm = try ModelMatrix(formula: formula, data: data, domain: domain, family: .gaussian, successCodes: nil)
        let response = try variable(formula.response)
        let codes = Array(Set(mm.y)).sorted()
        guard codes.count >= 3 else {
            throw .invalidArgument("response '\(formula.response)' has \(codes.count) categories among the rows used; an ordinal model needs 3 or more")
        }
        let q = codes.count - 1
        var category = [Int](repeating: 0, count: mm.rows.count)
        for k in 0..<mm.rows.count { category[k] = codes.firstIndex(of: mm.y[k]) ?? 0 }
        // Slopes: every column but the intercept; rank check on the full matrix as glm does.
        let w = mm.rows.map { weights.values[$0] }
        let full = mm.x
        try OLRFit.checkRank(full, w: w, names: mm.names)
        let slopeColumns = (0..<mm.names.count).filter { mm.names[$0] != "(Intercept)" }
        let x = full.submatrix(rows: Array(0..<mm.rows.count), columns: slopeColumns)
        let names = slopeColumns.map { mm.names[$0] }
        let pc = names.count, m = pc + q
        let problem = OLRFit(x: x, category: category, q: q, link: link)
        let fit = try problem.maximize(w: w, start: nil)
        var cov: Matrix
        if let reps = replicates {
            var thetas = Matrix(rows: reps.count, columns: m)
            try LongWork.step("replicate fits", completed: 0, total: reps.count)
            for r in 0..<reps.count {
                let wr = mm.rows.map { reps.columns[r][$0] }
                let fr = try problem.maximize(w: wr, start: fit.parameters, replicate: reps.names[r])
                for j in 0..<m { thetas[r, j] = fr.parameters[j] }
                try LongWork.step("replicate fits", completed: r + 1, total: reps.count)
            }
            cov = try reps.covariance(replicates: thetas, full: fit.parameters)
        } else {
            let (scores, information) = problem.scoresAndInformation(fit.parameters, w: w)
            let hinv: Matrix
            do { hinv = try LinearAlgebra.inverseSPD(information) } catch { throw .linearAlgebra(error) }
            let influence: Matrix
            do { influence = try LinearAlgebra.multiply(scores, hinv) } catch { throw .linearAlgebra(error) }
            cov = try sampling.linearizationCovariance(ModelMatrix.scatter(influence, rows: mm.rows, count: rowCount))
        }
        var usedMask = [Bool](repeating: false, count: rowCount)
        for i in mm.rows { usedMask[i] = true }
        let df = degreesOfFreedom(in: Domain(mask: usedMask, description: "rows used")) - pc
        let t = df > 0 ? StudentT(degreesOfFreedom: Double(df)) : nil
        let crit = t?.quantile(0.5 + level / 2)
        var coefficients: [GLMCoefficient] = []
        for j in 0..<pc {
            let b = fit.parameters[j], se = max(cov[j, j], 0).squareRoot()
            let lo = crit.map { b - $0 * se }, hi = crit.map { b + $0 * se }
            let logistic = link == .logistic
            coefficients.append(GLMCoefficient(
                name: names[j], term: mm.terms[slopeColumns[j]], levelLabel: mm.levelLabels[slopeColumns[j]], estimate: b,
                standardError: se, t: b / se, p: t.map { $0.twoSidedP(b / se) }, lower: lo, upper: hi,
                oddsRatio: logistic ? exp(b) : nil, oddsRatioLower: logistic ? lo.map { exp($0) } : nil,
                oddsRatioUpper: logistic ? hi.map { exp($0) } : nil))
        }
        var thresholds: [OrdinalThreshold] = []
        for k in 0..<q {
            let z = fit.parameters[pc + k], se = max(cov[pc + k, pc + k], 0).squareRoot()
            let a = codes[k], b = codes[k + 1]
            let la = response.label(for: a), lb = response.label(for: b)
            thresholds.append(OrdinalThreshold(
                name: "\(Variable.formatCode(a))|\(Variable.formatCode(b))",
                labels: la == nil && lb == nil ? nil : "\(la ?? Variable.formatCode(a)) | \(lb ?? Variable.formatCode(b))",
                estimate: z, standardError: se, t: z / se))
        }
        // R: deviance = 2·(−ℓ)/mean(w) over the rows used (linearization), over the
        // design's rows (replicate designs, whose deviance comes from polr on all rows).
        var meanW = 0.0, wsum = 0.0
        for v in w { wsum += v }
        if replicates != nil {
            let rows = domain.map { $0.mask.enumerated().filter(\.element).map(\.offset) } ?? Array(0..<rowCount)
            for i in rows { meanW += weights.values[i] }
            meanW /= Double(max(rows.count, 1))
        } else {
            meanW = wsum / Double(mm.rows.count)
        }
        let deviance = -2 * problem.logLikelihood(fit.parameters, w: w) / meanW
        let base = (domain?.description ?? "all respondents")
            + "; listwise: rows with Don't know/Refused (\(mm.excludedUserMissing)) or system-missing (\(mm.excludedSystemMissing)) on a model variable excluded, kept in the design with zero influence"
        return OLRResult(formula: formula.description, link: link, coefficients: coefficients, thresholds: thresholds,
                         degreesOfFreedom: df, level: level, deviance: deviance, iterations: fit.iterations,
                         rowsUsed: mm.rows.count, weightedRowsUsed: wsum, excludedUserMissing: mm.excludedUserMissing,
                         excludedSystemMissing: mm.excludedSystemMissing, base: base, variance: varianceDescription,
                         weight: weights.name)
    }

    /// ``olr(_:link:level:domain:)`` from formula text.
    public func olr(_ formula: String, link: OrdinalLink = .logistic, level: Double = 0.95,
                    domain: Domain? = nil) throws(BarometerError) -> OLRResult {
        try olr(try ModelFormula(parsing: formula), link: link, level: level, domain: domain)
    }
}

/// The cumulative-link likelihood on the rows used: parameters (β₁…β_pc, ζ₁…ζ_q).
struct OLRFit: Sendable {
    let x: Matrix
    /// 0-based category of each row.
    let category: [Int]
    let q: Int
    let link: OrdinalLink

    struct Solution { let parameters: [Double]; let iterations: Int }

    static func checkRank(_ x: Matrix, w: [Double], names: [String]) throws(BarometerError) {
        var a = x
        ModelMatrix.scaleRows(x, by: w.map { max($0, 0).squareRoot() }, into: &a)
        let qr: QRFactorization
        do { qr = try LinearAlgebra.qr(a) } catch { throw .linearAlgebra(error) }
        let aliased = ModelMatrix.aliasedColumns(a, qr, names: names)
        if !aliased.isEmpty { throw .rankDeficient(columns: aliased) }
    }

    private func bounds(_ theta: [Double], _ k: Int, _ eta: Double) -> (a: Double, b: Double) {
        let pc = x.columns, c = category[k]
        let a = c < q ? theta[pc + c] - eta : .infinity
        let b = c > 0 ? theta[pc + c - 1] - eta : -.infinity
        return (a, b)
    }

    private func eta(_ theta: [Double], _ k: Int) -> Double {
        var e = 0.0
        for j in 0..<x.columns { e += x[k, j] * theta[j] }
        return e
    }

    func logLikelihood(_ theta: [Double], w: [Double]) -> Double {
        let pc = x.columns
        for k in 1..<max(q, 1) where !(theta[pc + k] > theta[pc + k - 1]) { return -.infinity }
        var l = 0.0
        for k in 0..<x.rows where w[k] != 0 {
            let (a, b) = bounds(theta, k, eta(theta, k))
            let p = link.cdf(a) - link.cdf(b)
            guard p > 0 else { return -.infinity }
            l += w[k] * log(p)
        }
        return l
    }

    /// Per-row scores (n × m) and the observed information −∇²ℓ (m × m).
    func scoresAndInformation(_ theta: [Double], w: [Double]) -> (Matrix, Matrix) {
        let n = x.rows, pc = x.columns, m = pc + q
        var s = Matrix(rows: n, columns: m), h = Matrix(rows: m, columns: m)
        var ga = [Double](repeating: 0, count: m), gb = [Double](repeating: 0, count: m)
        for k in 0..<n where w[k] != 0 {
            let c = category[k]
            let (a, b) = bounds(theta, k, eta(theta, k))
            let p = link.cdf(a) - link.cdf(b)
            let fa = link.density(a), fb = link.density(b)
            let la = fa / p, lb = -fb / p
            let laa = link.densityDerivative(a) / p - la * la
            let lbb = -link.densityDerivative(b) / p - lb * lb
            let lab = -la * lb
            for j in 0..<pc { ga[j] = -x[k, j]; gb[j] = -x[k, j] }
            for j in pc..<m { ga[j] = 0; gb[j] = 0 }
            if c < q { ga[pc + c] = 1 }
            if c > 0 { gb[pc + c - 1] = 1 }
            let hasA = c < q, hasB = c > 0
            for j in 0..<m {
                s[k, j] = w[k] * ((hasA ? la * ga[j] : 0) + (hasB ? lb * gb[j] : 0))
            }
            for i in 0..<m {
                for j in i..<m {
                    var v = 0.0
                    if hasA { v += laa * ga[i] * ga[j] }
                    if hasB { v += lbb * gb[i] * gb[j] }
                    if hasA && hasB { v += lab * (ga[i] * gb[j] + gb[i] * ga[j]) }
                    h[i, j] -= w[k] * v
                }
            }
        }
        h.symmetrizeFromUpper()
        return (s, h)
    }

    /// Newton's method with step halving; starts at β = 0 and thresholds at the
    /// link quantiles of the weighted cumulative proportions (or at `start`).
    func maximize(w: [Double], start: [Double]?, replicate: String? = nil) throws(BarometerError) -> Solution {
        let n = x.rows, pc = x.columns, m = pc + q
        var theta: [Double]
        if let start { theta = start } else {
            theta = [Double](repeating: 0, count: m)
            var byCat = [Double](repeating: 0, count: q + 1), total = 0.0
            for k in 0..<n { byCat[category[k]] += w[k]; total += w[k] }
            var acc = 0.0
            for c in 0..<q {
                acc += byCat[c]
                let p = min(max(acc / total, 1e-6), 1 - 1e-6)
                theta[pc + c] = link.quantile(p) + (c > 0 && link.quantile(p) <= theta[pc + c - 1] ? 1e-3 : 0)
            }
        }
        let suffix = replicate.map { " (replicate \($0))" } ?? ""
        var ll = logLikelihood(theta, w: w)
        guard ll.isFinite else { throw .noConvergence("ordinal model: the start values give a zero likelihood\(suffix)") }
        for iteration in 1...200 {
            let (s, h) = scoresAndInformation(theta, w: w)
            var g = [Double](repeating: 0, count: m)
            for j in 0..<m { for k in 0..<n { g[j] += s[k, j] } }
            let step: [Double]
            do {
                let ch = try LinearAlgebra.cholesky(h)
                step = try ch.solve(try Matrix(rows: m, columns: 1, columnMajor: g)).storage
            } catch {
                throw .noConvergence("ordinal model: the information matrix is not positive definite (a category empty for some predictor pattern?)\(suffix)")
            }
            var t = 1.0, next = theta, nll = -Double.infinity
            for _ in 0..<40 {
                for j in 0..<m { next[j] = theta[j] + t * step[j] }
                nll = logLikelihood(next, w: w)
                if nll.isFinite && nll >= ll - 1e-12 * abs(ll) { break }
                t /= 2
            }
            guard nll.isFinite else { throw .noConvergence("ordinal model: step halving failed\(suffix)") }
            var change = 0.0
            for j in 0..<m { change = max(change, abs(next[j] - theta[j]) / max(abs(next[j]), 1)) }
            theta = next
            let gain = nll - ll
            ll = nll
            if change < 1e-12 || (gain >= 0 && gain < 1e-15 * abs(ll) && change < 1e-8) {
                return Solution(parameters: theta, iterations: iteration)
            }
        }
        throw .noConvergence("ordinal model: Newton's method did not converge in 200 iterations\(suffix)")
    }
}
