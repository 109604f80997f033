@testable import Barometer
import BarometerIO
import Foundation
import Testing

/// Issue 22, what to build 1 — one implementation per statistic: the in-memory grouped
/// estimates (`mean`/`total --by`) and shares (`share`, `share --by`) run through the
/// accumulators of the streamed and merged passes (``GroupedTotalsAccumulator``,
/// ``ShareAccumulator``). So the state of one shard holding every row, written to its bytes,
/// read back and finalized, is the in-memory result **bit for bit** (a second implementation
/// would agree only to rounding, as the merged shards of `PartialGroupedTests` and
/// `PartialShareTests` do). The in-memory results themselves are checked against R survey in
/// `GroupedEstimatesTests`, `ShareTableDesignTests` and `ConditionalShareTests`. Calibrated
/// weights keep the row pass (their influence values need the calibration residuals of every
/// row; `WeightingTests` checks them against R).
@Suite struct InMemoryAccumulatorPathTests {
    typealias A = AccumulationTests

    @Test func groupedEstimatesAreTheOneShardState() throws {
        for c in try PartialGroupedTests.cases() {
            let d = try c.make(c.data), dom = try c.domain.map { try DomainExpression($0).domain(in: c.data) }
            for statistic in ["mean", "total"] {
                let whole = statistic == "mean" ? try d.mean(c.y, by: c.by, domain: dom) : try d.total(c.y, by: c.by, domain: dom)
                let state = try A.merged(c.data, seed: 1, shards: 1) { part in
                    try PartialResult.grouped(c.make(part), statistic: statistic, variables: [c.y], by: c.by, level: 0.95,
                                              compare: true, adjustment: .none,
                                              domain: try c.domain.map { try DomainExpression($0).domain(in: part) },
                                              design: c.spec)
                }
                guard case .grouped(let list, _, _) = try state.finalize(), let one = list.first else {
                    Issue.record("\(c.name): not grouped estimates"); continue
                }
                #expect(one == whole, "\(c.name) \(statistic) by \(c.by): the one-shard state differs from the in-memory pass")
            }
        }
    }

    /// `covariance: false` (many groups, no contrasts): only the diagonal of the groups'
    /// covariance is computed (O(PSUs·k) instead of O(PSUs·k²)), the same numbers bit for bit.
    @Test func variancesOnlyAreTheDiagonalOfTheFullCovariance() throws {
        for c in try PartialGroupedTests.cases() {
            let d = try c.make(c.data), dom = try c.domain.map { try DomainExpression($0).domain(in: c.data) }
            let full = try d.mean(c.y, by: c.by, domain: dom), diagonal = try d.mean(c.y, by: c.by, domain: dom, covariance: false)
            #expect(full.groups == diagonal.groups, "\(c.name): groups, estimates and SEs")
            let k = full.estimable.count
            for j in 0..<k { #expect(full.covariance[j * k + j] == diagonal.covariance[j * k + j], "\(c.name) variance \(j)") }
            if d.replicates == nil && k > 1 {
                #expect(diagonal.covariance[1] == 0, "\(c.name): off-diagonal left 0")
                #expect(throws: BarometerError.self) { try diagonal.pairwiseDifferences(adjustment: .none) }
            }
        }
    }

    @Test func sharesAreTheOneShardState() throws {
        for c in try PartialShareTests.cases() {
            let design = try c.make(c.data)
            let dom = try c.domain.map { try DomainExpression($0).domain(in: c.data) }
            let state = try A.merged(c.data, seed: 2, shards: 1) { part in
                try PartialResult.share(c.make(part), of: c.of, in: c.codes, among: c.among?.0, in: c.among?.1 ?? [], by: c.by,
                                        domain: try c.domain.map { try DomainExpression($0).domain(in: part) },
                                        denominator: .validAnswers, method: .standard, level: 0.95, compare: false,
                                        design: c.spec)
            }
            switch try state.finalize() {
            case .shareTable(let t, _):
                let whole = try ShareTable(design, of: c.of, in: c.codes, by: try #require(c.by), domain: dom)
                #expect(t.rows == whole.rows, "\(c.name): the one-shard state differs from the in-memory table")
            case .share(let s):
                let whole = try ConditionalShare(design, of: c.of, in: c.codes, among: c.among?.0, in: c.among?.1 ?? [], domain: dom)
                #expect(s == whole, "\(c.name): the one-shard state differs from the in-memory share")
            default: Issue.record("\(c.name): not a share")
            }
        }
    }

    /// `ShareTable(missing: .showMissing)`: X's user-missing categories are bases of the
    /// accumulator too, each the share among respondents with that code (a domain, R
    /// `svymean(~I(y %in% codes), subset(design, x == code))`), computed here as a single
    /// share among that code; system-missing X is no base.
    @Test func userMissingCategoriesOfXAreBases() throws {
        let d = try CrosstabFixture.design("survey_weighted")
        let table = try ShareTable(d, of: "us", in: [1, 2], by: "rus", missing: .showMissing, method: .logit)
        #expect(table.rows.map { $0.category.code } == [1, 2, 3, 4, 8, 9])
        #expect(table.rows.filter { $0.category.status == .userMissing }.map(\.category.code) == [8, 9])
        for row in table.rows {
            let code = try #require(row.category.code), s = try #require(row.share)
            let among = try ConditionalShare(d, of: "us", in: [1, 2], among: "rus", in: [code], method: .logit)
            #expect(s.numeratorCount == among.numeratorCount && s.denominatorCount == among.denominatorCount, "rus = \(code)")
            #expect(s.degreesOfFreedom == among.degreesOfFreedom, "rus = \(code): df")
            for (u, v, what) in [(s.estimate, among.estimate, "p"), (s.designStandardError, among.designStandardError, "SE"),
                                 (s.interval.lower, among.interval.lower, "lower"), (s.interval.upper, among.interval.upper, "upper")] {
                #expect(close(u, v, rel: 1e-12), "rus = \(code) \(what): by \(u) vs among \(v)")
            }
        }
    }
}
