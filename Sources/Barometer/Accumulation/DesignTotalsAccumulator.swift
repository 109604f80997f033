import Foundation

/// The rows of a chunk for a ``DesignTotalsAccumulator``: the estimating
/// columns of ``RatioOfTotals`` (numerators `yᵢ·dᵢ`, denominators `xᵢ·dᵢ`,
/// zero outside an estimate's domain), which rows count as the estimate's
/// respondents, the weights and the chunk's part of the design.
public struct DesignTotalsChunk {
    /// How the chunk's rows were sampled.
    enum Sampling {
        /// Weights-only: each respondent its own PSU, one stratum, with replacement.
        case independent
        /// Strata and PSUs: per row its stratum label index and PSU index, the
        /// labels, and one raw fpc value per stratum label (nil: with replacement).
        case clustered(strata: [Int32], psus: [Int32], stratumLabels: [String], psuNames: [PSUName],
                       fpc: [Double]?, populationGiven: Bool)
        /// Replicate weights, rows × R.
        case replicate(Matrix)
        /// The replicate weights of a whole design, by reference (``ReplicateWeights/columns``);
        /// a chunk holds its rows' part as ``replicateRows(_:_:)``.
        case replicateWeights(ReplicateWeights)
        /// Rows `range` of a design's replicate weights, read where they were loaded (not copied).
        case replicateRows(ReplicateWeights, Range<Int>)
    }
    let weights: [Double]
    let numerators: Matrix
    let denominators: Matrix?
    /// n × k: 1 where row i is a respondent of estimate j (in the domain, valid answer).
    let indicators: Matrix
    /// Whether the SRS variance (design effects) is wanted (means and totals).
    let srs: Bool
    let sampling: Sampling
    /// The chunk's stratum and PSU indices are the accumulator's own (it was
    /// ``DesignTotalsAccumulator/seed(_:psuStratum:)``-ed with this design's
    /// sampling): no lookups by label.
    var seeded = false
    /// Which rows count for degrees of freedom beyond the design's (R `degf(subset(design, …))`).
    enum DegreesOfFreedomRows {
        /// None: the design's df.
        case none
        /// The rows of a domain (this chunk's part of its mask): one df for all estimates.
        case domain([Bool])
        /// Each estimate's own rows (its indicator column): one df per estimate (groups).
        case indicators
    }
    /// Which rows count for the degrees of freedom (rows with zero weight never do).
    var degreesOfFreedomRows: DegreesOfFreedomRows = .none
    /// The estimating columns in grouped layout (``Grouped``); the matrices above then have no rows.
    var grouped: Grouped? = nil

    /// The chunk of `design`'s rows with these estimating columns (as
    /// ``RatioOfTotals/init(numerators:denominators:)``).
    init(_ design: SurveyDesign, numerators: Matrix, denominators: Matrix?, indicators: Matrix,
         srs: Bool) throws(BarometerError) {
        guard numerators.rows == design.rowCount, indicators.rows == numerators.rows,
              indicators.columns == numerators.columns else {
            throw .lengthMismatch(variable: "estimating columns", expected: design.rowCount, actual: numerators.rows)
        }
        if let d = denominators, d.rows != numerators.rows || (d.columns != numerators.columns && d.columns != 1) {
            throw .invalidArgument("numerators \(numerators.rows)×\(numerators.columns) and denominators \(d.rows)×\(d.columns) differ")
        }
        self.weights = design.weights.values
        self.numerators = numerators
        self.denominators = denominators
        self.indicators = indicators
        self.srs = srs
        sampling = Sampling(design).rows(0..<design.rowCount)
    }

    /// The chunk of `design`'s rows `rows` with these estimating columns
    /// (`rows.count` rows each); `sampling` is ``Sampling/init(_:)`` of the
    /// whole design, computed once for all its chunks. Only the rows' part
    /// of the design is copied (weights, strata and PSU indices, replicate
    /// weights), so a pass over the design in chunks holds no n-length
    /// temporaries.
    init(_ design: SurveyDesign, rows: Range<Int>, sampling: Sampling, numerators: Matrix, denominators: Matrix?,
         indicators: Matrix, srs: Bool, degreesOfFreedomRows: DegreesOfFreedomRows = .none) throws(BarometerError) {
        guard rows.lowerBound >= 0, rows.upperBound <= design.rowCount, numerators.rows == rows.count,
              indicators.rows == numerators.rows, indicators.columns == numerators.columns else {
            throw .lengthMismatch(variable: "estimating columns", expected: rows.count, actual: numerators.rows)
        }
        if let d = denominators, d.rows != numerators.rows || (d.columns != numerators.columns && d.columns != 1) {
            throw .invalidArgument("numerators \(numerators.rows)×\(numerators.columns) and denominators \(d.rows)×\(d.columns) differ")
        }
        self.weights = Array(design.weights.values[rows])
        self.numerators = numerators
        self.denominators = denominators
        self.indicators = indicators
        self.srs = srs
        self.sampling = sampling.rows(rows)
        if case .domain(let mask) = degreesOfFreedomRows, mask.count != rows.count {
            throw .lengthMismatch(variable: "domain rows", expected: rows.count, actual: mask.count)
        }
        self.degreesOfFreedomRows = degreesOfFreedomRows
    }
}

extension DesignTotalsChunk.Sampling {
    /// The sampling of all of `design`'s rows.
    init(_ design: SurveyDesign) {
        if let r = design.replicates {
            self = .replicateWeights(r)
        } else if Self.isIndependent(design) {
            self = .independent
        } else {
            let s = design.sampling
            let names: [PSUName] = s.psuLabels.map { $0.map { .label($0) } } ?? (0..<s.psuCount).map { .row($0) }
            self = .clustered(strata: s.strata, psus: s.clusters, stratumLabels: s.stratumLabels, psuNames: names,
                              fpc: s.fpcValues ?? s.populationPSUs, populationGiven: s.fpcValues == nil)
        }
    }

    /// Whether a design without replicate weights is `.independent` (each row its own PSU, one
    /// stratum, no fpc, no PSU variable), decided without formatting the PSU labels.
    static func isIndependent(_ design: SurveyDesign) -> Bool {
        design.sampling.psuCount == design.rowCount && design.sampling.strataCount == 1
            && design.sampling.populationPSUs == nil && !design.sampling.hasPSULabels
    }

    /// The part of this (whole-design) sampling that describes rows `r`.
    func rows(_ r: Range<Int>) -> Self {
        switch self {
        case .independent: return .independent
        case .clustered(let strata, let psus, let labels, let names, let fpc, let given):
            return .clustered(strata: Array(strata[r]), psus: Array(psus[r]), stratumLabels: labels, psuNames: names,
                              fpc: fpc, populationGiven: given)
        case .replicate(let m):
            var part = Matrix(rows: r.count, columns: m.columns)
            m.storage.withUnsafeBufferPointer { src in part.storage.withUnsafeMutableBufferPointer { dst in
                for j in 0..<m.columns {
                    for i in 0..<r.count { dst[i + r.count * j] = src[r.lowerBound + i + m.rows * j] }
                }
            } }
            return .replicate(part)
        case .replicateWeights(let reps):
            return .replicateRows(reps, r)
        case .replicateRows(let reps, let range):
            return .replicateRows(reps, (range.lowerBound + r.lowerBound)..<(range.lowerBound + r.upperBound))
        }
    }
}

/// A PSU's name across chunks: the PSU variable's value, or (in memory only)
/// the respondent's row when each respondent is its own PSU.
enum PSUName: Hashable, Sendable {
    case label(String)
    case row(Int)
}

