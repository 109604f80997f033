import Foundation
import Testing
@testable import Barometer
@testable import BarometerIO
@testable import BarometerClaims
@testable import BarometerReports

/// Aggregate consistency checks (no microdata) against exact rational
/// interval arithmetic in Python (`Fixtures/reference/claims/make_consistency.py`).
@Suite struct ClaimsConsistencyTests {
    struct Ref: Decodable {
        struct Row: Decodable { let interval: [Double]; let consistent: Bool }
        struct Check: Decodable {
            let kind: String
            let consistent: Bool
            let interval: [Double]?
            let residual: [Double]?
            let rows: [Row]?
        }
        let memos: [String: [String: Check]]
    }

    static func report(_ memo: String) throws -> ConsistencyReport {
        try ConsistencyReport(ClaimFileLoader.load(Fixture.path("Fixtures/memos/\(memo).claims.json")))
    }

    static func same(_ a: FigureInterval?, _ b: [Double]?) -> Bool {
        guard let a, let b, b.count == 2 else { return a == nil && b == nil }
        return close(a.lower, b[0], rel: 1e-12, abs: 1e-12) && close(a.upper, b[1], rel: 1e-12, abs: 1e-12)
    }

    @Test(arguments: ["ponars-658", "odr-2020"])
    func everyCheckMatchesExactArithmetic(memo: String) throws {
        let ref = try Fixture.decode(Ref.self, "Fixtures/reference/claims/consistency.json")
        let expected = try #require(ref.memos[memo])
        let report = try Self.report(memo)
        #expect(report.results.count == expected.count)
        for r in report.results {
            let e = try #require(expected[r.id], "no reference for \(r.id)")
            #expect(r.kind.rawValue == e.kind)
            #expect(r.consistent == e.consistent, "\(r.id): \(r.detail)")
            if let iv = e.interval { #expect(Self.same(r.interval, iv), "\(r.id): \(String(describing: r.interval)) vs \(iv)") }
            if let res = e.residual { #expect(Self.same(r.residual, res), "\(r.id) residual") }
            if let rows = e.rows {
                let got = try #require(r.rowIntervals)
                #expect(got.count == rows.count)
                for (g, x) in zip(got, rows) { #expect(Self.same(g, x.interval), "\(r.id) row") }
            }
        }
    }

    @Test func flags87Versus89WithExplanation() throws {
        let report = try Self.report("ponars-658")
        #expect(report.inconsistent.map(\.id) == ["ponars658.check.russia-favorable.87-vs-89"])
        let r = try #require(report.result("ponars658.check.russia-favorable.87-vs-89"))
        #expect(!r.consistent)
        #expect(r.explanation?.contains("wave") == true)
        #expect(r.detail.contains("do not meet"))
        #expect(report.textTable.notes.contains { $0.contains("87-vs-89") && $0.contains("Possible cause") })
    }

    @Test func componentsAddUp() throws {
        let report = try Self.report("ponars-658")
        // 39 + 48 vs 87: [86, 88) meets [86.5, 87.5).
        let fav = try #require(report.result("ponars658.check.russia-favorable.adds-up"))
        #expect(fav.consistent && fav.interval == FigureInterval(lower: 86, upper: 88, lowerClosed: true, upperClosed: false))
        for id in ["ponars658.check.russia-unfavorable.adds-up", "ponars658.check.closer-russia-support.adds-up",
                   "ponars658.check.closer-russia-oppose.adds-up", "ponars658.check.eeu-agree.adds-up",
                   "ponars658.check.eeu-disagree.adds-up", "ponars658.check.t1.russia-opinion.sums-to-100",
                   "ponars658.check.t1.closer-russia.sums-to-100", "ponars658.check.t1.eeu-benefit.sums-to-100"] {
            #expect(report.result(id)?.consistent == true, "\(id)")
        }
    }

    @Test func table2SecondColumnIsFirstOver82() throws {
        let report = try Self.report("ponars-658")
        let r = try #require(report.result("ponars658.check.t2.repercentaged"))
        #expect(r.consistent, "\(r.detail)")
        // 2 / 82: [1.5, 2.5) / [81.5, 82.5) * 100 = (1.818.., 3.067..) meets [2.5, 3.5) although 2/82 = 2.44.
        let practical = try #require(r.rowIntervals?[3])
        #expect(close(practical.lower, 150 / 82.5) && close(practical.upper, 250 / 81.5))
        // Column 2 as published sums to 102, still within rounding of 100 ([99, 105)).
        let col2 = try #require(report.result("ponars658.check.t2.categorizable.sums-to-100"))
        #expect(col2.consistent && col2.interval?.lower == 99 && col2.interval?.upper == 105)
    }

    @Test func desiredPresenceResiduals() throws {
        let report = try Self.report("odr-2020")
        #expect(report.inconsistent.isEmpty)
        // Russia 49 + 26 + 17 = [90.5, 93.5): 6.5 to 9.5 left for Don't know (the memo's implied 8).
        let ru = try #require(report.result("odr2020.check.presence.russia.residual")?.residual)
        #expect(close(ru.lower, 6.5) && close(ru.upper, 9.5) && ru.contains(8))
        let enemy = try #require(report.result("odr2020.check.enemy.at-most-100"))
        #expect(enemy.consistent)
    }

    @Test func intervalArithmeticEdges() throws {
        let a = FigureInterval(lower: 38.5, upper: 39.5, lowerClosed: true, upperClosed: false)
        let b = FigureInterval(lower: 39.5, upper: 40.5, lowerClosed: true, upperClosed: false)
        // Touching intervals meet on their closures (round-half-down readings allowed)...
        #expect(a.intersection(b) != nil)
        // ...but a recomputed 39.5 is not "39" under the stated half-open rule.
        #expect(!a.strictlyContains(39.5) && a.strictlyContains(38.5))
        #expect(throws: BarometerError.self) { try a.dividing(by: FigureInterval(lower: 0, upper: 1)) }
        let r = a.subtracted(from: 100)
        #expect(r == FigureInterval(lower: 60.5, upper: 61.5, lowerClosed: false, upperClosed: true))
    }
}

/// `barometer consistency`: table and JSON output, exit status 1 when a
/// memo contradicts itself, 0 otherwise, typed error on a malformed file.
@Suite struct ClaimsConsistencyCLITests {
    @Test func exitStatusAndJSON() throws {
        let p = try CLI.run(["consistency", "Fixtures/memos/ponars-658.claims.json"])
        #expect(p.status == 1)
        #expect(p.stdout.contains("ponars658.check.russia-favorable.87-vs-89") && p.stdout.contains("INCONSISTENT"))
        let o = try CLI.run(["consistency", "Fixtures/memos/odr-2020.claims.json", "--format", "json"])
        #expect(o.status == 0, "\(o.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(o.stdout.utf8)) as? [String: Any])
        let results = try #require(json["results"] as? [[String: Any]])
        #expect(results.count == 9 && results.allSatisfy { $0["consistent"] as? Bool == true })
        let bad = try CLI.run(["consistency", "Fixtures/memos/claims.schema.json"])
        #expect(bad.status != 0 && bad.stderr.contains("invalid claim"))
    }
}
