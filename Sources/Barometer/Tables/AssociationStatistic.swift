/// A statistic that can be requested for a cross-tab, named as the CLI's
/// `--stats` list spells it.
public enum CrosstabStatistic: String, CaseIterable, Sendable, Codable {
    /// Pearson χ².
    case chisq
    /// Likelihood-ratio G².
    case lr
    /// Fisher's exact test (2 × 2 integer tables only).
    case fisher
    /// Rao-Scott corrected tests (weights-only design).
    case raoscott
    /// φ.
    case phi
    /// Cramér's V.
    case cramer
    /// Contingency coefficient.
    case cc
    /// Goodman-Kruskal λ (symmetric, R|C, C|R) and, as SPSS's LAMBDA
    /// keyword does, Goodman and Kruskal's τ.
    case lambda
    /// Goodman-Kruskal γ.
    case gamma
    /// Kendall's τ_b.
    case taub
    /// Stuart-Kendall τ_c.
    case tauc
    /// Somers' d (symmetric, R|C, C|R).
    case somers
    /// Adjusted standardized residuals per cell.
    case residuals
    /// Tschuprow's T, `√(X²/(W·√((r−1)(c−1))))`.
    case tschuprow
    /// Expected counts under independence per cell (SPSS `/CELLS=EXPECTED`).
    case expected

    /// Parses a comma-separated list such as `chisq,cramer,gamma` (`all`
    /// selects every statistic).
    /// - Throws: ``BarometerError/invalidArgument(_:)`` naming an unknown entry
    ///   and the valid ones.
    public static func parse(_ list: String) throws(BarometerError) -> [CrosstabStatistic] {
        var out: [CrosstabStatistic] = []
        for raw in list.split(separator: ",") {
            let name = String(raw.filter { !$0.isWhitespace }).lowercased()
            if name.isEmpty { continue }
            if name == "all" { return allCases }
            guard let s = CrosstabStatistic(rawValue: name) else {
                throw .invalidArgument("unknown statistic '\(name)'; choose from \(allCases.map(\.rawValue).joined(separator: ",")),all")
            }
            if !out.contains(s) { out.append(s) }
        }
        return out
    }
}
