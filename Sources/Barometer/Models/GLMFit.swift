#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Foundation

/// An IRLS fit on the rows used.
struct GLMFit: Sendable {
    let beta: [Double]
    let eta: [Double]
    let mu: [Double]
    let iterations: Int
    /// Σ wᵢ·dᵢ (unit deviances, prior weights) at the estimate, chunk sums in chunk order.
    var deviance = 0.0
    /// How many IRLS steps were solved by Cholesky on normal-equation passes
    /// (the others by the QR).
    var choleskySteps = 0
    /// Whether ``r`` is the Cholesky factor of XᵀWX at the estimate (a
    /// normal-equation pass) rather than the Householder R.
    var breadFromCholesky = false
    /// The p × p upper factor R of the QR of √W·X with the working weights
    /// at the estimate (RᵀR = XᵀWX).
    let r: Matrix
    /// The PSU totals of the scores `sₖ·xₖ` at the estimate (psuCount × p),
    /// when the fit was given the rows' PSUs and its last pass summed them
    /// (nil: ``influence(columns:y:w:family:link:ainv:rows:count:clusters:psuCount:psuScores:)``
    /// sums them in a pass of its own). The same bits as that pass.
    var psuScoreTotals: Matrix?

    /// Rows per chunk of the IRLS passes: a chunk's `[√W·X | √W·z]` (p + 1
    /// columns) stays in the core's cache while it is factored. Fixed, so
    /// every number is the same on any number of threads.
    static let chunkRows = 4096

    /// (XᵀWX)⁻¹ at the estimate, `R⁻¹R⁻ᵀ` (LAPACK `dpotri` on R).
    func inverseInformation() throws(BarometerError) -> Matrix {
        do { return try CholeskyFactor(upper: r).inverse() } catch { throw .linearAlgebra(error) }
    }

    /// IRLS as R's `glm.fit`: start from R's `mustart` (or from `start`),
    /// each step solves the weighted least-squares problem
    /// `min ‖√W (z − Xβ)‖` with `z = η + (y − μ)/μ'(η)`, `W = w μ'(η)²/V(μ)`
    /// on a Householder QR of `[√W·X | √W·z]`; a step whose deviance is not
    /// finite is halved. Column j is aliased when |R_jj| < 10⁻⁷·‖(√W X)_j‖
    /// (R's `dqrdc2` tolerance), reported as ``BarometerError/rankDeficient(columns:)``.
    ///
    /// The QR is a tall-skinny QR (TSQR, Demmel et al. 2012): each chunk of
    /// ``chunkRows`` rows is factored on its own (LAPACK `dgeqrf`), the
    /// chunks' R factors are stacked in chunk order and factored again; the
    /// result is the R factor of the whole matrix (up to the signs of its
    /// rows), with Householder's backward stability. One pass over X per
    /// iteration computes η = Xβ, μ, the deviance and the next step's QR
    /// together, without an n × p temporary; chunks run on several cores
    /// with single-threaded BLAS, each chunk's numbers independent of the
    /// thread that computes it, and chunk sums added in chunk order
    /// (`workers`: how many cores; nil: all, at most 8).
    ///
    /// Normal-equation passes: a pass forms `[√W·X | √W·z]ᵀ[√W·X | √W·z]` per
    /// chunk (one single-threaded `dsyrk`, chunk sums added in chunk order) and
    /// the step is solved by Cholesky (`dpotrf`/`dpotrs`). A Cholesky step is
    /// refused when `dpotrf` fails or some |U_jj| < 10⁻⁴·‖(√W X)_j‖ (then R's
    /// aliasing test could be near): that pass is redone as a QR pass and so is
    /// every later one, so the aliasing verdict is always the Householder R's
    /// (with every pivot above 10⁻⁴ no column can be aliased at 10⁻⁷). A step
    /// that meets the convergence criterion is kept when XᵀWX, scaled to unit
    /// diagonal, has a condition number ≤ ``choleskyConditionLimit`` (else it
    /// is redone from the QR of its pass), and the bread's R is then the
    /// Cholesky factor of the pass at the estimate (UᵀU = XᵀWX, the same
    /// (XᵀWX)⁻¹ as the QR's RᵀR to about κ·p·ε). Gaussian identity fits and
    /// `normalEquations: false` use QR passes only.
    static func irls(x: Matrix, y: [Double], w: [Double], family: GLMFamily, link: GLMLink, start: [Double]?,
                     tolerance: Double, maxIterations: Int, names: [String],
                     replicate: String? = nil, workers: Int? = nil,
                     normalEquations: Bool = true) throws(BarometerError) -> GLMFit {
        try irls(columns: ModelColumns(x), y: y, w: w, family: family, link: link, start: start, tolerance: tolerance,
                 maxIterations: maxIterations, names: names, replicate: replicate, workers: workers,
                 normalEquations: normalEquations)
    }

