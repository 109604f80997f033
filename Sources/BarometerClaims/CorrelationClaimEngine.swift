import Barometer
/// Recomputes `correlation` and `partial-correlation` claims with the
/// correlation engine — no second implementation:
/// - the coefficient from `Correlation/matrix(_:variables:options:)` or
///   `Correlation/partial(_:x:y:controlling:options:)`: weighted
///   (`Σ w (x − x̄_w)(y − ȳ_w)`, as statsmodels `DescrStatsW`), listwise over
///   the two variables and the controls, user-missing codes ("Don't know",
///   "Refused") and system-missing excluded, within the claim's domain;
///   partial `r_xy·Z = S_xy / √(S_xx S_yy)` from the Schur complement;
/// - its 95% CI from `SurveyDesign/correlation(_:_:controlling:domain:level:)`:
///   design-based (linearization) SE and Fisher-z interval with the
///   design's degrees of freedom, for Pearson coefficients. Spearman and
///   polychoric claims get the engine's own interval.
///
/// The claim's `deletion: pairwise` is honoured for plain correlations;
/// partial correlations are listwise by definition.
public struct CorrelationClaimEngine: ClaimEngine {
    /// The engine (stateless).
    public init() {}

    public var name: String { "correlations (Correlation.matrix / Correlation.partial, design-based CI)" }

    public var kinds: Set<ClaimComputation.Kind> { [.correlation, .partialCorrelation] }

    /// - Throws: `BarometerError/invalidArgument(_:)` for an incomplete
    ///   computation; `BarometerError/insufficientData(_:)` when the
    ///   coefficient is undefined; the correlation engine's errors (constant
    ///   variable, singular controls, …).
    public func estimate(_ computation: ClaimComputation, in design: SurveyDesign) throws(BarometerError) -> ClaimEstimate {
        guard kinds.contains(computation.kind), let vars = computation.variables, vars.count == 2 else {
            throw .invalidArgument("the correlation engine needs two variables")
        }
        let controls = computation.kind == .partialCorrelation ? (computation.controls ?? []) : []
        let domain = try computation.domain?.domain(in: design)
        let method: CorrelationMethod
        switch computation.method ?? .pearson {
        case .pearson: method = .pearson
        case .spearman: method = .spearman
        case .polychoric: method = .polychoric
        }
        let deletion: MissingDataRule = controls.isEmpty && computation.deletion == .pairwise ? .pairwise : .listwise
        let options = CorrelationOptions(method: method, missing: deletion, excludeUserMissing: true, domain: domain)
        let est = controls.isEmpty
            ? try Correlation.matrix(design, variables: vars, options: options).estimate(0, 1)
            : try Correlation.partial(design, x: vars[0], y: vars[1], controlling: controls, options: options)
        guard let r = est.r else {
            throw .insufficientData("the correlation of \(vars[0]) and \(vars[1]) is undefined on the rows used (\(est.rule))")
        }
        var se = est.standardError
        var ci: FigureInterval?
        if let lo = est.lower, let hi = est.upper { ci = FigureInterval(lower: lo, upper: hi) }
        var ciText = "engine interval"
        if method == .pearson {
            let d = try design.correlation(vars[0], vars[1], controlling: controls, domain: domain)
            se = d.standardError
            ci = FigureInterval(lower: d.lower, upper: d.upper)
            ciText = "design-based SE, Fisher-z CI with \(d.degreesOfFreedom) df"
        }
        let given = controls.isEmpty ? "" : " given \(controls.joined(separator: ", "))"
        return ClaimEstimate(value: r, standardError: se, confidenceInterval: ci, count: est.n,
                             weightedBase: nil, base: "\(method.rawValue) r(\(vars[0]), \(vars[1]))\(given): \(est.rule); \(ciText)")
    }
}
