@testable import Barometer
import Foundation
import Testing

/// Issue 21, item 2: the in-memory means, totals and ratios pass the rows
/// through ``DesignTotalsAccumulator`` in chunks (``SurveyDesign/designChunkRows``)
/// and replicate totals are taken chunk by chunk from the replicate weights
/// where they were loaded. On data several chunks long, each design kind
/// (weights only, strata with nested PSUs and an fpc, replicate weights)
/// gives what the whole-matrix engine gives (``RatioOfTotals`` with
/// ``SamplingStructure``'s PSU kernels, or one dgemm of all replicate weights
/// as before): estimates to 1e-12 relative, standard errors to 1e-11 (the
/// chunks' shifted ratio sums are merged by the parallel-axis rule, whose
/// rounding differs from one pass over all rows by about 1e-12). Correctness
/// against R survey is `DesignTests`; bit-identity across thread counts is
/// `ThreadEquivalenceTests` (whose large file spans several chunks).
@Suite struct ChunkedDesignTests {
    /// 34,000 rows (three chunks): 20 strata × 25 PSUs (ids restart within
    /// strata, rows of a PSU not contiguous), weights, y with a PSU effect and
    /// 7 % user-missing (code 99), x > 0, a 0/1 domain, 12 SDR-like replicates.
    static let data: Dataset = {
        var g = CLIRandomizedTests.RNG(state: 2_112_2026)
        let n = 34_000, reps = 12
        var st = [Double](), psu = [Double](), w = [Double](), y = [Double](), x = [Double](), dom = [Double]()
        var rw = [[Double]](repeating: [], count: reps)
        for _ in 0..<n {
            let h = Double(1 + Int(g.double() * 20)), p = Double(1 + Int(g.double() * 25))
            let wt = 0.4 + 2.2 * g.double()
            st.append(h); psu.append(p); w.append(wt)
            y.append(g.double() < 0.07 ? 99 : 10 + h / 4 + p / 10 + 3 * g.double())
            x.append(0.5 + g.double()); dom.append(g.double() < 0.6 ? 1 : 0)
            for r in 0..<reps { rw[r].append(wt * (0.6 + 0.8 * g.double())) }
        }
        let vars = [Variable(name: "st", values: st), Variable(name: "psu", values: psu),
                    Variable(name: "fpc", values: [Double](repeating: 400, count: n)),
                    Variable(name: "w", values: w),
                    Variable(name: "y", level: .scale, values: y, missing: MissingValues(codes: [99])),
                    Variable(name: "x", level: .scale, values: x), Variable(name: "d", values: dom)]
            + (0..<reps).map { Variable(name: "rw\($0 + 1)", level: .scale, values: rw[$0]) }
        return try! Dataset(variables: vars)
    }()

    static func designs() throws -> [(String, SurveyDesign)] {
        [("weights only", try SurveyDesign(data: data, weight: "w")),
         ("strata, nested PSUs, fpc", try SurveyDesign(data: data, weight: "w", strata: "st", clusters: "psu", fpc: "fpc", nest: true)),
         ("SDR replicates", try SurveyDesign(data: data, weight: "w", replicateColumns: (1...12).map { "rw\($0)" }, method: .sdr))]
    }

    /// The whole-matrix result of the estimating columns: RatioOfTotals's
    /// linearization kernels, or (replicates) one product of all n × R
    /// replicate weights, as the code did before the chunked pass.
    static func whole(_ design: SurveyDesign, _ num: Matrix, _ den: Matrix?) throws -> RatioOfTotals.Result {
        guard let reps = design.replicates else {
            return try RatioOfTotals(numerators: num, denominators: den).evaluate(design)
        }
        let all = reps.weights
        let ty = try LinearAlgebra.multiply(all, num, transposeA: true)
        var theta = ty, est: [Double] = []
        for j in 0..<num.columns {
            var sy = 0.0, sx = 0.0
            for i in 0..<num.rows { sy += design.weights.values[i] * num[i, j]; sx += design.weights.values[i] * (den?[i, j] ?? 0) }
            est.append(den == nil ? sy : sy / sx)
        }
        if let den {
            let tx = try LinearAlgebra.multiply(all, den, transposeA: true)
            for j in 0..<num.columns { for r in 0..<theta.rows { theta[r, j] = ty[r, j] / tx[r, j] } }
        }
        return RatioOfTotals.Result(estimates: est, covariance: try reps.covariance(replicates: theta, full: est))
    }