    /// ``irls(x:y:w:family:link:start:tolerance:maxIterations:names:replicate:workers:normalEquations:)``
    /// on the model's columns, read in place chunk by chunk.
    ///
    /// `psus` (the PSU of the rows used, −1 for none, with `psuCount` PSUs):
    /// the passes near convergence also sum the scores `sₖ·xₖ` of each chunk's
    /// runs of one PSU (rows in row order), and the fit returns their PSU
    /// totals (``psuScoreTotals``), runs added in row order: exactly the sums of
    /// ``influence(columns:y:w:family:link:ainv:rows:count:clusters:psuCount:psuScores:)``,
    /// without its pass over the data.
    static func irls(columns: ModelColumns, y: [Double], w: [Double], family: GLMFamily, link: GLMLink,
                     start: [Double]?, tolerance: Double, maxIterations: Int, names: [String],
                     replicate: String? = nil, workers: Int? = nil,
                     normalEquations: Bool = true, psus: [Int32]? = nil,
                     psuCount: Int = 0) throws(BarometerError) -> GLMFit {
        let n = columns.rows, p = columns.count
        guard y.count == n, w.count == n, start.map({ $0.count == p }) ?? true else {
            throw .lengthMismatch(variable: "model rows", expected: n, actual: y.count)
        }
        guard n <= Int(Int32.max) else { throw .linearAlgebra(.tooLarge("\(n) model rows")) }
        if let psus, psus.count != n { throw .lengthMismatch(variable: "PSU of every row used", expected: n, actual: psus.count) }
        let result = BLASRuntime.withSingleThreadedBLAS { () -> Result<GLMFit, BarometerError> in
            y.withUnsafeBufferPointer { yp in
                w.withUnsafeBufferPointer { wp in
                    guard let yb = yp.baseAddress, let wb = wp.baseAddress else {
                        return .failure(.emptyDomain("no rows to fit"))
                    }
                    let passes = IRLSPasses(columns: columns, y: yb, w: wb, family: family, link: link,
                                            workers: workers, psus: psus, psuCount: psuCount)
                    defer { passes.free() }
                    do throws(BarometerError) {
                        var fit = try run(passes, start: start, tolerance: tolerance,
                                          maxIterations: maxIterations, names: names, replicate: replicate,
                                          normalEquations: normalEquations)
                        fit.psuScoreTotals = passes.psuScoreTotals()
                        return .success(fit)
                    } catch { return .failure(error) }
                }
            }
        }
        return try result.get()
    }

    /// Largest condition number (1-norm, of XᵀWX with its columns scaled to
    /// unit diagonal) at which a normal-equation step or the bread is taken
    /// from the Cholesky factor: both the Cholesky and the Householder
    /// solutions are within about κ·p·ε of the exact one, so at most
    /// ~2·10⁻¹¹ apart here. Beyond it the converging step and the bread are
    /// QR (R's path).
    static let choleskyConditionLimit = 1e4

