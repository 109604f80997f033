import Barometer
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Recomputes `regression` claims with the design-based GLM — no second
/// implementation: `SurveyDesign/glm(_:options:domain:)` (R `svyglm`) fits
/// the claim's ``ClaimComputation/formula`` with its family and link
/// (default gaussian, canonical link; binomial families count the response
/// ``ClaimComputation/codes`` as success) within the claim's domain, and the
/// estimate is the coefficient ``ClaimComputation/coefficient``:
/// - value β̂ (log-odds for logit links, probit index for probit, log rate
///   for Poisson), with the design-based (sandwich) SE;
/// - 95% CI `β̂ ± t_{df, 0.975}·SE` on svyglm's residual df (design df of the
///   rows used + 1 − p), as R `confint.svyglm`; p from t on the same df.
/// Rows: listwise complete on the model's variables (Don't know, Refused,
/// system-missing excluded), kept in the design with zero influence.
public struct RegressionClaimEngine: ClaimEngine {
    /// The engine of `regression` claims (it holds no state).
    public init() {}

    /// Every base string of this engine starts with it (the report uses it to
    /// recognise regression estimates).
    public static let basePrefix = "design-based GLM"

    public var name: String { "regression coefficients (SurveyDesign.glm, R svyglm)" }

    public var kinds: Set<ClaimComputation.Kind> { [.regression] }

    /// - Throws: `BarometerError/invalidArgument(_:)` for an incomplete
    ///   computation or a coefficient the fitted model does not have; the
    ///   GLM's errors (formula, rank deficiency, separation, convergence,
    ///   unknown variables).
    public func estimate(_ computation: ClaimComputation, in design: SurveyDesign) throws(BarometerError) -> ClaimEstimate {
        guard computation.kind == .regression, let text = computation.formula, let name = computation.coefficient else {
            throw .invalidArgument("a regression claim needs a formula and a coefficient")
        }
        let family = computation.family ?? .gaussian
        let domain = try computation.domain?.domain(in: design)
        let fit = try design.glm(try ModelFormula(parsing: text),
                                 options: GLMOptions(family: family, link: computation.link,
                                                     successCodes: computation.codes.map(Set.init), level: 0.95),
                                 domain: domain)
        guard let c = fit.coefficient(name) else {
            throw .invalidArgument("the model \(fit.formula) has no coefficient '\(name)' (it has \(fit.coefficients.map(\.name).joined(separator: ", ")))")
        }
        var ci: FigureInterval?
        if let lo = c.lower, let hi = c.upper { ci = FigureInterval(lower: lo, upper: hi) }
        let success = fit.successCodes.map { " (success: response in {\($0.map(Variable.formatCode).joined(separator: ","))})" } ?? ""
        let odds = c.oddsRatio.map { ", odds ratio \(NumberFormat.fixed($0, 3))" + (c.oddsRatioLower.flatMap { lo in c.oddsRatioUpper.map { " (\(NumberFormat.fixed(lo, 3)) to \(NumberFormat.fixed($0, 3)))" } } ?? "") } ?? ""
        let base = "\(Self.basePrefix) (R svyglm), \(family.rawValue)/\(fit.link.rawValue): \(fit.formula)\(success); "
            + "coefficient \(name)\(c.levelLabel.map { " [\($0)]" } ?? "")\(odds); t = \(NumberFormat.fixed(c.t, 2)) on \(fit.degreesOfFreedom) df; "
            + "\(fit.base); design-based (sandwich) SE, CI β ± t·SE"
        return ClaimEstimate(value: c.estimate, standardError: c.standardError, confidenceInterval: ci, count: fit.rowsUsed,
                             weightedBase: fit.weightedRowsUsed, base: base, pValue: c.p, degreesOfFreedom: fit.degreesOfFreedom)
    }
}
