import Barometer
import BarometerIO
import Foundation
import Testing

/// ShareTable (all categories in one batched computation) on clustered,
/// stratified+clustered and replicate designs: against R survey
/// (`svymean`/`svyciprop` on `subset(design, by == code)`,
/// Fixtures/reference/shares/make_share_by.R), against one ConditionalShare
/// per category, and the grouped RatioOfTotals against the dense one.
@Suite struct ShareTableDesignTests {
    struct Ref: Decodable {
        let codes: [Double]; let n: [Int]; let estimate: [Double]; let se: [Double]; let degf: [Double]
        let logit_lower: [Double?]; let logit_upper: [Double?]; let beta_lower: [Double?]; let beta_upper: [Double?]
    }
    static let designDir = "Fixtures/reference/design/"

    static func design(_ key: String) throws -> SurveyDesign {
        switch key {
        case "stratclus":
            let data = try DatasetLoader.load(Fixture.path(designDir + "apistrat.csv"))
            return try SurveyDesign(data: data, weight: "pw", strata: "stype", clusters: "dnum", nest: true)
        case "clus1":
            let data = try DatasetLoader.load(Fixture.path(designDir + "apiclus1.csv"))
            return try SurveyDesign(data: data, weight: "pw", clusters: "dnum", fpc: "fpc")
        default:
            let data = try DatasetLoader.load(Fixture.path(designDir + "apiclus1.csv"))
            return try SurveyDesign(data: data, weight: "pw", replicateColumns: (1...15).map { "jk1_\($0)" }, method: .jk1,
                                    scale: 0.9333333333333333 * (1 - 15.0 / 757))
        }
    }

    static let cases: [(String, String, String)] = ["stratclus", "clus1", "jk1"].flatMap { d in
        [(d, "awards", "stype"), (d, "sch_wide", "awards")]
    }

    @Test(arguments: cases)
    func matchesSvyciprop(design key: String, of y: String, by x: String) throws {
        let refs = try #require(try Fixture.json("Fixtures/reference/shares/share_by.json") as? [String: Any])
        let entry = try #require(refs["\(key)_\(y)_by_\(x)"])
        let r = try JSONDecoder().decode(Ref.self, from: JSONSerialization.data(withJSONObject: entry))
        let d = try Self.design(key)
        let t = try ShareTable(d, of: y, in: [1], by: x, method: .logit)
        #expect(t.rows.map { $0.category.code } == r.codes)
        for (j, row) in t.rows.enumerated() {
            let s = try #require(row.share)
            #expect(s.denominatorCount == r.n[j])
            #expect(close(s.estimate, r.estimate[j], rel: 1e-12), "\(key) \(j) estimate \(s.estimate) vs \(r.estimate[j])")
            #expect(close(s.designStandardError, r.se[j], rel: 1e-10, abs: 1e-15), "\(key) \(j) SE \(s.designStandardError) vs \(r.se[j])")
            #expect(s.degreesOfFreedom == r.degf[j], "\(key) \(j) df")
            // Replicate designs: R's svyciprop refits the logit model per replicate (not the
            // delta method on the replicate variance of p that Barometer documents) and its
            // "beta" uses degf of the subset, so only estimate, SE and df are compared there.
            if key == "jk1" { continue }
            guard s.estimate > 0 && s.estimate < 1 else {
                #expect(s.interval.degenerate)          // R: NaN or a zero-width interval at 1
                continue
            }
            let lo = try #require(r.logit_lower[j]), hi = try #require(r.logit_upper[j])
            #expect(close(s.interval.lower, lo, rel: 1e-8) && close(s.interval.upper, hi, rel: 1e-8), "\(key) \(j) logit")
            let kg = try s.interval(.kornGraubard)
            let blo = try #require(r.beta_lower[j]), bhi = try #require(r.beta_upper[j])
            #expect(close(kg.lower, blo, rel: 1e-8) && close(kg.upper, bhi, rel: 1e-8), "\(key) \(j) korn-graubard")
        }
    }

