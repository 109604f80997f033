import Barometer
import BarometerIO
import Foundation
import Testing

/// Grouped means, totals and ratios with their full covariance, and
/// contrasts between groups, against R survey's `svyby(…, covmat = TRUE)` +
/// `svycontrast` (`Fixtures/reference/groups/make_groups.R`) under the
/// stratified, one-stage cluster and JK1 designs.
@Suite struct GroupedEstimatesTests {
    struct Pair: Decodable {
        let first: Int, second: Int
        let estimate: Double, se: Double, t: Double, p: Double, lower: Double, upper: Double
    }
    struct Contrast: Decodable { let weights: [Double]; let estimate: Double; let se: Double; let p: Double }
    /// R writes NaN as the string "NaN".
    struct Number: Decodable {
        let value: Double
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let d = try? c.decode(Double.self) { value = d } else { _ = try c.decode(String.self); value = .nan }
        }
    }
    struct Case: Decodable {
        let name: String, design: String, kind: String, y: String
        let x: String?
        let by: [String]
        let `where`: String?
        let estimates: [Double], se: [Double], covariance: [Double]
        let groupDF: [Int], designDF: Int, n: [Int], weighted: [Double]
        let lower: [Number], upper: [Number], lowerDesignDF: [Double], upperDesignDF: [Double]
        let pairs: [Pair]
        let adjusted: [String: [Double]]
        let contrast: Contrast?
    }
    struct Expected: Decodable { let jk1_scale: Double; let cases: [Case] }

    static let expected = Result { try Fixture.decode(Expected.self, "Fixtures/reference/groups/expected.json") }

    func design(_ name: String) throws -> SurveyDesign {
        let dir = "Fixtures/reference/design/"
        switch name {
        case "strat":
            return try SurveyDesign(data: DatasetLoader.load(Fixture.path(dir + "apistrat.csv")), weight: "pw", strata: "stype", fpc: "fpc")
        case "clus1":
            var data = try DatasetLoader.load(Fixture.path(dir + "apiclus1.csv"))
            _ = try data.groupingVariable("dnum == 413")       // R: one_psu
            return try SurveyDesign(data: data, weight: "pw", clusters: "dnum", fpc: "fpc")
        default:
            let data = try DatasetLoader.load(Fixture.path(dir + "apiclus1.csv"))
            return try SurveyDesign(data: data, weight: "pw", replicateColumns: (1...15).map { "jk1_\($0)" }, method: .jk1,
                                    scale: try Self.expected.get().jk1_scale)
        }
    }

    @Test func groupsContrastsAndAdjustmentsEqualRSurvey() throws {
        let cases = try Self.expected.get().cases
        #expect(cases.count == 16)
        for c in cases {
            let d = try design(c.design)
            let by = c.by.map { $0 == "one_psu" ? "dnum == 413" : $0 }
            let domain = try c.where.map { try d.domain(where: $0) }
            let g: GroupedEstimates
            switch c.kind {
            case "mean" where c.y == "hi": g = try d.share(of: "api00", in: Set((701...999).map(Double.init)), by: by, domain: domain)
            case "mean": g = try d.mean(c.y, by: by, domain: domain)
            case "total": g = try d.total(c.y, by: by, domain: domain)
            default: g = try d.ratio(numerator: c.y, denominator: try #require(c.x), by: by, domain: domain)
            }
            let k = c.estimates.count
            #expect(g.groups.count == k, "\(c.name)")
            guard g.groups.count == k else { continue }
            #expect(g.degreesOfFreedom == c.designDF, "\(c.name)")
            let replicate = c.design == "jk1"
            for j in 0..<k {
                let e = try #require(g.groups[j].estimate)
                #expect(close(e.estimate, c.estimates[j], rel: 1e-10), "\(c.name) group \(j)")
                #expect(close(e.standardError, c.se[j], rel: 1e-10), "\(c.name) group \(j): \(e.standardError) vs \(c.se[j])")
                #expect(g.groups[j].count == c.n[j], "\(c.name) group \(j)")
                #expect(close(g.groups[j].weightedCount, c.weighted[j], rel: 1e-12), "\(c.name) group \(j)")
                for l in 0..<k {
                    #expect(close(try #require(g.covariance(j, l)), c.covariance[j + l * k], rel: 1e-10, abs: 1e-10 * c.se[j] * c.se[l]),
                            "\(c.name) cov \(j),\(l)")
                }
                if replicate {
                    // replicate designs: every group uses the design's df (rank − 1), as ConditionalShare does
                    #expect(e.degreesOfFreedom == c.designDF)
                    #expect(close(e.lower, c.lowerDesignDF[j], rel: 1e-10) && close(e.upper, c.upperDesignDF[j], rel: 1e-10))
                } else if c.groupDF[j] >= 1 {
                    #expect(g.groups[j].groupDegreesOfFreedom == c.groupDF[j], "\(c.name) group \(j) df")
                    #expect(e.degreesOfFreedom == c.groupDF[j])
                    #expect(close(e.lower, c.lower[j].value, rel: 1e-10) && close(e.upper, c.upper[j].value, rel: 1e-10), "\(c.name) CI \(j)")
                } else {
                    // a group in one PSU: R's qt(·, 0) is NaN; Barometer uses the design's df and says so
                    #expect(c.lower[j].value.isNaN)
                    #expect(g.groups[j].groupDegreesOfFreedom == 0)
                    #expect(e.degreesOfFreedom == c.designDF)
                    #expect(close(e.lower, c.lowerDesignDF[j], rel: 1e-10) && close(e.upper, c.upperDesignDF[j], rel: 1e-10))
                    #expect(g.groups[j].note?.contains("one PSU") == true)
                }
            }
            for adjustment in [PValueAdjustment.none, .holm, .bonferroni, .benjaminiHochberg] {
                let diffs = try g.pairwiseDifferences(adjustment: adjustment)
                #expect(diffs.contrasts.count == c.pairs.count)
                for (i, (r, p)) in zip(diffs.contrasts, c.pairs).enumerated() {
                    #expect(r.terms.map(\.group) == [p.first, p.second] && r.terms.map(\.weight) == [1, -1])
                    #expect(close(r.estimate, p.estimate, rel: 1e-10, abs: 1e-12 * abs(c.estimates[p.first])), "\(c.name) pair \(i)")
                    #expect(close(r.standardError, p.se, rel: 1e-10), "\(c.name) pair \(i): \(r.standardError) vs \(p.se)")
                    #expect(close(try #require(r.statistic), p.t, rel: 1e-10, abs: 1e-12), "\(c.name) pair \(i)")
                    #expect(close(try #require(r.pValue), p.p, rel: 1e-10, abs: 1e-15), "\(c.name) pair \(i) p")
                    #expect(close(r.lower, p.lower, rel: 1e-10) && close(r.upper, p.upper, rel: 1e-10))
                    let key = ["holm": "holm", "bonferroni": "bonferroni", "bh": "bh"][adjustment.rawValue]
                    if let key, let adj = c.adjusted[key] {
                        #expect(close(try #require(r.adjustedPValue), adj[i], rel: 1e-10, abs: 1e-15), "\(c.name) \(key) \(i)")
                    }
                }
            }
            // variances only (no --compare): the same SEs from the diagonal-only kernel; contrasts refused
            if c.kind == "mean" && c.y != "hi" {
                let v = try d.mean(c.y, by: by, domain: domain, covariance: false)
                for j in 0..<k {
                    #expect(close(try #require(v.groups[j].estimate).standardError, c.se[j], rel: 1e-10), "\(c.name) variances only")
                }
                if !replicate {
                    #expect(!v.hasCovariance && (k < 2 || v.covariance(0, 1) == nil))
                    #expect(throws: BarometerError.self) { _ = try v.pairwiseDifferences() }
                }
            }
            if let lc = c.contrast {
                let r = try g.contrast(lc.weights)
                #expect(close(r.estimate, lc.estimate, rel: 1e-10))
                #expect(close(r.standardError, lc.se, rel: 1e-10))
                #expect(close(try #require(r.pValue), lc.p, rel: 1e-10))
            }
        }
    }

    /// Groups that share PSUs are correlated: the SE of a difference is not
    /// √(SE₁² + SE₂²) (R gives the covariance a material size here).
    @Test func differenceUsesTheCovariance() throws {
        let c = try #require(try Self.expected.get().cases.first { $0.name == "clus1 mean api00 by stype" })
        let g = try design("clus1").mean("api00", by: ["stype"])
        let independent = (c.se[0] * c.se[0] + c.se[1] * c.se[1]).squareRoot()
        let d = try g.pairwiseDifferences().contrasts[0]
        #expect(abs(d.standardError - independent) > 0.05 * independent)
        #expect(close(d.standardError, c.pairs[0].se, rel: 1e-10))
    }

    @Test func emptyGroupsAreFlaggedAndNamed() throws {
        // A group whose rows all lack the variable: listed with no estimate and a note;
        // a contrast that weights it names it; pairs with it are skipped.
        var data = try DatasetLoader.load(Fixture.path("Fixtures/reference/design/apistrat.csv"))
        let stype = try data.variable("stype").values
        let api = try data.variable("api00").values
        try data.add(Variable(name: "api00_gap", values: zip(stype, api).map { $0 == 2 ? .nan : $1 }))
        let d = try SurveyDesign(data: data, weight: "pw", strata: "stype", fpc: "fpc")
        let g = try d.mean("api00_gap", by: ["stype"])
        #expect(g.groups.count == 3)
        #expect(g.groups[1].estimate == nil && g.groups[1].note?.contains("no valid answer") == true)
        #expect(g.groups[0].estimate != nil && g.groups[2].estimate != nil)
        do { _ = try g.contrast([0, 1, -1]); Issue.record("no error") } catch let e {
            guard case .emptyDomain(let m) = e else { Issue.record("\(e)"); return }
            #expect(m.contains("stype = 2"))
        }
        let diffs = try g.pairwiseDifferences(adjustment: .holm)
        #expect(diffs.contrasts.count == 1 && diffs.skipped.count == 2)
        // the other groups equal the ungapped estimates (domains keep every row)
        let full = try d.mean("api00", by: ["stype"])
        #expect(close(try #require(g.groups[0].estimate).standardError, try #require(full.groups[0].estimate).standardError, rel: 1e-12))
        // no group at all with an answer: an error naming the variable and the domain
        #expect(throws: BarometerError.self) { _ = try d.mean("api00", by: ["stype"], domain: d.domain(where: "api00 > 5000")) }
        // unknown grouping variable: suggestions
        #expect(throws: BarometerError.unknownVariable("stpe", suggestions: ["stype"])) { _ = try d.mean("api00", by: ["stpe"]) }
    }
}