    private static func run(_ passes: IRLSPasses, start: [Double]?, tolerance: Double, maxIterations: Int,
                            names: [String], replicate: String?,
                            normalEquations: Bool) throws(BarometerError) -> GLMFit {
        let n = passes.n, p = passes.p, family = passes.family
        var beta = start ?? [Double](repeating: 0, count: p)
        // (Gaussian with identity link: IRLS is one least-squares step; QR passes only.)
        var onlyQR = !normalEquations || (family == .gaussian && passes.link == .identity)
        // The coefficients of the last pass (nil: R's start values).
        var passBeta: [Double]? = start
        var current = passes.run(beta: start, qr: onlyQR)
        var currentQR = onlyQR
        var devOld = current.deviance
        var iterations = 0, converged = false, choleskySteps = 0
        var stepCondition = 0.0
        // The last relative deviance change and the ratio change / (previous change)² (at least 1):
        // IRLS converges quadratically, so the next change is about ratio · change². A
        // pass whose change is so predicted below 10 × tolerance is likely the last one
        // and also sums the PSU scores (a guess only: when the last pass did not sum
        // them, the influence values take a pass of their own).
        var lastChange = Double.infinity, ratio = 1.0
        while iterations < maxIterations {
            iterations += 1
            var next: [Double]
            var stepFromQR = currentQR
            if !currentQR, let step = try passes.cholesky(names: names) {
                next = step.solution; choleskySteps += 1; stepCondition = step.condition
            } else {
                if !currentQR {
                    // Refused (a pivot or dpotrf): this pass and every later one are QR passes,
                    // so R's aliasing test decides on the Householder R.
                    current = passes.run(beta: passBeta, qr: true); currentQR = true; onlyQR = true
                    stepFromQR = true
                }
                next = try passes.factor(current, names: names, replicate: replicate).solve()
            }
            passes.wantScores = max(ratio, 1) * lastChange * lastChange < 10 * tolerance
            var candidate = passes.run(beta: next, qr: onlyQR)
            var halvings = 0
            while !candidate.deviance.isFinite || (family.isPoisson && candidate.nonPositiveMean) {
                halvings += 1
                guard halvings <= 30, iterations > 1 || start != nil else {
                    throw .noConvergence("IRLS met a non-finite deviance and step halving did not recover")
                }
                for j in 0..<p { next[j] = (next[j] + beta[j]) / 2 }
                candidate = passes.run(beta: next, qr: onlyQR)
            }
            let change = abs(candidate.deviance - devOld) / (abs(candidate.deviance) + 0.1)
            if change < tolerance && !stepFromQR && !(stepCondition <= choleskyConditionLimit) {
                // Converged on an ill-conditioned Cholesky step: redo this step from the QR of its pass.
                current = passes.run(beta: passBeta, qr: true); currentQR = true; onlyQR = true
                iterations -= 1; choleskySteps -= 1
                continue
            }
            beta = next; passBeta = next; current = candidate; currentQR = onlyQR; devOld = candidate.deviance
            if lastChange.isFinite, lastChange > 0, change > 0 { ratio = change / (lastChange * lastChange) }
            lastChange = change
            if change < tolerance { converged = true; break }
        }
        // The last pass is at the estimate: its factor gives (XᵀWX)⁻¹, from the
        // Cholesky factor when well-conditioned, else from the QR.
        var r: Matrix, breadFromCholesky = false
        if !currentQR, let bread = try passes.cholesky(names: names), bread.condition <= choleskyConditionLimit {
            r = bread.factor; breadFromCholesky = true
        } else {
            if !currentQR { passes.wantScores = true; current = passes.run(beta: beta, qr: true) }
            r = try passes.factor(current, names: names, replicate: replicate, checkAliasing: false).r
        }
        let eta = Array(UnsafeBufferPointer(start: passes.eta, count: n))
        let mu = Array(UnsafeBufferPointer(start: passes.mu, count: n))
        var fit = GLMFit(beta: beta, eta: eta, mu: mu, iterations: iterations, r: r)
        fit.choleskySteps = choleskySteps
        fit.breadFromCholesky = breadFromCholesky
        fit.deviance = current.deviance
        if family.isBinomial {
            // Separation: fitted probabilities at 0 or 1 together with coefficients the
            // data cannot pin down (model-based SE × the column's RMS above 10³; a finite
            // fit has about 1/√(n·μ(1−μ)) there). Those columns are the diverging ones.
            let w = passes.w, boundary = (0..<n).contains { w[$0] > 0 && (mu[$0] < 1e-8 || mu[$0] > 1 - 1e-8) }
            if boundary {
                var diverging: [String] = []
                if let ainv = try? fit.inverseInformation() {
                    for j in 0..<p {
                        let ss = passes.columns.withColumn(j) { col -> Double in
                            var ss = 0.0
                            for k in 0..<n where w[k] > 0 { let v = col?[k] ?? 1; ss += v * v }
                            return ss
                        }
                        let rms = (ss / Double(max(n, 1))).squareRoot()
                        if !(max(ainv[j, j], 0).squareRoot() * rms < 1e3) { diverging.append(names[j]) }
                    }
                } else {
                    diverging = names
                }
                if !diverging.isEmpty {
                    throw .separation(columns: replicate.map { r in diverging.map { "\($0) (replicate \(r))" } } ?? diverging)
                }
            }
        }
        guard converged else {
            throw .noConvergence("IRLS did not converge in \(maxIterations) iterations\(replicate.map { " (replicate \($0))" } ?? "")")
        }
        return fit
    }

