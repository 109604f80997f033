import Barometer
/// Recomputes `conditional-share` claims ("of those favourable to Russia,
/// 55% are favourable to the US") with `ConditionalShare`, the cross-tab
/// engine's conditional proportion — no second implementation.
///
/// Base: the claim's ``ClaimComputation/domain`` (everyone when absent)
/// intersected with the condition ``ClaimComputation/given``
/// (`ConditionalShare` forms `domain ∧ given`). With `base: all` (the
/// claim files' default) every respondent in that base counts, so "Don't
/// know", "Refused" and system-missing answers to the target question stay
/// in the denominator (`ConditionalShare/Denominator/allInDomain`); with
/// `base: valid` only valid answers do.
///
/// Estimate `p = Σ_{D∩G, y∈codes} w / Σ_{D∩G∩B} w`, in percent. Standard
/// error: the design-based linearization SE of the domain ratio
/// (`ConditionalShare/designStandardError`, R `svymean(~y, subset(design, …))`);
/// CI: logit with the domain's design degrees of freedom, as R
/// `svyciprop(method = "logit")` (`ProportionIntervalMethod/logit`), the same
/// rule as ``ShareClaimEngine``; it never leaves [0, 100]. Agrees with the
/// references in `Fixtures/reference/claims/fixture-figures.json` to 1e-10.
public struct ConditionalShareClaimEngine: ClaimEngine {
    /// The engine (stateless).
    public init() {}

    public var name: String { "conditional shares (ConditionalShare, design ratio estimator)" }

    public var kinds: Set<ClaimComputation.Kind> { [.conditionalShare] }

    /// - Throws: `BarometerError/invalidArgument(_:)` for a computation
    ///   without variable, codes or condition; the errors of `ConditionalShare`
    ///   (unknown variable, empty base, …).
    public func estimate(_ computation: ClaimComputation, in design: SurveyDesign) throws(BarometerError) -> ClaimEstimate {
        guard kinds.contains(computation.kind), let name = computation.variable, let codes = computation.codes,
              let given = computation.given else {
            throw .invalidArgument("the conditional-share engine needs a variable, codes and a condition ('given')")
        }
        let base = computation.base ?? .all
        let domain = try computation.domain?.domain(in: design)
        let share = try ConditionalShare(design, of: name, in: Set(codes), among: given.variable, in: Set(given.codes),
                                         domain: domain, denominator: base == .all ? .allInDomain : .validAnswers,
                                         method: .standard)
        let p = share.estimate, se = share.designStandardError
        let ci = FigureInterval(lower: 100 * share.interval.lower, upper: 100 * share.interval.upper)
        let rule = base == .all ? "Don't know/Refused/system-missing in the base" : "valid answers only"
        return ClaimEstimate(value: 100 * p, standardError: 100 * se, confidenceInterval: ci,
                             count: share.denominatorCount, weightedBase: share.denominatorWeighted,
                             base: "\(share.base.description); \(rule)")
    }
}
