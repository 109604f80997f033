import Barometer
import Foundation
import Testing

/// ContingencyTable against pandas crosstab and R survey::svytable
/// (Fixtures/reference/crosstab/make_reference.py, make_reference_svy.R).
@Suite struct ContingencyTableTests {
    struct Cell: Decodable { let layer: String; let row: String; let col: String; let n: Int; let w: Double
        let rowpct: Double; let colpct: Double; let totpct: Double }
    struct Ref: Decodable { let crosstabs: [String: [Cell]] }
    struct SvyCell: Decodable { let row: String; let col: String; let w: Double }
    struct Svy: Decodable { let svytable_rus_us: [SvyCell] }

    let ref: Ref
    init() throws { ref = try Fixture.decode(Ref.self, "Fixtures/reference/crosstab/reference.json") }

    /// Every reference cell matches (n exactly, Σw and percentages to 1e-10),
    /// every other cell of the table is empty.
    func check(_ t: ContingencyTable, _ name: String) {
        guard let cells = ref.crosstabs[name] else { Issue.record("no reference \(name)"); return }
        var expected: [String: Cell] = [:]
        for c in cells { expected["\(c.layer)#\(c.row)#\(c.col)"] = c }
        var seen = 0
        for layer in t.layers {
            let lk = layer.categories.map(CrosstabFixture.key).joined(separator: "|")
            for (i, rc) in t.rowCategories.enumerated() {
                for (j, cc) in t.columnCategories.enumerated() {
                    let k = "\(lk)#\(CrosstabFixture.key(rc))#\(CrosstabFixture.key(cc))"
                    if let e = expected[k] {
                        seen += 1
                        #expect(layer.counts[i][j] == e.n, "\(name) \(k)")
                        #expect(close(layer.weighted[i][j], e.w, rel: 1e-12), "\(name) \(k)")
                        #expect(close(layer.rowPercent[i][j] ?? .nan, e.rowpct, rel: 1e-10), "\(name) \(k) row%")
                        #expect(close(layer.columnPercent[i][j] ?? .nan, e.colpct, rel: 1e-10), "\(name) \(k) col%")
                        #expect(close(layer.totalPercent[i][j] ?? .nan, e.totpct, rel: 1e-10), "\(name) \(k) tot%")
                    } else {
                        #expect(layer.counts[i][j] == 0 && layer.weighted[i][j] == 0, "\(name) \(k) should be empty")
                    }
                }
            }
        }
        #expect(seen == cells.count, "\(name): \(seen) of \(cells.count) reference cells found")
    }

    @Test func weightedWithDontKnowShown() throws {
        let d = try CrosstabFixture.design("survey_weighted")
        let t = try ContingencyTable(d, rows: "rus", columns: "us")
        check(t, "rus_us_show_w")
        // DK / Refused / system-missing are their own labelled categories, in order.
        #expect(t.rowCategories.map(CrosstabFixture.key) == ["1", "2", "3", "4", "8", "9", "sys"])
        #expect(t.rowCategories[4].label == "Don't know" && t.rowCategories[4].status == .userMissing)
        #expect(t.rowCategories[6].status == .systemMissing)
        #expect(t.base.kind == .allRespondents)
        #expect(t.layers[0].totalCount == 500)
        // R survey::svytable gives the same weighted counts.
        let svy = try Fixture.decode(Svy.self, "Fixtures/reference/crosstab/svy_reference.json")
        for c in svy.svytable_rus_us {
            guard let i = t.rowCategories.firstIndex(where: { CrosstabFixture.key($0) == c.row }),
                  let j = t.columnCategories.firstIndex(where: { CrosstabFixture.key($0) == c.col }) else {
                Issue.record("svytable cell \(c.row),\(c.col) missing"); continue
            }
            #expect(close(t.layers[0].weighted[i][j], c.w, rel: 1e-12))
        }
        #expect(svy.svytable_rus_us.count == ref.crosstabs["rus_us_show_w"]?.count)
    }

    @Test func excludeMissingIsListwiseAndStated() throws {
        let d = try CrosstabFixture.design("survey_weighted")
        let t = try ContingencyTable(d, rows: "rus", columns: "us", missing: .excludeMissing)
        check(t, "rus_us_exclude_w")
        #expect(t.base.kind == .validAnswers)
        #expect(t.base.description == "valid answers to rus, us (listwise)")
        #expect(!t.rowCategories.contains { $0.status != .valid })
        #expect(t.textTable.notes.contains { $0.contains("Base: valid answers to rus, us (listwise)") })
    }

