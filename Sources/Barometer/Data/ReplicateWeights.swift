import Foundation

/// Replicate weights and how to turn replicate estimates into a variance,
/// as R `survey::svrepdesign`:
///
///     V = scale · Σ_r rscale_r (θ_r − θ̄)(θ_r − θ̄)ᵀ
///
/// with θ̄ the mean of the replicates (or the full-sample θ̂ when `mse`).
/// Replicate estimates of every statistic come from BLAS products of the
/// replicate weights with the data, one per chunk of rows
/// (``replicateTotals(_:)``), never a loop over replicates. The replicate
/// weights stay where they were loaded (``columns``).
public struct ReplicateWeights: Sendable {
    /// Analysis (combined) replicate weights: one array of n weights per
    /// replicate, in replicate order. Combined weights share the storage of
    /// the data's columns (no second copy of the replicate weights is held).
    public let columns: [[Double]]
    /// Number of rows.
    public let rowCount: Int
    /// Analysis (combined) replicate weights as an n × R column-major matrix.
    /// Built on each call (a copy of ``columns``): the estimators use
    /// ``replicateTotals(_:)`` and ``rows(_:)``, which copy one chunk of
    /// rows at a time.
    public var weights: Matrix { rows(0..<rowCount) }

    /// Replicate weights of rows `range` as a `range.count` × R column-major matrix.
    public func rows(_ range: Range<Int>) -> Matrix { Self.rows(range, of: columns) }

    static func rows(_ range: Range<Int>, of columns: [[Double]]) -> Matrix {
        var m = Matrix(rows: range.count, columns: columns.count)
        m.storage.withUnsafeMutableBufferPointer { dst in
            for (j, col) in columns.enumerated() {
                col.withUnsafeBufferPointer { src in
                    for i in 0..<range.count { dst[i + range.count * j] = src[range.lowerBound + i] }
                }
            }
        }
        return m
    }
    /// Replicate column names.
    public let names: [String]
    /// Method.
    public let method: ReplicateMethod
    /// Overall scale factor.
    public let scale: Double
    /// Per-replicate scale factors.
    public let rscales: [Double]
    /// Centre at the full-sample estimate instead of the replicate mean.
    public let mse: Bool
    /// Design degrees of freedom: numerical rank of the replicate weights − 1 (R `degf`).
    public let degreesOfFreedom: Int
    /// Whether a finite-population correction was folded into the scale
    /// (JK1) or the rscales (JKn), as R `as.svrepdesign` does for a design
    /// with an fpc.
    public var hasPopulationSize: Bool = false
    /// A part of the sample's JKn strata counts (the initializer's `partial`), from
    /// which the merged state derives the rscales; nil otherwise.
    var partialJackknife: JackknifeStrata? = nil

    /// Number of replicates.
    public var count: Int { columns.count }

