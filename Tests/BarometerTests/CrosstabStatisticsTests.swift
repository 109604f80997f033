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
                                             "Somers' d (row dependent)", "Somers' d (column dependent)"])
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
        #expect(s.lines.map(\.statistic) == ["Pearson chi-square (unadjusted)", "Rao-Scott first-order chi-square",
                                             "Rao-Scott second-order chi-square", "Rao-Scott F", "Adjusted Wald F"])
        #expect(s.notes.contains { $0.contains("not a valid test under weighting") })
    }
}
