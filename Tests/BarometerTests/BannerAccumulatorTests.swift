@testable import Barometer
import BarometerIO
import Foundation
import Testing

/// The banner accumulator (one pass: per-cell Σw, Σw², per-PSU cell totals,
/// finalized by the design engine's `DesignTotalsAccumulator`) against the
/// grouped design engine (one `RatioOfTotals` evaluation per row entry and
/// banner variable, itself checked against R survey in `BannerBookTests`):
/// equal to 1e-12 on every estimate, SE, statistic, p-value, base and df;
/// bit-identical for 1 and 2 workers; chunked and merged sums equal one pass.
@Suite struct BannerAccumulatorTests {
    static func designs() throws -> [(String, SurveyDesign)] {
        let data = try BannerBookTests.data("banner_survey.csv")
        return [("weights-only", try SurveyDesign(data: data, weight: "wt")),
                ("strata and PSUs", try SurveyDesign(data: data, weight: "wt", strata: "stratum", clusters: "psu", nest: true)),
                ("PSUs only", try SurveyDesign(data: data, weight: "wt", clusters: "psu")),
                ("strata, one respondent per PSU", try SurveyDesign(data: data, weight: "wt", strata: "stratum")),
                ("unweighted", try SurveyDesign(data: data))]
    }

    static func specs() -> [(String, BannerSpecification)] {
        var all = BannerBookTests.spec(test: .design, adjust: .holm)
        all.base = .all
        var noTotal = BannerBookTests.spec(test: .design)
        noTotal.total = false
        return [("design", BannerBookTests.spec(test: .design)), ("base all", all), ("no total", noTotal),
                ("spss", BannerBookTests.spec(test: .spss, adjust: .bonferroni, mean: false))]
    }

