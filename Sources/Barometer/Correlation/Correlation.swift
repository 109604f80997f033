/// Correlation analyses of a ``SurveyDesign``: the entry points.
///
/// ```swift
/// let m = try Correlation.matrix(design, variables: ["q1", "q2", "q3"])
/// let pr = try Correlation.partial(design, x: "q1", y: "q2", controlling: ["kz_leadership"])
/// ```
///
/// Weighting: point estimates are those of the weighted covariance matrix
/// (`Σ w (x − x̄_w)(y − ȳ_w)`, as numpy `np.cov(aweights=)` and R `cov.wt`),
/// identical for probability and frequency weights; ``WeightSemantics``
/// decides which n enters the tests. Missing data: see ``MissingDataRule``;
/// user-missing codes are excluded by default and every result states its rule.
public enum Correlation {

    /// Correlation matrix of `variables` (at least two).
    ///
    /// - Pearson, listwise: one `dsyrk` pass over centred, √w-scaled row chunks
    ///   (`CentredMoments`). Pairwise: masked BLAS products (`PairwiseMoments`), through
    ///   the mergeable `PairwisePearsonAccumulator`.
    /// - Spearman: mid-ranks (`WeightedRanks`) then Pearson; pairwise ranks
    ///   are taken within each pair's rows (as pandas).
    /// - Kendall τ_b: Knight's algorithm per pair. Weighted: each pair of rows
    ///   counts `wᵢwⱼ` (`KendallTau`), estimate only (SE and p are nil).
    /// - Polychoric: see ``Polychoric`` (Wald test and interval from the observed information).
    /// - Throws: ``BarometerError/constantVariable(_:)`` for a variable with no
    ///   variation among its rows, ``BarometerError/insufficientData(_:)`` when
    ///   listwise deletion leaves fewer than 3 rows, typed lookup errors.
    public static func matrix(_ design: SurveyDesign, variables: [String],
                              options: CorrelationOptions = CorrelationOptions()) throws(BarometerError) -> CorrelationMatrix {
        guard variables.count >= 2 else { throw .invalidArgument("a correlation matrix needs at least two variables") }
        try validate(options)
        let cols = try CorrelationColumns(design, variables: variables, options: options)
        let p = variables.count
        var acc = CorrelationAccumulator(p: p)
        switch (options.method, options.missing) {
        case (.pearson, .listwise), (.spearman, .listwise):
            // complete data (the common Pearson case): one streaming pass, no row list
            var fast: CentredMoments? = nil
            if options.method == .pearson && cols.maybeComplete && cols.rowCount >= 3 {
                fast = try CentredMoments(allRowsOf: cols.columns, weights: cols.weights)
            }
            let rows = fast == nil ? try cols.listwiseRows() : []
            let used = fast?.count ?? rows.count
            guard used >= 3 else {
                throw .insufficientData("listwise deletion leaves \(used) rows; at least 3 are needed")
            }
            let data = options.method == .spearman
                ? WeightedRanks.ranks(of: cols.columns, rows: rows, weights: cols.weights) : cols.columns
            var pearson = PearsonAccumulator(variableCount: p)
            if let f = fast { try pearson.add(f) } else {
                try pearson.add(try CentredMoments(columns: data, rows: rows, weights: cols.weights))
            }
            try listwise(&acc, moments: pearson.finalize(), variables: variables, cols: cols, options: options)
        case (.pearson, .pairwise):
            var pairs = PairwisePearsonAccumulator(variableCount: p)
            try pairs.add(cols)     // also reports ±∞ (requireFinite)
            try pairwise(&acc, moments: pairs.finalize(), variables: variables, cols: cols, options: options)
        case (.spearman, .pairwise), (.kendall, _):
            let listwise = options.missing == .listwise ? try cols.listwiseRows() : nil
            if listwise == nil { for j in 0..<p { try cols.requireFinite(j) } }
            if let l = listwise, l.count < 3 {
                throw .insufficientData("listwise deletion leaves \(l.count) rows; at least 3 are needed")
            }
            for j in 0..<p {
                let rows = listwise ?? (0..<cols.rowCount).filter { !cols.columns[j][$0].isNaN }
                if let first = rows.first, rows.allSatisfy({ cols.columns[j][$0] == cols.columns[j][first] }) {
                    throw .constantVariable(variables[j])
                }
            }
            for i in 0..<p {
                acc.set(i, i, r: 1, n: 0, size: 0)
                for j in (i + 1)..<max(p, i + 1) {
                    let rows = listwise ?? (0..<cols.rowCount).filter { !cols.columns[i][$0].isNaN && !cols.columns[j][$0].isNaN }
                    try pairByRank(&acc, i, j, rows: rows, cols: cols, options: options)
                }
                if let l = listwise { acc.counts[i][i] = l.count } else {
                    acc.counts[i][i] = (0..<cols.rowCount).filter { !cols.columns[i][$0].isNaN }.count
                }
                acc.sizes[i][i] = Double(acc.counts[i][i])
            }
        case (.polychoric, _):
            for j in 0..<p { try cols.requireFinite(j) }
            if options.missing == .listwise, try cols.listwiseRows().isEmpty {
                throw .insufficientData("listwise deletion leaves no rows")
            }
            try Polychoric.fill(&acc, design: design, cols: cols, options: options)
        }
        return acc.finish(variables: variables, method: options.method, kind: .zeroOrder, controls: [],
                          options: options, cols: cols, rule: cols.ruleDescription(options.missing, options: options))
    }