    /// Replicate weights from columns of `data`.
    /// - Parameters:
    ///   - data: the respondents.
    ///   - columns: replicate-weight variables, in order.
    ///   - method: how the replicates were made (JK1, JKn, BRR, Fay, bootstrap, SDR, other).
    ///   - combined: the columns are full analysis weights (R's
    ///     `combined.weights = TRUE`, the default); otherwise they are
    ///     factors multiplied by `base`.
    ///   - base: the full-sample weights (needed when `combined` is false).
    ///   - scale: overrides the method's overall scale (required for `other`).
    ///   - rscales: override the per-replicate scales (`jkn` needs them unless
    ///     `strata` lets them be derived).
    ///   - fayRho: ρ for `fay`.
    ///   - mse: centre the replicate deviations on the full-sample estimate
    ///     rather than the replicates' mean (R `mse = TRUE`).
    ///   - strata: for `jkn` without `rscales`: rscale_r = (n_h − 1)/n_h,
    ///     with h the stratum of the rows replicate r zeroes and n_h its PSUs.
    ///   - fpc: a finite-population correction per row (R `svydesign`'s fpc:
    ///     the population number of PSUs when > 1, else the sampling
    ///     fraction), folded in as R `jk1weights`/`jknweights` (what
    ///     `as.svrepdesign` builds from a design with an fpc) do: JK1 scale
    ///     `(1 − f)(R − 1)/R` with `f = R/N` (R replicates = sampled PSUs, one
    ///     fpc value for the whole sample); JKn rscale_r `(1 − f_h)(n_h − 1)/n_h`
    ///     with `f_h = n_h/N_h` of the stratum the replicate deletes from. Other
    ///     methods have no such convention (R resamples or ignores the fpc):
    ///     give `scale`/`rscales` instead. Not combined with `scale` (JK1) or
    ///     `rscales` (JKn).
    ///   - partial: the rows are a part of the sample (a shard of `barometer partial`):
    ///     JKn rscales derived from `strata` need every PSU of each stratum, so they are
    ///     not derived here (their ``rscales`` are NaN) but after the parts' states merge,
    ///     from the strata counts the design keeps for them (R `jknweights`' (n_h − 1)/n_h
    ///     over all parts). Other methods are unaffected.
    /// - Throws: ``BarometerError`` for unknown or non-numeric columns,
    ///   negative/NaN weights (naming row and column), or a missing parameter.
    public init(data: Dataset, columns: [String], method: ReplicateMethod, combined: Bool = true,
                base: Weights? = nil, scale: Double? = nil, rscales: [Double]? = nil, fayRho: Double? = nil,
                mse: Bool = false, strata: SamplingStructure? = nil, fpc: Variable? = nil,
                partial: Bool = false) throws(BarometerError) {
        guard !columns.isEmpty else { throw .invalidArgument("no replicate-weight columns") }
        let n = data.rowCount, r = columns.count
        // Combined weights are used where they were loaded (the data's own arrays, shared, not copied);
        // factors are multiplied by the full-sample weights into new arrays.
        var w: [[Double]] = []
        w.reserveCapacity(r)
        // Combined weights of many rows: the weight check and the rank sketch in one pass over the
        // columns (each block of rows read once); an invalid weight is then found again below, in
        // column order, so that the error is the one of the column-by-column check.
        var checkedSketch: Matrix? = nil
        if combined && n > Self.sketchRows(replicates: r),
           let found = try? columns.map({ (name: String) throws(BarometerError) -> Variable in
               let v = try data.variable(name)
               try v.requireNumeric()
               return v
           }) {
            var sketch = Matrix(rows: Self.sketchRows(replicates: r), columns: r)
            if Self.addSketchCheckingWeights(rows: n, replicates: r, into: &sketch,
                                             column: { j, body in found[j].values.withUnsafeBufferPointer(body) }) {
                checkedSketch = sketch
            }
        }
        for name in columns {
            let v = try data.variable(name)
            try v.requireNumeric()
            var values = v.values
            if checkedSketch == nil, let i = Self.firstInvalidWeight(values) {
                throw .invalidWeight(variable: name, row: i + 1, value: values[i])
            }
            if !combined {
                guard let b = base else { throw .invalidArgument("replicate factors need the full-sample weights") }
                for i in 0..<n { values[i] *= b.values[i] }
            }
            w.append(values)
        }
        let R = Double(r)
        var sc: Double
        var rs = [Double](repeating: 1, count: r)
        // JKn without rscales: derived from the strata (after the fpc's checks below).
        var jackknife: JackknifeStrata? = nil
        switch method {
        case .jk1: sc = (R - 1) / R
        case .brr: sc = 1 / R
        case .fay:
            guard let rho = fayRho, rho >= 0, rho < 1 else { throw .invalidArgument("Fay's BRR needs 0 ≤ ρ < 1") }
            sc = 1 / (R * (1 - rho) * (1 - rho))
        case .bootstrap:
            guard r > 1 else { throw .insufficientData("bootstrap needs at least 2 replicates") }
            sc = 1 / (R - 1)
        case .sdr: sc = 4 / R
        case .jkn:
            sc = 1
            if rscales == nil {
                guard let s = strata else {
                    throw .invalidArgument("JKn needs rscales, or the design's strata to derive (n_h − 1)/n_h")
                }
                let jk = JackknifeStrata(weights: w, strata: s, fpc: fpc?.values)
                if !partial, let j = jk.deleted.firstIndex(of: nil) {
                    throw .invalidArgument("JKn replicate '\(columns[j])' deletes no PSU; give rscales")
                }
                jackknife = jk
            }
        case .other:
            guard scale != nil || rscales != nil else { throw .invalidArgument("method 'other' needs scale and/or rscales") }
            sc = 1
        }
        var withFPC = false
        if let f = fpc {
            try f.requireNumeric()
            guard f.values.count == n else { throw .lengthMismatch(variable: f.name, expected: n, actual: f.values.count) }
            for i in 0..<n where !(f.values[i].isFinite && f.values[i] > 0) {
                throw .invalidArgument("fpc '\(f.name)' must be positive and finite (row \(i + 1))")
            }
            // The fraction f from a population size N (> 1) or a sampling fraction (≤ 1) for n sampled PSUs.
            func fraction(_ x: Double, sampled: Double, row: Int) throws(BarometerError) -> Double {
                guard x <= 1 || x >= sampled else {
                    throw .invalidArgument("fpc '\(f.name)' = \(Variable.formatCode(x)) at row \(row + 1) is below the \(Variable.formatCode(sampled)) sampled PSUs")
                }
                return x <= 1 ? x : sampled / x
            }
            switch method {
            case .jk1:
                guard scale == nil else { throw .invalidArgument("give either an fpc or a replicate scale for JK1, not both") }
                guard let x = f.values.first else { throw .insufficientData("no rows for fpc '\(f.name)'") }
                if let i = f.values.firstIndex(where: { $0 != x }) {
                    throw .invalidArgument("fpc '\(f.name)' varies (row \(i + 1)); JK1 takes one population size (R jk1weights); use JKn with strata")
                }
                sc *= 1 - (try fraction(x, sampled: R, row: 0))
            case .jkn:
                guard rscales == nil else { throw .invalidArgument("give either an fpc or rscales for JKn, not both") }
                guard strata != nil else { throw .invalidArgument("JKn with an fpc needs the design's strata") }
                // (1 − f_h)(n_h − 1)/n_h: derived with the strata below (JackknifeStrata.rscales).
            default:
                throw .invalidArgument("an fpc with replicate weights is defined for jk1 and jkn (R as.svrepdesign); for \(method.rawValue) give the scale or rscales")
            }
            withFPC = true
        }
        if let jk = jackknife {
            if partial { rs = [Double](repeating: .nan, count: r); partialJackknife = jk }
            else { rs = try jk.rscales(names: columns, fpcName: fpc?.name ?? "fpc") }
        }
        if let scale { sc = scale }
        if let given = rscales {
            guard given.count == r else { throw .invalidArgument("\(given.count) rscales for \(r) replicates") }
            rs = given
        }
        self.columns = w
        self.rowCount = n
        self.names = columns
        self.method = method
        self.scale = sc
        self.rscales = rs
        self.mse = mse
        // Rank of the replicate weights (R: qr rank with tolerance 1e-5), on a count sketch for large n.
        var sketch = Matrix(rows: min(n, Self.sketchRows(replicates: r)), columns: r)
        if let checked = checkedSketch {
            sketch = checked
        } else {
            Self.addSketch(rows: n, replicates: r, into: &sketch) { j, body in w[j].withUnsafeBufferPointer(body) }
        }
        self.degreesOfFreedom = Self.rankDegreesOfFreedom(sketch, replicates: r)
        self.hasPopulationSize = withFPC
    }

