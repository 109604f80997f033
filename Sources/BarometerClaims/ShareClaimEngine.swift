import Barometer
/// Recomputes marginal and collapsed shares (`marginal-share`,
/// `collapsed-share`, with an optional domain) through `ConditionalShare`
/// (the one share estimator): `p = Σ_{i∈D∩B} wᵢ yᵢ / Σ_{i∈D∩B} wᵢ` with `yᵢ = 1`
/// when the answer is one of the claim's codes, `D` the domain and `B` the
/// base (every respondent in the domain, Don't know/Refused/system-missing
/// included, or valid answers only). SE: the design's linearization or
/// replicates (R `svymean` on the subset). CI: logit, as R
/// `svyciprop(method = "logit")`, with the domain's design degrees of
/// freedom, so it stays inside [0, 100] for small shares. Reported in percent.
public struct ShareClaimEngine: ClaimEngine {
    /// The engine (stateless).
    public init() {}

    public var name: String { "shares (CategoryCoding + CellTally, design ratio estimator)" }

    public var kinds: Set<ClaimComputation.Kind> { [.marginalShare, .collapsedShare] }

    public func estimate(_ computation: ClaimComputation, in design: SurveyDesign) throws(BarometerError) -> ClaimEstimate {
        guard kinds.contains(computation.kind), let name = computation.variable, let codes = computation.codes else {
            throw .invalidArgument("the share engine computes marginal and collapsed shares with a variable and codes")
        }
        let base = computation.base ?? .all
        let domain = try computation.domain?.domain(in: design)
        let share = try ConditionalShare(design, of: name, in: Set(codes), domain: domain,
                                         denominator: base == .all ? .allInDomain : .validAnswers, method: .standard)
        let rule = base == .all ? "Don't know/Refused/system-missing in the base" : "valid answers only"
        let ci = FigureInterval(lower: 100 * share.interval.lower, upper: 100 * share.interval.upper)
        return ClaimEstimate(value: 100 * share.estimate, standardError: 100 * share.designStandardError,
                             confidenceInterval: ci, count: share.denominatorCount,
                             weightedBase: share.denominatorWeighted, base: "\(share.base.description); \(rule)")
    }
}
