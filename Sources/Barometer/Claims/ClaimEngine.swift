/// An engine that recomputes one or more kinds of claim computation on a
/// survey design: the plug-in point of ``ClaimEvaluator``.
///
/// The evaluator ships ``ShareClaimEngine`` (marginal and collapsed
/// shares). The cross-tab engine (conditional shares, group differences,
/// multiple response) and the correlation engine (correlations, partial
/// correlations) register themselves by conforming to this protocol and
/// being passed in ``ClaimEvaluator/init(design:engines:)``; until then
/// those claims are reported as "not yet computable", never as passed.
public protocol ClaimEngine: Sendable {
    /// A short name shown in reports (e.g. `shares (FrequencyTable)`).
    var name: String { get }
    /// The computation kinds this engine handles.
    var kinds: Set<ClaimComputation.Kind> { get }
    /// Recomputes `computation` on `design`.
    /// - Throws: ``BarometerError`` for unknown variables, empty domains, …
    func estimate(_ computation: ClaimComputation, in design: SurveyDesign) throws(BarometerError) -> ClaimEstimate
}
