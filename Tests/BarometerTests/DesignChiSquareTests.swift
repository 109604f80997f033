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
}
