/// Recomputes marginal and collapsed shares (`marginal-share`,
/// `collapsed-share`, with an optional domain) through ``CategoryCoding``
/// and ``CellTally``.
///
/// Share: `p = Σ_{i∈D∩B} wᵢ yᵢ / Σ_{i∈D∩B} wᵢ` with `yᵢ = 1` when the answer is
/// one of the claim's codes, `D` the domain and `B` the base (every
/// respondent, or valid answers only). Standard error by linearization for
/// a weights-only, with-replacement design in which the domain keeps every
/// row (R `survey::svymean` on `subset(svydesign(ids = ~1, weights = ~w))`):
/// `SE² = n/(n−1) · Σᵢ (wᵢ dᵢ (yᵢ − p))² / (Σ dᵢ wᵢ)²`, `n` all respondents;
/// the sum is `S₁(1−p)² + S₀p²` with `S₁`, `S₀` the Σw² of the counted and
/// the other cells. CI: `p ± z₀.₉₇₅ · SE` (Wald, as `confint(svymean)`).
/// Reported in percent. Matches R survey to ~1e-15 on the fixtures.
public struct ShareClaimEngine: ClaimEngine {
    /// The 0.975 quantile of the standard normal distribution.
    static let z975 = 1.959963984540054

    public init() {}

    public var name: String { "shares (CategoryCoding + CellTally)" }

    public var kinds: Set<ClaimComputation.Kind> { [.marginalShare, .collapsedShare] }

    public func estimate(_ computation: ClaimComputation, in design: SurveyDesign) throws(BarometerError) -> ClaimEstimate {
        guard kinds.contains(computation.kind), let name = computation.variable, let codes = computation.codes else {
            throw .invalidArgument("the share engine computes marginal and collapsed shares with a variable and codes")
        }
        let v = try design.variable(name)
        try v.requireNumeric()
        let base = computation.base ?? .all
        let coding = CategoryCoding(v, missing: base == .all ? .showMissing : .excludeMissing)
        let wanted = Set(codes)
        // Cell 0: counted codes; cell 1: the rest of the base; −1: outside the base.
        let counted = coding.categories.map { c in c.code.map { wanted.contains($0) } ?? false }
        let index: [Int32] = coding.index.map { k in k < 0 ? -1 : (counted[Int(k)] ? 0 : 1) }
        let domain = try computation.domain?.domain(in: design)
        let tally = try CellTally(cellCount: 2, index: index, weights: design.weights, domain: domain)
        let domainText = domain?.description ?? "all respondents"
        let baseText = base == .all ? "\(domainText), Don't know/Refused/system-missing in the base"
                                    : "\(domainText), valid answers only"
        let W = tally.totalWeighted
        guard tally.totalCount > 0, W > 0 else { throw .emptyDomain("\(baseText): no respondents with positive weight") }
        let p = tally.weighted[0] / W
        let n = Double(design.rowCount)
        guard n > 1 else { throw .insufficientData("a standard error needs at least two respondents") }
        let s1 = tally.weightedSquares[0], s0 = tally.weightedSquares[1]
        let se = (n / (n - 1) * (s1 * (1 - p) * (1 - p) + s0 * p * p)).squareRoot() / W
        let ci = FigureInterval(lower: 100 * (p - Self.z975 * se), upper: 100 * (p + Self.z975 * se))
        return ClaimEstimate(value: 100 * p, standardError: 100 * se, confidenceInterval: ci,
                             count: tally.totalCount, weightedBase: W, base: baseText)
    }
}