    /// Rows of the count sketch of n × R replicate weights: 4R + 16.
    static func sketchRows(replicates r: Int) -> Int { 4 * r + 16 }

    /// Adds the sketch of `n` rows of R replicate weights (column `j` handed to
    /// the body by `column`) to `sketch`: the rows themselves when `sketch`
    /// has n rows, otherwise a deterministic count sketch S·W (each row added,
    /// with a hashed sign, to one of the sketch's 4R + 16 rows). O(nR) instead
    /// of the O(nR²) of a QR, and the rank is preserved for any W whose rank
    /// is not decided by cancellation. The in-memory design sketches its
    /// whole matrix; a streamed or sharded one each chunk, whose sketches are
    /// then stacked (the sketch of a block-diagonal S) by ``ReplicateRankFactor``.
    static func addSketch(rows n: Int, replicates r: Int, into sketch: inout Matrix,
                          column: (Int, (UnsafeBufferPointer<Double>) -> Void) -> Void) {
        _ = sketchPass(rows: n, replicates: r, into: &sketch, checkingWeights: false, column: column)
    }

    /// ``addSketch(rows:replicates:into:column:)`` that, in the same pass,
    /// checks every weight is finite and ≥ 0: false if one is not (the sketch
    /// is then not to be used).
    static func addSketchCheckingWeights(rows n: Int, replicates r: Int, into sketch: inout Matrix,
                                         column: (Int, (UnsafeBufferPointer<Double>) -> Void) -> Void) -> Bool {
        sketchPass(rows: n, replicates: r, into: &sketch, checkingWeights: true, column: column)
    }

