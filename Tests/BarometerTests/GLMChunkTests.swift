@testable import Barometer
import BarometerIO
import Foundation
import Testing

/// The chunked IRLS (`GLMFit.irls`): every number is the same on 1, 2 or 3
/// workers (fixed chunks of `GLMFit.chunkRows` rows, chunk results combined in
/// chunk order). Agreement with R over several chunks: `GLMTests.severalChunksEqualR`.
@Suite struct GLMChunkTests {
    @Test func workersDoNotChangeAnyBit() throws {
        // 3.5 chunks of a logistic model with 6 columns (intercept, 4 numeric, 1 indicator).
        let n = GLMFit.chunkRows * 7 / 2, p = 6
        var g = CLIRandomizedTests.RNG(state: 20_2026)
        var x = Matrix(rows: n, columns: p), y = [Double](repeating: 0, count: n), w = y
        for k in 0..<n {
            x[k, 0] = 1
            var eta = -0.2
            for j in 1..<5 { x[k, j] = 2 * g.double() - 1; eta += Double(j) * 0.3 * x[k, j] }
            x[k, 5] = g.double() < 0.3 ? 1 : 0
            eta -= 0.5 * x[k, 5]
            y[k] = g.double() < 1 / (1 + Foundation.exp(-eta)) ? 1 : 0
            w[k] = 0.5 + 2 * g.double()
        }
        let names = (0..<p).map { "x\($0)" }
        let fits = try [1, 2, 3].map { workers in
            try GLMFit.irls(x: x, y: y, w: w, family: .binomial, link: .logit, start: nil, tolerance: 1e-12,
                            maxIterations: 50, names: names, workers: workers)
        }
        for f in fits.dropFirst() {
            #expect(f.beta.map(\.bitPattern) == fits[0].beta.map(\.bitPattern))
            #expect(f.mu.map(\.bitPattern) == fits[0].mu.map(\.bitPattern))
            #expect(f.r.storage.map(\.bitPattern) == fits[0].r.storage.map(\.bitPattern))
            #expect(f.iterations == fits[0].iterations)
        }
        // The combined chunk factors are the R of the whole √W·X: RᵀR = XᵀWX.
        let fit = fits[0]
        let ainv = try fit.inverseInformation()
        var xtwx = Matrix(rows: p, columns: p)
        for k in 0..<n {
            let d = fit.mu[k] * (1 - fit.mu[k]), wk = w[k] * d
            for i in 0..<p { for j in 0..<p { xtwx[i, j] += wk * x[k, i] * x[k, j] } }
        }
        let identity = try LinearAlgebra.multiply(xtwx, ainv)
        for i in 0..<p { for j in 0..<p { #expect(abs(identity[i, j] - (i == j ? 1 : 0)) < 1e-9) } }
    }

    /// The last IRLS pass sums the scores per PSU (runs of one PSU within a
    /// chunk, added in row order): the same bits as the influence values' own
    /// pass, on 1, 2 or 3 workers, with runs crossing chunk boundaries, a PSU
    /// that comes back later and rows outside the design (PSU −1).
    @Test func fusedPSUScoresEqualTheInfluencePass() throws {
        let (x, y, w, names) = Self.design()
        let n = x.rows, p = x.columns, outside = 500, count = n - outside
        var clusters = [Int32](repeating: 0, count: count)
        var g = CLIRandomizedTests.RNG(state: 20_2028)
        var psu: Int32 = 0, left = 0
        for i in 0..<count {
            if left == 0 { psu += 1; left = 1 + Int(g.double() * 17) }
            clusters[i] = i >= 5_000 && i < 5_040 ? 3 : psu   // PSU 3 again, far from its first rows
            left -= 1
        }
        let psuCount = Int(psu) + 1
        let rows = Array(0..<n)
        let psus = rows.map { $0 < count ? clusters[$0] : -1 }
        for tolerance in [1e-12, 1e-8] {
            var totals: [[UInt64]] = []
            for workers in [1, 2, 3] {
                let fit = try GLMFit.irls(columns: ModelColumns(x), y: y, w: w, family: .binomial, link: .logit,
                                          start: nil, tolerance: tolerance, maxIterations: 50, names: names,
                                          workers: workers, psus: psus, psuCount: psuCount)
                let fused = try #require(fit.psuScoreTotals)
                #expect(fused.rows == psuCount && fused.columns == p)
                totals.append(fused.storage.map(\.bitPattern))
                let ainv = try fit.inverseInformation()
                let separate = try fit.influence(columns: ModelColumns(x), y: y, w: w, family: .binomial, link: .logit,
                                                 ainv: ainv, rows: rows, count: count, clusters: clusters,
                                                 psuCount: psuCount)
                let fromFit = try fit.influence(columns: ModelColumns(x), y: y, w: w, family: .binomial, link: .logit,
                                                ainv: ainv, rows: rows, count: count, clusters: clusters,
                                                psuCount: psuCount, psuScores: fused)
                #expect(fromFit.storage.map(\.bitPattern) == separate.storage.map(\.bitPattern))
            }
            #expect(totals.allSatisfy { $0 == totals[0] })
        }
        // Without PSUs the fit sums none.
        let plain = try GLMFit.irls(x: x, y: y, w: w, family: .binomial, link: .logit, start: nil, tolerance: 1e-12,
                                    maxIterations: 50, names: names)
        #expect(plain.psuScoreTotals == nil)
    }

    /// A design like the one above (3.5 chunks, logit), or with column 5 nearly
    /// a copy of column 1 (`nearCopy`: 10⁻⁶ apart).
    static func design(nearCopy: Bool = false, spread: Double = 1e-6) -> (Matrix, [Double], [Double], [String]) {
        let n = GLMFit.chunkRows * 7 / 2, p = 6
        var g = CLIRandomizedTests.RNG(state: 20_2027)
        var x = Matrix(rows: n, columns: p), y = [Double](repeating: 0, count: n), w = y
        for k in 0..<n {
            x[k, 0] = 1
            var eta = 0.3
            for j in 1..<5 { x[k, j] = 2 * g.double() - 1; eta += Double(j) * 0.4 * x[k, j] }
            x[k, 5] = nearCopy ? x[k, 1] + spread * (2 * g.double() - 1) : (g.double() < 0.3 ? 1 : 0)
            eta -= 0.5 * x[k, 5]
            y[k] = g.double() < 1 / (1 + Foundation.exp(-eta)) ? 1 : 0
            w[k] = 0.5 + 2 * g.double()
        }
        return (x, y, w, (0..<p).map { "x\($0)" })
    }

    /// Normal-equation (Cholesky) passes far from convergence give the same
    /// converged fit as QR passes only, at R's tolerance 10⁻⁸: coefficients,
    /// fitted means, the bread's R and the iteration count; logit, log-linear
    /// Poisson and identity-Gaussian families, 1 and 2 workers.
    @Test func choleskyPassesEqualQROnly() throws {
        let (x, y, w, names) = Self.design()
        let counts = y.enumerated().map { Double($0.offset % 5) * $0.element + $0.element }
        let cases: [([Double], GLMFamily, GLMLink)] = [(y, .binomial, .logit), (counts, .poisson, .log),
                                                      (counts, .gaussian, .identity)]
        for (response, family, link) in cases {
            for workers in [1, 2] {
                let qrOnly = try GLMFit.irls(x: x, y: response, w: w, family: family, link: link, start: nil,
                                             tolerance: 1e-8, maxIterations: 25, names: names, workers: workers,
                                             normalEquations: false)
                let mixed = try GLMFit.irls(x: x, y: response, w: w, family: family, link: link, start: nil,
                                            tolerance: 1e-8, maxIterations: 25, names: names, workers: workers)
                #expect(qrOnly.choleskySteps == 0 && !qrOnly.breadFromCholesky)
                if family != .gaussian {
                    #expect(mixed.choleskySteps > 0, "\(family): no Cholesky step taken")
                    // Every pass a normal-equation pass: the converging step and the bread too.
                    #expect(mixed.choleskySteps == mixed.iterations, "\(family): \(mixed.choleskySteps) of \(mixed.iterations)")
                    #expect(mixed.breadFromCholesky)
                }
                #expect(mixed.iterations == qrOnly.iterations)
                for j in 0..<x.columns { #expect(close(mixed.beta[j], qrOnly.beta[j], rel: 1e-10)) }
                for k in stride(from: 0, to: x.rows, by: 97) { #expect(close(mixed.mu[k], qrOnly.mu[k], rel: 1e-10)) }
                for i in 0..<x.columns {
                    for j in i..<x.columns {
                        #expect(abs(abs(mixed.r[i, j]) - abs(qrOnly.r[i, j])) <= 1e-10 * abs(qrOnly.r[j, j]))
                    }
                }
            }
        }
    }

    /// A nearly collinear column (pivot below 10⁻⁴ of its norm) refuses every
    /// Cholesky step: the fit is the QR-only fit to the bit.
    @Test func illConditionedStepsFallBackToQR() throws {
        let (x, y, w, names) = Self.design(nearCopy: true)
        let qrOnly = try GLMFit.irls(x: x, y: y, w: w, family: .binomial, link: .logit, start: nil, tolerance: 1e-8,
                                     maxIterations: 25, names: names, normalEquations: false)
        let mixed = try GLMFit.irls(x: x, y: y, w: w, family: .binomial, link: .logit, start: nil, tolerance: 1e-8,
                                    maxIterations: 25, names: names)
        #expect(mixed.choleskySteps == 0)
        #expect(mixed.beta.map(\.bitPattern) == qrOnly.beta.map(\.bitPattern))
        #expect(mixed.r.storage.map(\.bitPattern) == qrOnly.r.storage.map(\.bitPattern))
        #expect(mixed.iterations == qrOnly.iterations)
    }

    /// A column 10⁻³ from a copy of another: every Cholesky pivot passes (above
    /// 10⁻⁴ of its norm) but XᵀWX, scaled to unit diagonal, has a condition
    /// number far above `GLMFit.choleskyConditionLimit`: the converging step
    /// is redone from its QR and the bread is the Householder R, so the fit
    /// equals the QR-only fit (coefficients and R to 1e-10) though the passes
    /// before were normal-equation passes.
    @Test func illConditionedConvergedStepIsQR() throws {
        let (x, y, w, names) = Self.design(nearCopy: true, spread: 1e-3)
        let qrOnly = try GLMFit.irls(x: x, y: y, w: w, family: .binomial, link: .logit, start: nil, tolerance: 1e-12,
                                     maxIterations: 25, names: names, normalEquations: false)
        let mixed = try GLMFit.irls(x: x, y: y, w: w, family: .binomial, link: .logit, start: nil, tolerance: 1e-12,
                                    maxIterations: 25, names: names)
        #expect(mixed.choleskySteps > 0)
        #expect(mixed.choleskySteps < mixed.iterations)
        #expect(!mixed.breadFromCholesky)
        #expect(mixed.iterations == qrOnly.iterations)
        for j in 0..<x.columns { #expect(close(mixed.beta[j], qrOnly.beta[j], rel: 1e-10), "\(names[j])") }
        for i in 0..<x.columns {
            for j in i..<x.columns {
                #expect(abs(abs(mixed.r[i, j]) - abs(qrOnly.r[i, j])) <= 1e-10 * abs(qrOnly.r[j, j]))
            }
        }
    }

    /// Which path the R comparisons of `GLMTests` take: the stratified api logit and
    /// Poisson fits (`strat_binomial`, `strat_poisson`) and the fixture logit (`kz_logit`) are
    /// all-Cholesky, bread included; the api population logit (`pop_logit`, api00 and api99
    /// correlated 0.97: scaled condition number above the limit) converges on a QR step with
    /// the Householder bread. Both paths are checked against R there.
    @Test func referenceFitsTakeBothPaths() throws {
        func fit(_ data: Dataset, _ formula: String, _ family: GLMFamily, weight: String,
                 success: Set<Double>? = nil) throws -> GLMFit {
            let mm = try ModelMatrix(formula: try ModelFormula(parsing: formula), data: data, domain: nil, family: family,
                                     successCodes: success)
            let pw = try data.variable(weight).values
            return try GLMFit.irls(x: mm.x, y: mm.y, w: mm.rows.map { pw[$0] }, family: family,
                                   link: family.canonicalLink, start: nil, tolerance: 1e-12, maxIterations: 100,
                                   names: mm.names)
        }
        let strat = try DatasetLoader.load(Fixture.path("Fixtures/reference/design/apistrat.csv"))
        let kz = try DatasetLoader.load(Fixture.path("Fixtures/surveys/kz2019-synthetic.csv"),
                                        codebook: Fixture.path("Fixtures/surveys/kz2019-synthetic.codebook.json"))
        let cholesky = [try fit(strat, "awards ~ api00 + factor(stype)", .binomial, weight: "pw"),
                        try fit(strat, "api_stu ~ api00 + factor(stype)", .poisson, weight: "pw"),
                        try fit(kz, "q_us_opinion ~ factor(q_russia_opinion) + q_leader_opinion", .binomial,
                                weight: "wt", success: [1, 2])]
        for (k, f) in cholesky.enumerated() {
            let all = f.breadFromCholesky && f.choleskySteps == f.iterations
            #expect(all, "fit \(k): \(f.choleskySteps) Cholesky steps of \(f.iterations)")
        }
        let pop = try DatasetLoader.load(Fixture.path("Fixtures/reference/models/apipop_glm.csv"))
        let collinear = try fit(pop, "awards ~ api00 + api99 + enroll + factor(stype)", .binomial, weight: "pw")
        let qrEnd = !collinear.breadFromCholesky && collinear.choleskySteps == collinear.iterations - 1
        #expect(qrEnd, "pop_logit: \(collinear.choleskySteps) Cholesky steps of \(collinear.iterations)")
    }
}
