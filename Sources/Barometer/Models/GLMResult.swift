/// One coefficient of a design-based GLM.
public struct GLMCoefficient: Sendable, Codable, Equatable {
    /// R's column name, e.g. `(Intercept)`, `enroll`, `factor(stype)2`, `enroll:factor(stype)2`.
    public let name: String
    /// The term the column belongs to (`(Intercept)` for the intercept).
    public let term: String
    /// Value labels of the factor levels the column stands for (nil: none).
    public let levelLabel: String?
    /// β̂.
    public let estimate: Double
    /// Design-based standard error.
    public let standardError: Double
    /// t = β̂ / SE.
    public let t: Double
    /// Two-sided p-value from t with the model's residual df (nil when df ≤ 0).
    public let p: Double?
    /// Interval β̂ ± t_{df, 1−α/2}·SE (R `confint.svyglm`, Wald).
    public let lower: Double?
    /// Upper end of that interval (nil with the SE).
    public let upper: Double?
    /// exp(β̂) and its interval, for logit links.
    public let oddsRatio: Double?
    /// exp of the interval's lower end (logit links only).
    public let oddsRatioLower: Double?
    /// exp of the interval's upper end (logit links only).
    public let oddsRatioUpper: Double?
}

/// Wald test that every coefficient of one term is zero: R `regTermTest`'s
/// default, `F = β̂ₛᵀ V̂ₛ⁻¹ β̂ₛ / k` on (k, df) degrees of freedom.
public struct GLMTermTest: Sendable, Codable, Equatable {
    /// Term label, e.g. `factor(stype)`.
    public let term: String
    /// Its columns.
    public let columns: [String]
    /// F statistic (nil when the term's covariance block is singular).
    public let f: Double?
    /// k.
    public let numeratorDF: Int
    /// The model's residual df.
    public let denominatorDF: Int
    /// Upper-tail F probability.
    public let p: Double?
}

/// A design-based generalized linear model (R `svyglm`): coefficients with
/// design-based SEs, tests and intervals, term tests, deviances, the rows used.
public struct GLMResult: Sendable, Codable, Equatable, TableRepresentable {
    /// The formula as fitted (terms in R's order).
    public let formula: String
    /// Error distribution of the model.
    public let family: GLMFamily
    /// Link function g with g(μ) = xᵀβ (the family's canonical link unless one was given).
    public let link: GLMLink
    /// One coefficient per model-matrix column, intercept first (R's order).
    public let coefficients: [GLMCoefficient]
    /// One Wald F test per term.
    public let termTests: [GLMTermTest]
    /// Residual df: design df of the rows used + 1 − number of coefficients (R `svyglm`).
    public let degreesOfFreedom: Int
    /// Confidence level of the intervals.
    public let level: Double
    /// Residual deviance with the weights rescaled to mean 1 (R's `deviance()` of the svyglm).
    public let deviance: Double
    /// Null deviance (intercept-only fit) on the same scale.
    public let nullDeviance: Double
    /// R's `glm` AIC on the same scale (nil for quasi families); not a design-based AIC.
    public let aic: Double?
    /// IRLS iterations of the full-sample fit.
    public let iterations: Int
    /// Rows that entered the fit (listwise complete, in the domain).
    public let rowsUsed: Int
    /// Σw over them.
    public let weightedRowsUsed: Double
    /// Rows excluded for Don't know/Refused (user-missing) on a model variable.
    public let excludedUserMissing: Int
    /// Rows excluded for system-missing values (and no user-missing one).
    public let excludedSystemMissing: Int
    /// Response codes counted as success (binomial families), when given.
    public let successCodes: [Double]?
    /// The base: domain and deletion rule.
    public let base: String
    /// How variances were computed.
    public let variance: String
    /// Weight variable (nil: unweighted).
    public let weight: String?
    /// Design covariance of the coefficients (row-major).
    public let covariance: [[Double]]

    /// The coefficient called `name`.
    public func coefficient(_ name: String) -> GLMCoefficient? { coefficients.first { $0.name == name } }

    public var textTable: TextTable {
        let logit = link == .logit
        let pct = NumberFormat.fixed(level * 100, 0)
        var headers = ["Coefficient", "Level", "Estimate", "SE", "t", "p", "\(pct)% CI low", "\(pct)% CI high"]
        if logit { headers += ["Odds ratio", "OR low", "OR high"] }
        let rows = coefficients.map { c -> [String] in
            var r = [c.name, c.levelLabel ?? "", NumberFormat.fixed(c.estimate, 4), NumberFormat.fixed(c.standardError, 4),
                     NumberFormat.fixed(c.t, 3), NumberFormat.fixed(c.p, 4), NumberFormat.fixed(c.lower, 4),
                     NumberFormat.fixed(c.upper, 4)]
            if logit { r += [NumberFormat.fixed(c.oddsRatio, 4), NumberFormat.fixed(c.oddsRatioLower, 4), NumberFormat.fixed(c.oddsRatioUpper, 4)] }
            return r
        }
        var notes = ["Model: \(formula); family \(family.rawValue), link \(link.rawValue)"
                        + (successCodes.map { "; success = response in {\($0.map(Variable.formatCode).joined(separator: ","))}" } ?? "") + ".",
                     "Base: \(base).",
                     "Rows used: \(rowsUsed) (weighted \(NumberFormat.fixed(weightedRowsUsed, 2))). Weight: \(weight ?? "none (unweighted)").",
                     "Variance: \(variance). Residual df \(degreesOfFreedom) (design df + 1 − \(coefficients.count) coefficients, R svyglm).",
                     "Deviance \(NumberFormat.fixed(deviance, 4)), null deviance \(NumberFormat.fixed(nullDeviance, 4))"
                        + (aic.map { ", AIC \(NumberFormat.fixed($0, 4))" } ?? "") + " (weights rescaled to mean 1, as R svyglm; AIC is glm's, not design-based)."]
        for t in termTests where t.columns.count > 1 || t.term.contains(":") {
            notes.append("Wald test of \(t.term): F = \(NumberFormat.fixed(t.f, 4)) on \(t.numeratorDF) and \(t.denominatorDF) df, p = \(NumberFormat.fixed(t.p, 4)) (R regTermTest).")
        }
        return TextTable(title: "Design-based GLM (\(family.rawValue), \(link.rawValue) link)", headers: headers,
                         alignments: headers.indices.map { $0 < 2 ? .left : .right }, rows: rows, notes: notes)
    }
}
