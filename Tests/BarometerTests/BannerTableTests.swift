import Barometer
import Foundation
import Testing

/// BannerTable (all-pairs counting kernel) against pandas crosstab per
/// pair, and bit-for-bit against ContingencyTable for every pair.
@Suite struct BannerTableTests {
    struct Cell: Decodable { let layer: String; let row: String; let col: String; let n: Int; let w: Double }
    struct Banner: Decodable { let variables: [String]; let show_w: [String: [Cell]]; let show_wint: [String: [Cell]]
        let exclude_u: [String: [Cell]] }
    struct Ref: Decodable { let banner: Banner }
    let ref: Ref
    init() throws { ref = try Fixture.decode(Ref.self, "Fixtures/reference/crosstab/reference.json") }

    func check(_ b: BannerTable, _ cells: [String: [Cell]], exact: Bool) throws {
        for (a, ra) in b.rowVariables.enumerated() {
            for (c, rc) in b.columnVariables.enumerated() {
                let p = b.pair(a, c)
                var expected: [String: Cell] = [:]
                for e in cells["\(ra)|\(rc)"] ?? [] { expected["\(e.row)#\(e.col)"] = e }
                var seen = 0
                for (i, x) in b.rowCategories[a].enumerated() {
                    for (j, y) in b.columnCategories[c].enumerated() {
                        let k = "\(CrosstabFixture.key(x))#\(CrosstabFixture.key(y))"
                        if let e = expected[k] {
                            seen += 1
                            #expect(p.counts[i][j] == e.n, "\(ra)×\(rc) \(k)")
                            if exact { #expect(p.weighted[i][j] == e.w, "\(ra)×\(rc) \(k)") }
                            else { #expect(close(p.weighted[i][j], e.w, rel: 1e-12), "\(ra)×\(rc) \(k)") }
                        } else {
                            #expect(p.counts[i][j] == 0 && p.weighted[i][j] == 0)
                        }
                    }
                }
                #expect(seen == expected.count)
            }
        }
    }

    @Test func allPairsMatchPandasWithRealWeights() throws {
        let d = try CrosstabFixture.design("survey_weighted")
        let vs = ref.banner.variables
        // A small chunk size forces many chunk boundaries.
        let b = try BannerTable(d, rows: vs, columns: vs, chunkRows: 37)
        try check(b, ref.banner.show_w, exact: false)
    }

    @Test func integerWeightsAreExact() throws {
        let d = try CrosstabFixture.design("survey_weighted", weight: "wint")
        let vs = ref.banner.variables
        try check(try BannerTable(d, rows: vs, columns: vs, chunkRows: 64), ref.banner.show_wint, exact: true)
        // Different row and column lists (no symmetry shortcut).
        try check(try BannerTable(d, rows: ["rus", "us"], columns: ["q3", "q4", "q5"], chunkRows: 100), ref.banner.show_wint, exact: true)
    }

    @Test func unweightedPairwiseExclusion() throws {
        let d = SurveyDesign.unweighted(try CrosstabFixture.dataset("survey_weighted"))
        let vs = ref.banner.variables
        try check(try BannerTable(d, rows: vs, columns: vs, missing: .excludeMissing), ref.banner.exclude_u, exact: true)
    }

    @Test func agreesWithContingencyTableInADomain() throws {
        let d = try CrosstabFixture.design("survey_weighted")
        let dom = try d.domain("region", in: [1, 3])
        let b = try BannerTable(d, rows: ["rus", "q3"], columns: ["us", "q4"], domain: dom, chunkRows: 50)
        for r in ["rus", "q3"] { for c in ["us", "q4"] {
            let t = try ContingencyTable(d, rows: r, columns: c, domain: dom)
            let p = try b.pair(r, c)
            // Same row-order summation: identical, not just close.
            #expect(p.counts == t.layers[0].counts)
            #expect(p.weighted == t.layers[0].weighted)
            #expect(p.weightedSquares == t.layers[0].weightedSquares)
        } }
        #expect(throws: BarometerError.self) { try b.pair("nosuch", "us") }
        #expect(throws: BarometerError.self) { try BannerTable(d, rows: [], columns: ["us"]) }
        // The symmetric shortcut (transposed pairs) equals the direct tally.
        let sym = try BannerTable(d, rows: ["rus", "us", "q3"], columns: ["rus", "us", "q3"], domain: dom)
        let t = try ContingencyTable(d, rows: "q3", columns: "rus", domain: dom)
        #expect(try sym.pair("q3", "rus").weighted == t.layers[0].weighted)
        #expect(try sym.pair("q3", "rus").counts == t.layers[0].counts)
    }
}