    private static func sketchPass(rows n: Int, replicates r: Int, into sketch: inout Matrix, checkingWeights: Bool,
                                   column: (Int, (UnsafeBufferPointer<Double>) -> Void) -> Void) -> Bool {
        let buckets = sketch.rows
        if n == buckets {
            sketch.storage.withUnsafeMutableBufferPointer { sp in
                for j in 0..<r { column(j) { wp in for i in 0..<n { sp[j * n + i] += wp[i] } } }
            }
            if checkingWeights {
                for j in 0..<r {
                    var valid = true
                    column(j) { wp in valid = wp.allSatisfy { $0 >= 0 && $0 < .infinity } }
                    if !valid { return false }
                }
            }
            return true
        }
        // Segments of rows, each sketched from zero (by one thread) and then added in
        // segment order: the same S·W, and the same bits whatever the thread count.
        let segments = min(max(n / Self.sketchSegmentRows, 1), Self.sketchSegments)
        let segmentRows = (n + segments - 1) / segments
        let cells = buckets * r
        var parts = [Double](repeating: 0, count: segments > 1 ? segments * cells : 0)
        var bad = [UInt8](repeating: 0, count: segments)
        if segments == 1 {
            sketch.storage.withUnsafeMutableBufferPointer { sp in
                bad[0] = sketchRows(0..<n, buckets: buckets, replicates: r, into: sp.baseAddress!,
                                    checkingWeights: checkingWeights, column: column)
            }
            return bad[0] == 0
        }
        parts.withUnsafeMutableBufferPointer { pp in
            bad.withUnsafeMutableBufferPointer { bp in
                let out = UnsafeSendablePointer(pp.baseAddress), flags = UnsafeSendablePointer(bp.baseAddress)
                let workers = KernelThreads.count(limit: segments)
                withoutActuallyEscaping(column) { column in
                    let shared = SketchColumns(column: column)
                    DispatchQueue.concurrentPerform(iterations: workers) { t in
                        var g = t
                        while g < segments {
                            let rows = (g * segmentRows)..<min((g + 1) * segmentRows, n)
                            flags.pointer![g] = sketchRows(rows, buckets: buckets, replicates: r, into: out.pointer! + g * cells,
                                                           checkingWeights: checkingWeights, column: shared.column)
                            g += workers
                        }
                    }
                }
            }
        }
        sketch.storage.withUnsafeMutableBufferPointer { sp in
            parts.withUnsafeBufferPointer { pp in
                for g in 0..<segments { for e in 0..<cells { sp[e] += pp[g * cells + e] } }
            }
        }
        return bad.allSatisfy { $0 == 0 }
    }

