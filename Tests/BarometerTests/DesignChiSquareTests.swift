import Barometer
import BarometerIO
import Foundation
import Testing

/// Rao-Scott tests under stratified and clustered designs against R survey's
/// `svychisq` (Fixtures/reference/design/make_design_extras.R).
@Suite struct DesignChiSquareTests {
    static let dir = "Fixtures/reference/design/"
    struct Stat: Decodable { let statistic: Double; let parameter: [Double]; let p: Double }
    let ref: [String: Any]
    init() throws { ref = try #require(try Fixture.json(Self.dir + "expected-extras.json") as? [String: Any]) }

    func stat(_ key: String) throws -> Stat {
        let d = try #require(ref[key] as? [String: Any])
        var param = d["parameter"] as? [Double] ?? []
        if param.isEmpty { param = [try #require(d["parameter"] as? Double)] }
        return Stat(statistic: try #require(d["statistic"] as? Double), parameter: param, p: try #require(d["p"] as? Double))
    }

    func check(_ design: SurveyDesign, _ rowVar: String, _ colVar: String, key: String) throws {
        let rows = CategoryCoding(try design.variable(rowVar), missing: .excludeMissing)
        let cols = CategoryCoding(try design.variable(colVar), missing: .excludeMissing)
        let t = try RaoScottTest(design: design, rowIndex: rows.index, rowCount: rows.categories.count,
                                 columnIndex: cols.index, columnCount: cols.categories.count)
        let f = try stat(key + "_F"), chisq = try stat(key + "_Chisq")
        #expect(close(t.f, f.statistic, rel: 1e-10), "F \(t.f) vs \(f.statistic)")
        #expect(close(t.fNumeratorDF, f.parameter[0], rel: 1e-10))
        #expect(close(t.fDenominatorDF, f.parameter[1], rel: 1e-10))
        #expect(close(t.fPValue, f.p, rel: 1e-8))
        // svychisq(statistic = "Chisq") reports the unadjusted X² with the first-order p-value.
        #expect(close(t.unadjusted.statistic, chisq.statistic, rel: 1e-10))
        #expect(close(t.firstOrder.pValue, chisq.p, rel: 1e-8))
        let w = try AdjustedWaldTest(design: design, rowIndex: rows.index, rowCount: rows.categories.count,
                                     columnIndex: cols.index, columnCount: cols.categories.count)
        let adj = try stat(key + "_adjWald")
        #expect(close(w.f, adj.statistic, rel: 1e-10), "adjWald \(w.f) vs \(adj.statistic)")
        #expect(w.numeratorDF == adj.parameter[0] && w.denominatorDF == adj.parameter[1])
        #expect(close(w.pValue, adj.p, rel: 1e-8))
    }

    @Test func stratifiedDesignWithFPC() throws {
        let data = try DatasetLoader.load(Fixture.path(Self.dir + "apistrat.csv"))
        try check(try SurveyDesign(data: data, weight: "pw", strata: "stype", fpc: "fpc"), "stype", "sch_wide",
                  key: "chisq_strat_stype_schwide")
    }

    @Test func oneStageClusterDesign() throws {
        let data = try DatasetLoader.load(Fixture.path(Self.dir + "apiclus1.csv"))
        try check(try SurveyDesign(data: data, weight: "pw", clusters: "dnum", fpc: "fpc"), "stype", "awards",
                  key: "chisq_clus1_stype_awards")
    }

    // MARK: valid-answer base, strata/PSUs and replicates (make_raoscott.R)

    struct Run: Decodable {
        let pearsonUnadjusted: Double; let F: Double; let Fndf: Double; let Fddf: Double; let Fp: Double
        let adjWaldF: Double; let adjWaldNdf: Double; let adjWaldDdf: Double; let adjWaldP: Double
        let waldF: Double; let waldNdf: Double; let waldDdf: Double; let waldP: Double; let degf: Int; let designRows: Int
    }
    struct RaoRef: Decodable {
        let clusteredValid: Run, clusteredDomainValid: Run, replicateValid: Run
        let replicateScale: Double
    }
    static let association = "Fixtures/reference/association/"

    /// x (9 = Don't know) and y (8 = Refused) of a fixture CSV, coded on the valid answers.
    func codings(_ data: Dataset) throws -> (CategoryCoding, CategoryCoding) {
        let x = Variable(name: "x", level: .ordinal, values: try data.variable("x").values,
                         valueLabels: [1: "a", 2: "b", 3: "c", 4: "d", 9: "Don't know"], missing: MissingValues(codes: [9]))
        let y = Variable(name: "y", level: .ordinal, values: try data.variable("y").values,
                         valueLabels: [1: "A", 2: "B", 3: "C", 4: "nobody", 5: "E", 8: "Refused"], missing: MissingValues(codes: [8]))
        return (CategoryCoding(x, missing: .excludeMissing), CategoryCoding(y, missing: .excludeMissing))
    }

    func expectRun(_ design: SurveyDesign, _ x: CategoryCoding, _ y: CategoryCoding, _ ref: Run, domain: Domain? = nil) throws {
        let rs = try RaoScottTest(design: design, rowIndex: x.index, rowCount: 4, columnIndex: y.index, columnCount: 5, domain: domain)
        #expect(rs.respondents == ref.designRows)
        #expect(close(rs.unadjusted.statistic, ref.pearsonUnadjusted, rel: 1e-10))
        #expect(close(rs.f, ref.F, rel: 1e-10), "F \(rs.f) vs \(ref.F)")
        #expect(close(rs.fNumeratorDF, ref.Fndf, rel: 1e-10))
        #expect(close(rs.fDenominatorDF, ref.Fddf, rel: 1e-10), "ddf \(rs.fDenominatorDF) vs \(ref.Fddf)")
        #expect(close(rs.fPValue, ref.Fp, rel: 1e-8))
        let aw = try AdjustedWaldTest(design: design, rowIndex: x.index, rowCount: 4, columnIndex: y.index, columnCount: 5,
                                      domain: domain)
        #expect(close(aw.f, ref.adjWaldF, rel: 1e-10), "adjWald \(aw.f) vs \(ref.adjWaldF)")
        #expect(aw.numeratorDF == ref.adjWaldNdf && aw.denominatorDF == ref.adjWaldDdf)
        #expect(close(aw.pValue, ref.adjWaldP, rel: 1e-8))
        #expect(close(aw.unadjustedF, ref.waldF, rel: 1e-10))
        #expect(aw.unadjustedDenominatorDF == ref.waldDdf && Double(ref.degf) == ref.waldDdf)
        #expect(close(aw.unadjustedPValue, ref.waldP, rel: 1e-8))
    }

    /// Strata and clusters, DK/Refused excluded: df = degf(subset(design, valid)), also in a domain.
    @Test func clusteredDesignOnTheValidAnswers() throws {
        let ref = try Fixture.decode(RaoRef.self, Self.association + "raoscott.json")
        let data = try DatasetLoader.load(Fixture.path(Self.association + "clustered_data.csv"))
        let design = try SurveyDesign(data: data, weight: "w", strata: "stratum", clusters: "psu")
        let (x, y) = try codings(data)
        try expectRun(design, x, y, ref.clusteredValid)
        let dom = Domain(mask: (0..<data.rowCount).map { ($0 + 1) % 3 != 0 }, description: "rows not divisible by 3")
        try expectRun(design, x, y, ref.clusteredDomainValid, domain: dom)
    }

    /// JK1 replicate weights: replicate proportions for Rao-Scott, replicate totals for the Wald tests.
    @Test func replicateDesignOnTheValidAnswers() throws {
        let ref = try Fixture.decode(RaoRef.self, Self.association + "raoscott.json")
        let data = try DatasetLoader.load(Fixture.path(Self.association + "replicate_data.csv"))
        let design = try SurveyDesign(data: data, weight: "w", replicateColumns: (1...12).map { "r\($0)" }, method: .jk1,
                                      scale: ref.replicateScale)
        let (x, y) = try codings(data)
        try expectRun(design, x, y, ref.replicateValid)
    }

    /// BRR and Fay's BRR (ρ = 0.3) over 15 strata × 2 PSUs, each also with mse, and JK1 with mse
    /// over 30 clusters (`make_raoscott_replicates.R`), on the valid answers and within a domain:
    /// the per-replicate cell totals of `DesignCellTotalsAccumulator` against R svychisq (1e-10).
    @Test func brrFayAndMSEReplicateDesignsMatchSvychisq() throws {
        struct Ref: Decodable {
            let brrValid: Run, brrDomainValid: Run, fayValid: Run, fayDomainValid: Run, brrMSEValid: Run, fayMSEValid: Run
            let jk1MSEValid: Run, jk1MSEDomainValid: Run
            let brrScale: Double, fayScale: Double, jk1Scale: Double, replicates: Int
        }
        let ref = try Fixture.decode(Ref.self, Self.association + "raoscott_replicates.json")
        let data = try DatasetLoader.load(Fixture.path(Self.association + "replicate_brr_data.csv"))
        let (x, y) = try codings(data)
        let dom = Domain(mask: (0..<data.rowCount).map { ($0 + 1) % 3 != 0 }, description: "rows not divisible by 3")
        func design(_ prefix: String, _ count: Int, _ method: ReplicateMethod, mse: Bool) throws -> SurveyDesign {
            try SurveyDesign(data: data, weight: "w", replicateColumns: (1...count).map { "\(prefix)\($0)" }, method: method,
                             fayRho: method == .fay ? 0.3 : nil, mse: mse)
        }
        let brr = try design("brr", ref.replicates, .brr, mse: false), fay = try design("fay", ref.replicates, .fay, mse: false)
        let jk1 = try design("jk", 30, .jk1, mse: true)
        #expect(close(try #require(brr.replicates).scale, ref.brrScale, rel: 1e-12))
        #expect(close(try #require(fay.replicates).scale, ref.fayScale, rel: 1e-12))
        #expect(close(try #require(jk1.replicates).scale, ref.jk1Scale, rel: 1e-12))
        try expectRun(brr, x, y, ref.brrValid)
        try expectRun(brr, x, y, ref.brrDomainValid, domain: dom)
        try expectRun(fay, x, y, ref.fayValid)
        try expectRun(fay, x, y, ref.fayDomainValid, domain: dom)
        try expectRun(try design("brr", ref.replicates, .brr, mse: true), x, y, ref.brrMSEValid)
        try expectRun(try design("fay", ref.replicates, .fay, mse: true), x, y, ref.fayMSEValid)
        try expectRun(jk1, x, y, ref.jk1MSEValid)
        try expectRun(jk1, x, y, ref.jk1MSEDomainValid, domain: dom)
    }

    /// Issue 16.2 reproducer: 200 respondents, x with 200 distinct values × y with 20. The old path
    /// built (r·c)² matrices and n × cells influence values (30 s, GBs) before failing; the empty
    /// cells are now found first, in O(cells).
    @Test func sparseWideTableFailsAtOnce() throws {
        let data = try DatasetLoader.load(Fixture.path("Fixtures/reference/crosstab/raoscott_200x20.csv"))
        let design = try SurveyDesign(data: data, weight: "w")
        let x = CategoryCoding(try data.variable("x"), missing: .excludeMissing)
        let y = CategoryCoding(try data.variable("y"), missing: .excludeMissing)
        #expect(x.categories.count == 200 && y.categories.count == 20)
        let start = BLASRuntime.monotonicSeconds()
        let e = #expect(throws: BarometerError.self) {
            try RaoScottTest(design: design, rowIndex: x.index, rowCount: 200, columnIndex: y.index, columnCount: 20)
        }
        #expect(e.map { "\($0)" }?.contains("3800 of the 4000 cells") == true, "\(String(describing: e))")
        #expect(throws: BarometerError.self) {
            try AdjustedWaldTest(design: design, rowIndex: x.index, rowCount: 200, columnIndex: y.index, columnCount: 20)
        }
        #expect(BLASRuntime.monotonicSeconds() - start < 0.5)
        // the CLI says so at once, with a non-zero exit
        let r = try CLI.run(["crosstab", "Fixtures/reference/crosstab/raoscott_200x20.csv", "--rows", "x", "--cols", "y",
                             "--weight", "w", "--stats", "raoscott"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("empty"))
    }

    /// Beyond the free-cell limit: a typed size error before any K² or d² allocation.
    @Test func sizeLimitIsATypedError() throws {
        let r = 1_002, n = 2 * r
        let rows = (0..<n).map { Int32($0 % r) }, cols = (0..<n).map { Int32($0 / r) }
        let w = Weights.uniform(count: n)
        let e = #expect(throws: BarometerError.self) {
            try RaoScottTest(rowIndex: rows, rowCount: r, columnIndex: cols, columnCount: 2, weights: w)
        }
        #expect(e == .sizeLimitExceeded(what: "Rao-Scott test: free cells (r−1)(c−1) of the 1002 × 2 table (recode the variables into fewer categories)",
                                        size: 1_001, limit: 1_000))
    }

