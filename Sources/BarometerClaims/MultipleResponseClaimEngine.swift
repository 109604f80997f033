import Barometer
/// Recomputes `multiple-response` claims ("57% of the categorizable
/// reasons are Russia's domestic qualities") with `MultipleResponseSet`,
/// the cross-tab engine's SPSS `MULT RESPONSE`-style tabulation — no second
/// implementation.
///
/// The columns ``ClaimComputation/variables`` form one response set within
/// the claim's ``ClaimComputation/domain``. Declared user-missing codes
/// (98 Don't know, 99 Refused) are tabulated as responses
/// (`MissingInclusion/showMissing`) so a claim can count them, as the
/// memo's "Other / do not know / did not answer" row does; system-missing
/// cells (no further mention) never are. With `W_c` the weighted mentions
/// of code `c` (a code named twice counts twice):
/// - `percent-of-responses`: `100 · Σ_{c∈codes} W_c / Σ_{c∈responseCodes} W_c`;
/// - `percent-of-subset`: `100 · Σ_{c∈codes} W_c / Σ_{c∈subsetCodes} W_c`
///   (Table 2's re-percentaging over the categorizable responses);
/// - `percent-of-cases`: `100 · W_c / W_cases` for one code, cases being the
///   respondents with at least one response. Several codes would need
///   respondents naming any of them (not a sum of mentions): rejected with
///   `BarometerError/invalidArgument(_:)` rather than approximated.
///
/// Descriptive figure: no standard error (the reference gives none); the
/// verdict rule is the rounding interval. Exact sums, agreement ~1e-14.
public struct MultipleResponseClaimEngine: ClaimEngine {
    /// The engine (stateless).
    public init() {}

    public var name: String { "multiple response (MultipleResponseSet)" }

    public var kinds: Set<ClaimComputation.Kind> { [.multipleResponse] }

    /// - Throws: `BarometerError/invalidArgument(_:)` for an incomplete
    ///   computation or a multi-code percent of cases;
    ///   `BarometerError/emptyDomain(_:)` when the denominator is empty;
    ///   the errors of `MultipleResponseSet`.
    public func estimate(_ computation: ClaimComputation, in design: SurveyDesign) throws(BarometerError) -> ClaimEstimate {
        guard kinds.contains(computation.kind), let columns = computation.variables, let codes = computation.codes,
              let measure = computation.measure, let responseCodes = computation.responseCodes else {
            throw .invalidArgument("the multiple-response engine needs columns, a measure, codes and response codes")
        }
        let domain = try computation.domain?.domain(in: design)
        let set = try MultipleResponseSet(design, variables: columns, domain: domain, missing: .showMissing)
        let wanted = Set(codes)
        func mentions(_ s: Set<Double>) -> (count: Int, weighted: Double) {
            var n = 0, w = 0.0
            for r in set.rows { if let c = r.category.code, s.contains(c) { n += r.count; w += r.weightedCount } }
            return (n, w)
        }
        let numerator = mentions(wanted)
        let denominator: (count: Int, weighted: Double)
        let baseText: String
        let where_ = domain.map { " in \($0.description)" } ?? ""
        switch measure {
        case .percentOfResponses:
            denominator = mentions(Set(responseCodes))
            baseText = "responses with codes {\(Self.list(responseCodes))} to \(columns.joined(separator: ", "))\(where_)"
        case .percentOfSubset:
            guard let subset = computation.subsetCodes else { throw .invalidArgument("percent-of-subset needs subsetCodes") }
            denominator = mentions(Set(subset))
            baseText = "responses with codes {\(Self.list(subset))} to \(columns.joined(separator: ", "))\(where_)"
        case .percentOfCases:
            guard wanted.count == 1 else {
                throw .invalidArgument("percent of cases for several codes needs respondents naming any of them; give one code per claim")
            }
            denominator = (set.caseCount, set.caseWeighted)
            baseText = set.base.description
        }
        guard denominator.count > 0, denominator.weighted > 0 else {
            throw .emptyDomain("\(baseText): no responses with positive weight")
        }
        return ClaimEstimate(value: 100 * numerator.weighted / denominator.weighted, count: denominator.count,
                             weightedBase: denominator.weighted, base: baseText)
    }

    static func list(_ codes: [Double]) -> String { codes.map(Variable.formatCode).joined(separator: ",") }
}
