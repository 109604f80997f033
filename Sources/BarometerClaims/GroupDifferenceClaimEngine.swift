import Barometer

/// Recomputes `group-difference` claims ("Kazakh-speaking respondents are as
/// favourable to Russia as Russian-speaking ones") with the grouped shares
/// of `SurveyDesign.share(of:in:byVariables:domain:denominator:level:covariance:)`
/// and their contrast (`GroupedEstimates.contrast(_:label:)`) — R
/// `svyby(~I(y %in% codes), ~group, design, svymean, covmat = TRUE)` and
/// `svycontrast(…, c(1, -1))` — no second implementation.
///
/// The two ``ClaimComputation/groups`` are domains of the design (they must
/// not overlap); the claim's ``ClaimComputation/domain`` restricts both.
/// Estimate: `100·(p₁ − p₂)` in percentage points, where each pᵢ is the
/// share of `codes` among the group's respondents (`base: all`, the claim
/// files' default: Don't know/Refused/system-missing in the denominator) or
/// its valid answers (`base: valid`). SE from the full design covariance of
/// the two shares (groups sharing PSUs are not independent); 95% CI and the
/// two-sided p on t with the design's (or the domain's) degrees of freedom.
/// The verdicts `difference` and `equivalence` (TOST with the claim's
/// margin) read the SE and df (``ClaimEvaluator``).
public struct GroupDifferenceClaimEngine: ClaimEngine {
    /// The engine of `group-difference` claims (it holds no state).
    public init() {}

    public var name: String { "group differences (grouped shares with their design covariance, svyby + svycontrast)" }

    public var kinds: Set<ClaimComputation.Kind> { [.groupDifference] }

    /// - Throws: `BarometerError.invalidArgument` for a computation
    ///   without variable, codes or two groups, or with overlapping groups;
    ///   `BarometerError.emptyDomain` naming a group without
    ///   respondents; lookup errors.
    public func estimate(_ computation: ClaimComputation, in design: SurveyDesign) throws(BarometerError) -> ClaimEstimate {
        guard kinds.contains(computation.kind), let name = computation.variable, let codes = computation.codes,
              let selections = computation.groups, selections.count == 2 else {
            throw .invalidArgument("the group-difference engine needs a variable, codes and two groups")
        }
        let a = try selections[0].domain(in: design), b = try selections[1].domain(in: design)
        if let i = a.mask.indices.first(where: { a.mask[$0] && b.mask[$0] }) {
            throw .invalidArgument("the groups \(a.description) and \(b.description) overlap (row \(i + 1) is in both)")
        }
        let group = Variable(name: "group", values: a.mask.indices.map { a.mask[$0] ? 1 : (b.mask[$0] ? 2 : .nan) },
                             valueLabels: [1: a.description, 2: b.description])
        let base = computation.base ?? .all
        let domain = try computation.domain?.domain(in: design)
        let grouped = try design.share(of: name, in: Set(codes), byVariables: [group], domain: domain,
                                       denominator: base == .all ? .allInDomain : .validAnswers, level: 0.95, covariance: true)
        var index: [Int] = []
        for (code, d) in [(1.0, a), (2.0, b)] {
            guard let k = grouped.groups.firstIndex(where: { $0.categories.first?.code == code }) else {
                throw .emptyDomain("group \(d.description) has no respondents" + (domain.map { " in \($0.description)" } ?? ""))
            }
            index.append(k)
        }
        var weights = [Double](repeating: 0, count: grouped.groups.count)
        weights[index[0]] = 1; weights[index[1]] = -1
        let c = try grouped.contrast(weights, label: "\(a.description) − \(b.description)")
        let first = grouped.groups[index[0]], second = grouped.groups[index[1]]
        let rule = base == .all ? "Don't know/Refused/system-missing in the base" : "valid answers only"
        var estimate = ClaimEstimate(value: 100 * c.estimate, standardError: 100 * c.standardError,
                                     confidenceInterval: FigureInterval(lower: 100 * c.lower, upper: 100 * c.upper),
                                     count: first.count + second.count, weightedBase: first.weightedCount + second.weightedCount,
                                     base: "\(domain?.description ?? "all respondents"): share of \(name) in {\(codes.map(Variable.formatCode).joined(separator: ","))}, "
                                        + "\(a.description) minus \(b.description), in percentage points; \(rule); t on \(c.degreesOfFreedom) df")
        estimate.degreesOfFreedom = c.degreesOfFreedom
        estimate.pValue = c.pValue
        return estimate
    }
}
