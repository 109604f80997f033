import Barometer
import BarometerIO
import Foundation
import Testing

/// Printing and composing (issue 23): results print as their tables, a
/// correlation matrix as a starred grid, and a contingency table carries its
/// own tests. Expected values: `Fixtures/reference/library/make_library.py`
/// (pandas/SciPy) and R survey's `svychisq` (`Fixtures/reference/design/`).
@Suite struct LibraryErgonomicsTests {
    struct Reference: Decodable {
        struct Crosstab: Decodable {
            let weighted: [[Double]]
            let pearson, pearsonP, likelihoodRatio, likelihoodRatioP, cramersV: Double
            let df: Int
        }
        struct Pair: Decodable { let r, p: Double }
        struct Correlation: Decodable { let variables: [String]; let pairs: [String: Pair] }
        let crosstab: Crosstab
        let correlation: Correlation
    }
    let ref: Reference
    let design: SurveyDesign
    init() throws {
        ref = try Fixture.decode(Reference.self, "Fixtures/reference/library/expected.json")
        let data = try DatasetLoader.load(Fixture.path("Fixtures/reference/design/apistrat.csv"))
        design = try SurveyDesign(data: data, weight: "pw", strata: "stype", fpc: "fpc")
    }

    // MARK: printing

    @Test func everyTableRepresentablePrintsItsPlainTable() throws {
        let table = try ContingencyTable(design, rows: "stype", columns: "sch_wide", missing: .excludeMissing)
        let freq = try FrequencyTable(design, variable: "stype")
        // description is the plain renderer's output of the table, the same text the CLI prints
        #expect("\(table)" == OutputFormat.table.render(table.textTable))
        #expect(String(describing: freq) == OutputFormat.table.render(freq.textTable))
        #expect("\(freq)".contains("Valid %"))
        #expect(!"\(table)".contains("Optional("))
        let grid = TextTable(title: "T", headers: ["a", "b"], rows: [["x", "1"]])
        #expect("\(grid)" == "T\na  b\n-  -\nx  1")
    }

