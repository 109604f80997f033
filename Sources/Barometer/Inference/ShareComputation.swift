import Foundation

/// The computation behind ``ConditionalShare`` and ``ShareTable``: the
/// share of "yes" answers in k disjoint bases at once (one base for a single
/// share, one per category of X for a table).
///
/// Its numbers come from a ``ShareAccumulator`` (``ShareAccumulator/computation(bases:)``:
/// the in-memory, streamed and merged passes alike) except under calibrated weights
/// without replicate weights, whose influence values take the calibration residuals of
/// every row: then from the row pass below.
///
/// Per row: `answer` is 0 (Y in the code set), 1 (another answer in the
/// base) or −1 (not in any base), and `base` the base index (−1: none).
/// One ``CellTally`` of 2k cells (cell `2j` = yes, `2j + 1` = no in base j)
/// gives counts, Σw and Σw²; one grouped ``RatioOfTotals`` call gives every
/// base's design variance of `Σ_yes w / Σ_base w` (the single design-variance
/// path: linearization over strata and PSUs, or replicates); degrees of
/// freedom and SRS variances come from one pass each. Every per-base number
/// is summed in row order within its base, so a base's results do not depend
/// on which other bases are computed with it (except replicate designs,
/// whose replicate totals come from one dgemm over all bases) nor on the
/// thread count.
struct ShareComputation: Sendable {
    /// Cells 2j (yes) and 2j + 1 (no) of base j.
    let tally: CellTally
    /// Design variance of base j's share, or the error that made it
    /// undefined (an empty base, or a replicate with zero weight in it).
    let designVariance: [Result<Double, BarometerError>]
    /// R `degf` of each base.
    let degreesOfFreedom: [Int]
    /// SRS variances without and with replacement (for the design effects).
    let srsVariance: [(Double, Double)?]
    /// Replicate variance of each base's logit(p) (R `svyglm` on a replicate
    /// design refits the logit per replicate); nil under linearization, or
    /// when a replicate share is 0 or 1 (the delta method is used then).
    let logitVariance: [Double?]
    /// Rows of each base with positive weight.
    let positiveWeightRows: [Int]

    /// Answer cells of Y: 0 for a code in `codes`, 1 for another answer in
    /// the base, −1 outside it (DK/Refused/system-missing under
    /// ``ConditionalShare/Denominator/validAnswers``).
    static func answers(_ y: Variable, codes: Set<Double>, denominator: ConditionalShare.Denominator) -> [Int32] {
        // (A code that matches nothing is reported by ``unmatchedCodesWarning(_:_:)``.)
        let coding = CategoryCoding(y, missing: .showMissing)
        let answer = coding.categories.map { cat -> Int32 in
            guard cat.status == .valid || denominator == .allInDomain else { return -1 }
            if let c = cat.code, codes.contains(c) { return 0 }
            return 1
        }
        // As coding.cells, mapped in place (the coding is not used again).
        var out = (consume coding).index
        out.withUnsafeMutableBufferPointer { o in
            for i in o.indices { let c = o[i]; o[i] = c < 0 ? -1 : answer[Int(c)] }
        }
        return out
    }

    /// A warning naming the codes in `codes` that are neither a value label
    /// of `v` nor a value present in the data (they can only count zero
    /// respondents), with the codes `v` has; nil when every code matches.
    static func unmatchedCodesWarning(_ v: Variable, _ codes: Set<Double>) -> String? {
        var unmatched = codes.filter { v.valueLabels[$0] == nil }
        guard !unmatched.isEmpty else { return nil }
        for x in v.values where unmatched.contains(x) {
            unmatched.remove(x)
            if unmatched.isEmpty { return nil }
        }
        let present = Set(v.values.filter { !$0.isNaN }).union(v.valueLabels.keys).sorted()
        let shown = present.prefix(30).map { c in v.valueLabels[c].map { "\(Variable.formatCode(c)) \"\($0)\"" } ?? Variable.formatCode(c) }
        let list = shown.joined(separator: ", ") + (present.count > 30 ? ", … (\(present.count) codes)" : "")
        let which = unmatched.sorted().map(Variable.formatCode).joined(separator: ", ")
        return "\(unmatched.count == 1 ? "code" : "codes") \(which) of \(v.name) \(unmatched.count == 1 ? "matches" : "match") no answer and no value label (\(v.name) has: \(list.isEmpty ? "no codes" : list))"
    }

    /// The computation from sums accumulated elsewhere (a merged ``ShareAccumulator``):
    /// the same per-base numbers the row pass below produces.
    init(tally: CellTally, designVariance: [Result<Double, BarometerError>], degreesOfFreedom: [Int],
         srsVariance: [(Double, Double)?], logitVariance: [Double?], positiveWeightRows: [Int]) {
        self.tally = tally
        self.designVariance = designVariance
        self.degreesOfFreedom = degreesOfFreedom
        self.srsVariance = srsVariance
        self.logitVariance = logitVariance
        self.positiveWeightRows = positiveWeightRows
    }