    /// The design-based tests are bit-identical for 1 and 2 OpenBLAS threads (fixed summation
    /// order; LAPACK on one thread).
    @Test func designTestsIdenticalAcrossThreadCounts() throws {
        let data = try DatasetLoader.load(Fixture.path(Self.association + "clustered_data.csv"))
        let design = try SurveyDesign(data: data, weight: "w", strata: "stratum", clusters: "psu")
        let (x, y) = try codings(data)
        let before = BLASRuntime.threadCount
        defer { _ = BLASRuntime.setThreadCount(before) }
        var runs: [[CrosstabStatistics.Line]] = []
        for threads in [1, 2] {
            _ = BLASRuntime.setThreadCount(threads)
            var cell = [Int32](repeating: -1, count: x.index.count)
            for k in cell.indices where x.index[k] >= 0 && y.index[k] >= 0 { cell[k] = x.index[k] + 4 * y.index[k] }
            let tally = try CellTally(cellCount: 20, index: cell, weights: design.weights)
            let counts = try Matrix(rows: 4, columns: 5, columnMajor: tally.weighted)
            let s = try CrosstabStatistics(counts: counts, rowLabels: ["a", "b", "c", "d"], columnLabels: ["A", "B", "C", "n", "E"],
                                           statistics: [.chisq], rowIndex: x.index, columnIndex: y.index, design: design)
            runs.append(s.lines)
        }
        #expect(runs[0] == runs[1])
        #expect(runs[0].count == 6)
    }
}