/// Accumulator of design-based totals, means and ratios of totals
/// (``RatioOfTotals``) under each kind of design, keeping only sums:
///
/// - estimates: `T_y = Σ wᵢ yᵢ`, `T_x = Σ wᵢ xᵢ` per estimate;
/// - weights-only design (each respondent its own PSU, with replacement):
///   the linearization variance `n/(n−1)·Σᵢ (zᵢ − z̄)(zᵢ − z̄)ᵀ` over all n
///   rows. For totals (`zᵢ = wᵢyᵢ`) from the rows' mean and centred
///   cross-products, merged by the parallel-axis rule (Chan, Golub & LeVeque
///   1983). For ratios `Σz = 0` at R, and `Σ zⱼzₗ·XⱼXₗ = Sⱼₗ − δₗAⱼₗ − δⱼAₗⱼ + δⱼδₗBⱼₗ`
///   from the shifted sums `S = Σw²uⱼuₗ`, `A = Σw²uⱼxₗ`, `B = Σw²xⱼxₗ`,
///   `uⱼ = yⱼ − cⱼxⱼ`, `δⱼ = Rⱼ − cⱼ`, with `cⱼ` a ratio seen in the first chunk
///   (so no cancellation between large sums);
/// - strata / PSUs: per (stratum, PSU) key the totals `Y_hi`, `X_hi`, merged
///   by key; at the end `z_hi = (Y_hi − R·X_hi)/T_x` (or `Y_hi` for a total)
///   enter ``SamplingStructure``'s formula with its stratum plan (fpc,
///   census strata, lonely-PSU rule, shared through
///   `SamplingStructure.stratumPlan`);
/// - replicate weights: per replicate the totals `Wᵣᵀ[Y X]` (one dgemm per
///   chunk), then ``ReplicateWeights``' covariance.
///
/// Beside them, per estimate the respondents (rows with non-zero weight),
/// their Σw and the weighted mean and centred sum of squares of y for the
/// SRS variance of the design effect (R `svymean(deff = TRUE)`), merged by
/// the parallel-axis rule.
public struct DesignTotalsAccumulator: StatisticAccumulator {
    /// Which variance the accumulated sums serve.
    enum Kind: Equatable { case independent, clustered, replicate }
    let kind: Kind
    /// Number of estimates.
    let k: Int
    /// Totals (no denominator).
    let totals: Bool
    // Estimates.
    var ty: [Double], tx: [Double]
    /// The rounding errors carried with ``ty``, ``tx``, ``replicateY`` and ``replicateX``
    /// (``CompensatedSum``; empty: none yet). Not in state files, which store the sums.
    var tyLow: [Double] = [], txLow: [Double] = [], replicateYLow: [Double] = [], replicateXLow: [Double] = []
    // Respondents and SRS moments per estimate.
    var respondents: [Int], sumW: [Double], meanY: [Double], ssY: [Double]
    // Weights-only state.
    var rows = 0
    var meanZ: [Double], comoment: [Double]          // totals: k and k×k
    var shift: [Double]?                              // ratios: c per estimate
    var s: [Double], a: [Double], b: [Double]         // ratios: k×k each
    // Clustered state.
    /// Strata and PSUs by key; ``psuTotals`` and ``psuFlags`` follow its PSU numbers.
    var designKeys = DesignKeys()
    var psuTotals: [Double] = []                      // 2k per PSU: Y then X
    var lonelyPSU: LonelyPSURule = .fail
    var nest = true
    // Replicate state.
    var replicateY: Matrix? = nil, replicateX: Matrix? = nil
    var scale = 1.0, rscales: [Double] = [], mse = false
    /// A JKn design whose rscales are derived from the strata of all parts (``JackknifeStrata``):
    /// the parts' counts, merged by stratum label; ``rscales`` are NaN until ``resolveJackknife()``.
    var jackknife: JackknifeStrata? = nil
    /// Degrees of freedom given by the design (replicate rank − 1); nil: from the PSUs,
    /// or for replicate designs from ``rankRows``.
    var givenDF: Int? = nil
    /// Replicate designs accumulated in parts (``SurveyDesign/meansOrTotalsAccumulator(_:domain:total:requireAnswers:shard:)``):
    /// an m × R matrix (m ≤ R once R rows have been seen: the triangular factor of a QR) with the
    /// singular values of the stacked count sketches of every chunk's replicate weights
    /// (``ReplicateWeights/addSketch(rows:replicates:into:column:)``); its rank gives the df.
    var rankRows: Matrix? = nil
    /// Which rows count for the degrees of freedom (``DesignTotalsChunk/DegreesOfFreedomRows``); nil until rows are added.
    enum FlagMode: UInt8 { case none = 0, domain = 1, perEstimate = 2 }
    var flagMode: FlagMode? = nil
    /// Flag columns: 0 (the design's df), 1 (a domain) or k (one per estimate).
    var flagWidth: Int? {
        flagMode.map { switch $0 { case .none: 0; case .domain: 1; case .perEstimate: k } }
    }
    var flagRows: [Int] = []                          // weights-only: flagged rows per column
    var psuFlags: [Bool] = []                         // clustered: per PSU × column, whether it holds a flagged row

    typealias PSUKey = DesignKeys.PSUKey

    /// An empty accumulator of `count` estimates (`totals`: no denominators).
    init(kind: Kind, count: Int, totals: Bool) {
        self.kind = kind
        self.k = count
        self.totals = totals
        ty = [Double](repeating: 0, count: count); tx = ty
        respondents = [Int](repeating: 0, count: count); sumW = ty; meanY = ty; ssY = ty
        meanZ = ty
        // The k × k weights-only sums only where they are used (a replicate accumulator of many cells keeps none).
        comoment = [Double](repeating: 0, count: kind == .independent ? count * count : 0); s = comoment; a = comoment; b = comoment
    }

    /// An empty accumulator for the estimates of `design` (its design kind,
    /// lonely-PSU rule and replicate parameters).
    init(design: SurveyDesign, count: Int, totals: Bool) {
        if let r = design.replicates {
            self.init(kind: .replicate, count: count, totals: totals)
            scale = r.scale; rscales = r.rscales; mse = r.mse; givenDF = r.degreesOfFreedom
            jackknife = r.partialJackknife
        } else if DesignTotalsChunk.Sampling.isIndependent(design) {
            self.init(kind: .independent, count: count, totals: totals)
        } else {
            self.init(kind: .clustered, count: count, totals: totals)
            lonelyPSU = design.sampling.lonelyPSU
        }
    }

    // MARK: adding rows