    /// Influence values of the rows used, `uₖ = (XᵀWX)⁻¹ xₖ wₖ (yₖ − μₖ) μ'(ηₖ)/V(μₖ)`
    /// (R `svy.varcoef`: `estfun %*% Ainv`). With `clusters` (the PSU of every
    /// design row) the result is their PSU totals (`psuCount` × p): the scores'
    /// PSU totals (rows in row order; a run of one PSU's rows within a chunk is
    /// summed, then added to its total) times `ainv` in one
    /// `dgemm`; without, the values themselves among all `count` design rows
    /// (zeros outside `rows`), chunk by chunk: a chunk's scores times `ainv` in
    /// one `dgemm`. Single-threaded BLAS, fixed chunks: the same bits on any
    /// number of threads.
    ///
    /// `psuScores`: the PSU totals of the scores already summed by the fit
    /// (``psuScoreTotals``); only the product with `ainv` is left.
    func influence(columns x: ModelColumns, y: [Double], w: [Double], family: GLMFamily, link: GLMLink, ainv: Matrix,
                   rows: [Int], count: Int, clusters: [Int32]?, psuCount: Int,
                   psuScores: Matrix? = nil) throws(BarometerError) -> Matrix {
        let n = x.rows, p = x.count
        let outRows = clusters == nil ? count : psuCount
        var out = Matrix(rows: outRows, columns: p)
        guard n > 0, p > 0 else { return out }
        if let clusters, clusters.count != count {
            throw .lengthMismatch(variable: "PSU of every row", expected: count, actual: clusters.count)
        }
        let chunk = Self.chunkRows
        var s = [Double](repeating: 0, count: min(chunk, n))
        /// sₖ = wₖ (yₖ − μₖ) μ'(ηₖ)/V(μₖ) for the rows lo ..< lo + m.
        func fillScores(_ lo: Int, _ m: Int) {
            for k in 0..<m {
                let i = lo + k
                s[k] = w[i] * (y[i] - mu[i]) * link.derivative(eta[i]) / family.variance(mu[i])
            }
        }
        if clusters != nil, let psuScores, psuScores.rows == psuCount, psuScores.columns == p {
            let failure: LinearAlgebraError? = BLASRuntime.withSingleThreadedBLAS {
                do throws(LinearAlgebraError) { try LinearAlgebra.gemm(psuScores, ainv, into: &out) } catch { return error }
                return nil
            }
            if let failure { throw .linearAlgebra(failure) }
            return out
        }
        if let clusters {
            var psu = [Int](repeating: -1, count: min(chunk, n))
            // PSU totals of the scores sₖ·xₖ (rows in row order), then one product
            // with ainv: Σ_{k∈PSU} sₖ xₖᵀ A⁻¹ = (Σ_{k∈PSU} sₖ xₖ)ᵀ A⁻¹.
            var totals = Matrix(rows: psuCount, columns: p)
            totals.storage.withUnsafeMutableBufferPointer { tp in
                rows.withUnsafeBufferPointer { rp in
                    clusters.withUnsafeBufferPointer { cp in
                        var lo = 0
                        while lo < n {
                            let m = min(chunk, n - lo)
                            fillScores(lo, m)
                            for k in 0..<m { psu[k] = rp[lo + k] < count ? Int(cp[rp[lo + k]]) : -1 }
                            for j in 0..<p {
                                let base = j * psuCount
                                x.withColumn(j) { xc in
                                    // A run of rows of one PSU is summed first, then added to its total.
                                    var current = -1, run = 0.0
                                    for k in 0..<m {
                                        let g = psu[k]
                                        if g != current {
                                            if current >= 0 { tp[current + base] += run }
                                            current = g; run = 0
                                        }
                                        run += s[k] * (xc.map { $0[lo + k] } ?? 1)
                                    }
                                    if current >= 0 { tp[current + base] += run }
                                }
                            }
                            lo += m
                        }
                    }
                }
            }
            let failure: LinearAlgebraError? = BLASRuntime.withSingleThreadedBLAS {
                do throws(LinearAlgebraError) { try LinearAlgebra.gemm(totals, ainv, into: &out) } catch { return error }
                return nil
            }
            if let failure { throw .linearAlgebra(failure) }
            return out
        }
        var scores = Matrix(rows: min(chunk, n), columns: p), product = Matrix(rows: min(chunk, n), columns: p)
        let failure: LinearAlgebraError? = BLASRuntime.withSingleThreadedBLAS {
            var lo = 0
            while lo < n {
                let m = min(chunk, n - lo)
                fillScores(lo, m)
                if m < scores.rows {
                    scores = Matrix(rows: m, columns: p); product = Matrix(rows: m, columns: p)
                }
                scores.storage.withUnsafeMutableBufferPointer { sp in
                    for j in 0..<p {
                        x.withColumn(j) { xc in
                            if let xc {
                                for k in 0..<m { sp[k + j * m] = s[k] * xc[lo + k] }
                            } else {
                                for k in 0..<m { sp[k + j * m] = s[k] }
                            }
                        }
                    }
                }
                do throws(LinearAlgebraError) { try LinearAlgebra.gemm(scores, ainv, into: &product) } catch { return error }
                product.storage.withUnsafeBufferPointer { pp in
                    rows.withUnsafeBufferPointer { rp in
                        out.storage.withUnsafeMutableBufferPointer { op in
                            if let clusters {
                                clusters.withUnsafeBufferPointer { cp in
                                    for j in 0..<p {
                                        for k in 0..<m where rp[lo + k] < count {
                                            op[Int(cp[rp[lo + k]]) + j * outRows] += pp[k + j * m]
                                        }
                                    }
                                }
                            } else {
                                for j in 0..<p {
                                    for k in 0..<m where rp[lo + k] < count { op[rp[lo + k] + j * count] = pp[k + j * m] }
                                }
                            }
                        }
                    }
                }
                lo += m
            }
            return nil
        }
        if let failure { throw .linearAlgebra(failure) }
        return out
    }
}

/// What one IRLS pass found at its coefficients.
struct IRLSPassResult: Sendable {
    /// Σ w·(unit deviance), chunk sums added in chunk order.
    let deviance: Double
    /// Some fitted mean is not positive (Poisson families halve the step then).
    let nonPositiveMean: Bool
}

/// The QR of `[√W·X | √W·z]` after a pass: the (p + 1) × (p + 1) R factor.
struct IRLSFactor {
    /// p × p upper factor of √W·X.
    let r: Matrix
    /// (Qᵀ√W·z)[0..<p].
    let qtz: [Double]

