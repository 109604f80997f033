/// Accumulator of pairwise-complete Pearson moments: for every ordered pair
/// of variables (j, k), over the rows valid on both,
///
/// - `n_jk` (rows), `W_jk = Σw`, `W2_jk = Σw²` (symmetric);
/// - `m_j|jk`, the weighted mean of j over those rows (``means``, row j column k);
/// - `M2_j|jk = Σw (x_j − m_j|jk)²` (``squares``, row j column k);
/// - `C_jk = Σw (x_j − m_j|jk)(x_k − m_k|jk)` (``cross``, symmetric);
/// - `T_j|jk`, the sum of squares of j about the shift the chunk's sums were
///   taken at, plus the parallel-axis terms of every merge (``tolerances``):
///   the scale of the rounding in `M2`, for the constancy test;
///
/// and per column its least and greatest valid value. A chunk is one
/// ``PairwiseMoments`` pass (masked BLAS products at a shift `K`), turned
/// into centred moments per pair: `m = K + S/W`, `M2 = Q − S²/W`,
/// `C = X − S_jk S_kj / W`. Two states merge pair by pair with the
/// parallel-axis rule of Chan, Golub & LeVeque (1983), as
/// ``PearsonAccumulator`` does for one row set:
///
///     W = W_a + W_b,  δ_j = m_j,b − m_j,a,  f = W_a W_b / W,
///     M2_j = M2_j,a + M2_j,b + δ_j² f,  C = C_a + C_b + δ_j δ_k f,  m_j = m_j,a + δ_j W_b / W.
///
/// The in-memory ``Correlation/matrix(_:variables:options:)`` with pairwise
/// deletion adds its one pass and finalizes here (the same sums it used
/// before), so the streamed, merged and in-memory paths share one
/// implementation. State size 7p² + 2p numbers.
struct PairwisePearsonAccumulator: StatisticAccumulator {
    /// The rows of a chunk: columns with NaN for excluded values, and the weights.
    typealias Chunk = CorrelationColumns

    let variableCount: Int
    /// Rows valid on both variables of the pair.
    var counts: [Int]
    /// Σw and Σw² over the pair's rows.
    var sumW: [Double], sumW2: [Double]
    /// Column-major p × p: entry (j, k) is of variable j over the rows of pair (j, k).
    var means: [Double], squares: [Double], tolerances: [Double]
    /// Centred cross-products of the pair, symmetric.
    var cross: [Double]
    /// Least and greatest valid value per variable (+∞ and −∞ when none).
    var lows: [Double], highs: [Double]

    init(variableCount p: Int) {
        variableCount = p
        counts = [Int](repeating: 0, count: p * p)
        sumW = [Double](repeating: 0, count: p * p)
        sumW2 = sumW; squares = sumW; tolerances = sumW; cross = sumW
        means = [Double](repeating: .nan, count: p * p)
        lows = [Double](repeating: .infinity, count: p)
        highs = [Double](repeating: -.infinity, count: p)
    }

    /// The state of one ``PairwiseMoments`` pass.
    init(_ pm: PairwiseMoments) {
        let p = pm.counts.rows
        self.init(variableCount: p)
        lows = pm.lows; highs = pm.highs
        for k in 0..<p { for j in 0..<p {
            let e = j + p * k
            let w = pm.sumW[j, k]
            counts[e] = pm.count(j, k)
            sumW[e] = w; sumW2[e] = pm.sumW2[j, k]
            tolerances[e] = pm.squares[j, k]
            guard w > 0 else {
                squares[e] = .nan; cross[e] = .nan
                continue
            }
            let sj = pm.sums[j, k], sk = pm.sums[k, j]
            means[e] = pm.centres[j] + sj / w
            squares[e] = pm.squares[j, k] - sj * sj / w
            cross[e] = pm.cross[j, k] - sj * sk / w
        } }
    }

    /// Adds the rows of `chunk` (one ``PairwiseMoments`` pass).
    /// - Throws: ``BarometerError/invalidArgument(_:)`` for an infinite value.
    mutating func add(_ chunk: CorrelationColumns) throws(BarometerError) {
        guard chunk.columns.count == variableCount else {
            throw .invalidArgument("a chunk of \(chunk.columns.count) variables added to \(variableCount)")
        }
        guard chunk.rowCount > 0 else { return }
        try merge(PairwisePearsonAccumulator(try PairwiseMoments(chunk)))
    }

