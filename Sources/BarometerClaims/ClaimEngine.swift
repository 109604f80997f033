import Barometer
/// An engine that recomputes one or more kinds of claim computation on a
/// survey design: the plug-in point of ``ClaimEvaluator``.
///
/// The evaluator's default engines (``ClaimEvaluator/defaultEngines``) are
/// adapters onto the real engines: ``ShareClaimEngine`` (marginal and
/// collapsed shares), ``ConditionalShareClaimEngine`` (`ConditionalShare`),
/// ``MultipleResponseClaimEngine`` (`MultipleResponseSet`),
/// ``CorrelationClaimEngine`` (`Correlation` and the design-based
/// correlation SE) and ``GroupDifferenceClaimEngine`` (grouped shares and
/// their contrast). Other engines plug in through
/// ``ClaimEvaluator/init(design:engines:)``; a kind with no engine is
/// reported as "not yet computable", never as passed.
public protocol ClaimEngine: Sendable {
    /// A short name shown in reports (e.g. `shares (FrequencyTable)`).
    var name: String { get }
    /// The computation kinds this engine handles.
    var kinds: Set<ClaimComputation.Kind> { get }
    /// Recomputes `computation` on `design`.
    /// - Throws: `BarometerError` for unknown variables, empty domains, …
    func estimate(_ computation: ClaimComputation, in design: SurveyDesign) throws(BarometerError) -> ClaimEstimate
}