    /// The least-squares step `R⁻¹·(Qᵀ√W z)` (LAPACK `dtrtrs`).
    func solve() throws(BarometerError) -> [Double] {
        let p = r.rows
        if p == 0 { return [] }
        var a = r, b = qtz
        let n32 = Int32(p)
        let info = a.storage.withUnsafeMutableBufferPointer { ap in
            b.withUnsafeMutableBufferPointer { bp in
                Backend.trtrsUpper(n: n32, nrhs: 1, a: ap.baseAddress!, lda: n32, b: bp.baseAddress!, ldb: n32)
            }
        }
        if info < 0 { throw .linearAlgebra(.illegalArgument(routine: "dtrtrs", argument: Int(-info))) }
        if info > 0 { throw .linearAlgebra(.singular(position: Int(info))) }
        return b
    }
}

/// Buffers of the chunked IRLS passes over one model matrix (rows used × p,
/// column-major): η and μ (n each), the stacked chunk R factors, and per
/// chunk its deviance and squared column norms. Each chunk writes only its
/// own slots, so concurrent chunks never share a location.
private final class IRLSPasses: @unchecked Sendable {
    /// The model's columns, response and prior weights.
    let columns: ModelColumns, y: UnsafePointer<Double>, w: UnsafePointer<Double>
    let n: Int, p: Int, q: Int
    let family: GLMFamily, link: GLMLink
    let chunkCount: Int, workers: Int
    let eta: UnsafeMutablePointer<Double>, mu: UnsafeMutablePointer<Double>
    /// (chunkCount·q) × q, column-major: chunk c's R factor in rows c·q ..< c·q + q (zeros below it).
    let stack: UnsafeMutablePointer<Double>
    let deviance: UnsafeMutablePointer<Double>
    let norms: UnsafeMutablePointer<Double>
    let flags: UnsafeMutablePointer<UInt8>
    /// Per worker: a chunk's `[√W·X | √W·z]` (chunkRows × q), √W (chunkRows), τ (q) and scores (chunkRows).
    let scratch: [UnsafeMutableRawPointer]
    static let empty = [Double](repeating: 0, count: 1)
    /// The PSU of every row used (−1: none) and the number of PSUs; nil when
    /// the passes do not sum PSU scores.
    let psus: UnsafeMutablePointer<Int32>?, psuCount: Int
    /// Runs of rows of one PSU within each chunk: chunk c's runs are
    /// `runStart[c] ..< runStart[c + 1]`, run r's PSU `runPSU[r]` and its score
    /// sums `runSums[r + j·runCount]` (column j).
    let runStart: [Int], runCount: Int
    let runPSU: UnsafeMutablePointer<Int32>?, runSums: UnsafeMutablePointer<Double>?
    /// chunkRows ones: the intercept column.
    let ones: UnsafeMutablePointer<Double>
    /// Whether the next passes sum the scores of the runs.
    var wantScores = false
    /// Whether the last pass summed them.
    private(set) var lastHadScores = false