    /// Segments of at least this many rows are sketched in parallel
    /// (``sketchPass(rows:replicates:into:checkingWeights:column:)``).
    static let sketchSegmentRows = 1 << 16
    /// At most this many segments (their sketches are held until they are added).
    static let sketchSegments = 16

    /// Adds the count sketch of `rows` (each row with its hashed bucket and sign)
    /// to `sp` (buckets × R, column-major); returns 1 when, checking, a weight
    /// was not finite and ≥ 0.
    private static func sketchRows(_ rows: Range<Int>, buckets: Int, replicates r: Int, into sp: UnsafeMutablePointer<Double>,
                                   checkingWeights: Bool,
                                   column: (Int, (UnsafeBufferPointer<Double>) -> Void) -> Void) -> UInt8 {
        var bad: UInt8 = 0
        // Blocks of rows, every column per block: each column is read once and the
        // block's hashes stay in L1 (each sketch cell still adds its rows in row order).
        let block = Self.sketchBlockRows
        var bucket = [Int](repeating: 0, count: block), sign = [Double](repeating: 1, count: block)
        var b0 = rows.lowerBound
        while b0 < rows.upperBound {
            let m = min(block, rows.upperBound - b0)
            for k in 0..<m {
                var h = UInt64(b0 + k) &* 0x9E3779B97F4A7C15
                h ^= h >> 29; h = h &* 0xBF58476D1CE4E5B9; h ^= h >> 32
                bucket[k] = Int(h % UInt64(buckets)); sign[k] = (h >> 63) == 0 ? 1 : -1
            }
            bucket.withUnsafeBufferPointer { bp in
                sign.withUnsafeBufferPointer { gp in
                    let first = b0
                    for j in 0..<r {
                        column(j) { wp in
                            // Locals only in the loop (a captured variable is stored to memory
                            // at every row, a chain through memory from row to row).
                            guard let w = wp.baseAddress.map({ $0 + first }), let bk = bp.baseAddress,
                                  let sg = gp.baseAddress else { return }
                            let cell = sp + j * buckets
                            if checkingWeights {
                                // Not (0 ≤ x < ∞), by the bits: above the largest finite positive
                                // double and not −0 (negatives, infinities and NaNs).
                                var invalid = false
                                for k in 0..<m {
                                    let x = w[k], bits = x.bitPattern
                                    invalid = invalid || (bits > 0x7FEF_FFFF_FFFF_FFFF && bits != 0x8000_0000_0000_0000)
                                    cell[bk[k]] += sg[k] * x
                                }
                                if invalid { bad = 1 }
                            } else {
                                for k in 0..<m { cell[bk[k]] += sg[k] * w[k] }
                            }
                        }
                    }
                }
            }
            b0 += m
        }
        return bad
    }

    /// Rows per block of the count sketch's pass.
    static let sketchBlockRows = 2048

    /// The first index of `values` that is not a valid weight (NaN, infinite
    /// or negative), nil if all are valid: blocks are checked without a branch
    /// per value, and only a block that holds an invalid value is searched.
    static func firstInvalidWeight(_ values: [Double]) -> Int? {
        values.withUnsafeBufferPointer { v -> Int? in
            guard let base = v.baseAddress else { return nil }
            let n = v.count, block = 1024
            let raw = UnsafeRawPointer(base)
            var b0 = 0
            while b0 < n {
                let b1 = min(b0 + block, n)
                // Eight lanes at a time: a lane is valid when 0 ≤ x < ∞ (false for NaN).
                var valid = SIMDMask<SIMD8<Int64>>(repeating: true)
                var i = b0
                while i + 8 <= b1 {
                    let x = raw.loadUnaligned(fromByteOffset: 8 * i, as: SIMD8<Double>.self)
                    valid .&= (x .>= 0) .& (x .< .infinity)
                    i += 8
                }
                var bad = !all(valid)
                while i < b1 { if !(v[i] >= 0 && v[i] < .infinity) { bad = true }; i += 1 }
                if bad { return (b0..<b1).first { !(v[$0] >= 0 && v[$0] < .infinity) } }
                b0 = b1
            }
            return nil
        }
    }

