@testable import Barometer
import Foundation
import Testing

/// The design-based tests of `crosstab --stats` take the cells' sums from the table's own
/// tally and only find each respondent's cell (``CellTally/cells(rows:rowCount:columns:columnCount:weights:domain:)``,
/// on every core). That must be the tabulation the tests made before, bit for bit: same
/// table, Σw², respondents, cells and df, and so the same Rao-Scott and Wald lines. The
/// values themselves are checked against R `svychisq` in ``DesignChiSquareTests``.
@Suite struct DesignCellsFromTableTests {
    /// 150,000 respondents (above the 2¹⁶ rows of the parallel pass) in 30 strata × 10 PSUs,
    /// x with Don't know (9), y with Refused (8) and a code nobody in the domain gives (5:
    /// a dropped column there), some zero weights.
    static func design() throws -> SurveyDesign {
        var rng = SplitMix(seed: 21)
        func unit() -> Double { Double(rng.next() >> 11) / Double(1 << 53) }
        let n = 150_000
        var x = [Double](), y = [Double](), w = [Double](), st = [Double](), psu = [Double](), z = [Double]()
        for i in 0..<n {
            let u = unit()
            x.append(u < 0.05 ? 9 : Double(1 + Int(unit() * 4)))
            let v = unit()
            y.append(v < 0.04 ? 8 : v < 0.05 ? 5 : Double(1 + Int(unit() * 4)))
            w.append(unit() < 0.01 ? 0 : 0.5 + unit())
            st.append(Double(i % 30)); psu.append(Double((i / 30) % 10))
            z.append(Double(i % 7))
        }
        let data = try Dataset(variables: [
            Variable(name: "x", level: .nominal, values: x, missing: MissingValues(codes: [9])),
            Variable(name: "y", level: .nominal, values: y, missing: MissingValues(codes: [8])),
            Variable(name: "w", level: .scale, values: w), Variable(name: "st", level: .nominal, values: st),
            Variable(name: "psu", level: .nominal, values: psu), Variable(name: "z", level: .nominal, values: z)])
        return try SurveyDesign(data: data, weight: "w", strata: "st", clusters: "psu", nest: true)
    }

    /// Rows of the domain whose y is 5 are left out, so column 5 is empty there.
    static func domain(_ d: SurveyDesign) throws -> Domain {
        let z = try d.variable("z").values, y = try d.variable("y").values
        return Domain(mask: z.indices.map { z[$0] != 3 && y[$0] != 5 }, description: "z ≠ 3")
    }

    func expectSame(_ a: DesignCells, _ b: DesignCells) {
        #expect(a.table.counts == b.table.counts)
        #expect(a.table.rowsKept == b.table.rowsKept && a.table.columnsKept == b.table.columnsKept)
        #expect(a.weightedSquares == b.weightedSquares)
        #expect(a.respondents == b.respondents && a.domainPSUs == b.domainPSUs && a.designPSUs == b.designPSUs)
        #expect(a.cellOfRow == b.cellOfRow)
        #expect(a.validWeightedRespondents == b.validWeightedRespondents)
    }

    @Test(arguments: [false, true], [false, true])
    func tableTallyGivesTheSameCells(inDomain: Bool, includeMissing: Bool) throws {
        let design = try Self.design()
        let domain = inDomain ? try Self.domain(design) : nil
        let table = try ContingencyTable(design, rows: "x", columns: "y", domain: domain)
        let input = table.statisticsInput(includeMissing: includeMissing)
        let tally = try #require(input.tally)
        let r = input.counts.rows, c = input.counts.columns
        let fromTable = try DesignCells(rowIndex: input.rowIndex, rowCount: r, columnIndex: input.columnIndex, columnCount: c,
                                        weights: design.weights, domain: domain, tallied: tally)
        let tallied = try DesignCells(rowIndex: input.rowIndex, rowCount: r, columnIndex: input.columnIndex, columnCount: c,
                                      weights: design.weights, domain: domain)
        expectSame(fromTable, tallied)
        if inDomain { #expect(fromTable.table.columnCount < c) }   // the dropped column is exercised
        // The lines `crosstab --stats` prints: through the table's tally and through a second tally.
        let viaTable = try table.statistics([.chisq, .raoscott], design: design, domain: domain, includeMissing: includeMissing)
        let viaCounts = try CrosstabStatistics(counts: input.counts, rowLabels: input.rowLabels, columnLabels: input.columnLabels,
                                               statistics: [.chisq, .raoscott], rowIndex: input.rowIndex,
                                               columnIndex: input.columnIndex, domain: domain, design: design)
        #expect(viaTable[0].lines == viaCounts.lines)
        #expect(viaTable[0].lines.contains { $0.statistic == "Rao-Scott F" && $0.pValue != nil })
    }

    /// A domain that is not the table's: the respondents with a cell do not number the
    /// table's, so the cells are tallied again (the same result as without the table's tally).
    @Test func foreignDomainIsTalliedAgain() throws {
        let design = try Self.design()
        let table = try ContingencyTable(design, rows: "x", columns: "y")
        let input = table.statisticsInput()
        let other = try Self.domain(design)
        let r = input.counts.rows, c = input.counts.columns
        let a = try DesignCells(rowIndex: input.rowIndex, rowCount: r, columnIndex: input.columnIndex, columnCount: c,
                                weights: design.weights, domain: other, tallied: try #require(input.tally))
        let b = try DesignCells(rowIndex: input.rowIndex, rowCount: r, columnIndex: input.columnIndex, columnCount: c,
                                weights: design.weights, domain: other)
        expectSame(a, b)
        #expect(a.respondents < table.layers[0].totalCount)
    }

    /// The cell pass on one worker and on several: the same cells and counts.
    @Test func cellPassIsTheCrossedTallysCells() throws {
        let design = try Self.design()
        let table = try ContingencyTable(design, rows: "x", columns: "y")
        let input = table.statisticsInput()
        let r = input.counts.rows, c = input.counts.columns
        let found = try #require(CellTally.cells(rows: input.rowIndex, rowCount: r, columns: input.columnIndex, columnCount: c,
                                                 weights: design.weights, domain: nil))
        let crossed = try CellTally.crossed(rows: input.rowIndex, rowCount: r, columns: input.columnIndex, columnCount: c,
                                            weights: design.weights, domain: nil)
        #expect(found.cells == crossed.cells && found.weightedRows == crossed.weightedRows)
        #expect(found.withCell == crossed.tally.totalCount)
        #expect(crossed.tally == (try #require(input.tally)))
        // An index outside the table: nil here, the crossed tally's typed error there.
        var bad = input.rowIndex
        bad[bad.count - 1] = Int32(r)
        #expect(CellTally.cells(rows: bad, rowCount: r, columns: input.columnIndex, columnCount: c, weights: design.weights,
                                domain: nil) == nil)
    }
}
