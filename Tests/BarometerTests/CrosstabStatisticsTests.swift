import Foundation
import Testing
@testable import Barometer

@Suite struct CrosstabStatisticsTests {
    private struct Ref: Decodable {
        struct Est: Decodable { let value: Double; let ase1: Double? }
        struct Dir: Decodable { let symmetric: Est; let rowDependent: Est; let columnDependent: Est }
        struct Test: Decodable { let statistic: Double }
        struct Table: Decodable {
            let counts: [[Double]]; let pearson: Test; let gamma: Est; let somersD: Dir; let adjustedResiduals: [[Double]]
        }
        let tables: [String: Table]
    }

    @Test func parseStatisticList() throws {
        #expect(try CrosstabStatistic.parse("chisq, cramer,gamma,chisq") == [.chisq, .cramer, .gamma])
        #expect(try CrosstabStatistic.parse("all") == CrosstabStatistic.allCases)
        #expect(throws: BarometerError.self) { try CrosstabStatistic.parse("chisq,kappa") }
    }

    @Test func linesCarryReferenceValues() throws {
        let ref = try Fixture.decode(Ref.self, "Fixtures/reference/association/association.json")
        let t = try #require(ref.tables["unweighted4x5"])
        let counts = try Matrix(rowMajor: t.counts)
        let s = try CrosstabStatistics(counts: counts, rowLabels: ["r1", "r2", "r3", "r4"],
                                       columnLabels: ["c1", "c2", "c3", "c4", "c5"], title: "x by y",
                                       statistics: [.chisq, .gamma, .somers, .fisher, .residuals])
        #expect(s.lines.map(\.statistic) == ["Pearson chi-square", "Gamma", "Somers' d (symmetric)",
                                             "Somers' d (row dependent)", "Somers' d (column dependent)",
                                             "Concordant pairs", "Discordant pairs"])
        #expect(close(s.lines[0].value ?? .nan, t.pearson.statistic))
        #expect(close(s.lines[1].value ?? .nan, t.gamma.value))
        #expect(close(s.lines[1].ase1 ?? .nan, t.gamma.ase1 ?? .nan))
        #expect(close(s.lines[4].value ?? .nan, t.somersD.columnDependent.value))
        #expect(s.notes.contains { $0.contains("2 × 2 tables only") })
        let r = try #require(s.residuals)
        #expect(close(r.values[3][4], t.adjustedResiduals[3][4]))
        let tt = s.textTable
        #expect(tt.headers.count == 8 && tt.rows.allSatisfy { $0.count == 8 })
        // encodes to JSON (NaN p-values allowed until distributions land)
        let e = JSONEncoder()
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        _ = try e.encode(s)
    }

    @Test func raoScottNeedsRespondentData() throws {
        let counts = try Matrix(rowMajor: [[5, 3], [2, 7]])
        #expect(throws: BarometerError.self) {
            try statisticsTable(counts: counts, rowLabels: ["a", "b"], columnLabels: ["x", "y"], statistics: [.raoscott])
        }
        #expect(throws: BarometerError.self) {
            try statisticsTable(counts: counts, rowLabels: ["a"], columnLabels: ["x", "y"], statistics: [.chisq])
        }
    }
}

