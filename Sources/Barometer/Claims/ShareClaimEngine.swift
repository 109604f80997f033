/// Recomputes marginal and collapsed shares (`marginal-share`,
/// `collapsed-share`, with an optional domain): the answers are coded by
/// ``CategoryCoding`` and counted by ``CellTally``; the estimate and its
/// variance come from the design's ratio-of-totals engine (the one behind
/// ``SurveyDesign/mean(_:domain:level:)``), so strata, clusters and
/// replicate weights of the design are honoured.
///
/// Share: `p = Σ_{i∈D∩B} wᵢ yᵢ / Σ_{i∈D∩B} wᵢ` with `yᵢ = 1` when the answer is
/// one of the claim's codes, `D` the domain and `B` the base (every
/// respondent, or valid answers only); rows outside `D ∩ B` stay in the
/// design with indicator 0 (R `svymean` on `subset(design, …)`). For a
/// weights-only design the linearization variance is
/// `n/(n−1) · Σᵢ (wᵢ dᵢ (yᵢ − p))² / (Σ dᵢ wᵢ)²`, `n` all respondents.
/// CI: Wald `p ± z₀.₉₇₅ · SE`, as R `confint(svymean(…))`. Reported in
/// percent. Agrees with R survey to ~1e-15 on the fixtures.
public struct ShareClaimEngine: ClaimEngine {
    /// qnorm(0.975).
    static let z975 = 1.959963984540054

    public init() {}

    public var name: String { "shares (CategoryCoding + CellTally, design ratio estimator)" }

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
        guard tally.totalCount > 0, tally.totalWeighted > 0 else {
            throw .emptyDomain("\(baseText): no respondents with positive weight")
        }
        guard design.rowCount > 1 else { throw .insufficientData("a standard error needs at least two respondents") }
        var y = Matrix(rows: design.rowCount, columns: 1), d = Matrix(rows: design.rowCount, columns: 1)
        for i in 0..<design.rowCount where index[i] >= 0 && (domain?.mask[i] ?? true) {
            d[i, 0] = 1
            if index[i] == 0 { y[i, 0] = 1 }
        }
        let r = try RatioOfTotals(numerators: y, denominators: d).evaluate(design)
        let p = r.estimates[0]
        let se = Swift.max(r.covariance[0, 0], 0).squareRoot()
        let ci = FigureInterval(lower: 100 * (p - Self.z975 * se), upper: 100 * (p + Self.z975 * se))
        return ClaimEstimate(value: 100 * p, standardError: 100 * se, confidenceInterval: ci,
                             count: tally.totalCount, weightedBase: tally.totalWeighted, base: baseText)
    }
}