    /// Listwise estimates, counts and test sizes from accumulated moments
    /// (``PearsonAccumulator``): the one finalization of the in-memory and
    /// merged Pearson paths (Spearman: moments of the ranks).
    static func listwise(_ acc: inout CorrelationAccumulator, moments mom: CentredMoments, variables: [String],
                         cols: CorrelationColumns, options: CorrelationOptions) throws(BarometerError) {
        let p = variables.count, used = mom.count
        for j in 0..<p where mom.isConstant(j) { throw .constantVariable(variables[j]) }
        let r = mom.correlation()
        let size = cols.testSize(count: used, sumW: mom.sumW, sumW2: mom.sumW2, semantics: options.weightSemantics)
        for i in 0..<p { for j in 0..<p {
            acc.set(i, j, r: i == j ? 1 : CorrelationInference.clamp(r[i, j]), n: used, size: size)
        } }
    }

    /// Spearman (pairwise) or Kendall for one pair over `rows`.
    private static func pairByRank(_ acc: inout CorrelationAccumulator, _ i: Int, _ j: Int, rows: [Int],
                                   cols: CorrelationColumns, options: CorrelationOptions) throws(BarometerError) {
        let names = cols.names
        var sw = 0.0, sw2 = 0.0
        for r in rows { sw += cols.weights[r]; sw2 += cols.weights[r] * cols.weights[r] }
        let size = cols.testSize(count: rows.count, sumW: sw, sumW2: sw2, semantics: options.weightSemantics)
        func undefined(_ why: String) {
            acc.set(i, j, r: nil, n: rows.count, size: size)
            acc.notes.append("\(names[i]) × \(names[j]): \(why), r undefined")
        }
        guard rows.count >= 2, sw > 0 else { undefined("\(rows.count) complete rows"); return }
        if options.method == .kendall && cols.isWeighted {
            guard let t = KendallTau.weightedTau(x: rows.map { cols.columns[i][$0] }, y: rows.map { cols.columns[j][$0] },
                                                 w: rows.map { cols.weights[$0] }) else {
                undefined("a variable is constant on the pair's rows"); return
            }
            acc.set(i, j, r: t, n: rows.count, size: size)
            acc.override[i][j] = (nil, nil)
            acc.override[j][i] = (nil, nil)
            if !acc.notes.contains(where: { $0.hasPrefix("Weighted Kendall") }) {
                acc.notes.append("Weighted Kendall τ_b: estimate only (no design-consistent test is implemented)")
            }
            return
        }
        if options.method == .kendall {
            guard let k = KendallTau(x: rows.map { cols.columns[i][$0] }, y: rows.map { cols.columns[j][$0] }) else {
                undefined("a variable is constant on the pair's rows"); return
            }
            acc.set(i, j, r: k.tau, n: rows.count, size: size)
            acc.override[i][j] = (CorrelationInference.finite(k.standardError), CorrelationInference.finite(k.pValue))
            acc.override[j][i] = acc.override[i][j]
            return
        }
        let ri = WeightedRanks.ranks(of: cols.columns[i], rows: rows, weights: cols.weights)
        let rj = WeightedRanks.ranks(of: cols.columns[j], rows: rows, weights: cols.weights)
        let mom = try CentredMoments(columns: [ri, rj], rows: rows, weights: cols.weights)
        if mom.isConstant(0) || mom.isConstant(1) { undefined("a variable is constant on the pair's rows"); return }
        let c = mom.crossProducts
        acc.set(i, j, r: CorrelationInference.clamp(c[0, 1] / (c[0, 0].squareRoot() * c[1, 1].squareRoot())),
                n: rows.count, size: size)
    }

    static func validate(_ options: CorrelationOptions) throws(BarometerError) {
        guard options.confidenceLevel > 0, options.confidenceLevel < 1 else {
            throw .invalidArgument("confidence level \(options.confidenceLevel) is not in (0, 1)")
        }
        guard options.conditionLimit > 1 else { throw .invalidArgument("condition limit must exceed 1") }
    }
}