extension CrosstabStatisticsTests {
    @Test func raoScottLines() throws {
        // 3 × 2 toy design: lines present, unadjusted X² named as such
        let rows: [Int32] = [0, 0, 1, 1, 2, 2, 0, 1, 2, 0, 1, 2, -1]
        let cols: [Int32] = [0, 1, 0, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1]
        let w = try Weights(validating: [1, 2, 1.5, 0.5, 1, 1, 2, 1, 3, 1, 1, 0.7, 2], name: "w")
        var cell = [Int32](repeating: -1, count: rows.count)
        for k in rows.indices where rows[k] >= 0 && cols[k] >= 0 { cell[k] = rows[k] + 3 * cols[k] }
        let tally = try CellTally(cellCount: 6, index: cell, weights: w)
        let counts = try Matrix(rows: 3, columns: 2, columnMajor: tally.weighted)
        let s = try CrosstabStatistics(counts: counts, rowLabels: ["a", "b", "c"], columnLabels: ["x", "y"],
                                       statistics: [.raoscott], rowIndex: rows, columnIndex: cols, weights: w)
        #expect(s.lines.map(\.statistic) == ["Rao-Scott F", "Adjusted Wald F", "Wald F (unadjusted)",
                                             "Rao-Scott second-order chi-square", "Rao-Scott first-order chi-square",
                                             "Pearson X² of the weighted table (unadjusted, not a test)"])
        #expect(s.lines.last?.pValue == nil)
        #expect(s.notes.contains { $0.contains("not a valid test under weighting") })
        // chisq under sampling weights is the design-based test; lr and Fisher (weights as
        // frequencies) only when asked, labelled; never two lines with one name
        let d = try CrosstabStatistics(counts: counts, rowLabels: ["a", "b", "c"], columnLabels: ["x", "y"],
                                       statistics: [.chisq, .lr, .raoscott], rowIndex: rows, columnIndex: cols, weights: w)
        #expect(d.lines.first?.statistic == "Rao-Scott F")
        #expect(!d.lines.contains { $0.statistic.hasPrefix("Pearson chi-square") || $0.statistic.hasPrefix("Likelihood") })
        #expect(d.notes.contains { $0.contains("Not shown under sampling weights: likelihood ratio") })
        let f = try CrosstabStatistics(counts: counts, rowLabels: ["a", "b", "c"], columnLabels: ["x", "y"],
                                       statistics: [.chisq, .lr], rowIndex: rows, columnIndex: cols, weights: w,
                                       weightsAsFrequencies: true)
        #expect(f.lines.first?.statistic == "Rao-Scott F")
        #expect(f.lines.map(\.statistic).contains("Pearson chi-square (weights as frequencies, SPSS)"))
        #expect(f.lines.map(\.statistic).contains("Likelihood ratio (weights as frequencies, SPSS)"))
        #expect(Set(f.lines.map(\.statistic)).count == f.lines.count)
        // measures under weights: the value; ASE and significance (weights as frequencies) only on request, labelled
        let v = try CrosstabStatistics(counts: counts, rowLabels: ["a", "b", "c"], columnLabels: ["x", "y"],
                                       statistics: [.cramer], rowIndex: rows, columnIndex: cols, weights: w)
        let vf = try CrosstabStatistics(counts: counts, rowLabels: ["a", "b", "c"], columnLabels: ["x", "y"],
                                        statistics: [.cramer], rowIndex: rows, columnIndex: cols, weights: w, weightsAsFrequencies: true)
        let measures = try AssociationMeasures(counts: counts)
        #expect(v.lines.map(\.statistic) == ["Cramer's V"] && v.lines[0].pValue == nil && v.lines[0].value == measures.cramersV.value)
        #expect(vf.lines.map(\.statistic) == ["Cramer's V (weights as frequencies, SPSS)"] && vf.lines[0].pValue == measures.cramersV.pValue)
        let ind = IndependenceTests(table: try TwoWayCounts(counts))
        let pearson = try #require(f.lines.first { $0.statistic.hasPrefix("Pearson chi-square") })
        #expect(pearson.value == ind.pearson.statistic)
    }

    /// Tschuprow's T, concordant/discordant pairs and expected counts against
    /// make_tschuprow_pairs.py (direct definitions) and make_association.py.
    @Test func tschuprowPairsAndExpectedCounts() throws {
        struct Q: Decodable { let tschuprowT: Double; let concordantPairs: Double; let discordantPairs: Double }
        struct QRef: Decodable { let tables: [String: Q] }
        struct E: Decodable { let counts: [[Double]]; let expected: [[Double]] }
        struct ERef: Decodable { let tables: [String: E] }
        let q = try Fixture.decode(QRef.self, "Fixtures/reference/association/tschuprow_pairs.json")
        let e = try Fixture.decode(ERef.self, "Fixtures/reference/association/association.json")
        for (name, want) in q.tables {
            let t = try #require(e.tables[name])
            let counts = try Matrix(rowMajor: t.counts)
            let m = try AssociationMeasures(counts: counts)
            #expect(close(m.tschuprowsT.value, want.tschuprowT, rel: 1e-12), "\(name) T")
            #expect(close(m.concordantPairs, want.concordantPairs, rel: 1e-12), "\(name) concordant")
            #expect(close(m.discordantPairs, want.discordantPairs, rel: 1e-12), "\(name) discordant")
            let labels = { (n: Int, p: String) in (0..<n).map { "\(p)\($0)" } }
            let s = try CrosstabStatistics(counts: counts, rowLabels: labels(counts.rows, "r"), columnLabels: labels(counts.columns, "c"),
                                           statistics: [.tschuprow, .gamma, .expected])
            #expect(s.lines.map(\.statistic) == ["Tschuprow's T", "Gamma", "Concordant pairs", "Discordant pairs"])
            #expect(s.lines[2].value == m.concordantPairs && s.lines[0].value == m.tschuprowsT.value)
            let x = try #require(s.expectedCounts)
            for (i, row) in t.expected.enumerated() {
                for (j, v) in row.enumerated() { #expect(close(x.values[i][j], v, rel: 1e-12), "\(name) E[\(i)][\(j)]") }
            }
        }
    }
}