    @Test func correlationMatrixPrintsAStarredGridAndHasNamedAccessors() throws {
        let names = ref.correlation.variables
        let m = try Correlation.matrix(design, variables: names, options: CorrelationOptions())
        let unweighted = try Correlation.matrix(SurveyDesign.unweighted(design.data), variables: names)
        let grid = unweighted.gridTable
        #expect(grid.headers == [""] + names)
        #expect(grid.rows.map(\.first) == names)
        for (key, pair) in ref.correlation.pairs {
            let parts = key.split(separator: ",").map(String.init)
            let (a, b) = (parts[0], parts[1])
            let r = try #require(unweighted[a, b])
            #expect(close(r, pair.r, rel: 1e-10), "\(a), \(b): \(r) vs SciPy \(pair.r)")
            #expect(unweighted[b, a] == unweighted[a, b])
            let p = try #require(unweighted.pValue(a, b))
            #expect(close(p, pair.p, rel: 1e-6), "\(a), \(b): p \(p) vs SciPy \(pair.p)")
            // the grid cell: r to three decimals and the stars of SciPy's p-value
            let i = try #require(names.firstIndex(of: a)), j = try #require(names.firstIndex(of: b))
            let stars = pair.p < 0.001 ? "***" : pair.p < 0.01 ? "**" : pair.p < 0.05 ? "*" : ""
            #expect(grid.rows[i][j + 1].trimmingCharacters(in: .whitespaces)
                    == NumberFormat.fixed(pair.r, 3) + stars)
        }
        #expect(unweighted["api00", "api00"] == 1)
        #expect(unweighted["api00", "nosuch"] == nil)
        #expect(grid.notes.first == "* p < .05, ** p < .01, *** p < .001 (two-sided)")
        #expect("\(unweighted)" == OutputFormat.table.render(grid))
        #expect(m.variables == names)
        #expect(CorrelationMatrix.stars(0.0499) == "*" && CorrelationMatrix.stars(0.05) == ""
                && CorrelationMatrix.stars(0.00999) == "**" && CorrelationMatrix.stars(0.000999) == "***"
                && CorrelationMatrix.stars(nil) == "")
    }

    // MARK: composing

    /// `table.raoScott(design)` and `table.adjustedWald(design)` give R's
    /// `svychisq` on the stratified api design.
    @Test func tableComposesDesignBasedTests() throws {
        let table = try ContingencyTable(design, rows: "stype", columns: "sch_wide", missing: .excludeMissing)
        let all = try #require(Fixture.json("Fixtures/reference/design/expected-extras.json") as? [String: Any])
        func stat(_ key: String) throws -> (Double, [Double], Double) {
            let d = try #require(all[key] as? [String: Any])
            var param = (d["parameter"] as? [Double]) ?? []
            if param.isEmpty { param = [try #require(d["parameter"] as? Double)] }
            return (try #require(d["statistic"] as? Double), param, try #require(d["p"] as? Double))
        }
        let rs = try table.raoScott(design)
        let f = try stat("chisq_strat_stype_schwide_F")
        #expect(close(rs.f, f.0, rel: 1e-10))
        #expect(close(rs.fNumeratorDF, f.1[0], rel: 1e-10) && close(rs.fDenominatorDF, f.1[1], rel: 1e-10))
        #expect(close(rs.fPValue, f.2, rel: 1e-8))
        let w = try table.adjustedWald(design)
        let adj = try stat("chisq_strat_stype_schwide_adjWald")
        #expect(close(w.f, adj.0, rel: 1e-10))
        #expect(close(w.pValue, adj.2, rel: 1e-8))
        // the statistics list carries the same numbers
        let stats = try table.statistics([.chisq, .raoscott, .cramer], design: design)
        #expect(stats.count == 1)
        let fLine = try #require(stats[0].lines.first { $0.denominatorDF != nil && $0.statistic.contains("Rao") })
        #expect(close(try #require(fLine.value), f.0, rel: 1e-10))
    }

    /// `table.tests()` and `table.association()` on the weighted counts, as SciPy computes them.
    @Test func tableComposesCountTestsAndMeasures() throws {
        let table = try ContingencyTable(design, rows: "stype", columns: "sch_wide", missing: .excludeMissing)
        let tests = try table.tests()
        #expect(close(tests.pearson.statistic, ref.crosstab.pearson, rel: 1e-10))
        #expect(close(tests.pearson.pValue, ref.crosstab.pearsonP, rel: 1e-8))
        #expect(tests.pearson.degreesOfFreedom == Double(ref.crosstab.df))
        #expect(close(tests.likelihoodRatio.statistic, ref.crosstab.likelihoodRatio, rel: 1e-10))
        let v = try table.association().cramersV.value
        #expect(close(v, ref.crosstab.cramersV, rel: 1e-10))
        // crosstab --stats chisq --weights-as-frequencies: the labelled Pearson line is SciPy's X²
        let stats = try table.statistics([.chisq], design: design, weightsAsFrequencies: true)
        let pearson = try #require(stats[0].lines.first { $0.statistic.hasPrefix("Pearson") && $0.statistic.contains("frequencies") })
        #expect(close(try #require(pearson.value), ref.crosstab.pearson, rel: 1e-10))
    }

    @Test func designBasedTestsRefuseAMismatchedTable() throws {
        let table = try ContingencyTable(design, rows: "stype", columns: "sch_wide", missing: .excludeMissing)
        #expect(throws: BarometerError.self) { try table.statistics([.raoscott]) }
        #expect(throws: BarometerError.self) { try table.tests(layer: 1) }
        // a table made on a domain needs that domain: the whole sample is not it
        let dom = try design.domain("stype", in: [1, 2])
        let sub = try ContingencyTable(design, rows: "stype", columns: "sch_wide", domain: dom, missing: .excludeMissing)
        #expect(throws: BarometerError.self) { try sub.raoScott(design) }
        let direct = try RaoScottTest(design: design, rowIndex: sub.rowIndex, rowCount: sub.rowCategories.count,
                                      columnIndex: sub.columnIndex, columnCount: sub.columnCategories.count, domain: dom)
        #expect(try sub.raoScott(design, domain: dom) == direct)
    }
}