    /// Equal to 1e-12 relative; `abs` for differences of nearly equal cells
    /// (rounding of the operands, ~1e-14 of a percentage, is not relative to their difference).
    static func near(_ a: Double?, _ b: Double?, abs: Double = 1e-15) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case let (x?, y?): return close(x, y, rel: 1e-12, abs: abs)
        default: return false
        }
    }

    static func expectEqual(_ a: BannerBook, _ b: BannerBook, _ what: String) {
        #expect(a.columns == b.columns, "\(what): columns")
        #expect(a.tables.count == b.tables.count, "\(what): tables")
        for (s, t) in zip(a.tables, b.tables) {
            #expect(s.degreesOfFreedom == t.degreesOfFreedom, "\(what) \(s.variable): df")
            #expect(s.base == t.base && s.title == t.title)
            for (x, y) in zip(s.bases, t.bases) {
                #expect(x.unweighted == y.unweighted && near(x.weighted, y.weighted) && near(x.effective, y.effective),
                        "\(what) \(s.variable): bases \(x) vs \(y)")
            }
            #expect(s.rows.map(\.label) == t.rows.map(\.label) && s.rows.map(\.kind) == t.rows.map(\.kind), "\(what) \(s.variable): rows")
            for (r, (x, y)) in zip(s.rows, t.rows).enumerated() {
                for (c, (p, q)) in zip(x.cells, y.cells).enumerated() {
                    #expect(near(p.value, q.value) && near(p.standardError, q.standardError),
                            "\(what) \(s.variable) row \(r) column \(c): \(p) vs \(q)")
                    #expect(p.letters == q.letters, "\(what) \(s.variable) row \(r) column \(c): letters")
                }
            }
            #expect(s.comparisons.count == t.comparisons.count)
            for (p, q) in zip(s.comparisons, t.comparisons) {
                #expect(p.row == q.row && p.columnA == q.columnA && p.columnB == q.columnB && p.untested == q.untested)
                // A difference of two cells is exact to 1e-12 of the cells (not of the difference),
                // the statistic to that over the SE, a p-value to the statistic's error (|dp/dt| < 0.4).
                let cells = [p.columnA, p.columnB].compactMap { s.rows[p.row].cells[$0].value.map(Swift.abs) }
                let tolD = 1e-12 * (cells.max() ?? 1)
                let tolT = tolD / (p.standardError ?? 1)
                #expect(near(p.difference, q.difference, abs: tolD) && near(p.standardError, q.standardError)
                        && near(p.statistic, q.statistic, abs: tolT) && p.degreesOfFreedom == q.degreesOfFreedom
                        && near(p.pValue, q.pValue, abs: tolT) && near(p.adjustedPValue, q.adjustedPValue, abs: 10 * tolT),
                        "\(what) \(s.variable) row \(p.row) pair \(p.columnA)-\(p.columnB): \(p) vs \(q)")
            }
        }
    }

    @Test func accumulatorEqualsTheGroupedDesignEngine() throws {
        let domainMask = try BannerBookTests.data("banner_survey.csv").variable("sex").values.map { $0 == 1 }
        for (dname, design) in try Self.designs() {
            for (sname, spec) in Self.specs() {
                for domain in [nil, Domain(mask: domainMask, description: "sex = 1")] {
                    let what = "\(dname), \(sname)\(domain == nil ? "" : ", domain")"
                    let fast = try BannerBook(design, specification: spec, domain: domain, engine: .automatic, workers: nil, progress: nil)
                    let engine = try BannerBook(design, specification: spec, domain: domain, engine: .designEngine, workers: nil,
                                                progress: nil)
                    Self.expectEqual(fast, engine, what)
                }
            }
        }
    }

    /// A larger synthetic survey (20,000 rows, 40 PSUs in 4 strata): 1 and 2 workers give identical books.
    @Test func bitIdenticalForOneAndTwoWorkers() throws {
        let n = 20_000
        var state: UInt64 = 12345
        func next() -> Double { state = state &* 6364136223846793005 &+ 1442695040888963407; return Double(state >> 11) / Double(1 << 53) }
        var wt: [Double] = [], q1: [Double] = [], q2: [Double] = [], score: [Double] = []
        var g1: [Double] = [], g2: [Double] = [], psu: [Double] = [], stratum: [Double] = []
        for i in 0..<n {
            wt.append(0.5 + 2 * next())
            q1.append(Double(1 + Int(next() * 5)))
            q2.append(next() < 0.05 ? 9 : Double(1 + Int(next() * 3)))
            score.append(1000 + 10 * next())
            g1.append(Double(1 + Int(next() * 4)))
            g2.append(Double(1 + Int(next() * 2)))
            psu.append(Double(i % 40))
            stratum.append(Double(i % 4))
        }
        let named = [("wt", wt), ("q1", q1), ("q2", q2), ("score", score), ("g1", g1), ("g2", g2), ("psu", psu), ("stratum", stratum)]
        let data = try Dataset(variables: named.map { Variable(name: $0.0, values: $0.1) })
        let spec = BannerSpecification(stubs: [.init(variable: "q1", nets: [.init(label: "Top two", codes: [4, 5])]),
                                               .init(variable: "q2"), .init(variable: "score", kind: .mean)],
                                       banner: [.init(variable: "g1", nets: [.init(label: "1 or 2", codes: [1, 2])]),
                                                .init(variable: "g2")])
        for design in [try SurveyDesign(data: data, weight: "wt"),
                       try SurveyDesign(data: data, weight: "wt", strata: "stratum", clusters: "psu", nest: true)] {
            let one = try BannerBook(design, specification: spec, domain: nil, engine: .automatic, workers: 1, progress: nil)
            let two = try BannerBook(design, specification: spec, domain: nil, engine: .automatic, workers: 2, progress: nil)
            #expect(one == two)
            let engine = try BannerBook(design, specification: spec, domain: nil, engine: .designEngine, workers: nil, progress: nil)
            Self.expectEqual(one, engine, "synthetic \(design.varianceDescription)")
        }
    }

    /// Two chunks added to two accumulators and merged equal one pass (1e-12; counts exactly).
    @Test func chunksMergeToTheSinglePass() throws {
        let data = try BannerBookTests.data("banner_survey.csv")
        let design = try SurveyDesign(data: data, weight: "wt")
        let n = design.rowCount
        let stubs = [CategoryCoding(try data.variable("q1"), missing: .excludeMissing),
                     CategoryCoding(try data.variable("q2"), missing: .showMissing)]
        let banner = [CategoryCoding(try data.variable("region"), missing: .excludeMissing),
                      CategoryCoding(try data.variable("sex"), missing: .excludeMissing)]
        let score = try data.variable("score")
        let means = [(0..<n).map { score.status(atRow: $0) == .valid ? score.values[$0] : .nan }]
        func chunk(_ rows: Range<Int>?) -> BannerChunk {
            BannerChunk(ids: [.question("q1"), .question("q2")], stubs: stubs, banner: banner, means: means, weights: design.weights,
                        domain: rows.map { r in Domain(mask: (0..<n).map { r.contains($0) }, description: "part") },
                        psu: nil, psuCount: 0)
        }
        func empty() -> BannerAccumulator {
            BannerAccumulator(ids: [.question("q1"), .question("q2")], stubs: stubs.map(\.categories), banner: banner.map(\.categories),
                              means: 1, design: nil)
        }
        var whole = empty(), first = empty(), second = empty()
        try whole.add(chunk(nil))
        try first.add(chunk(0..<(n / 3)))
        try second.add(chunk((n / 3)..<n))
        try first.merge(second)
        let a = try whole.finalize(), b = try first.finalize()
        for (x, y) in zip(a.tallies, b.tallies) {
            #expect(x.counts == y.counts)
            #expect(zip(x.weighted, y.weighted).allSatisfy { close($0, $1, rel: 1e-12) })
            #expect(zip(x.weightedSquares, y.weightedSquares).allSatisfy { close($0, $1, rel: 1e-12) })
        }
        // Mean cells taken at different shifts agree once re-expressed at the same shift.
        let shift = try #require(a.shifts[0]), other = try #require(b.shifts[0])
        for (x, y) in zip(a.meanCells[0], b.meanCells[0]) {
            let d = shift - other
            #expect(x.count == y.count && close(x.sumW, y.sumW, rel: 1e-12) && close(x.sumWY, y.sumWY, rel: 1e-12))
            #expect(close(x.sumW2U, y.sumW2U - d * y.sumW2, rel: 1e-12, abs: 1e-9))
            #expect(close(x.sumW2U2, y.sumW2U2 - 2 * d * y.sumW2U + d * d * y.sumW2, rel: 1e-12, abs: 1e-9))
        }
        var wrong = BannerAccumulator(ids: [.question("q1")], stubs: [stubs[0].categories], banner: [banner[0].categories],
                                      means: 1, design: nil)
        #expect(throws: BarometerError.self) { try wrong.merge(whole) }   // another banner
    }
}

/// Banner letters and .xlsx cell references share one helper; Excel names its
/// columns A…Z, AA…ZZ, AAA… and its last column (16,384th) XFD.
@Suite struct ColumnLettersTests {
    @Test func spreadsheetColumnNames() {
        let cases: [(Int, String)] = [(0, "A"), (25, "Z"), (26, "AA"), (51, "AZ"), (52, "BA"), (701, "ZZ"), (702, "AAA"), (16383, "XFD")]
        for (k, name) in cases { #expect(ColumnLetters.name(k) == name, "\(k)") }
        #expect(ColumnLetters.name(-1) == "")
    }
}
