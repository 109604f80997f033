import Foundation

/// Accumulator of `barometer share`: the share of `Y ∈ codes` in each base — one
/// base per valid category of X (``ShareTable``, `share --by X`), or one base, the
/// domain (``ConditionalShare``) — keyed by X's categories so that shards that saw
/// different categories merge.
///
/// State:
/// - ``cells``: a two-way ``TableAccumulator`` of X (a constant for a single share)
///   × the answer (code 0 "yes", Y in the code set; 1 "no", another answer in the
///   base), over the base rows: n, Σw, Σw² per cell (the ``CellTally`` of
///   ``ShareComputation``: counts, weighted counts, Kish's effective size), and X's
///   categories over every row (a category seen only outside the domain is still a
///   row of the table, as in one pass);
/// - ``groups``: a ``GroupedTotalsAccumulator`` (kind `proportion`) of the 0/1
///   answer keyed by X's value: the design variance of each base's share (weights-only,
///   strata/PSUs or replicate totals), each base's df (R `degf(subset(design, base))`),
///   SRS variances for the design effects, respondents with positive weight, and
///   under replicate designs the replicate shares (the logit replicate variance);
///   its covariance between bases gives `--compare`;
/// - ``seen``: the distinct non-missing values of Y (and of the `--among` variable
///   of a single share), whose union over shards decides the "code matches
///   nothing" warnings as one pass does.
///
/// ``finalize(_:)`` lays these sums out as a ``ShareComputation`` and calls the
/// finalization the in-memory ``ShareTable`` and ``ConditionalShare`` use.
struct ShareAccumulator: Sendable {
    var cells: TableAccumulator
    var groups: GroupedTotalsAccumulator
    var seen: [[Double]]

    init(cells: TableAccumulator, groups: GroupedTotalsAccumulator, seen: [[Double]]) {
        self.cells = cells
        self.groups = groups
        self.seen = seen
    }

    mutating func merge(_ other: ShareAccumulator) throws(BarometerError) {
        guard other.seen.count == seen.count, other.cells.variableCount == cells.variableCount else {
            throw .invalidArgument("cannot merge share states of different shapes")
        }
        try cells.merge(other.cells)
        try groups.merge(other.groups)
        for v in seen.indices { seen[v] = Array(Set(seen[v]).union(other.seen[v])).sorted() }
    }

    /// Distinct non-missing values of `v`, ascending.
    /// Small whole codes are marked in a flat table, other values hashed.
    static func distinctValues(_ v: Variable) -> [Double] {
        var small = [Bool](repeating: false, count: CategoryCoding.smallCodeLimit), other = Set<Double>()
        small.withUnsafeMutableBufferPointer { seen in
            for x in v.values where !x.isNaN {
                if let c = CategoryCoding.smallCode(x) { seen[c] = true } else { other.insert(x == 0 ? 0 : x) }
            }
        }
        for (c, seen) in small.enumerated() where seen { other.insert(Double(c)) }
        return other.sorted()
    }

