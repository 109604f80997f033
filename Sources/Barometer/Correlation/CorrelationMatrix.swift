/// A p × p matrix of correlations (zero-order, partial or semi-partial) with
/// per-pair n, tests, adjusted p-values and Fisher-z intervals.
///
/// Matrices are indexed `[i][j]` in the order of ``variables``; the diagonal
/// holds 1 (no test). A pair whose coefficient is undefined (no complete rows,
/// a variable constant within the pair's rows) has `estimates[i][j] == nil`
/// and is listed in ``notes``. See ``CorrelationEstimate`` for the formulas.
/// Coefficients are clamped to [−1, 1]; only rounding-level excess
/// (a few ulps) can occur, since every matrix is positive semi-definite up to
/// rounding (pairwise matrices excepted, whose entries are each a valid r).
public struct CorrelationMatrix: Sendable, Codable, Equatable, TableRepresentable {
    /// The variables, in row and column order.
    public let variables: [String]
    /// Pearson, Spearman, Kendall τ_b or polychoric.
    public let method: CorrelationMethod
    /// Zero-order, partial, semi-partial or partial given all others.
    public let kind: CorrelationKind
    /// Controls Z (partial and semi-partial kinds; all others for `.partialGivenOthers`).
    public let controls: [String]
    /// Listwise or pairwise deletion.
    public let missing: MissingDataRule
    /// Whether user-missing codes (Don't know, Refused) were treated as missing (the default).
    public let userMissingExcluded: Bool
    /// The weight variable, nil when unweighted.
    public let weight: String?
    /// Probability weights (tests on Kish n_eff) or frequency weights (tests on Σw).
    public let weightSemantics: WeightSemantics
    /// The intervals' level, e.g. 0.95.
    public let confidenceLevel: Double
    /// The multiplicity adjustment of ``adjustedPValues``.
    public let adjustment: PValueAdjustment
    /// The deletion rule, missing-value handling, weighting and base, stated.
    public let rule: String
    /// The coefficients `[i][j]` (1 on the diagonal, nil where undefined).
    public let estimates: [[Double?]]
    /// Rows used per pair.
    public let counts: [[Int]]
    /// n entering the tests per pair (rows, Kish n_eff or Σw).
    public let testSizes: [[Double]]
    /// The t tests' df per pair (nil for z tests and the diagonal).
    public let degreesOfFreedom: [[Double?]]
    /// Standard errors per pair (see ``CorrelationEstimate/standardError``).
    public let standardErrors: [[Double?]]
    /// Two-sided p-values of r = 0 per pair (nil on the diagonal and where undefined).
    public let pValues: [[Double?]]
    /// p-values adjusted over the p(p−1)/2 distinct pairs (equal to `pValues` when `adjustment == .none`).
    public let adjustedPValues: [[Double?]]
    /// Lower ends of the Fisher-z intervals per pair.
    public let lower: [[Double?]]
    /// Upper ends of the Fisher-z intervals per pair.
    public let upper: [[Double?]]
    /// True when a singular matrix was handled by a pseudo-inverse (``SingularityPolicy/pseudoInverse``).
    public let usedPseudoInverse: Bool
    /// Undefined pairs, singularity handling and other remarks, printed under the table.
    public let notes: [String]
    /// Polychoric matrices: per pair (i < j) the thresholds, their standard
    /// errors (joint ML), the estimator and the bivariate-normality tests, as
    /// R polycor prints them; nil for other methods (absent from JSON).
    public var polychoric: [PolychoricPair]? = nil

    /// The entry for the pair (i, j).
    public func estimate(_ i: Int, _ j: Int) -> CorrelationEstimate {
        CorrelationEstimate(x: variables[i], y: variables[j], controls: controls, method: method, kind: kind,
                            r: estimates[i][j], n: counts[i][j], testSize: testSizes[i][j],
                            degreesOfFreedom: degreesOfFreedom[i][j], standardError: standardErrors[i][j],
                            pValue: pValues[i][j], adjustedPValue: adjustedPValues[i][j],
                            lower: lower[i][j], upper: upper[i][j], confidenceLevel: confidenceLevel,
                            rule: rule, usedPseudoInverse: usedPseudoInverse)
    }

    /// The entry for the named pair.
    /// - Throws: ``BarometerError/unknownVariable(_:suggestions:)``.
    public func estimate(_ x: String, _ y: String) throws(BarometerError) -> CorrelationEstimate {
        guard let i = variables.firstIndex(of: x) else { throw .unknownVariable(x, suggestions: []) }
        guard let j = variables.firstIndex(of: y) else { throw .unknownVariable(y, suggestions: []) }
        return estimate(i, j)
    }

    /// One row per distinct pair: r, n, test, adjusted p, interval.
    public var textTable: TextTable {
        let kindText: String
        switch kind {
        case .zeroOrder: kindText = "correlations"
        case .partial: kindText = "partial correlations given \(controls.joined(separator: ", "))"
        case .partialGivenOthers: kindText = "partial correlations, each pair given all others"
        case .semipartialX: kindText = "semi-partial correlations (\(controls.joined(separator: ", ")) removed from the first variable)"
        case .semipartialY: kindText = "semi-partial correlations (\(controls.joined(separator: ", ")) removed from the second variable)"
        }
        let pct = NumberFormat.fixed(confidenceLevel * 100, 0)
        var headers = ["Variable 1", "Variable 2", "r", "n", "SE", "p"]
        if adjustment != .none { headers.append("p (\(adjustment.rawValue))") }
        headers += ["\(pct)% CI low", "\(pct)% CI high"]
        var rows: [[String]] = []
        for i in 0..<variables.count {
            for j in (i + 1)..<max(variables.count, i + 1) {
                var row = [variables[i], variables[j], NumberFormat.fixed(estimates[i][j], 4), String(counts[i][j]),
                           NumberFormat.fixed(standardErrors[i][j], 4), Self.formatP(pValues[i][j])]
                if adjustment != .none { row.append(Self.formatP(adjustedPValues[i][j])) }
                row += [NumberFormat.fixed(lower[i][j], 4), NumberFormat.fixed(upper[i][j], 4)]
                rows.append(row)
            }
        }
        var allNotes = ["Rule: \(rule)"]
        if weight != nil {
            allNotes.append("Tests use n = " + (weightSemantics == .probability ? "Kish effective size" : "sum of weights"))
        }
        if usedPseudoInverse { allNotes.append("Singular matrix: pseudo-inverse used (results flagged)") }
        allNotes += notes
        return TextTable(title: "\(Self.methodTitle(method)) \(kindText)", headers: headers, rows: rows, notes: allNotes)
    }

    static func methodTitle(_ m: CorrelationMethod) -> String {
        switch m {
        case .pearson: return "Pearson"
        case .spearman: return "Spearman"
        case .kendall: return "Kendall tau-b"
        case .polychoric: return "Polychoric"
        }
    }

    static func formatP(_ p: Double?) -> String {
        guard let p else { return "" }
        return p < 0.0001 ? "<0.0001" : NumberFormat.fixed(p, 4)
    }
}