    /// - Parameters:
    ///   - answers: ``answers(_:codes:denominator:)`` of Y (consumed as scratch).
    ///   - base: each row's base, −1 for none (consumed as scratch).
    /// - Throws: ``BarometerError/lengthMismatch(variable:expected:actual:)``
    ///   and the design's variance errors other than an empty denominator
    ///   (e.g. a lonely PSU under `fail`).
    init(_ design: SurveyDesign, answers: consuming [Int32], base: consuming [Int32], count k: Int) throws(BarometerError) {
        let n = design.rowCount
        guard answers.count == n, base.count == n else {
            throw .lengthMismatch(variable: "share base", expected: n, actual: min(answers.count, base.count))
        }
        // answers becomes the tally cell 2·base + answer; base keeps only rows with an answer counted.
        var cell = consume answers, inBase = consume base
        var yes = [Double](repeating: 0, count: n)
        cell.withUnsafeMutableBufferPointer { cp in inBase.withUnsafeMutableBufferPointer { bp in
        yes.withUnsafeMutableBufferPointer { yp in
            for i in 0..<n {
                let a = cp[i], b = bp[i]
                if a < 0 || b < 0 { cp[i] = -1; bp[i] = -1; continue }
                cp[i] = 2 * b + a
                yp[i] = a == 0 ? 1 : 0
            }
        } } }
        // The tally and design variances, beside the df and SRS variances (independent passes).
        let (tallied, other) = concurrently({ [cell, inBase, yes] () -> Result<(CellTally, [(variance: Result<Double, BarometerError>, logit: Double?)]), BarometerError> in
            do throws(BarometerError) {
                let tally = try CellTally(cellCount: 2 * k, index: cell, weights: design.weights)
                return .success((tally, try Self.designVariances(design, tally: tally, yes: yes, inBase: inBase, count: k)))
            } catch { return .failure(error) }
        }, { [inBase, yes] in
            (design.degreesOfFreedom(groups: inBase, groupCount: k), design.srsVariances(yes, groups: inBase, groupCount: k, total: false))
        })
        let (tally, variances) = try tallied.get()
        self.tally = tally
        self.designVariance = variances.map { $0.variance }
        self.logitVariance = variances.map { $0.logit }
        var positive = [Int](repeating: 0, count: k)
        for i in 0..<n where inBase[i] >= 0 && design.weights.values[i] > 0 { positive[Int(inBase[i])] += 1 }
        self.positiveWeightRows = positive
        self.degreesOfFreedom = other.0
        self.srsVariance = other.1
    }

    /// Design variance of each base's share (one grouped ``RatioOfTotals``
    /// call; bases without positive weight fail with an empty domain).
    private static func designVariances(_ design: SurveyDesign, tally: CellTally, yes: [Double], inBase: [Int32],
                                        count k: Int) throws(BarometerError) -> [(variance: Result<Double, BarometerError>, logit: Double?)] {
        // Only bases with positive weight get a ratio column.
        var column = [Int32](repeating: -1, count: k), bases: [Int] = []
        var variance = [Result<Double, BarometerError>](repeating: .failure(.emptyDomain("no respondents with positive weight")), count: k)
        for j in 0..<k where tally.counts[2 * j] + tally.counts[2 * j + 1] > 0 && tally.weighted[2 * j] + tally.weighted[2 * j + 1] > 0 {
            column[j] = Int32(bases.count); bases.append(j)
        }
        let group = bases.count == k ? inBase : inBase.map { $0 < 0 ? -1 : column[Int($0)] }
        var logit = [Double?](repeating: nil, count: k)
        func evaluate(_ g: [Int32], _ m: Int) throws(BarometerError) -> [(Double, Double?)] {
            let r = try RatioOfTotals(meansOf: yes, groups: g, groupCount: m).evaluate(design)
            return (0..<m).map { c in (max(r.covariance[c, c], 0), try? logitReplicateVariance(r, column: c, design)) }
        }
        do {
            let v = try evaluate(group, bases.count)
            for (c, j) in bases.enumerated() { variance[j] = .success(v[c].0); logit[j] = v[c].1 }
        } catch .emptyDomain {
            // A replicate with zero weight in some base: find which, one base at a time.
            for (c, j) in bases.enumerated() {
                let one = group.map { $0 == Int32(c) ? Int32(0) : -1 }
                do { let v = try evaluate(one, 1)[0]; variance[j] = .success(v.0); logit[j] = v.1 }
                catch .emptyDomain(let s) { variance[j] = .failure(.emptyDomain(s)) }
            }
        }
        return (0..<k).map { (variance[$0], logit[$0]) }
    }

    /// The replicate variance of logit(p) of column `c`: R `svyglm(y ~ 1,
    /// quasibinomial)` on a replicate design, whose replicate fits are the
    /// replicate logits. Nil without replicates or when a share is 0 or 1.
    private static func logitReplicateVariance(_ r: RatioOfTotals.Result, column c: Int,
                                               _ design: SurveyDesign) throws(BarometerError) -> Double? {
        guard let reps = design.replicates else { return nil }
        return try logitReplicateVariance(r, column: c) { (t, full) throws(BarometerError) in
            try reps.covariance(replicates: t, full: full)
        }
    }

    /// ``logitReplicateVariance(_:column:_:)`` with the replicate covariance
    /// given (a merged state keeps the replicate scales, not the weights).
    static func logitReplicateVariance(_ r: RatioOfTotals.Result, column c: Int,
                                       covariance: (Matrix, [Double]) throws(BarometerError) -> Matrix) throws(BarometerError) -> Double? {
        guard let theta = r.replicateEstimates else { return nil }
        func logit(_ p: Double) -> Double? { p > 0 && p < 1 ? log(p / (1 - p)) : nil }
        guard let full = logit(r.estimates[c]) else { return nil }
        var t = Matrix(rows: theta.rows, columns: 1)
        for i in 0..<theta.rows {
            guard let x = logit(theta[i, c]) else { return nil }
            t[i, 0] = x
        }
        return try covariance(t, [full])[0, 0]
    }
}
