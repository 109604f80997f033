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

    /// `share --by X --compare` from one pass: `ShareTable.withGroupedEstimates` gives the
    /// table of `ShareTable(…)` bit for bit and the groups of `SurveyDesign.share(of:in:by:…)`
    /// (R `svyby(~I(y %in% codes), ~x, design, svymean, covmat = TRUE)`) with their contrasts
    /// at 1e-12 (SEs 1e-11), both from the one share accumulator.
    @Test func shareTableAndItsGroupsFromOnePass() throws {
        for c in try PartialShareTests.cases() {
            guard let by = c.by else { continue }
            let design = try c.make(c.data)
            let dom = try c.domain.map { try DomainExpression($0).domain(in: c.data) }
            let (table, groups) = try ShareTable.withGroupedEstimates(design, of: c.of, in: c.codes, by: by, domain: dom)
            #expect(table == (try ShareTable(design, of: c.of, in: c.codes, by: by, domain: dom)), "\(c.name): table")
            try PartialGroupedTests.compare(groups, try design.share(of: c.of, in: c.codes, by: [by], domain: dom),
                                            "\(c.name): groups", se: 1e-11)
        }
    }

    /// So many groups that the accumulator's dense state would pass `groupedStateLimit`
    /// (weights-only: three k × k sums; 2²⁵ doubles, about 2,400 groups; lowered here to 10⁴
    /// doubles, 40 groups, to keep the debug build quick): the in-memory pass takes the sparse
    /// grouped row kernel, and agrees with the accumulated state (merged shards) to rounding.
    @Test func manyGroupsTakeTheSparseRowKernel() throws {
        try SurveyDesign.$groupedStateLimitOverride.withValue(10_000) { try manyGroups() }
    }

    func manyGroups() throws {
        let k = 60, n = 40 * k
        var g = SplitMix(seed: 31)
        let group = (0..<n).map { Double(1 + $0 % k) }
        let y = (0..<n).map { _ in Double(g.next() % 1000) / 10 }, w = (0..<n).map { _ in 0.5 + Double(g.next() % 100) / 50 }
        let data = try Dataset(variables: [Variable(name: "g", values: group), Variable(name: "y", level: .scale, values: y),
                                           Variable(name: "wt", level: .scale, values: w)])
        let d = try SurveyDesign(data: data, weight: "wt")
        #expect(!d.groupedStateFits(groups: k) && d.groupedStateFits(groups: 20))
        let whole = try d.mean("y", by: ["g"], covariance: false)
        #expect(whole.groups.count == k)
        let state = try A.merged(data, seed: 3, shards: 3) { part in
            try PartialResult.grouped(SurveyDesign(data: part, weight: "wt"), statistic: "mean", variables: ["y"], by: ["g"],
                                      level: 0.95, compare: false, adjustment: .none, design: ["weight": "wt"])
        }
        guard case .grouped(let list, _, _) = try state.finalize(), let merged = list.first else { Issue.record("not grouped"); return }
        #expect(merged.groups.map(\.label) == whole.groups.map(\.label))
        for (a, b) in zip(merged.groups, whole.groups) {
            #expect(a.count == b.count && a.groupDegreesOfFreedom == b.groupDegreesOfFreedom, "\(b.label)")
            let e = try #require(a.estimate), f = try #require(b.estimate)
            A.same(e.estimate, f.estimate, "\(b.label) mean")
            #expect(close(e.standardError, f.standardError, rel: 1e-11), "\(b.label) SE \(e.standardError) vs \(f.standardError)")
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