    init(columns: ModelColumns, y: UnsafePointer<Double>, w: UnsafePointer<Double>,
         family: GLMFamily, link: GLMLink, workers: Int?, psus psuOfRow: [Int32]? = nil, psuCount: Int = 0) {
        self.columns = columns; self.y = y; self.w = w
        self.n = columns.rows; self.p = columns.count; self.q = p + 1
        self.family = family; self.link = link
        chunkCount = max((n + GLMFit.chunkRows - 1) / GLMFit.chunkRows, 1)
        self.workers = min(max(workers ?? ProcessInfo.processInfo.activeProcessorCount, 1), 8, chunkCount)
        eta = .allocate(capacity: max(n, 1)); mu = .allocate(capacity: max(n, 1))
        let stackCount = chunkCount * q * q
        stack = .allocate(capacity: stackCount); stack.initialize(repeating: 0, count: stackCount)
        deviance = .allocate(capacity: chunkCount); deviance.initialize(repeating: 0, count: chunkCount)
        norms = .allocate(capacity: chunkCount * q); norms.initialize(repeating: 0, count: chunkCount * q)
        flags = .allocate(capacity: chunkCount); flags.initialize(repeating: 0, count: chunkCount)
        let rowsPerChunk = min(GLMFit.chunkRows, max(n, 1))
        let bytes = MemoryLayout<Double>.stride * (rowsPerChunk * (q + 2) + q)
        scratch = (0..<self.workers).map { _ in UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64) }
        ones = .allocate(capacity: rowsPerChunk); ones.initialize(repeating: 1, count: rowsPerChunk)
        // Runs per chunk; summed in the passes only while there are at most n/4 of them
        // (PSUs in row order), so their sums take at most a quarter of X's size.
        var starts = [0], total = 0
        if let psuOfRow, psuOfRow.count == columns.rows, columns.rows > 0 {
            let chunks = chunkCount, rowCount = columns.rows
            psuOfRow.withUnsafeBufferPointer { pp in
                for c in 0..<chunks {
                    let r0 = c * GLMFit.chunkRows, m = min(GLMFit.chunkRows, rowCount - r0)
                    var runs = 1
                    for k in 1..<max(m, 1) where pp[r0 + k] != pp[r0 + k - 1] { runs += 1 }
                    total += runs; starts.append(total)
                }
            }
        }
        if total > 0, total <= max(columns.rows / 4, 1), let psuOfRow {
            let copy = UnsafeMutablePointer<Int32>.allocate(capacity: n)
            _ = UnsafeMutableBufferPointer(start: copy, count: n).initialize(from: psuOfRow)
            psus = copy; self.psuCount = psuCount
            runStart = starts; runCount = total
            runPSU = .allocate(capacity: total)
            runSums = .allocate(capacity: total * p)
        } else {
            psus = nil; self.psuCount = 0; runStart = [0]; runCount = 0; runPSU = nil; runSums = nil
        }
    }

    func free() {
        eta.deallocate(); mu.deallocate(); stack.deallocate(); deviance.deallocate(); norms.deallocate()
        flags.deallocate()
        for s in scratch { s.deallocate() }
        psus?.deallocate(); runPSU?.deallocate(); runSums?.deallocate(); ones.deallocate()
    }

    /// The PSU totals of the scores summed by the last pass (psuCount × p):
    /// the runs added chunk by chunk, in row order; nil when it did not sum them.
    func psuScoreTotals() -> Matrix? {
        guard lastHadScores, let runPSU, let runSums else { return nil }
        var totals = Matrix(rows: psuCount, columns: p)
        totals.storage.withUnsafeMutableBufferPointer { tp in
            for j in 0..<p {
                let base = j * psuCount, sums = runSums + j * runCount
                for r in 0..<runCount {
                    let g = Int(runPSU[r])
                    if g >= 0 { tp[g + base] += sums[r] }
                }
            }
        }
        return totals
    }

    /// One pass at `beta` (nil: R's start values `mustart`, η = g(μ)); each
    /// chunk's QR (`qr`) or its cross-product (normal equations) to the stack.
    func run(beta: [Double]?, qr: Bool) -> IRLSPassResult {
        let b = beta ?? Self.empty
        let scores = wantScores && runSums != nil
        lastHadScores = scores
        b.withUnsafeBufferPointer { bp in
            columns.withColumnBases { bases in
                let coefficients = beta == nil ? nil : UnsafeSendablePointer(bp.baseAddress)
                let x = ColumnBases(bases)
                if workers == 1 {
                    for c in 0..<chunkCount { chunk(c, x, beta: coefficients?.pointer, worker: 0, qr: qr, scores: scores) }
                } else {
                    DispatchQueue.concurrentPerform(iterations: workers) { worker in
                        var c = worker
                        while c < self.chunkCount {
                            self.chunk(c, x, beta: coefficients?.pointer, worker: worker, qr: qr, scores: scores)
                            c += self.workers
                        }
                    }
                }
            }
        }
        var dev = 0.0, nonPositive = false
        for c in 0..<chunkCount { dev += deviance[c]; nonPositive = nonPositive || flags[c] != 0 }
        return IRLSPassResult(deviance: dev, nonPositiveMean: nonPositive)
    }

    /// Chunk c: η, μ and deviance at `beta`; working weights and response;
    /// the QR of its `[√W·X | √W·z]` (LAPACK `dgeqrf`), R copied to the stack;
    /// or (`qr` false) its cross-product `AᵀA` (BLAS `dsyrk`, upper triangle)
    /// in the chunk's q × q block of the stack.
    ///
    /// `scores`: also the scores `sₖ = wₖ (yₖ − μₖ) μ'(ηₖ)/V(μₖ)` times each
    /// column, summed over each run of rows of one PSU (into the chunk's runs).
    private func chunk(_ c: Int, _ x: ColumnBases, beta: UnsafeMutablePointer<Double>?, worker: Int, qr: Bool,
                       scores: Bool) {
        let r0 = c * GLMFit.chunkRows, m = min(GLMFit.chunkRows, n - r0)
        guard m > 0 else { return }
        let e = eta + r0, u = mu + r0, yc = y + r0, wc = w + r0
        let a = scratch[worker].assumingMemoryBound(to: Double.self)
        let sw = a + m * q, tau = sw + m
        /// Column j's values on this chunk's rows (ones: the intercept; b·1 is b to the bit).
        func col(_ j: Int) -> UnsafePointer<Double> { x.bases[j].map { $0 + r0 } ?? UnsafePointer(ones) }
        if let beta {
            // η = Xβ: ((0 + β₀x₀) + β₁x₁) + …, columns j ascending, four columns per sweep
            // over the rows (more memory streams at once; each row's sum in the same order).
            e.update(repeating: 0, count: m)
            var j = 0
            while j + 4 <= p {
                let b0 = beta[j], b1 = beta[j + 1], b2 = beta[j + 2], b3 = beta[j + 3]
                let x0 = col(j), x1 = col(j + 1), x2 = col(j + 2), x3 = col(j + 3)
                for k in 0..<m {
                    var v = e[k]
                    v += b0 * x0[k]; v += b1 * x1[k]; v += b2 * x2[k]; v += b3 * x3[k]
                    e[k] = v
                }
                j += 4
            }
            while j < p {
                let bj = beta[j], xs = col(j)
                for k in 0..<m { e[k] += bj * xs[k] }
                j += 1
            }
        } else {
            for k in 0..<m { u[k] = family.start(yc[k], wc[k]); e[k] = link.link(u[k]) }
        }
        var dev = 0.0, nonPositive = false
        let z = a + p * m, fromBeta = beta != nil
        for k in 0..<m {
            let ek = e[k], wk = wc[k]
            let uk: Double, d: Double
            if fromBeta {
                (uk, d) = link.inverseAndDerivative(ek)
                u[k] = uk
            } else {
                uk = u[k]; d = link.derivative(ek)
            }
            dev += family.deviance(yc[k], uk, wk)
            if !(uk > 0) { nonPositive = true }
            let v = family.variance(uk)
            let s = wk > 0 ? (wk * d * d / v).squareRoot() : 0
            sw[k] = s
            z[k] = s * (ek + (yc[k] - uk) / d)
        }
        deviance[c] = dev
        flags[c] = nonPositive ? 1 : 0
        if scores, let psus, let runPSU, let runSums {
            // The scores (the expression of GLMFit.influence, so the same bits), then per
            // column the sum over each run of one PSU, rows in row order.
            let sc = tau + q, g = psus + r0, first = runStart[c]
            for k in 0..<m { sc[k] = wc[k] * (yc[k] - u[k]) * link.derivative(e[k]) / family.variance(u[k]) }
            // The runs' PSUs.
            var r = first
            runPSU[r] = g[0]
            for k in 1..<max(m, 1) where g[k] != g[k - 1] { r += 1; runPSU[r] = g[k] }
            // Row by row within a run, every column at once (the sum of one run and column
            // is still 0 + s₀x₀ + s₁x₁ + … in row order).
            let bases = (0..<p).map { col($0) }
            let acc = UnsafeMutablePointer<Double>.allocate(capacity: p)
            defer { acc.deallocate() }
            bases.withUnsafeBufferPointer { xb in
                var k = 0, r = first
                while k < m {
                    let start = k
                    k += 1
                    while k < m && g[k] == g[start] { k += 1 }
                    acc.update(repeating: 0, count: p)
                    for i in start..<k {
                        let si = sc[i]
                        for j in 0..<p { acc[j] += si * xb[j][i] }
                    }
                    for j in 0..<p { runSums[r + j * runCount] = acc[j] }
                    r += 1
                }
            }
        }
        let ld = chunkCount * q, top = c * q
        if !qr {
            // Normal equations: √W·X copied (no reduction: vectorized), then AᵀA by dsyrk; the
            // squared column norms are its diagonal (a non-finite entry makes one non-finite,
            // which cholesky() reports).
            var j = 0
            while j + 4 <= p {
                let x0 = col(j), x1 = col(j + 1), x2 = col(j + 2), x3 = col(j + 3), a0 = a + j * m
                for k in 0..<m {
                    let s = sw[k]
                    a0[k] = s * x0[k]; a0[k + m] = s * x1[k]; a0[k + 2 * m] = s * x2[k]; a0[k + 3 * m] = s * x3[k]
                }
                j += 4
            }
            while j < p {
                let xs = col(j), ac = a + j * m
                for k in 0..<m { ac[k] = sw[k] * xs[k] }
                j += 1
            }
            Backend.syrk(upper: true, transpose: true, n: Int32(q), k: Int32(m), alpha: 1, a: a, lda: Int32(m),
                         beta: 0, c: stack + top, ldc: Int32(ld))
            for j in 0..<q { norms[c * q + j] = stack[top + j + j * ld] }
            return
        }
        for j in 0..<p {
            let ac = a + j * m
            norms[c * q + j] = columns.withColumn(j) { xc -> Double in
                var ss = 0.0
                if let xc {
                    let xs = xc + r0
                    for k in 0..<m { let v = sw[k] * xs[k]; ac[k] = v; ss += v * v }
                } else {
                    for k in 0..<m { let v = sw[k]; ac[k] = v; ss += v * v }
                }
                return ss
            }
        }
        var zz = 0.0
        for k in 0..<m { zz += z[k] * z[k] }
        norms[c * q + p] = zz
        // A non-finite entry makes its column's norm non-finite: factor() reports it, dgeqrf is skipped.
        guard (0..<q).allSatisfy({ norms[c * q + $0].isFinite }) else { return }
        _ = Backend.geqrf(m: Int32(m), n: Int32(q), a: a, lda: Int32(m), tau: tau)
        for j in 0..<q {
            // (Rows past a short chunk's m are zeroed: a normal-equation pass may have written there.)
            for i in 0...j { stack[top + i + j * ld] = i < m ? a[i + j * m] : 0 }
        }
    }

    /// Squared column norms of `[√W·X | √W·z]`, chunk sums in chunk order;
    /// a non-finite one is reported.
    private func columnNorms(names: [String]) throws(BarometerError) -> [Double] {
        var colNorms = [Double](repeating: 0, count: q)
        for c in 0..<chunkCount { for j in 0..<q { colNorms[j] += norms[c * q + j] } }
        if let j = colNorms.firstIndex(where: { !$0.isFinite }) {
            throw .linearAlgebra(.nonFinite("QR input holds \(colNorms[j]) (column \(j < p ? names[j] : "working response"))"))
        }
        return colNorms
    }

    /// The step of a normal-equation pass: `XᵀWX β = XᵀWz` (the chunks'
    /// cross-products added in chunk order) by Cholesky (LAPACK `dpotrf`,
    /// `dpotrs`), the factor U (UᵀU = XᵀWX, the bread's R) and the
    /// condition number of XᵀWX scaled to unit diagonal (1-norm, from its
    /// inverse by `dpotri`). nil when `dpotrf` fails or a pivot
    /// |U_jj| < 10⁻⁴·‖(√W X)_j‖: the caller redoes the pass with QR.
    func cholesky(names: [String]) throws(BarometerError) -> (solution: [Double], factor: Matrix, condition: Double)? {
        let colNorms = try columnNorms(names: names)
        if p == 0 { return ([], Matrix(rows: 0, columns: 0), 1) }
        let ld = chunkCount * q
        var a = [Double](repeating: 0, count: q * q)
        for c in 0..<chunkCount {
            let block = stack + c * q
            for j in 0..<q { for i in 0...j { a[i + j * q] += block[i + j * ld] } }
        }
        var b = Array(a[(p * q)..<(p * q + p)])
        // The scaled 1-norm of XᵀWX (upper triangle held; symmetric).
        let scale = (0..<p).map { 1 / a[$0 + $0 * q].squareRoot() }
        var normA = 0.0
        for j in 0..<p {
            var s = 0.0
            for i in 0..<p { s += abs(i <= j ? a[i + j * q] : a[j + i * q]) * scale[i] * scale[j] }
            normA = max(normA, s)
        }
        let n32 = Int32(p), q32 = Int32(q)
        var u = Matrix(rows: p, columns: p)
        let ok = a.withUnsafeMutableBufferPointer { ap -> Bool in
            guard let base = ap.baseAddress, Backend.potrf(n: n32, a: base, lda: q32) == 0 else { return false }
            for j in 0..<p where !(abs(base[j + j * q]) >= 1e-4 * colNorms[j].squareRoot()) { return false }
            u.storage.withUnsafeMutableBufferPointer { up in
                for j in 0..<p { for i in 0...j { up[i + j * p] = base[i + j * q] } }
            }
            return b.withUnsafeMutableBufferPointer { bp in
                guard let bb = bp.baseAddress else { return false }
                return Backend.potrs(n: n32, nrhs: 1, a: base, lda: q32, b: bb, ldb: n32) == 0
            }
        }
        guard ok, b.allSatisfy({ $0.isFinite }) else { return nil }
        guard let inv = try? CholeskyFactor(upper: u).inverse() else { return nil }
        var normInv = 0.0
        for j in 0..<p {
            var s = 0.0
            for i in 0..<p { s += abs(inv[i, j]) / (scale[i] * scale[j]) }
            normInv = max(normInv, s)
        }
        let condition = normA * normInv
        return (b, u, condition.isFinite ? condition : .infinity)
    }

    /// The QR of the last pass: the stacked chunk factors factored again
    /// (LAPACK `dgeqrf`), then the aliasing test on R's diagonal.
    func factor(_ pass: IRLSPassResult, names: [String], replicate: String?,
                checkAliasing: Bool = true) throws(BarometerError) -> IRLSFactor {
        let colNorms = try columnNorms(names: names)
        let ld = chunkCount * q
        var s = Array(UnsafeBufferPointer(start: stack, count: ld * q))
        var tau = [Double](repeating: 0, count: q)
        let info = s.withUnsafeMutableBufferPointer { sp in
            tau.withUnsafeMutableBufferPointer { tp in
                Backend.geqrf(m: Int32(ld), n: Int32(q), a: sp.baseAddress!, lda: Int32(ld), tau: tp.baseAddress!)
            }
        }
        if info < 0 { throw .linearAlgebra(.illegalArgument(routine: "dgeqrf", argument: Int(-info))) }
        var r = Matrix(rows: p, columns: p)
        for j in 0..<p { for i in 0...j { r[i, j] = s[i + j * ld] } }
        let qtz = (0..<p).map { s[$0 + p * ld] }
        if checkAliasing {
            var aliased: [String] = []
            for j in 0..<p where colNorms[j] == 0 || abs(r[j, j]) < 1e-7 * colNorms[j].squareRoot() {
                aliased.append(names[j])
            }
            if !aliased.isEmpty {
                if let rep = replicate { throw .rankDeficient(columns: aliased.map { "\($0) (replicate \(rep))" }) }
                throw .rankDeficient(columns: aliased)
            }
        }
        return IRLSFactor(r: r, qtz: qtz)
    }
}

/// The base addresses of a model's columns (nil: the intercept), for the
/// concurrent chunks of one pass; valid inside ``ModelColumns/withColumnBases(_:)``.
struct ColumnBases: @unchecked Sendable {
    let bases: [UnsafePointer<Double>?]
    init(_ bases: [UnsafePointer<Double>?]) { self.bases = bases }
}