    mutating func merge(_ b: PairwisePearsonAccumulator) throws(BarometerError) {
        let p = variableCount
        guard b.variableCount == p else {
            throw .invalidArgument("cannot merge pairwise Pearson moments of \(b.variableCount) and \(p) variables")
        }
        let a = self
        for j in 0..<p { lows[j] = Swift.min(a.lows[j], b.lows[j]); highs[j] = Swift.max(a.highs[j], b.highs[j]) }
        for k in 0..<p { for j in 0..<p {
            let e = j + p * k, t = k + p * j
            guard b.counts[e] > 0 else { continue }
            counts[e] = a.counts[e] + b.counts[e]
            sumW2[e] = a.sumW2[e] + b.sumW2[e]
            let wa = a.sumW[e], wb = b.sumW[e]
            guard wb > 0 else { continue }
            guard wa > 0 else {
                // Nothing weighted on this side yet: the other side's moments.
                sumW[e] = wb; means[e] = b.means[e]; squares[e] = b.squares[e]
                tolerances[e] = a.tolerances[e] + b.tolerances[e]; cross[e] = b.cross[e]
                continue
            }
            let w = wa + wb, f = wa * wb / w
            let dj = b.means[e] - a.means[e], dk = b.means[t] - a.means[t]
            sumW[e] = w
            means[e] = a.means[e] + dj * wb / w
            squares[e] = a.squares[e] + b.squares[e] + dj * dj * f
            tolerances[e] = a.tolerances[e] + b.tolerances[e] + dj * dj * f
            cross[e] = a.cross[e] + b.cross[e] + dj * dk * f
        } }
    }

    func finalize() throws(BarometerError) -> PairwisePearsonAccumulator { self }

    /// (cov, var_j, var_k) sums over the rows of pair (j, k) (not divided by Σw).
    func moments(_ j: Int, _ k: Int) -> (cov: Double, vj: Double, vk: Double) {
        let p = variableCount
        guard sumW[j + p * k] > 0 else { return (.nan, .nan, .nan) }
        return (cross[j + p * k], squares[j + p * k], squares[k + p * j])
    }

    /// Whether variable j is constant over the rows of pair (j, k): its
    /// centred sum of squares `v` is at the rounding level of the sums it
    /// came from, or its valid values are all equal.
    func isConstant(_ j: Int, inPairWith k: Int, variance v: Double) -> Bool {
        !(v > 64 * Double.ulpOfOne * tolerances[j + variableCount * k]) || !(highs[j] > lows[j])
    }
}

extension Correlation {
    /// Pairwise-deletion Pearson estimates, counts and test sizes from
    /// accumulated moments (``PairwisePearsonAccumulator``): the one
    /// finalization of the in-memory, streamed and merged pairwise paths.
    /// - Throws: ``BarometerError/constantVariable(_:)`` for a variable
    ///   without variation over its valid rows.
    static func pairwise(_ acc: inout CorrelationAccumulator, moments pm: PairwisePearsonAccumulator,
                         variables: [String], cols: CorrelationColumns,
                         options: CorrelationOptions) throws(BarometerError) {
        let p = variables.count, stride = pm.variableCount
        for j in 0..<p {
            let m = pm.moments(j, j)
            if pm.counts[j + stride * j] > 0 && pm.isConstant(j, inPairWith: j, variance: m.vj) {
                throw .constantVariable(variables[j])
            }
        }
        for i in 0..<p { for j in 0..<p {
            let e = i + stride * j
            let cnt = pm.counts[e]
            let size = cols.testSize(count: cnt, sumW: pm.sumW[e], sumW2: pm.sumW2[e], semantics: options.weightSemantics)
            if i == j { acc.set(i, j, r: 1, n: cnt, size: size); continue }
            let m = pm.moments(i, j)
            if cnt < 2 || pm.sumW[e] <= 0 {
                acc.set(i, j, r: nil, n: cnt, size: size)
                if i < j { acc.notes.append("\(variables[i]) × \(variables[j]): \(cnt) complete rows, r undefined") }
            } else if pm.isConstant(i, inPairWith: j, variance: m.vj) || pm.isConstant(j, inPairWith: i, variance: m.vk) {
                acc.set(i, j, r: nil, n: cnt, size: size)
                if i < j { acc.notes.append("\(variables[i]) × \(variables[j]): a variable is constant on the pair's rows, r undefined") }
            } else {
                acc.set(i, j, r: CorrelationInference.clamp(m.cov / (m.vj.squareRoot() * m.vk.squareRoot())), n: cnt, size: size)
            }
        } }
    }
}