    /// The batched table equals one ConditionalShare per category, for every
    /// interval method, on a stratified+cluster design and a replicate design.
    @Test(arguments: ["stratclus", "jk1"], ProportionIntervalMethod.allCases)
    func batchedEqualsPerCategory(design key: String, method: ProportionIntervalMethod) throws {
        let d = try Self.design(key)
        if key == "jk1" && method == .likelihood {
            // Not defined on replicate designs (R svyciprop returns NA): an error, the same for both.
            #expect(throws: BarometerError.self) { try ShareTable(d, of: "awards", in: [1], by: "stype", method: method) }
            #expect(throws: BarometerError.self) { try ConditionalShare(d, of: "awards", in: [1], method: method) }
            return
        }
        let domain = try d.domain("sch_wide", in: [1])
        for dom in [nil, domain] {
            let t = try ShareTable(d, of: "awards", in: [1], by: "stype", domain: dom, method: method)
            #expect(t.rows.count == 3)
            for row in t.rows {
                let s = try #require(row.share)
                let code = try #require(row.category.code)
                let one = try ConditionalShare(d, of: "awards", in: [1], among: "stype", in: [code], domain: dom, method: method)
                #expect(s.base == one.base && s.among == one.among && s.amongCodes == one.amongCodes)
                #expect(s.numeratorCount == one.numeratorCount && s.denominatorCount == one.denominatorCount)
                #expect(s.degreesOfFreedom == one.degreesOfFreedom)
                // Without replacement only with an fpc (neither design here has one): nil in both.
                #expect(s.designEffectWithoutReplacement == one.designEffectWithoutReplacement)
                #expect(s.designEffectWithReplacement != nil)
                for (a, b) in [(s.numeratorWeighted, one.numeratorWeighted), (s.denominatorWeighted, one.denominatorWeighted),
                               (s.estimate, one.estimate), (s.standardError, one.standardError),
                               (s.designStandardError, one.designStandardError), (s.effectiveSize, one.effectiveSize),
                               (s.designEffectWithReplacement ?? .nan, one.designEffectWithReplacement ?? .nan),
                               (s.interval.lower, one.interval.lower), (s.interval.upper, one.interval.upper)] {
                    #expect(close(a, b, rel: 1e-12), "\(key) \(method) \(code): \(a) vs \(b)")
                }
            }
        }
    }

    /// Grouped RatioOfTotals (one value per row in its group's column) equals
    /// the dense n × k form — full covariance, off-diagonals included — under
    /// fpc, nested clusters, and every lonely-PSU rule, for ratios and totals.
    @Test(arguments: ["stratclus", "clus1", "strat_fpc", "weights_only", "lonely_adjust", "lonely_average", "lonely_remove", "jk1"])
    func groupedRatioEqualsDense(design key: String) throws {
        let d: SurveyDesign
        switch key {
        case "strat_fpc":
            d = try SurveyDesign(data: DatasetLoader.load(Fixture.path(Self.designDir + "apistrat.csv")),
                                 weight: "pw", strata: "stype", fpc: "fpc")
        case "weights_only":
            d = try SurveyDesign(data: DatasetLoader.load(Fixture.path(Self.designDir + "apistrat.csv")), weight: "pw")
        case "lonely_adjust", "lonely_average", "lonely_remove":
            let rule = LonelyPSURule(rawValue: String(key.dropFirst("lonely_".count)))
            d = try SurveyDesign(data: DatasetLoader.load(Fixture.path(Self.designDir + "apistrat_lonely.csv")),
                                 weight: "pw", strata: "stype", lonelyPSU: try #require(rule))
        default:
            d = try Self.design(key)
        }
        let y = try d.variable("api00").values, x = try d.variable("enroll").values
        // Groups cut across strata and PSUs: api00 below 600, 600–749, 750 and above; rows
        // with neither awards nor sch_wide in no group.
        let a = try d.variable("awards").values, s = try d.variable("sch_wide").values
        let groups = (0..<d.rowCount).map { i -> Int32 in
            a[i] == 0 && s[i] == 0 ? -1 : (y[i] < 600 ? 0 : y[i] < 750 ? 1 : 2)
        }
        for denominator in [x, nil] {
            let grouped = try RatioOfTotals(numerator: y, denominator: denominator, groups: groups, groupCount: 3)
            let dense = try RatioOfTotals(numerators: grouped.numerators, denominators: grouped.denominators)
            let g = try grouped.evaluate(d), e = try dense.evaluate(d)
            let scale = e.covariance.storage.map(abs).max() ?? 0
            #expect(scale > 0)
            for j in 0..<3 { #expect(close(g.estimates[j], e.estimates[j], rel: 1e-14), "\(key) estimate \(j)") }
            for (u, v) in zip(g.covariance.storage, e.covariance.storage) {
                #expect(abs(u - v) <= 1e-12 * scale, "\(key) covariance \(u) vs \(v)")
            }
        }
    }

    @Test func badGroupsAreTypedErrors() throws {
        #expect(throws: BarometerError.invalidArgument("group 2 outside -1..<2")) {
            try RatioOfTotals(numerator: [1, 2], groups: [0, 2], groupCount: 2)
        }
        #expect(throws: BarometerError.lengthMismatch(variable: "groups", expected: 2, actual: 1)) {
            try RatioOfTotals(numerator: [1, 2], groups: [0], groupCount: 2)
        }
    }
}
