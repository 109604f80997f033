/// Which variable a semi-partial (part) correlation removes the controls from.
public enum SemipartialTarget: String, Sendable, Codable {
    /// Residualise x on Z, correlate with raw y (pingouin `x_covar`).
    case x
    /// Residualise y on Z, correlate with raw x (pingouin `y_covar`).
    case y
}

extension Correlation {

    /// Partial correlation of `x` and `y` controlling for `z` — the one-line call.
    ///
    /// `r_xy·Z = S_xy / √(S_xx S_yy)` with `S = R_AA − R_AZ R_ZZ⁻¹ R_ZA`
    /// (A = {x, y}) from the listwise, weighted covariance matrix scaled to
    /// correlations; `R_ZZ⁻¹ R_ZA` is a LAPACK Cholesky solve. Spearman partial:
    /// the same on mid-ranks (as pingouin). Tests: t with `n − 2 − |Z|` df;
    /// Fisher-z interval with `SE = 1/√(n − 3 − |Z|)`.
    /// - Throws: ``BarometerError/invalidArgument(_:)`` when a control is x or y
    ///   or listed twice, or for Kendall/polychoric/pairwise;
    ///   ``BarometerError/singularMatrix(variables:conditionNumber:)`` naming the
    ///   collinear variables when Z (or Z with x or y) is rank-deficient or
    ///   near-singular (unless ``SingularityPolicy/pseudoInverse``);
    ///   ``BarometerError/constantVariable(_:)``; ``BarometerError/insufficientData(_:)``
    ///   when `n ≤ |Z| + 2`.
    public static func partial(_ design: SurveyDesign, x: String, y: String, controlling z: [String],
                               options: CorrelationOptions = CorrelationOptions()) throws(BarometerError) -> CorrelationEstimate {
        try partialMatrix(design, variables: [x, y], controlling: z, options: options).estimate(0, 1)
    }

    /// Partial correlations of every pair of `variables`, each given the same controls `z`.
    public static func partialMatrix(_ design: SurveyDesign, variables: [String], controlling z: [String],
                                     options: CorrelationOptions = CorrelationOptions()) throws(BarometerError) -> CorrelationMatrix {
        try schur(design, targets: variables, controls: z, semipartial: nil, options: options)
    }

    /// Semi-partial (part) correlation of x and y with `z` removed from one of them:
    /// `sr = S_xy / √(S_tt)` where t is the residualised variable (the other
    /// keeps its full variance). Test as ``partial(_:x:y:controlling:options:)``.
    public static func semipartial(_ design: SurveyDesign, x: String, y: String, controlling z: [String],
                                   removingFrom target: SemipartialTarget,
                                   options: CorrelationOptions = CorrelationOptions()) throws(BarometerError) -> CorrelationEstimate {
        try schur(design, targets: [x, y], controls: z, semipartial: target, options: options).estimate(0, 1)
    }

    /// Each pair of `variables` given all the others, from the precision
    /// matrix `P = R⁻¹` (Cholesky inverse): `r_ij·rest = −P_ij / √(P_ii P_jj)`;
    /// tests with `n − p` df (|Z| = p − 2).
    /// - Throws: ``BarometerError/singularMatrix(variables:conditionNumber:)``
    ///   when R is (near-)singular, unless the pseudo-inverse is requested.
    public static func partialMatrixGivenOthers(_ design: SurveyDesign, variables: [String],
                                                options: CorrelationOptions = CorrelationOptions()) throws(BarometerError) -> CorrelationMatrix {
        guard variables.count >= 2 else { throw .invalidArgument("a partial correlation matrix needs at least two variables") }
        let s = try setup(design, variables: variables, controls: variables.count - 2, options: options)
        let p = variables.count
        let check = try CollinearityCheck(s.r, names: variables, limit: options.conditionLimit)
        var precision: Matrix
        var pinv = false
        if check.isSingular {
            guard options.singularity == .pseudoInverse else { throw check.error }
            precision = try check.pseudoInverse(limit: options.conditionLimit); pinv = true
        } else {
            do { precision = try LinearAlgebra.inverseSPD(s.r) } catch { throw check.error }
        }
        var acc = CorrelationAccumulator(p: p)
        for i in 0..<p { for j in 0..<p {
            let d = (precision[i, i] * precision[j, j]).squareRoot()
            let r: Double? = i == j ? 1 : (d > 0 ? CorrelationInference.clamp(-precision[i, j] / d) : nil)
            acc.set(i, j, r: r, n: s.n, size: s.size)
        } }
        if pinv { acc.notes.append("R is singular (condition number \(check.conditionNumber)); pseudo-inverse used; collinear: \(check.collinear.joined(separator: ", "))") }
        return acc.finish(variables: variables, method: options.method, kind: .partialGivenOthers, controls: [],
                          options: options, cols: s.cols, rule: s.cols.ruleDescription(.listwise, options: options),
                          pseudoInverse: pinv, controlCount: p - 2)
    }

    // MARK: internals

    struct Setup { var r: Matrix; var n: Int; var size: Double; var cols: CorrelationColumns }

