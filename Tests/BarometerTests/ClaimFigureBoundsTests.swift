import Foundation
import Testing
@testable import Barometer
@testable import BarometerIO
@testable import BarometerClaims
@testable import BarometerReports

/// Issue 16, item 1: a claim file is user input. Published figures are
/// validated against their unit and the claim's kind when the file is loaded
/// (typed error naming the claim and the field), and the report charts are
/// bounded by construction whatever values reach them.
@Suite struct ClaimFigureBoundsTests {
    static let data = ["--data", "Fixtures/surveys/kz2020-synthetic.csv", "--codebook", "Fixtures/surveys/kz2020-synthetic.codebook.json"]

    /// The reproducers (a share claim publishing 1e19 / −1e19 / 5e12 as a
    /// count; 1e19 as a percent) are rejected at load with the claim id and
    /// field, by the loader and by `verify` (exit 1, no signal, no report).
    @Test(arguments: [
        ("share-count-1e19", "odr2020.presence.russia.same", "figure.unit"),
        ("share-count-minus-1e19", "odr2020.presence.us.less", "figure.unit"),
        ("share-count-5e12", "odr2020.presence.russia.less", "figure.unit"),
        ("share-percent-1e19", "odr2020.presence.russia.same", "figure.value"),
    ])
    func invalidFigureIsATypedError(file: String, claim: String, field: String) throws {
        let path = Fixture.path("Fixtures/claims/invalid/\(file).claims.json")
        do {
            _ = try ClaimFileLoader.load(path)
            Issue.record("\(file) loaded")
        } catch {
            guard case .invalidClaim(let c, let f, _) = error else { Issue.record("\(error)"); return }
            #expect(c == claim && f == field, "\(error)")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-bounds-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try CLI.run(["verify", path] + Self.data + ["--report-dir", dir.path])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains(claim) && r.stderr.contains(field), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("odr-2020.report.html").path))
    }

    /// Unit rules: counts are whole, non-negative and at most 2^53; a share
    /// publishes a percent, a correlation a correlation; published-only
    /// claims may publish a count.
    @Test func unitAndKindRules() throws {
        func claim(_ kind: ClaimComputation.Kind, _ fig: PublishedFigure) -> Result<Void, BarometerError> {
            Result { () throws(BarometerError) in try fig.validate(claim: "c", kind: kind) }
        }
        #expect((try? claim(.publishedOnly, PublishedFigure(value: 100, unit: .count)).get()) != nil)
        #expect((try? claim(.publishedOnly, PublishedFigure(value: PublishedFigure.maximumCount, unit: .count)).get()) != nil)
        #expect((try? claim(.publishedOnly, PublishedFigure(value: 2 * PublishedFigure.maximumCount, unit: .count)).get()) == nil)
        #expect((try? claim(.publishedOnly, PublishedFigure(value: -1, unit: .count)).get()) == nil)
        #expect((try? claim(.marginalShare, PublishedFigure(value: 40, unit: .count)).get()) == nil)
        #expect((try? claim(.marginalShare, PublishedFigure(value: 40, unit: .percent)).get()) != nil)
        #expect((try? claim(.correlation, PublishedFigure(value: 0.4, unit: .percent, rounding: .exact)).get()) == nil)
        #expect((try? claim(.correlation, PublishedFigure(value: 0.4, unit: .correlation, rounding: .exact)).get()) != nil)
        #expect((try? claim(.publishedOnly, PublishedFigure(value: 5, unit: .count, rounding: .approximate, tolerance: .infinity)).get()) == nil)
    }

    /// Values far outside any percent range (what a crafted evaluation could
    /// still hand the charts) give a bounded SVG: at most 11 ticks, no trap,
    /// and the chart text stays small.
    @Test(arguments: [1e19, -1e19, 5e12, 1e9, 9e16, .nan, .infinity, -.infinity, 1e308, -1e308])
    func chartsAreBoundedByConstruction(value: Double) {
        let g = GroupedBarChart(id: "g", title: "t", series: ["a", "b"],
                                groups: [.init(label: "x", values: [(value, 40), (12, value)]),
                                         .init(label: "y", values: [(nil, 3), (value, nil)])],
                                caption: "c", note: "n")
        let svg = g.svg
        #expect(svg.count < 20_000)
        #expect(svg.components(separatedBy: "class=\"grid\"").count - 1 <= 13)
        let l = LikertChart(title: "t", questions: [.init(title: "q", categories: ["1", "2", "3", "4"], rows: [
            .init(label: "p", veryPositive: value, positive: 10, negative: value, veryNegative: 5, dontKnow: value),
            .init(label: "r", veryPositive: 1, positive: value, negative: 2, veryNegative: value, dontKnow: 3),
        ])], caption: "c")
        let lsvg = l.svg
        #expect(lsvg.count < 20_000)
        #expect(lsvg.components(separatedBy: "class=\"grid\"").count - 1 <= 23)
        let h = CorrelationHeatMap(title: "t", columns: ["r"], rows: [.init(label: "a", cells: [.init(value: value, lower: value, upper: value)])], caption: "c")
        #expect(h.svg.count < 20_000)
    }

    /// Percent data keep the previous axis: 0, 10, …, the next multiple of 10.
    @Test func percentAxisUnchanged() {
        let a = AxisTicks(covering: 0, 73, minimumStep: 10, maxIntervals: 10)
        #expect(a.values == [0, 10, 20, 30, 40, 50, 60, 70, 80])
        let b = AxisTicks(covering: -60, 100, minimumStep: 10, maxIntervals: 20)
        #expect(b.values == stride(from: -60.0, through: 100, by: 10).map { $0 })
        let c = AxisTicks(covering: 0, 1e19, minimumStep: 10, maxIntervals: 10)
        #expect(c.values.count <= 11 && c.upper >= 1e19 && c.step == 1e18)
        #expect(AxisTicks.label(1e19) == "10000000000000000000" && AxisTicks.label(40) == "40" && AxisTicks.label(2.5) == "2.5")
    }
}