    public mutating func add(_ chunk: DesignTotalsChunk) throws(BarometerError) {
        if let g = chunk.grouped { try addGrouped(chunk, g); return }
        let n = chunk.numerators.rows
        guard chunk.numerators.columns == k, chunk.weights.count == n, (chunk.denominators == nil) == totals else {
            throw .invalidArgument("a chunk of \(chunk.numerators.columns) estimates added to an accumulator of \(k)")
        }
        let w = chunk.weights, y = chunk.numerators, d = chunk.denominators, ind = chunk.indicators
        srsWanted = chunk.srs
        try setFlagMode(chunk.degreesOfFreedomRows, rows: n)
        let flagCols = flagWidth ?? 0
        /// Whether row i counts for the df of flag column c.
        @inline(__always) func flagged(_ i: Int, _ c: Int) -> Bool {
            guard w[i] != 0 else { return false }
            switch chunk.degreesOfFreedomRows {
            case .none: return false
            case .domain(let mask): return mask[i]
            case .indicators: return ind[i, c] != 0
            }
        }
        @inline(__always) func x(_ i: Int, _ j: Int) -> Double { d.map { $0[i, $0.columns == 1 ? 0 : j] } ?? 0 }
        guard y.storage.count == n * k, ind.storage.count == n * k, d.map({ $0.rows == n && ($0.columns == 1 || $0.columns == k) }) ?? true else {
            throw .invalidArgument("a chunk's estimating columns do not have its \(n) rows")
        }
        // Estimates, in row order per estimate; respondents and SRS moments (two passes within
        // the chunk, merged by the parallel-axis rule). Read through pointers (the sums as
        // element by element).
        let dStorage = d?.storage ?? []
        let dWidth = d.map { $0.columns == 1 ? 0 : n } ?? 0
        w.withUnsafeBufferPointer { wb in
            y.storage.withUnsafeBufferPointer { yb in
                ind.storage.withUnsafeBufferPointer { ib in
                    dStorage.withUnsafeBufferPointer { db in
                        if tyLow.count != k { tyLow = [Double](repeating: 0, count: k); txLow = tyLow }
                        // Blocks of 256 rows summed plainly, the block sums added with their error carried.
                        for j in 0..<k {
                            let yj = j * n, xj = j * dWidth
                            var lo = 0
                            while lo < n {
                                let hi = min(lo + 256, n)
                                var sy = 0.0, sx = 0.0
                                if d != nil {
                                    for i in lo..<hi { sy += wb[i] * yb[yj + i]; sx += wb[i] * db[xj + i] }
                                } else {
                                    for i in lo..<hi { sy += wb[i] * yb[yj + i] }
                                }
                                CompensatedSum.add(sy, to: &ty[j], &tyLow[j]); CompensatedSum.add(sx, to: &tx[j], &txLow[j])
                                lo = hi
                            }
                        }
                        for j in 0..<k {
                            let yj = j * n
                            var cnt = 0, sw = 0.0, swy = 0.0
                            for i in 0..<n where ib[yj + i] != 0 && wb[i] != 0 { cnt += 1; sw += wb[i]; swy += wb[i] * yb[yj + i] }
                            guard cnt > 0 else { continue }
                            let mean = chunk.srs ? swy / sw : 0
                            var ss = 0.0
                            if chunk.srs {
                                for i in 0..<n where ib[yj + i] != 0 && wb[i] != 0 { ss += wb[i] * (yb[yj + i] - mean) * (yb[yj + i] - mean) }
                            }
                            Self.mergeMoments(&respondents[j], &sumW[j], &meanY[j], &ssY[j], cnt, sw, mean, ss)
                        }
                    }
                }
            }
        }
        switch (kind, chunk.sampling) {
        case (.independent, .independent):
            for c in 0..<flagCols { for i in 0..<n where flagged(i, c) { flagRows[c] += 1 } }
            if totals { try addIndependentTotals(w, y, n) } else { try addIndependentRatios(w, y, n, x) }
        case (.clustered, .clustered(let strata, let psus, let labels, let names, let fpc, let given)):
            guard strata.count == n, psus.count == n else {
                throw .lengthMismatch(variable: "design rows", expected: n, actual: strata.count)
            }
            designKeys.populationGiven = given
            if chunk.seeded {
                guard labels.count == designKeys.strata.count, names.count == designKeys.psus.count else {
                    throw .invalidArgument("a chunk of another design added to a seeded design accumulator")
                }
                let width = 2 * k
                for i in 0..<n where Int(psus[i]) >= names.count || psus[i] < 0 {
                    throw .invalidArgument("PSU index \(psus[i]) outside the design's \(names.count) PSUs")
                }
                for c in 0..<flagCols { for i in 0..<n where flagged(i, c) { psuFlags[Int(psus[i]) * flagCols + c] = true } }
                psuTotals.withUnsafeMutableBufferPointer { t in
                    w.withUnsafeBufferPointer { wb in
                        psus.withUnsafeBufferPointer { pb in
                            y.storage.withUnsafeBufferPointer { yb in
                                dStorage.withUnsafeBufferPointer { db in
                                    // A run of rows of one PSU adds to that PSU's totals held in
                                    // registers (the same additions in the same order as one
                                    // row at a time through memory).
                                    for j in 0..<k {
                                        let yj = j * n, xj = j * dWidth
                                        var i = 0
                                        while i < n {
                                            let p = pb[i], q = Int(p) * width
                                            var sy = t[q + j]
                                            if d != nil {
                                                var sx = t[q + k + j]
                                                repeat { sy += wb[i] * yb[yj + i]; sx += wb[i] * db[xj + i]; i += 1 } while i < n && pb[i] == p
                                                t[q + k + j] = sx
                                            } else {
                                                repeat { sy += wb[i] * yb[yj + i]; i += 1 } while i < n && pb[i] == p
                                            }
                                            t[q + j] = sy
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                break
            }
            let psu = try psuIndices(strata: strata, psus: psus, labels: labels, names: names, fpc: fpc)
            let width = 2 * k
            for c in 0..<flagCols { for i in 0..<n where flagged(i, c) { psuFlags[psu[i] * flagCols + c] = true } }
            psuTotals.withUnsafeMutableBufferPointer { t in
                for j in 0..<k {
                    for i in 0..<n {
                        let q = psu[i] * width
                        t[q + j] += w[i] * y[i, j]
                        if d != nil { t[q + k + j] += w[i] * x(i, j) }
                    }
                }
            }
        case (.replicate, .replicateRows(let reps, let range)):
            guard range.count == n, range.upperBound <= reps.rowCount else {
                throw .lengthMismatch(variable: "replicate weights", expected: n, actual: range.count)
            }
            let (ry, rx) = try Self.replicateTotals(reps, range, y, d)
            try Self.addInto(&replicateY, &replicateYLow, ry)
            try addRankSketch(chunk.sampling, rows: n)
            if let rx { try Self.addInto(&replicateX, &replicateXLow, rx) }
        case (.replicate, .replicate(let reps)):
            guard reps.rows == n else { throw .lengthMismatch(variable: "replicate weights", expected: n, actual: reps.rows) }
            // Single-threaded BLAS: one fixed summation order whatever the thread count (as ReplicateWeights.replicateTotals).
            func times(_ m: Matrix) throws(BarometerError) -> Matrix {
                try BLASRuntime.withSingleThreadedBLAS { () -> Result<Matrix, BarometerError> in
                    do throws(LinearAlgebraError) { return .success(try LinearAlgebra.multiply(reps, m, transposeA: true)) }
                    catch { return .failure(.linearAlgebra(error)) }
                }.get()
            }
            let ry = try times(y)
            try Self.addInto(&replicateY, &replicateYLow, ry)
            try addRankSketch(chunk.sampling, rows: n)
            if let d { try Self.addInto(&replicateX, &replicateXLow, try times(d)) }
        default:
            throw .invalidArgument("a chunk of another design kind added to a \(kind) design accumulator")
        }
    }

    /// `Wᵀ·Y` and `Wᵀ·X` (R × Y.columns, R × X.columns) for rows `range` of the
    /// replicate weights `reps` (Y, X: range.count rows), in one pass over each
    /// replicate's weights read in place (no copy of the chunk's weights, each
    /// weight loaded once for all the columns of Y and X).
    ///
    /// Each total is the dot product of one replicate column with one column,
    /// summed in a fixed order with its rounding error carried (`ReplicateProductWork`); the replicates are shared
    /// among threads (each computed whole by one thread), so the result does not
    /// depend on the thread count.
    static func replicateTotals(_ reps: ReplicateWeights, _ range: Range<Int>, _ y: Matrix,
                                _ x: Matrix?) throws(BarometerError) -> (Matrix, Matrix?) {
        let R = reps.count, n = range.count, ky = y.columns, kx = x?.columns ?? 0
        guard y.rows == n, x.map({ $0.rows == n }) ?? true, range.upperBound <= reps.rowCount else {
            throw .lengthMismatch(variable: "replicate totals", expected: n, actual: y.rows)
        }
        var ry = Matrix(rows: R, columns: ky)
        var rx = x.map { Matrix(rows: R, columns: $0.columns) }
        guard n > 0, ky + kx > 0 else { return (ry, rx) }
        // The weights of each replicate (row `range.lowerBound` on), the columns of Y then X, the totals.
        var weights: [UnsafePointer<Double>?] = []
        weights.reserveCapacity(R)
        for r in 0..<R { weights.append(reps.columns[r].withUnsafeBufferPointer { $0.baseAddress.map { UnsafePointer($0 + range.lowerBound) } }) }
        let yStorage = y.storage, xStorage = x?.storage ?? []
        // A column of Y or X equal bit for bit to an earlier one (the denominators of
        // several means over the same rows, without missing values) is summed once:
        // its totals are those of the earlier column (the same sums in the same order).
        var source = [Int](repeating: 0, count: ky + kx)
        var distinct: [Int] = []
        var out: [Double] = []
        yStorage.withUnsafeBufferPointer { yp in
            xStorage.withUnsafeBufferPointer { xp in
                // n > 0 and ky + kx > 0 rows × columns: at least one of the two is not empty.
                guard let any = yp.baseAddress ?? xp.baseAddress else { return }
                let all: [UnsafePointer<Double>] = (0..<(ky + kx)).map { c in
                    c < ky ? (yp.baseAddress ?? any) + c * n : (xp.baseAddress ?? any) + (c - ky) * n
                }
                for c in 0..<all.count {
                    if let k = distinct.firstIndex(where: { memcmp(all[$0], all[c], n * MemoryLayout<Double>.stride) == 0 }) {
                        source[c] = k
                    } else {
                        source[c] = distinct.count
                        distinct.append(c)
                    }
                }
                let width = distinct.count
                out = [Double](repeating: 0, count: R * width)
                out.withUnsafeMutableBufferPointer { op in
                    let work = ReplicateProductWork(weights: weights, columns: distinct.map { all[$0] },
                                                    out: UnsafeSendablePointer(op.baseAddress), rows: n)
                    let workers = n * R * width >= 1 << 18 ? KernelThreads.count(limit: R) : 1
                    if workers == 1 {
                        work.replicates(from: 0, step: 1)
                    } else {
                        DispatchQueue.concurrentPerform(iterations: workers) { t in work.replicates(from: t, step: workers) }
                    }
                }
            }
        }
        let width = distinct.count
        for r in 0..<R {
            for j in 0..<ky { ry[r, j] = out[r * width + source[j]] }
            for j in 0..<kx { rx?[r, j] = out[r * width + source[ky + j]] }
        }
        return (ry, rx)
    }

    /// `Σ_i a[i]·b[i]` over `count` values in a fixed order: eight running sums
    /// (lane `l` takes the indices ≡ l mod 8), added pairwise, then the tail in
    /// order. Vectorizes; the same bits on every thread and run.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Double>, _ b: UnsafePointer<Double>, count n: Int) -> Double {
        var s = SIMD8<Double>(repeating: 0)
        var i = 0
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        while i + 8 <= n {
            s += ra.loadUnaligned(fromByteOffset: 8 * i, as: SIMD8<Double>.self)
                * rb.loadUnaligned(fromByteOffset: 8 * i, as: SIMD8<Double>.self)
            i += 8
        }
        let s4 = s.lowHalf + s.highHalf, s2 = s4.lowHalf + s4.highHalf
        var total = s2[0] + s2[1]
        while i < n { total += a[i] * b[i]; i += 1 }
        return total
    }

    /// ``dot(_:_:count:)`` of `a` with `b0` and with `b1` in one sweep (each of `a`'s blocks
    /// loaded once for both): each result has the bits of the single dot product.
    @inline(__always)
    static func dot2(_ a: UnsafePointer<Double>, _ b0: UnsafePointer<Double>, _ b1: UnsafePointer<Double>,
                     count n: Int) -> (Double, Double) {
        var s0 = SIMD8<Double>(repeating: 0), s1 = s0
        var i = 0
        let ra = UnsafeRawPointer(a), r0 = UnsafeRawPointer(b0), r1 = UnsafeRawPointer(b1)
        while i + 8 <= n {
            let x = ra.loadUnaligned(fromByteOffset: 8 * i, as: SIMD8<Double>.self)
            s0 += x * r0.loadUnaligned(fromByteOffset: 8 * i, as: SIMD8<Double>.self)
            s1 += x * r1.loadUnaligned(fromByteOffset: 8 * i, as: SIMD8<Double>.self)
            i += 8
        }
        let h0 = s0.lowHalf + s0.highHalf, q0 = h0.lowHalf + h0.highHalf
        let h1 = s1.lowHalf + s1.highHalf, q1 = h1.lowHalf + h1.highHalf
        var t0 = q0[0] + q0[1], t1 = q1[0] + q1[1]
        while i < n { t0 += a[i] * b0[i]; t1 += a[i] * b1[i]; i += 1 }
        return (t0, t1)
    }

    /// The sum of `a[0..<n]` in eight lanes (lane `l` the elements ≡ l mod 8, in order), then
    /// the lanes pairwise and the tail in order: vectorizes; the same bits on every run.
    @inline(__always)
    static func sum(_ a: UnsafePointer<Double>, count n: Int) -> Double {
        var s = SIMD8<Double>(repeating: 0)
        var i = 0
        let ra = UnsafeRawPointer(a)
        while i + 8 <= n { s += ra.loadUnaligned(fromByteOffset: 8 * i, as: SIMD8<Double>.self); i += 8 }
        let s4 = s.lowHalf + s.highHalf, s2 = s4.lowHalf + s4.highHalf
        var total = s2[0] + s2[1]
        while i < n { total += a[i]; i += 1 }
        return total
    }

    /// Each row's PSU number in this accumulator for a chunk that is not seeded: the chunk's
    /// strata registered by label (with their fpc), each PSU of the chunk's rows looked up once.
    mutating func psuIndices(strata: [Int32], psus: [Int32], labels: [String], names: [PSUName],
                             fpc: [Double]?) throws(BarometerError) -> [Int] {
        let n = psus.count
        var localStratum: [Int] = []
        for (h, label) in labels.enumerated() { localStratum.append(try designKeys.stratum(label, fpc: fpc?[h], chunk: true)) }
        designKeys.reserve(names.count)
        // Only the PSUs of the chunk's rows are looked up (a chunk of an in-memory design holds a
        // few of its many PSUs): their chunk indices span lowest…highest; each is looked up once,
        // in order of first appearance in the chunk (the order in which rows would add them).
        var lowest = Int32.max, highest = Int32.min
        for i in 0..<n { lowest = min(lowest, psus[i]); highest = max(highest, psus[i]) }
        let base = n > 0 ? Int(lowest) : 0
        var local = [Int](repeating: -1, count: n > 0 ? Int(highest) - base + 1 : 0)
        var psu = [Int](repeating: 0, count: n)
        for i in 0..<n {
            let p = Int(psus[i])
            if i > 0 && psus[i] == psus[i - 1] { psu[i] = psu[i - 1]; continue }
            if local[p - base] < 0 {
                guard p >= 0, p < names.count, strata[i] >= 0, Int(strata[i]) < localStratum.count else {
                    throw .invalidArgument("PSU \(p) or stratum \(strata[i]) of a chunk row outside its labels")
                }
                local[p - base] = psuIndex(stratum: localStratum[Int(strata[i])], names[p])
            }
            psu[i] = local[p - base]
        }
        return psu
    }

    /// A replicate chunk's count sketch stacked under ``rankRows`` (the df of a design
    /// accumulated in parts); nothing when the design's df is given.
    mutating func addRankSketch(_ sampling: DesignTotalsChunk.Sampling, rows n: Int) throws(BarometerError) {
        guard givenDF == nil else { return }
        switch sampling {
        case .replicateRows(let reps, let range):
            var sketch = Matrix(rows: min(n, ReplicateWeights.sketchRows(replicates: reps.count)), columns: reps.count)
            ReplicateWeights.addSketch(rows: n, replicates: reps.count, into: &sketch) { j, body in
                reps.columns[j].withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[range])) }
            }
            try stackRankRows(sketch)
        case .replicate(let reps):
            var sketch = Matrix(rows: min(n, ReplicateWeights.sketchRows(replicates: reps.columns)), columns: reps.columns)
            reps.storage.withUnsafeBufferPointer { all in
                ReplicateWeights.addSketch(rows: n, replicates: reps.columns, into: &sketch) { j, body in
                    body(UnsafeBufferPointer(rebasing: all[(j * n)..<((j + 1) * n)]))
                }
            }
            try stackRankRows(sketch)
        default:
            return
        }
    }

    /// Sets the flag mode of a chunk's df rows (``DesignTotalsChunk/DegreesOfFreedomRows``) of `n` rows, or checks it.
    mutating func setFlagMode(_ rows: DesignTotalsChunk.DegreesOfFreedomRows, rows n: Int) throws(BarometerError) {
        switch rows {
        case .none: try setFlagMode(.none)
        case .domain(let mask):
            guard mask.count == n else { throw .lengthMismatch(variable: "domain rows", expected: n, actual: mask.count) }
            try setFlagMode(.domain)
        case .indicators: try setFlagMode(.perEstimate)
        }
    }

    /// Sets which rows count for the degrees of freedom (first rows or state), or checks it.
    mutating func setFlagMode(_ mode: FlagMode) throws(BarometerError) {
        if let f = flagMode {
            guard f == mode else { throw .invalidArgument("design totals with different degrees-of-freedom rows (\(f) and \(mode))") }
            return
        }
        flagMode = mode
        let width = flagWidth ?? 0
        flagRows = [Int](repeating: 0, count: width)
        psuFlags = [Bool](repeating: false, count: designKeys.psus.count * width)
    }

    /// Stacks `m` (rows × R) under ``rankRows`` and, beyond R rows, replaces the
    /// stack by the R × R triangular factor of its QR (LAPACK `dgeqrf`), which has
    /// the same singular values: the rank state stays R × R whatever the rows.
    mutating func stackRankRows(_ m: Matrix) throws(BarometerError) {
        guard m.rows > 0 else { return }
        var stacked: Matrix
        if let top = rankRows {
            guard top.columns == m.columns else {
                throw .invalidArgument("replicate weights of \(m.columns) and \(top.columns) replicates")
            }
            stacked = Matrix(rows: top.rows + m.rows, columns: m.columns)
            for j in 0..<m.columns {
                for i in 0..<top.rows { stacked[i, j] = top[i, j] }
                for i in 0..<m.rows { stacked[top.rows + i, j] = m[i, j] }
            }
        } else {
            stacked = m
        }
        if stacked.rows > stacked.columns {
            do throws(LinearAlgebraError) {
                stacked = try BLASRuntime.withSingleThreadedBLAS { () -> Result<Matrix, LinearAlgebraError> in
                    do throws(LinearAlgebraError) { return .success(try LinearAlgebra.qr(stacked).r) } catch { return .failure(error) }
                }.get()
            } catch { throw .linearAlgebra(error) }
        }
        rankRows = stacked
    }

    /// Adds `m` (with its carried errors `mLow`, empty for none) to `acc` (or sets it),
    /// carrying the rounding errors in `low` (``CompensatedSum``): replicate totals are
    /// the sums of many chunks' and shards' totals, and their differences from the
    /// full-sample total make the SE.
    static func addInto(_ acc: inout Matrix?, _ low: inout [Double], _ m: Matrix,
                        low mLow: [Double] = []) throws(BarometerError) {
        guard var a = acc else { acc = m; low = mLow; return }
        guard a.rows == m.rows, a.columns == m.columns else {
            throw .invalidArgument("replicate totals of \(m.rows)×\(m.columns) added to \(a.rows)×\(a.columns)")
        }
        acc = nil   // `a` holds the only reference: added in place
        try CompensatedSum.add(m.storage, lowParts: mLow, into: &a.storage, &low)
        acc = a
    }

    /// Takes the strata and PSUs of a whole design (`sampling` of ``DesignTotalsChunk/Sampling/init(_:)``,
    /// `psuStratum` each PSU's stratum) in the design's order, so that its chunks
    /// (``DesignTotalsChunk/seeded``) add to PSU totals by index, without a lookup per PSU. The
    /// design's labels are distinct per stratum and per (stratum, PSU). Returns whether it seeded
    /// (only an empty accumulator of a clustered design is).
    mutating func seed(_ sampling: DesignTotalsChunk.Sampling, psuStratum: [Int32]) -> Bool {
        guard kind == .clustered, designKeys.psus.isEmpty, designKeys.strata.isEmpty,
              case .clustered(_, _, let labels, let names, let fpc, let given) = sampling,
              psuStratum.count == names.count, fpc.map({ $0.count == labels.count }) ?? true else { return false }
        designKeys.seed(labels: labels, fpc: fpc, populationGiven: given, psuStratum: psuStratum, names: names)
        psuTotals = [Double](repeating: 0, count: names.count * 2 * k)
        return true
    }

    /// The index of PSU `name` of stratum `h`, appended (with zero totals and flags) when new.
    mutating func psuIndex(stratum h: Int, _ name: PSUName) -> Int {
        let before = designKeys.psus.count
        let q = designKeys.psu(stratum: h, name)
        if designKeys.psus.count > before { growPSUs(from: before) }
        return q
    }

    /// Zero totals and flags for the PSUs numbered from `before` on.
    private mutating func growPSUs(from before: Int) {
        let added = designKeys.psus.count - before
        psuTotals.append(contentsOf: repeatElement(0.0, count: added * 2 * k))
        psuFlags.append(contentsOf: repeatElement(false, count: added * (flagWidth ?? 0)))
    }

    /// Parallel-axis merge of (n, Σw, weighted mean, centred Σw(y − ȳ)²).
    static func mergeMoments(_ n: inout Int, _ w: inout Double, _ mean: inout Double, _ ss: inout Double,
                             _ n2: Int, _ w2: Double, _ mean2: Double, _ ss2: Double) {
        guard n2 > 0 else { return }
        guard n > 0 else { n = n2; w = w2; mean = mean2; ss = ss2; return }
        let total = w + w2
        let delta = mean2 - mean
        if total > 0 {
            ss += ss2 + delta * delta * w * w2 / total
            mean += delta * w2 / total
        } else {
            ss += ss2
        }
        n += n2; w = total
    }

    private mutating func addIndependentTotals(_ w: [Double], _ y: Matrix, _ n: Int) throws(BarometerError) {
        guard n > 0 else { return }
        // Centred influence columns zᵢⱼ − z̄ⱼ, then their cross-products (one dsyrk).
        var z = Matrix(rows: n, columns: k)
        var m = [Double](repeating: 0, count: k)
        for j in 0..<k {
            var t = 0.0
            for i in 0..<n { let v = w[i] * y[i, j]; z[i, j] = v; t += v }
            m[j] = t / Double(n)
            for i in 0..<n { z[i, j] -= m[j] }
        }
        let g = try Self.gram(z)
        mergeCoMoments(n, m, g.storage)
    }

    mutating func mergeCoMoments(_ n2: Int, _ m2: [Double], _ c2: [Double]) {
        guard n2 > 0 else { return }
        if rows == 0 { rows = n2; meanZ = m2; comoment = c2; return }
        let total = Double(rows + n2), f = Double(rows) * Double(n2) / total
        let delta = (0..<k).map { m2[$0] - meanZ[$0] }
        for j in 0..<k { for l in 0..<k { comoment[j + k * l] += c2[j + k * l] + delta[j] * delta[l] * f } }
        for j in 0..<k { meanZ[j] += delta[j] * Double(n2) / total }
        rows += n2
    }

    private mutating func addIndependentRatios(_ w: [Double], _ y: Matrix, _ n: Int, _ x: (Int, Int) -> Double) throws(BarometerError) {
        guard n > 0 else { return }
        // Shift: the ratio of the chunk's first row with a non-zero denominator, per estimate.
        var c = [Double](repeating: 0, count: k)
        for j in 0..<k { for i in 0..<n where x(i, j) != 0 { c[j] = y[i, j] / x(i, j); break } }
        if let sparse = Self.blockDiagonalRatioSums(w, y, n, k, c, x) {
            mergeShifted(rows: n, shift: c, s: sparse.s, a: sparse.a, b: sparse.b)
            return
        }
        // Columns wᵢ·uᵢⱼ (first k) and wᵢ·xᵢⱼ (next k); their Gram matrix holds
        // S = Σw²uⱼuₗ, A = Σw²uⱼxₗ and B = Σw²xⱼxₗ (one dsyrk).
        var uv = Matrix(rows: n, columns: 2 * k)
        for j in 0..<k { for i in 0..<n {
            let xi = x(i, j)
            uv[i, j] = w[i] * (y[i, j] - c[j] * xi)
            uv[i, k + j] = w[i] * xi
        } }
        let g = try Self.gram(uv)
        var cs = [Double](repeating: 0, count: k * k), ca = cs, cb = cs
        for j in 0..<k { for l in 0..<k {
            cs[j + k * l] = g[j, l]; ca[j + k * l] = g[j, k + l]; cb[j + k * l] = g[k + j, k + l]
        } }
        mergeShifted(rows: n, shift: c, s: cs, a: ca, b: cb)
    }

    /// The sums S, A, B of ``addIndependentRatios`` when every row touches at most one
    /// estimate (a grouped estimate: each respondent is in one group), nil otherwise.
    /// Such rows have zero cross-products between estimates, so S, A and B are diagonal
    /// and come from one O(n·k) scan instead of an n × 2k matrix and a dsyrk
    /// (O(n·k²) flops): grouped shares and means of 12 groups streamed 3× faster.
    /// Summation runs in row order, one fixed order whatever the thread count.
    static func blockDiagonalRatioSums(_ w: [Double], _ y: Matrix, _ n: Int, _ k: Int, _ c: [Double],
                                       _ x: (Int, Int) -> Double) -> (s: [Double], a: [Double], b: [Double])? {
        guard k > 1 else { return nil }
        var s = [Double](repeating: 0, count: k * k), a = s, b = s
        for i in 0..<n {
            var hit = -1
            for j in 0..<k where y[i, j] != 0 || x(i, j) != 0 {
                guard hit < 0 else { return nil }
                hit = j
            }
            guard hit >= 0 else { continue }
            let xi = x(i, hit), u = w[i] * (y[i, hit] - c[hit] * xi), v = w[i] * xi, jj = hit * (k + 1)
            s[jj] += u * u; a[jj] += u * v; b[jj] += v * v
        }
        return (s, a, b)
    }

    /// `MᵀM` with both triangles (one single-threaded dsyrk, so one fixed
    /// summation order whatever the thread count).
    static func gram(_ m: Matrix) throws(BarometerError) -> Matrix {
        var g = try BLASRuntime.withSingleThreadedBLAS { () -> Result<Matrix, BarometerError> in
            do throws(LinearAlgebraError) { return .success(try LinearAlgebra.gram(m)) } catch { return .failure(.linearAlgebra(error)) }
        }.get()
        for j in 0..<g.columns { for l in 0..<j { g[j, l] = g[l, j] } }
        return g
    }

    /// Adds shifted ratio sums taken at `shift`, re-expressed at this accumulator's shift.
    mutating func mergeShifted(rows n2: Int, shift c2: [Double], s s2: [Double], a a2: [Double], b b2: [Double]) {
        rows += n2
        guard let c = shift else { shift = c2; s = s2; a = a2; b = b2; return }
        // u = y − c·x = (y − c₂x) − δx, δ = c − c₂.
        let delta = (0..<k).map { c[$0] - c2[$0] }
        for j in 0..<k { for l in 0..<k {
            let jl = j + k * l, lj = l + k * j
            s[jl] += s2[jl] - delta[l] * a2[jl] - delta[j] * a2[lj] + delta[j] * delta[l] * b2[jl]
            a[jl] += a2[jl] - delta[j] * b2[jl]
            b[jl] += b2[jl]
        } }
    }

    /// ``mergeShifted(rows:shift:s:a:b:)`` of sums whose S, A and B are diagonal (a grouped
    /// chunk: each row touches one estimate), given as their diagonals (k each): O(k) instead
    /// of O(k²). The diagonal gets the same operations in the same order; the off-diagonal
    /// entries, to which the full update adds only zeros, are left as they are.
    mutating func mergeShiftedDiagonal(rows n2: Int, shift c2: [Double], s s2: [Double], a a2: [Double], b b2: [Double]) {
        guard let c = shift else {
            var full = [Double](repeating: 0, count: k * k), fa = full, fb = full
            for j in 0..<k { let jj = j * (k + 1); full[jj] = s2[j]; fa[jj] = a2[j]; fb[jj] = b2[j] }
            mergeShifted(rows: n2, shift: c2, s: full, a: fa, b: fb)
            return
        }
        rows += n2
        for j in 0..<k {
            let jj = j * (k + 1), delta = c[j] - c2[j]
            s[jj] += s2[j] - delta * a2[j] - delta * a2[j] + delta * delta * b2[j]
            a[jj] += a2[j] - delta * b2[j]
            b[jj] += b2[j]
        }
    }

    /// The same sums laid out for `count` estimates: estimate `c` takes this
    /// accumulator's estimate `from[c]` (nil: an estimate no row has touched, all
    /// sums zero). Every sum is per estimate or per pair of estimates, so
    /// widening (groups first seen in another shard) and selecting (the
    /// estimable groups) are exact.
    func remapped(count K: Int, from: [Int?]) -> DesignTotalsAccumulator {
        var o = DesignTotalsAccumulator(kind: kind, count: K, totals: totals)
        func gather<T>(_ a: [T], _ zero: T) -> [T] { from.map { $0.map { a[$0] } ?? zero } }
        func gather2(_ a: [Double]) -> [Double] {
            var out = [Double](repeating: 0, count: K * K)
            for c in 0..<K { for e in 0..<K { if let j = from[c], let l = from[e] { out[c + K * e] = a[j + k * l] } } }
            return out
        }
        o.ty = gather(ty, 0); o.tx = gather(tx, 0)
        if tyLow.count == k { o.tyLow = gather(tyLow, 0); o.txLow = gather(txLow, 0) }
        o.respondents = gather(respondents, 0); o.sumW = gather(sumW, 0); o.meanY = gather(meanY, 0); o.ssY = gather(ssY, 0)
        o.rows = rows; o.meanZ = gather(meanZ, 0); o.shift = shift.map { gather($0, 0) }
        if kind == .independent { o.comoment = gather2(comoment); o.s = gather2(s); o.a = gather2(a); o.b = gather2(b) }
        o.designKeys = designKeys
        o.psuTotals = [Double](repeating: 0, count: designKeys.psus.count * 2 * K)
        for q in designKeys.psus.indices { for c in 0..<K { if let j = from[c] {
            o.psuTotals[q * 2 * K + c] = psuTotals[q * 2 * k + j]
            o.psuTotals[q * 2 * K + K + c] = psuTotals[q * 2 * k + k + j]
        } } }
        o.lonelyPSU = lonelyPSU; o.nest = nest
        func columns(_ m: Matrix?) -> Matrix? {
            guard let m, m.columns == k else { return m }   // a shared n × 1 denominator stays
            var out = Matrix(rows: m.rows, columns: K)
            for c in 0..<K { if let j = from[c] { for r in 0..<m.rows { out[r, c] = m[r, j] } } }
            return out
        }
        o.replicateY = columns(replicateY); o.replicateX = columns(replicateX)
        func lowColumns(_ low: [Double], _ m: Matrix?) -> [Double] {
            guard let m, low.count == m.storage.count, let l = try? Matrix(rows: m.rows, columns: m.columns, columnMajor: low) else { return [] }
            return columns(l)?.storage ?? []
        }
        o.replicateYLow = lowColumns(replicateYLow, replicateY); o.replicateXLow = lowColumns(replicateXLow, replicateX)
        o.scale = scale; o.rscales = rscales; o.mse = mse; o.givenDF = givenDF; o.rankRows = rankRows
        o.jackknife = jackknife
        o.srsWanted = srsWanted
        o.flagMode = flagMode
        if flagMode == .perEstimate {
            o.flagRows = gather(flagRows, 0)
            o.psuFlags = [Bool](repeating: false, count: designKeys.psus.count * K)
            for q in designKeys.psus.indices { for c in 0..<K { if let j = from[c] { o.psuFlags[q * K + c] = psuFlags[q * k + j] } } }
        } else {
            o.flagRows = flagRows; o.psuFlags = psuFlags
        }
        return o
    }

    // MARK: merging

    public mutating func merge(_ other: DesignTotalsAccumulator) throws(BarometerError) {
        guard other.kind == kind, other.k == k, other.totals == totals else {
            throw .invalidArgument("cannot merge design totals of different estimates or design kinds")
        }
        if let mode = other.flagMode, let f = other.flagWidth {
            try setFlagMode(mode)
            for c in 0..<f { flagRows[c] += other.flagRows[c] }
        }
        try CompensatedSum.add(other.ty, lowParts: other.tyLow, into: &ty, &tyLow)
        try CompensatedSum.add(other.tx, lowParts: other.txLow, into: &tx, &txLow)
        for j in 0..<k {
            Self.mergeMoments(&respondents[j], &sumW[j], &meanY[j], &ssY[j],
                              other.respondents[j], other.sumW[j], other.meanY[j], other.ssY[j])
        }
        switch kind {
        case .independent:
            if totals { mergeCoMoments(other.rows, other.meanZ, other.comoment) }
            else if let c2 = other.shift { mergeShifted(rows: other.rows, shift: c2, s: other.s, a: other.a, b: other.b) }
            else { rows += other.rows }
        case .clustered:
            guard other.lonelyPSU == lonelyPSU else {
                throw .invalidArgument("cannot merge designs with lonely-PSU rules \(lonelyPSU.rawValue) and \(other.lonelyPSU.rawValue)")
            }
            let before = designKeys.psus.count
            let (_, ours) = try designKeys.merge(other.designKeys)
            growPSUs(from: before)
            for (p, q) in ours.enumerated() {
                for e in 0..<(2 * k) { psuTotals[q * 2 * k + e] += other.psuTotals[p * 2 * k + e] }
                let f = other.flagWidth ?? 0
                for c in 0..<f where other.psuFlags[p * f + c] { psuFlags[q * f + c] = true }
            }
        case .replicate:
            guard (other.jackknife == nil) == (jackknife == nil) else {
                throw .invalidArgument("cannot merge a JKn state whose rscales come from its strata with one of given rscales")
            }
            // JKn rscales from the strata: the counts merge, the rscales follow them (NaN while unknown).
            if var jk = jackknife, let theirs = other.jackknife {
                try jk.merge(theirs)
                jackknife = jk
                guard other.scale == scale, other.mse == mse, other.rscales.count == rscales.count else {
                    throw .invalidArgument("cannot merge replicate designs with different scales")
                }
            } else {
                guard other.scale == scale, other.rscales == rscales, other.mse == mse else {
                    throw .invalidArgument("cannot merge replicate designs with different scales")
                }
            }
            guard other.givenDF == givenDF else {
                throw .invalidArgument("cannot merge replicate totals of a whole design with those of a part")
            }
            if let m = other.replicateY { try Self.addInto(&replicateY, &replicateYLow, m, low: other.replicateYLow) }
            if let m = other.replicateX { try Self.addInto(&replicateX, &replicateXLow, m, low: other.replicateXLow) }
            if let m = other.rankRows { try stackRankRows(m) }
        }
    }

    /// Derives a JKn design's rscales from the merged strata counts (``JackknifeStrata/rscales(names:fpcName:)``,
    /// the in-memory rule); nothing for other designs.
    /// - Throws: for a replicate that deletes no PSU in any merged part, or an fpc below its stratum's PSUs.
    mutating func resolveJackknife() throws(BarometerError) {
        guard let jk = jackknife else { return }
        rscales = try jk.rscales()
        jackknife = nil
    }

    // MARK: finalizing

    /// The accumulated estimates with their covariance, respondents and SRS variances.
    public struct Output: Sendable {
        /// Estimates and design covariance (as ``RatioOfTotals/evaluate(_:)``).
        public let result: RatioOfTotals.Result
        /// Respondents (rows with non-zero weight) per estimate.
        public let counts: [Int]
        /// Their Σw per estimate.
        public let weightedCounts: [Double]
        /// SRS variance without and with replacement per estimate (nil for ratios or n ≤ 1).
        public let srsVariances: [(Double, Double)?]
        /// Design degrees of freedom: PSUs − strata, or the replicate rank − 1;
        /// within a `--where` domain the domain's, R `degf(subset(design, …))`
        /// (PSUs holding a weighted domain row minus their strata), unless that is below 1.
        public let degreesOfFreedom: Int
        /// Per estimate (grouped estimates, whose rows are their groups'): the
        /// PSUs holding a weighted row of the estimate minus their strata, R `degf`
        /// of the estimate's subset (replicate designs: the design's); nil otherwise.
        public var estimateDegreesOfFreedom: [Int]? = nil
    }

    /// The estimates with their full covariance (``finalize(variancesOnly:)``).
    public func finalize() throws(BarometerError) -> Output { try finalize(variancesOnly: false) }

    /// - Parameter variancesOnly: compute only the variances (the covariance's
    ///   diagonal; off-diagonal entries are left 0): under strata/PSUs O(PSUs·k)
    ///   instead of O(PSUs·k²), for many groups when no contrast between them is
    ///   asked for (``RatioOfTotals/variancesOnly``). Replicate designs give the full
    ///   covariance either way.
    public func finalize(variancesOnly: Bool) throws(BarometerError) -> Output {
        let est: [Double]
        if totals { est = ty } else {
            for j in 0..<k where tx[j] == 0 {
                throw .emptyDomain("the denominator of estimate \(j + 1) has zero weighted total")
            }
            est = (0..<k).map { ty[$0] / tx[$0] }
        }
        var cov = Matrix(rows: k, columns: k)
        var replicateEstimates: Matrix? = nil
        var df = givenDF ?? 0
        switch kind {
        case .independent:
            df = rows - 1
            guard rows > 1 else { throw .insufficientData("stratum 'all' has only one PSU (choose a lonely-PSU rule: remove, adjust, average, certainty)") }
            let f = Double(rows) / Double(rows - 1)
            for j in 0..<k { for l in (variancesOnly ? j..<(j + 1) : 0..<k) {
                let jl = j + k * l
                if totals {
                    cov[j, l] = f * comoment[jl]
                } else if let c = shift {
                    let dj = est[j] - c[j], dl = est[l] - c[l]
                    let sum = s[jl] - dl * a[jl] - dj * a[l + k * j] + dj * dl * b[jl]
                    cov[j, l] = f * sum / (tx[j] * tx[l])
                }
            } }
        case .clustered:
            (cov, df) = try clusteredCovariance(est, variancesOnly: variancesOnly)
        case .replicate:
            guard jackknife == nil else { var resolved = self; try resolved.resolveJackknife(); return try resolved.finalize(variancesOnly: variancesOnly) }
            guard let ry = replicateY else { throw .insufficientData("no rows were accumulated") }
            if givenDF == nil, let m = rankRows { df = ReplicateWeights.rankDegreesOfFreedom(m, replicates: rscales.count) }
            var theta = ry
            if let rx = replicateX {
                for j in 0..<k { for r in 0..<theta.rows {
                    let xr = rx[r, rx.columns == 1 ? 0 : j]
                    theta[r, j] = xr != 0 ? ry[r, j] / xr : .nan
                } }
                for v in theta.storage where v.isNaN {
                    throw .emptyDomain("a replicate has zero weighted total in a denominator")
                }
            }
            cov = try ReplicateWeights.covariance(replicates: theta, full: est, scale: scale, rscales: rscales, mse: mse)
            replicateEstimates = theta
        }
        let srs: [(Double, Double)?] = (0..<k).map { j in
            guard srsWanted, respondents[j] > 1, sumW[j] > 0 else { return nil }
            let n = Double(respondents[j])
            let s2 = ssY[j] / sumW[j] * n / (n - 1)
            let factor = totals ? sumW[j] * sumW[j] : 1
            let replace = s2 / n * factor
            return (replace * (sumW[j] - n) / sumW[j], replace)
        }
        let flagged = flaggedDegreesOfFreedom()
        if flagMode == .domain, kind != .replicate, let dom = flagged.first, dom >= 1 { df = dom }
        var estimateDF: [Int]? = nil
        if flagMode == .perEstimate { estimateDF = kind == .replicate ? [Int](repeating: df, count: k) : flagged }
        return Output(result: RatioOfTotals.Result(estimates: est, covariance: cov, replicateEstimates: replicateEstimates),
                      counts: respondents, weightedCounts: sumW, srsVariances: srs, degreesOfFreedom: df,
                      estimateDegreesOfFreedom: estimateDF)
    }

    /// Per df flag column: PSUs holding a flagged row minus the strata of those
    /// PSUs (weights-only: flagged rows − 1), as `SurveyDesign.degreesOfFreedom(groups:)`.
    func flaggedDegreesOfFreedom() -> [Int] {
        let f = flagWidth ?? 0
        switch kind {
        case .replicate: return []
        case .independent: return flagRows.map { $0 > 0 ? $0 - 1 : 0 }
        case .clustered:
            var psus = [Int](repeating: 0, count: f), strata = psus
            let H = designKeys.strata.count
            var stratumMark = [Int](repeating: -1, count: f * H)
            for (q, key) in designKeys.psus.enumerated() {
                for c in 0..<f where psuFlags[q * f + c] {
                    psus[c] += 1
                    if stratumMark[c * H + key.stratum] < 0 { stratumMark[c * H + key.stratum] = 1; strata[c] += 1 }
                }
            }
            return zip(psus, strata).map { $0 - $1 }
        }
    }

    /// Whether SRS variances were accumulated (means and totals; not ratios).
    var srsWanted = true

    /// Linearization covariance from the per-PSU totals (PSUs in key order within strata in key order).
    private func clusteredCovariance(_ est: [Double], variancesOnly: Bool) throws(BarometerError) -> (Matrix, Int) {
        let (strataOrder, members) = try designKeys.layout(nest: nest)
        let labels = strataOrder.map { designKeys.strata[$0] }
        let perStratum = strataOrder.map { members[$0].count }
        let population = try designKeys.populationPSUs(order: strataOrder, psusPerStratum: perStratum)
        let plan = try SamplingStructure.stratumPlan(psusPerStratum: perStratum, populationPSUs: population,
                                                     lonelyPSU: lonelyPSU, stratumLabels: labels)
        var v = Matrix(rows: k, columns: k)
        let width = 2 * k
        var z = [Double](repeating: 0, count: k)
        var mean = [Double](repeating: 0, count: k)
        for (pos, h) in strataOrder.enumerated() {
            guard case .include(let centred, let factor) = plan.treatment[pos] else { continue }
            let ps = members[h]
            func influence(_ q: Int, _ j: Int) -> Double {
                let y = psuTotals[q * width + j]
                return totals ? y : (y - est[j] * psuTotals[q * width + k + j]) / tx[j]
            }
            for j in 0..<k {
                mean[j] = 0
                if centred { for q in ps { mean[j] += influence(q, j) }; mean[j] /= Double(ps.count) }
            }
            for q in ps {
                for j in 0..<k { z[j] = influence(q, j) - mean[j] }
                if variancesOnly {
                    for j in 0..<k { v[j, j] += factor * z[j] * z[j] }
                } else {
                    for j in 0..<k { for l in 0..<k { v[j, l] += factor * z[j] * z[l] } }
                }
            }
        }
        plan.applyAveraging(&v)
        return (v, designKeys.psus.count - designKeys.strata.count)
    }
}

extension SamplingStructure {
    /// The population PSUs of the strata `order` from the fpc each stratum's shards gave (`nil`: none):
    /// taken as given when `given`, else converted from sampling fractions by ``populationPSUs(fpc:psusPerStratum:stratumLabels:)``;
    /// nil when no stratum has an fpc. Shared by the merged design accumulators.
    static func populationPSUs(stratumFPC: [Double?], keys: [String], order: [Int], given: Bool,
                               psusPerStratum perStratum: [Int], labels: [String]) throws(BarometerError) -> [Double]? {
        guard stratumFPC.contains(where: { $0 != nil }) else { return nil }
        var raw: [Double] = []
        for h in order {
            guard let f = stratumFPC[h] else { throw .invalidArgument("stratum '\(keys[h])' has no fpc") }
            raw.append(f)
        }
        return given ? raw : try populationPSUs(fpc: raw, psusPerStratum: perStratum, stratumLabels: labels)
    }
}

/// One chunk's replicate products (``DesignTotalsAccumulator/replicateTotals(_:_:_:_:)``),
/// shared read-only by the workers; each writes only its replicates' totals.
private struct ReplicateProductWork: @unchecked Sendable {
    let weights: [UnsafePointer<Double>?]
    /// The columns (rows values each), their totals side by side per replicate in `out`.
    let columns: [UnsafePointer<Double>]
    let out: UnsafeSendablePointer<Double>
    let rows: Int

    /// Rows per block: a block of the columns of Y and X (10 columns: 40 KB)
    /// stays in the core's cache while every replicate of the worker reads
    /// its weights of those rows once.
    static let blockRows = 512

    /// The totals of replicates `first`, `first + step`, … (one worker's share),
    /// the columns of Y then X. Each total is summed in eight lanes (lane `l`
    /// takes the rows ≡ l mod 8); each block's lane sums are added to the running
    /// lane sums with their rounding error carried (TwoSum, as ``CompensatedSum``:
    /// the SE is made of small differences of these totals, so a chunk of 16,384
    /// rows must not lose the digits a plain running sum loses); then the lanes
    /// and the tail rows in order, compensated. The same bits on every thread
    /// and run.
    func replicates(from first: Int, step: Int) {
        guard let o = out.pointer else { return }
        let width = columns.count, n = rows, full = n / 8 * 8
        let mine = Array(stride(from: first, to: weights.count, by: step))
        guard !mine.isEmpty, width > 0 else { return }
        // Running lane sums and their carried errors, replicate by replicate (width per replicate).
        var sums = [SIMD8<Double>](repeating: SIMD8(repeating: 0), count: mine.count * width)
        var lows = sums
        @inline(__always) func carry(_ hi: inout SIMD8<Double>, _ lo: inout SIMD8<Double>, _ x: SIMD8<Double>) {
            let t = hi + x, bb = t - hi
            lo += (hi - (t - bb)) + (x - bb)
            hi = t
        }
        lows.withUnsafeMutableBufferPointer { lp in
        sums.withUnsafeMutableBufferPointer { sp in
            var b0 = 0
            while b0 < full {
                let b1 = min(b0 + Self.blockRows, full)
                for (m, r) in mine.enumerated() {
                    guard let w = weights[r] else { continue }
                    let rw = UnsafeRawPointer(w)
                    let acc = sp.baseAddress! + m * width, low = lp.baseAddress! + m * width
                    var c = 0
                    while c + 4 <= width {
                        let r0 = UnsafeRawPointer(columns[c]), r1 = UnsafeRawPointer(columns[c + 1])
                        let r2 = UnsafeRawPointer(columns[c + 2]), r3 = UnsafeRawPointer(columns[c + 3])
                        let zero = SIMD8<Double>(repeating: 0)
                        var s0 = zero, s1 = zero, s2 = zero, s3 = zero
                        var i = b0
                        while i < b1 {
                            let wv = rw.loadUnaligned(fromByteOffset: 8 * i, as: SIMD8<Double>.self)
                            s0 += wv * r0.loadUnaligned(fromByteOffset: 8 * i, as: SIMD8<Double>.self)
                            s1 += wv * r1.loadUnaligned(fromByteOffset: 8 * i, as: SIMD8<Double>.self)
                            s2 += wv * r2.loadUnaligned(fromByteOffset: 8 * i, as: SIMD8<Double>.self)
                            s3 += wv * r3.loadUnaligned(fromByteOffset: 8 * i, as: SIMD8<Double>.self)
                            i += 8
                        }
                        carry(&acc[c], &low[c], s0); carry(&acc[c + 1], &low[c + 1], s1)
                        carry(&acc[c + 2], &low[c + 2], s2); carry(&acc[c + 3], &low[c + 3], s3)
                        c += 4
                    }
                    while c < width {
                        let rc = UnsafeRawPointer(columns[c])
                        var s = SIMD8<Double>(repeating: 0)
                        var i = b0
                        while i < b1 {
                            s += rw.loadUnaligned(fromByteOffset: 8 * i, as: SIMD8<Double>.self)
                                * rc.loadUnaligned(fromByteOffset: 8 * i, as: SIMD8<Double>.self)
                            i += 8
                        }
                        carry(&acc[c], &low[c], s)
                        c += 1
                    }
                }
                b0 = b1
            }
            for (m, r) in mine.enumerated() {
                guard let w = weights[r] else { continue }
                for c in 0..<width {
                    let s = sp[m * width + c], l = lp[m * width + c], col = columns[c]
                    var total = 0.0, error = 0.0
                    for lane in 0..<8 { CompensatedSum.add(s[lane], to: &total, &error) }
                    var i = full
                    while i < n { CompensatedSum.add(w[i] * col[i], to: &total, &error); i += 1 }
                    // The lanes' carried errors (NaN when a sum overflowed: then the plain sum).
                    let lanes = l.sum()
                    if lanes.isFinite { CompensatedSum.add(lanes, to: &total, &error) }
                    o[r * width + c] = total
                }
            }
        }
        }
    }
}