    /// Listwise weighted correlation-scaled covariance matrix of `variables`
    /// (mid-ranks for Spearman), with the checks shared by all partial kinds.
    static func setup(_ design: SurveyDesign, variables: [String], controls k: Int,
                      options: CorrelationOptions) throws(BarometerError) -> Setup {
        try validate(options)
        guard options.method == .pearson || options.method == .spearman else {
            throw .invalidArgument("partial correlations are available for Pearson and Spearman, not \(options.method.rawValue)")
        }
        guard options.missing == .listwise else {
            throw .invalidArgument("partial correlations use listwise deletion (a pairwise covariance matrix need not be positive definite)")
        }
        let cols = try CorrelationColumns(design, variables: variables, options: options)
        let rows = try cols.listwiseRows()
        guard rows.count > k + 2 else {
            throw .insufficientData("\(rows.count) complete rows for a partial correlation with \(k) control(s); more than \(k + 2) are needed")
        }
        let data = options.method == .spearman
            ? cols.columns.map { WeightedRanks.ranks(of: $0, rows: rows, weights: cols.weights) } : cols.columns
        let mom = try CentredMoments(columns: data, rows: rows, weights: cols.weights)
        for j in 0..<variables.count where mom.isConstant(j) { throw .constantVariable(variables[j]) }
        let size = cols.testSize(count: rows.count, sumW: mom.sumW, sumW2: mom.sumW2, semantics: options.weightSemantics)
        return Setup(r: mom.correlation(), n: rows.count, size: size, cols: cols)
    }

    static func schur(_ design: SurveyDesign, targets: [String], controls z: [String], semipartial: SemipartialTarget?,
                      options: CorrelationOptions) throws(BarometerError) -> CorrelationMatrix {
        guard targets.count >= 2 else { throw .invalidArgument("a partial correlation needs two variables") }
        for c in z where targets.contains(c) {
            throw .invalidArgument("control '\(c)' is one of the variables being correlated")
        }
        let all = targets + z
        let s = try setup(design, variables: all, controls: z.count, options: options)
        let a = targets.count, k = z.count
        let aIdx = Array(0..<a), zIdx = Array(a..<(a + k))
        var sMat = s.r.submatrix(rows: aIdx, columns: aIdx)
        var pinv = false
        var notes: [String] = []
        if k > 0 {
            let rzz = s.r.submatrix(rows: zIdx, columns: zIdx)
            let rza = s.r.submatrix(rows: zIdx, columns: aIdx)
            let check = try CollinearityCheck(rzz, names: z, limit: options.conditionLimit)
            var b: Matrix
            if check.isSingular {
                guard options.singularity == .pseudoInverse else { throw check.error }
                let pi = try check.pseudoInverse(limit: options.conditionLimit)
                do { b = try LinearAlgebra.multiply(pi, rza) } catch { throw .linearAlgebra(error) }
                pinv = true
                notes.append("controls singular (condition number \(check.conditionNumber)); pseudo-inverse used; collinear: \(check.collinear.joined(separator: ", "))")
            } else {
                do { b = try LinearAlgebra.cholesky(rzz).solve(rza) } catch { throw check.error }
            }
            do { try LinearAlgebra.gemm(rza, b, transposeA: true, alpha: -1, beta: 1, into: &sMat) }
            catch { throw .linearAlgebra(error) }
            // a target (almost) explained by Z: residual variance at the conditioning limit
            for t in 0..<a where !(sMat[t, t] > 1 / options.conditionLimit) {
                let m = (0..<k).map { Swift.abs(b[$0, t]) }.max() ?? 0
                let involved = (0..<k).filter { Swift.abs(b[$0, t]) > 1e-4 * m }.map { z[$0] }
                let cond = sMat[t, t] > 0 ? 1 / sMat[t, t] : Double.infinity
                if options.singularity == .pseudoInverse {
                    notes.append("\(targets[t]) is a linear function of \(involved.joined(separator: ", ")); its partial correlations are undefined")
                    pinv = true
                } else {
                    throw .singularMatrix(variables: [targets[t]] + involved, conditionNumber: cond)
                }
            }
        }
        var acc = CorrelationAccumulator(p: a)
        for i in 0..<a { for j in 0..<a {
            if i == j { acc.set(i, j, r: 1, n: s.n, size: s.size); continue }
            let denom: Double
            switch semipartial {
            case nil: denom = (sMat[i, i] * sMat[j, j]).squareRoot()
            case .x?: denom = (i == 0 ? sMat[i, i] : sMat[j, j]).squareRoot() * s.r[0, 0].squareRoot()
            case .y?: denom = (i == 1 ? sMat[i, i] : sMat[j, j]).squareRoot() * s.r[1, 1].squareRoot()
            }
            let ok = sMat[i, i] > 1 / options.conditionLimit && sMat[j, j] > 1 / options.conditionLimit
            acc.set(i, j, r: ok ? CorrelationInference.clamp(sMat[i, j] / denom) : nil, n: s.n, size: s.size)
        } }
        acc.notes = notes
        let kind: CorrelationKind = semipartial == nil ? (k == 0 ? .zeroOrder : .partial)
            : (semipartial == .x ? .semipartialX : .semipartialY)
        return acc.finish(variables: targets, method: options.method, kind: kind, controls: z, options: options,
                          cols: s.cols, rule: s.cols.ruleDescription(.listwise, options: options), pseudoInverse: pinv)
    }
}