    /// The sums of each of X's categories `categories` (valid, with a code) as the
    /// ``ShareComputation`` of the bases in that order.
    func computation(bases categories: [Category]) throws(BarometerError) -> ShareComputation {
        let t = try cells.finalize()
        guard t.categories.count == 2 else { throw .invalidArgument("share state without its answer cells") }
        let xs = t.categories[0], answers = t.categories[1]
        let yesColumn = answers.firstIndex { $0.code == 0 }, noColumn = answers.firstIndex { $0.code == 1 }
        let k = categories.count
        var counts = [Int](repeating: 0, count: 2 * k), weighted = [Double](repeating: 0, count: 2 * k)
        var squares = weighted
        var xIndex: [CategoryKey: Int] = [:]
        for (i, c) in xs.enumerated() { xIndex[CategoryKey(c)] = i }
        for (j, cat) in categories.enumerated() {
            guard let i = xIndex[CategoryKey(cat)] else { continue }
            for (a, column) in [yesColumn, noColumn].enumerated() {
                guard let column else { continue }
                let cell = i + xs.count * column
                counts[2 * j + a] = t.tally.counts[cell]
                weighted[2 * j + a] = t.tally.weighted[cell]
                squares[2 * j + a] = t.tally.weightedSquares[cell]
            }
        }
        let tally = CellTally(counts: counts, weighted: weighted, weightedSquares: squares)
        // Design variances of the bases with respondents of positive weight, from the grouped totals.
        var variance = [Result<Double, BarometerError>](repeating: .failure(.emptyDomain("no respondents with positive weight")), count: k)
        var logit = [Double?](repeating: nil, count: k)
        var df = [Int](repeating: 0, count: k), srs = [(Double, Double)?](repeating: nil, count: k)
        var positive = [Int](repeating: 0, count: k)
        guard let full = groups.totals else {
            return ShareComputation(tally: tally, designVariance: variance, degreesOfFreedom: df, srsVariance: srs,
                                    logitVariance: logit, positiveWeightRows: positive)
        }
        let flagged = full.flaggedDegreesOfFreedom()
        var bases: [Int] = [], estimate: [Int] = []
        for (j, cat) in categories.enumerated() {
            guard let code = cat.code, let g = groups.lookup[[.code(code == 0 ? 0 : code)]] else { continue }
            positive[j] = full.respondents[g + 1]
            if full.kind != .replicate { df[j] = flagged[g + 1] }
            if tally.counts[2 * j] + tally.counts[2 * j + 1] > 0 && tally.weighted[2 * j] + tally.weighted[2 * j + 1] > 0 {
                bases.append(j); estimate.append(g + 1)
            }
        }
        func covariance(_ t: Matrix, _ f: [Double]) throws(BarometerError) -> Matrix {
            try ReplicateWeights.covariance(replicates: t, full: f, scale: full.scale, rscales: full.rscales, mse: full.mse)
        }
        func evaluate(_ which: [Int]) throws(BarometerError) {
            let out = try full.remapped(count: which.count, from: which.map { estimate[$0] }).finalize(variancesOnly: true)
            for (c, b) in which.enumerated() {
                let j = bases[b]
                variance[j] = .success(max(out.result.covariance[c, c], 0))
                logit[j] = full.kind == .replicate ? (try? ShareComputation.logitReplicateVariance(out.result, column: c, covariance: covariance)) ?? nil : nil
                srs[j] = out.srsVariances[c]
                if full.kind == .replicate { df[j] = out.degreesOfFreedom }
            }
        }
        if !bases.isEmpty {
            do { try evaluate(Array(bases.indices)) } catch .emptyDomain {
                // A replicate with zero weight in some base: one base at a time, as the row pass.
                for b in bases.indices {
                    do { try evaluate([b]) } catch .emptyDomain(let s) { variance[bases[b]] = .failure(.emptyDomain(s)) }
                }
            }
        }
        return ShareComputation(tally: tally, designVariance: variance, degreesOfFreedom: df, srsVariance: srs,
                                logitVariance: logit, positiveWeightRows: positive)
    }
}

extension SurveyDesign {
    /// The share accumulator of `variable ∈ codes` over this design's rows: one base
    /// per valid category of `by` within `domain`, or (no `by`) the single base
    /// `domain` (already restricted to `--among`). `answer` is the 0/1 indicator of
    /// Y (NaN outside the base's answers: DK, Refused, system-missing under
    /// ``ConditionalShare/Denominator/validAnswers``); `seen` lists the variables whose
    /// distinct values are kept for the warnings. `missing` decides whether the
    /// user-missing categories of `by` are bases too (``MissingInclusion/showMissing``;
    /// system-missing never is). The table of cells and the grouped totals are two
    /// independent passes, run side by side.
    func shareAccumulator(_ y: Variable, codes: Set<Double>, denominator: ConditionalShare.Denominator, by: Variable?,
                          domain: Domain?, seen: [Variable], missing: MissingInclusion = .excludeMissing,
                          byCoding: CategoryCoding? = nil) throws(BarometerError) -> ShareAccumulator {
        if let d = domain, d.mask.count != rowCount {
            throw .lengthMismatch(variable: "domain \(d.description)", expected: rowCount, actual: d.mask.count)
        }
        let answers = ShareComputation.answers(y, codes: codes, denominator: denominator)
        let x = by ?? Variable(name: "all", values: [Double](repeating: 0, count: rowCount))
        let xCoding = byCoding ?? CategoryCoding(x, missing: missing)    // one coding of X for both passes
        let (cells, groups) = concurrently({ [weights] () -> Result<TableAccumulator, BarometerError> in
            var cellAnswer = Variable(name: "answer", values: answers.map { $0 < 0 ? .nan : Double($0) })
            cellAnswer.valueLabels = [0: "yes", 1: "no"]    // both answer cells exist in every shard
            var cells = TableAccumulator(variableCount: 2)
            do throws(BarometerError) {
                try cells.add(TableChunk(codings: [xCoding, CategoryCoding(cellAnswer, missing: .excludeMissing)],
                                         weights: weights, domain: domain))
                return .success(cells)
            } catch { return .failure(error) }
        }, { () -> Result<GroupedTotalsAccumulator, BarometerError> in
            let indicator = Variable(name: y.name, values: answers.map { $0 < 0 ? .nan : $0 == 0 ? 1 : 0 })
            do throws(BarometerError) {
                return .success(try groupedAccumulator(kind: "proportion", y: indicator, x: nil, by: [x], domain: domain,
                                                       shard: true, missing: missing, codings: [xCoding]))
            } catch { return .failure(error) }
        })
        return ShareAccumulator(cells: try cells.get(), groups: try groups.get(), seen: seen.map(ShareAccumulator.distinctValues))
    }
}