    static func expectClose(_ e: DesignEstimates, _ r: RatioOfTotals.Result, _ what: String) {
        for (j, got) in e.estimates.enumerated() {
            #expect(close(got.estimate, r.estimates[j], rel: 1e-12), "\(what) estimate \(j): \(got.estimate) vs \(r.estimates[j])")
            let se = r.covariance[j, j].squareRoot()
            #expect(close(got.standardError, se, rel: 1e-11), "\(what) SE \(j): \(got.standardError) vs \(se)")
        }
    }

    @Test func meansTotalsAndRatiosOverSeveralChunksEqualTheWholeMatrixEngine() throws {
        let data = Self.data, n = data.rowCount
        #expect(n > 2 * SurveyDesign.designChunkRows)
        let y = try data.variable("y").values, x = try data.variable("x").values, d = try data.variable("d").values
        let domain = Domain(mask: d.map { $0 == 1 }, description: "d = 1")
        for (name, design) in try Self.designs() {
            for dom in [Domain?.some(domain)] {
                // Means and totals of y and x over valid answers within the domain.
                var num = Matrix(rows: n, columns: 2), den = num
                for i in 0..<n where dom?.mask[i] ?? true {
                    if y[i] != 99 { num[i, 0] = y[i]; den[i, 0] = 1 }
                    num[i, 1] = x[i]; den[i, 1] = 1
                }
                let label = "\(name), \(dom?.description ?? "all")"
                Self.expectClose(try design.mean(["y", "x"], domain: dom), try Self.whole(design, num, den), "\(label) mean")
                Self.expectClose(try design.total(["y", "x"], domain: dom), try Self.whole(design, num, nil), "\(label) total")
                // The ratio y / x on rows valid on both.
                var rn = Matrix(rows: n, columns: 1), rd = rn
                for i in 0..<n where (dom?.mask[i] ?? true) && y[i] != 99 { rn[i, 0] = y[i]; rd[i, 0] = x[i] }
                Self.expectClose(try design.ratio(numerator: "y", denominator: "x", domain: dom),
                                 try Self.whole(design, rn, rd), "\(label) ratio")
            }
        }
    }

    /// The replicate weights are the loaded columns themselves (shared, not copied).
    @Test func combinedReplicateWeightsShareTheLoadedColumns() throws {
        let design = try SurveyDesign(data: Self.data, weight: "w", replicateColumns: ["rw1", "rw2"], method: .sdr)
        let reps = try #require(design.replicates)
        let loaded = try Self.data.variable("rw2").values
        let same = reps.columns[1].withUnsafeBufferPointer { a in loaded.withUnsafeBufferPointer { b in a.baseAddress == b.baseAddress } }
        #expect(same)
        #expect(reps.weights[17, 1] == loaded[17] && reps.rows(10..<20)[7, 1] == loaded[17])
    }

    /// Design variables are keyed by value, not by their printed text: text
    /// and numeric codes of the same design give the same strata and PSUs
    /// (labels as printed), −0 and 0 are one PSU, and a PSU id in two strata
    /// without `nest` is still an error naming the row.
    @Test func designVariablesKeyedByValue() throws {
        let st: [Double] = [2, 2, 1, 1, 2, 1, 3, 3], psu: [Double] = [5, 0, 7, 7, -0.0, 7, 1.5, 1.5]
        let numeric = try Dataset(variables: [Variable(name: "st", values: st), Variable(name: "psu", values: psu)])
        let text = try Dataset(variables: [Variable(name: "st", strings: st.map { Variable.formatCode($0) }),
                                           Variable(name: "psu", strings: psu.map { Variable.formatCode($0) })])
        let a = try SamplingStructure(data: numeric, strata: "st", clusters: "psu", nest: true)
        let b = try SamplingStructure(data: text, strata: "st", clusters: "psu", nest: true)
        #expect(a.strata == [0, 0, 1, 1, 0, 1, 2, 2] && a.strata == b.strata)
        #expect(a.clusters == [0, 1, 2, 2, 1, 2, 3, 3] && a.clusters == b.clusters)
        #expect(a.stratumLabels == ["2", "1", "3"] && a.psuLabels == ["5", "0", "7", "1.5"] && b.psuLabels == a.psuLabels)
        #expect(a.psusPerStratum == [2, 1, 1])
        // Without nest, PSU 6 of stratum 1 reappearing in stratum 2 is an error at its row.
        let clash = try Dataset(variables: [Variable(name: "st", values: [1, 1, 2, 2]), Variable(name: "psu", values: [5, 6, 6, 7])])
        #expect(throws: BarometerError.invalidArgument("PSU '6' of 'psu' appears in two strata (data row 3); use nest if PSU ids restart within strata")) {
            try SamplingStructure(data: clash, strata: "st", clusters: "psu")
        }
    }
}