    @Test func layersMakeAThreeWayTable() throws {
        let d = try CrosstabFixture.design("survey_weighted")
        let t = try ContingencyTable(d, rows: "rus", columns: "us", layers: ["region"])
        #expect(t.layers.count == 3)
        #expect(t.layers.map { $0.categories[0].label } == ["North", "South", "Centre"])
        check(t, "rus_us_by_region_show_w")
        let u = try CrosstabFixture.design("survey_unweighted")
        check(try ContingencyTable(u, rows: "b", columns: "y", layers: ["a"], missing: .excludeMissing), "b_y_by_a_exclude_u")
    }

    @Test func domainRestrictsTheBase() throws {
        let d = try CrosstabFixture.design("survey_weighted")
        let dom = try d.domain("region", in: [1, 2])
        let t = try ContingencyTable(d, rows: "rus", columns: "us", domain: dom, missing: .excludeMissing)
        check(t, "rus_us_in_region12_exclude_w")
        #expect(t.base.kind == .domain)
        #expect(t.base.description.contains("region in {North, South}"))
    }

    @Test func unweightedWithZeroColumn() throws {
        let u = try CrosstabFixture.design("survey_unweighted")
        let t = try ContingencyTable(u, rows: "a", columns: "b")
        check(t, "a_b_show_u")
        check(try ContingencyTable(u, rows: "a", columns: "b", missing: .excludeMissing), "a_b_exclude_u")
        // Code 4 of b is labelled but never chosen: an explicit zero column,
        // whose column percentages are nil (not NaN) and whose row/total percentages are 0.
        let j = try #require(t.columnCategories.firstIndex { $0.code == 4 })
        #expect(t.layers[0].columnCounts[j] == 0)
        #expect(t.layers[0].columnPercent.allSatisfy { $0[j] == nil })
        #expect(t.layers[0].rowPercent.allSatisfy { $0[j] == 0 })
        #expect(t.weight == nil)
        // Matrices for part B.
        let m = t.countMatrix()
        #expect(m.rows == 3 && m.columns == t.columnCategories.count)
        #expect(m[0, 0] == Double(t.layers[0].counts[0][0]))
        #expect(t.rowIndex.count == 120 && t.columnIndex.count == 120)
    }

    @Test func oneByKTable() throws {
        let one = Variable(name: "one", values: [1, 1, 1, 1], valueLabels: [1: "Only"])
        let k = Variable(name: "k", values: [1, 2, 2, 3])
        let w = Variable(name: "w", values: [1, 2, 3, 4])
        let d = try SurveyDesign(data: Dataset(variables: [one, k, w]), weight: "w")
        let t = try ContingencyTable(d, rows: "one", columns: "k")
        #expect(t.rowCategories.count == 1 && t.columnCategories.count == 3)
        #expect(t.layers[0].weighted == [[1, 5, 4]])
        #expect(t.layers[0].rowPercent == [[10, 50, 40]])
        #expect(t.layers[0].columnPercent == [[100, 100, 100]])
    }

    @Test func emptyDomainIsATypedError() throws {
        let d = try CrosstabFixture.design("survey_weighted")
        let nobody = try d.domain("region", in: [7])
        #expect(throws: BarometerError.self) { try ContingencyTable(d, rows: "rus", columns: "us", domain: nobody) }
        do { _ = try ContingencyTable(d, rows: "rus", columns: "us", domain: nobody); Issue.record("expected error") }
        catch .emptyDomain(let s) { #expect(s.contains("region = 7")) }
        catch { Issue.record("unexpected \(error)") }
        #expect(throws: BarometerError.self) { try ContingencyTable(d, rows: "rus", columns: "nosuch") }
        #expect(throws: BarometerError.self) { try ContingencyTable(d, rows: "rus", columns: "rus") }
    }

    @Test func allWeightOnOneRespondent() throws {
        let x = Variable(name: "x", values: [1, 2, 1, 2])
        let y = Variable(name: "y", values: [1, 1, 2, 2])
        let w = Variable(name: "w", values: [0, 0, 5, 0])
        let d = try SurveyDesign(data: Dataset(variables: [x, y, w]), weight: "w")
        let t = try ContingencyTable(d, rows: "x", columns: "y")
        #expect(t.layers[0].weighted == [[0, 5], [0, 0]])
        #expect(t.layers[0].counts == [[1, 1], [1, 1]])
        #expect(t.layers[0].effectiveSize == 1)
        #expect(t.layers[0].rowPercent[1] == [nil, nil])
    }

    @Test func combinedIndexIsMixedRadix() throws {
        let a = CategoryCoding(Variable(name: "a", values: [1, 2, 3, .nan]), missing: .excludeMissing)
        let b = CategoryCoding(Variable(name: "b", values: [2, 1, 2, 1]))
        let expected: [Int32] = [3, 1, 5, -1]  // i_a + 3 · i_b
        #expect(try CategoryCoding.combinedIndex([a, b]) == expected)
    }
}