    /// Design degrees of freedom from a matrix with the singular values of
    /// (a sketch of) the replicate weights: the singular values above 1e-5 of
    /// the largest (R `qr(…, tol = 1e-5)$rank`), minus 1, at least 1.
    static func rankDegreesOfFreedom(_ m: Matrix, replicates r: Int) -> Int {
        var df = r - 1
        if let sv = try? LinearAlgebra.singularValues(m), let top = sv.first, top > 0 {
            df = sv.filter { $0 / top > 1e-5 }.count - 1
        }
        return max(df, 1)
    }

    /// Rows per chunk of ``replicateTotals(_:)``: a chunk of the replicate
    /// weights (R × 8,192 doubles, 5 MB for 80 replicates) is copied at a time.
    static let chunkRows = 8_192

    /// Replicate weighted totals `Wᵀ·A` (R × k) of the columns of `a` (n × k):
    /// one dgemm per chunk of 8,192 rows (the chunk's replicate
    /// weights copied from ``columns``), chunks added in row order.
    public func replicateTotals(_ a: Matrix) throws(BarometerError) -> Matrix {
        guard a.rows == rowCount else { throw .lengthMismatch(variable: "replicate totals", expected: rowCount, actual: a.rows) }
        // Single-threaded BLAS: a threaded OpenBLAS dgemm splits the sum over
        // rows differently for each thread count (results then differ in the
        // last bits); one thread keeps one fixed order.
        return try BLASRuntime.withSingleThreadedBLAS { () -> Result<Matrix, BarometerError> in
            var total = Matrix(rows: count, columns: a.columns)
            var lo = 0
            repeat {
                let range = lo..<min(lo + Self.chunkRows, rowCount)
                var part = Matrix(rows: range.count, columns: a.columns)
                for j in 0..<a.columns { for i in range { part[i - lo, j] = a[i, j] } }
                do throws(LinearAlgebraError) {
                    let t = try LinearAlgebra.multiply(rows(range), part, transposeA: true)
                    for e in total.storage.indices { total.storage[e] += t.storage[e] }
                } catch { return .failure(.linearAlgebra(error)) }
                lo = range.upperBound
            } while lo < rowCount
            return .success(total)
        }.get()
    }

    /// Covariance of estimates from their replicates (R × k) and full-sample values (k).
    public func covariance(replicates theta: Matrix, full: [Double]) throws(BarometerError) -> Matrix {
        try Self.covariance(replicates: theta, full: full, scale: scale, rscales: rscales, mse: mse)
    }

    /// The same from the variance parameters alone (for accumulated replicate totals).
    static func covariance(replicates theta: Matrix, full: [Double], scale: Double, rscales: [Double],
                           mse: Bool) throws(BarometerError) -> Matrix {
        let k = theta.columns
        var centred = theta
        for j in 0..<k {
            var centre = full[j]
            if !mse {
                var s = 0.0, c = 0.0
                for r in 0..<theta.rows where rscales[r] > 0 { s += theta[r, j]; c += 1 }
                centre = c > 0 ? s / c : full[j]
            }
            for r in 0..<theta.rows { centred[r, j] = (theta[r, j] - centre) * (scale * rscales[r]).squareRoot() }
        }
        return try BLASRuntime.withSingleThreadedBLAS { () -> Result<Matrix, BarometerError> in
            do throws(LinearAlgebraError) { return .success(try LinearAlgebra.gram(centred)) } catch { return .failure(.linearAlgebra(error)) }
        }.get()
    }
}

/// The column accessor of a sketch pass, shared by its worker threads (it only reads the columns).
private struct SketchColumns: @unchecked Sendable {
    let column: (Int, (UnsafeBufferPointer<Double>) -> Void) -> Void
}
