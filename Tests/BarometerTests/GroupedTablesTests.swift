import Barometer
import BarometerIO
import Foundation
import Testing

/// `--by` on freq, crosstab, corr and pcorr, and differences of correlations
/// between groups (Fisher z, design-based by linearization and JK1), against
/// R (`Fixtures/reference/groups/make_grouped_tables.R`: svytable, svyby,
/// cov.wt, svycontrast of the nonlinear contrast, svrVar).
@Suite struct GroupedTablesTests {
    struct Freq: Decodable { let by: [String]; let weighted: [Double]; let counts: [Int]; let proportions: [Double]; let groupWeighted: [Double] }
    struct Crosstab: Decodable { let weighted: [Double]; let counts: [Int] }
    struct GroupCorrelation: Decodable { let group: Double; let r: [Double]; let neff: Double; let n: Int; let N: Double; let partial: Double }
    struct Fisher: Decodable { let first: Int; let second: Int; let z: Double; let p: Double; let zPartial: Double; let pPartial: Double }
    struct DesignDifference: Decodable {
        let design: String; let first: Double; let second: Double; let x: String; let y: String; let z: String
        let estimate: Double; let se: Double; let df: Int; let t: Double; let p: Double; let lower: Double; let upper: Double
    }
    struct MeanWhere: Decodable { let `where`: String; let estimate: Double; let se: Double; let df: Int; let designDF: Int; let lower: Double; let upper: Double }
    struct Expected: Decodable {
        let freq_awards: Freq, freq_awards_schwide: Freq, crosstab: Crosstab
        let correlations: [GroupCorrelation], fisher: [Fisher], designDifferences: [DesignDifference], meanWhere: MeanWhere
    }
    static let expected = Result { try Fixture.decode(Expected.self, "Fixtures/reference/groups/grouped_tables.json") }
    static let strat = "Fixtures/reference/design/apistrat.csv"

    func strat() throws -> SurveyDesign {
        try SurveyDesign(data: DatasetLoader.load(Fixture.path(Self.strat)), weight: "pw", strata: "stype", fpc: "fpc")
    }

    @Test func frequenciesPerGroupEqualRSvytable() throws {
        let e = try Self.expected.get()
        let d = try strat()
        for (ref, present) in [(e.freq_awards, [0, 1]), (e.freq_awards_schwide, [0, 2, 3])] {
            let g = try FrequencyTable.grouped(d, variable: "stype", by: ref.by)
            // R svyby drops the empty crossed group (awards = 1, sch_wide = 0); so does Barometer
            #expect(g.groups.count == present.count)
            for (k, cell) in present.enumerated() {
                let group = g.groups[k], t = try #require(group.result)
                #expect(close(group.weightedCount, ref.groupWeighted[cell], rel: 1e-12), "\(ref.by) group \(k)")
                #expect(t.rows.count == 3)
                for (c, row) in t.rows.enumerated() {
                    #expect(close(row.weightedCount, ref.weighted[c + 3 * cell], rel: 1e-12, abs: 1e-12))
                    #expect(row.count == ref.counts[c + 3 * cell])
                    #expect(close(try #require(row.validPercent) / 100, ref.proportions[c + 3 * k], rel: 1e-10))
                }
                #expect(group.count == t.totalCount)
            }
        }
        // each group's table is the plain table on domain ∧ group (one tally, same numbers)
        let g = try FrequencyTable.grouped(d, variable: "stype", by: ["awards"])
        let plain = try FrequencyTable(d, variable: "stype", domain: d.domain(where: "awards == 1"))
        #expect(g.groups[1].result?.rows == plain.rows)
    }

    @Test func crosstabLayersByGroupEqualRSvytable() throws {
        let e = try Self.expected.get().crosstab
        let t = try ContingencyTable(try strat(), rows: "stype", columns: "sch_wide", by: ["awards"])
        #expect(t.layers.count == 2 && t.layerVariables == ["awards"])
        for (l, layer) in t.layers.enumerated() {
            for i in 0..<3 { for j in 0..<2 {
                #expect(close(layer.weighted[i][j], e.weighted[i + 3 * j + 6 * l], rel: 1e-12, abs: 1e-12))
                #expect(layer.counts[i][j] == e.counts[i + 3 * j + 6 * l])
            } }
        }
    }

    @Test func correlationsPerGroupAndFisherZEqualR() throws {
        let e = try Self.expected.get()
        let d = try strat()
        let vars = ["api00", "api99", "enroll"]
        let g = try Correlation.matrix(d, variables: vars, by: ["stype"])
        let p = try Correlation.partialMatrix(d, variables: ["api00", "api99"], controlling: ["enroll"], by: ["stype"])
        #expect(g.groups.count == 3 && p.groups.count == 3)
        for (k, ref) in e.correlations.enumerated() {
            let m = try #require(g.groups[k].result)
            #expect(g.groups[k].count == ref.n && close(g.groups[k].weightedCount, ref.N, rel: 1e-12))
            for i in 0..<3 { for j in 0..<3 where i != j {
                #expect(close(try #require(m.estimates[i][j]), ref.r[i + 3 * j], rel: 1e-10), "group \(k) r[\(i),\(j)]")
                #expect(close(m.testSizes[i][j], ref.neff, rel: 1e-10))
            } }
            #expect(close(try #require(p.groups[k].result?.estimates[0][1]), ref.partial, rel: 1e-10))
        }
        let diffs = try g.differences(adjustment: .holm)
        let partialDiffs = try p.differences()
        for f in e.fisher {
            let a = g.groups[f.first].label, b = g.groups[f.second].label
            let zero = try #require(diffs.differences.first { $0.first == a && $0.second == b && $0.variables == ["api00", "enroll"] })
            let zz = try #require(zero.z), zp = try #require(zero.pValue)
            #expect(close(zz, f.z, rel: 1e-10) && close(zp, f.p, rel: 1e-10))
            #expect(zero.designBased == nil)
            let part = try #require(partialDiffs.differences.first { $0.first == a && $0.second == b })
            #expect(part.controls == ["enroll"])
            let pz = try #require(part.z), pp = try #require(part.pValue)
            #expect(close(pz, f.zPartial, rel: 1e-10) && close(pp, f.pPartial, rel: 1e-10))
        }
        // Holm over the 9 differences (3 pairs × 3 group pairs), as R p.adjust
        let raw = diffs.differences.map { $0.pValue ?? .nan }
        #expect(zip(diffs.differences.map { $0.adjustedPValue ?? .nan }, PValueAdjustment.holm.adjust(raw)).allSatisfy { close($0, $1, rel: 1e-15) })
    }

    @Test func designBasedDifferenceOfCorrelationsEqualsRSvycontrastAndReplicates() throws {
        let e = try Self.expected.get().designDifferences
        #expect(e.count == 5)
        for c in e {
            let d = try GroupedEstimatesTests().design(c.design)
            let z = c.z.isEmpty ? [] : [c.z]
            let stype = try d.variable("stype").values
            let a = Domain(mask: stype.map { $0 == c.first }, description: "a"), b = Domain(mask: stype.map { $0 == c.second }, description: "b")
            let r = try d.correlationDifference(c.x, c.y, controlling: z, first: a, second: b, degreesOfFreedom: d.degreesOfFreedom)
            #expect(close(r.estimate, c.estimate, rel: 1e-10), "\(c.design) \(c.x)×\(c.y): \(r.estimate) vs \(c.estimate)")
            #expect(close(r.standardError, c.se, rel: 1e-10), "\(c.design) \(c.x)×\(c.y) SE: \(r.standardError) vs \(c.se)")
            #expect(r.degreesOfFreedom == c.df)
            let rt = try #require(r.statistic), rp = try #require(r.pValue)
            // p: t agrees to 1e-10; the p-value's relative error is |t·f(t)/p| times that (≈ 10 here)
            #expect(close(rt, c.t, rel: 1e-10) && close(rp, c.p, rel: 1e-9))
            #expect(close(r.lower, c.lower, rel: 1e-10) && close(r.upper, c.upper, rel: 1e-10))
            // the same through the grouped matrices (t on the design's df)
            let grouped = z.isEmpty ? try Correlation.matrix(d, variables: [c.x, c.y], by: ["stype"])
                                    : try Correlation.partialMatrix(d, variables: [c.x, c.y], controlling: z, by: ["stype"])
            let all = try grouped.differences(design: d)
            let la = grouped.groups.first { $0.categories[0].code == c.first }?.label
            let lb = grouped.groups.first { $0.categories[0].code == c.second }?.label
            let hit = try #require(all.differences.first { $0.first == la && $0.second == lb }?.designBased)
            #expect(close(hit.standardError, c.se, rel: 1e-10) && hit.degreesOfFreedom == c.df)
        }
        // groups sharing PSUs (cluster design): the SE is not that of independent groups
        let clus = try GroupedEstimatesTests().design("clus1")
        let one = try clus.correlation("api00", "enroll", domain: clus.domain(where: "stype == 1"))
        let three = try clus.correlation("api00", "enroll", domain: clus.domain(where: "stype == 3"))
        let c = try #require(e.first { $0.design == "clus1" && $0.z.isEmpty })
        let independent = (one.standardError * one.standardError + three.standardError * three.standardError).squareRoot()
        #expect(abs(c.se - independent) > 0.01 * independent)
    }

    /// `mean --where` uses the domain's df, R `degf(subset(design, …))`, as
    /// the grouped estimates, shares and correlations do.
    @Test func meanWhereUsesTheDomainDegreesOfFreedom() throws {
        let m = try Self.expected.get().meanWhere
        let d = try GroupedEstimatesTests().design("clus1")
        let e = try #require(try d.mean(["api00"], domain: d.domain(where: m.where)).estimates.first)
        #expect(m.df < m.designDF)
        #expect(e.degreesOfFreedom == m.df)
        #expect(close(e.estimate, m.estimate, rel: 1e-12) && close(e.standardError, m.se, rel: 1e-10))
        #expect(close(e.lower, m.lower, rel: 1e-10) && close(e.upper, m.upper, rel: 1e-10))
        let r = try CLI.run(["mean", Fixture.path("Fixtures/reference/design/apiclus1.csv"), "api00", "--weight", "pw",
                             "--psu", "dnum", "--fpc", "fpc", "--where", m.where, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("\"degreesOfFreedom\" : \(m.df)") || r.stdout.contains("\"degreesOfFreedom\":\(m.df)"))
    }

    @Test func groupsWithoutAResultAreFlaggedAndNamed() throws {
        var data = try DatasetLoader.load(Fixture.path(Self.strat))
        // 'tiny' = 1 on two rows only: too few for a correlation in that group
        let n = data.rowCount
        try data.add(Variable(name: "tiny", values: (0..<n).map { $0 < 2 ? 1 : 0 }))
        let d = try SurveyDesign(data: data, weight: "pw")
        let g = try Correlation.matrix(d, variables: ["api00", "api99"], by: ["tiny"])
        #expect(g.groups.count == 2)
        #expect(g.groups[1].result == nil && g.groups[1].count == 2)
        #expect(g.groups[1].note?.contains("rows") == true, "\(g.groups[1].note ?? "")")
        #expect(g.groups[0].result != nil)
        // pairs with a group without a matrix are left out of the differences
        #expect(try g.differences().differences.isEmpty)
        // zero weight in a group: the frequency table says so in a flagged row
        var w = try data.variable("pw"); w.values = w.values.enumerated().map { $0.offset < 2 ? 0 : $0.element }
        try data.replace(w)
        let f = try FrequencyTable.grouped(try SurveyDesign(data: data, weight: "pw"), variable: "stype", by: ["tiny"])
        #expect(f.groups[1].result == nil && f.groups[1].note?.contains("positive weight") == true, "\(f.groups[1].note ?? "")")
        // no group at all in the domain: an error naming the grouping variables and the domain
        #expect(throws: BarometerError.self) { _ = try FrequencyTable.grouped(d, variable: "stype", by: ["tiny"], domain: d.domain(where: "api00 > 5000")) }
        // unknown variables: the grouping variable, and inside a --by expression
        #expect(throws: BarometerError.unknownVariable("awrds", suggestions: ["awards"])) { _ = try FrequencyTable.grouped(d, variable: "stype", by: ["awrds"]) }
        #expect(throws: BarometerError.unknownVariable("awrds", suggestions: ["awards"])) {
            var data = try DatasetLoader.load(Fixture.path(Self.strat)); _ = try data.groupingVariable("awrds == 1")
        }
    }

    @Test func cliCarriesGroupsAndDifferences() throws {
        let file = Fixture.path(Self.strat)
        let f = try CLI.run(["freq", file, "stype", "--weight", "pw", "--by", "awards", "--format", "json"])
        #expect(f.status == 0, "\(f.stderr)")
        let fj = try #require(try JSONSerialization.jsonObject(with: Data(f.stdout.utf8)) as? [String: Any])
        let groups = try #require((fj["result"] as? [String: Any])?["groups"] as? [[String: Any]])
        #expect(groups.count == 2 && groups[0]["label"] as? String == "awards = 0" && groups[0]["count"] as? Int == 87)
        #expect(close(try #require(groups[1]["weightedCount"] as? Double), try Self.expected.get().freq_awards.groupWeighted[1], rel: 1e-12))
        let c = try CLI.run(["corr", file, "api00", "enroll", "--weight", "pw", "--strata", "stype", "--fpc", "fpc",
                             "--by", "stype", "--compare", "--adjust", "holm", "--format", "json"])
        #expect(c.status == 0, "\(c.stderr)")
        let cj = try #require(try JSONSerialization.jsonObject(with: Data(c.stdout.utf8)) as? [String: Any])
        let diffs = try #require((cj["differences"] as? [String: Any])?["differences"] as? [[String: Any]])
        #expect(diffs.count == 3)
        let ref = try #require(try Self.expected.get().designDifferences.first { $0.design == "strat" })
        let d13 = try #require(diffs.first { $0["first"] as? String == "stype = 1" && $0["second"] as? String == "stype = 3" })
        #expect(close(try #require((d13["designBased"] as? [String: Any])?["standardError"] as? Double), ref.se, rel: 1e-10))
        #expect((cj["designBased"] as? [Any])?.count == 3)
        // text: the group table, each group's matrix, then the differences
        let t = try CLI.run(["pcorr", file, "api00", "api99", "--control", "enroll", "--weight", "pw", "--by", "stype", "--compare"])
        #expect(t.status == 0 && t.stdout.contains("[stype = 2]") && t.stdout.contains("Differences of correlations"), "\(t.stderr)")
        let x = try CLI.run(["crosstab", file, "--rows", "stype", "--cols", "sch_wide", "--weight", "pw", "--by", "awards", "--format", "json"])
        #expect(x.status == 0 && x.stdout.contains("\"layerVariables\""), "\(x.stderr)")
        // --compare has no meaning for freq/crosstab: a clear refusal
        let bad = try CLI.run(["freq", file, "stype", "--by", "awards", "--compare"])
        #expect(bad.status != 0 && bad.stderr.contains("--compare applies to"))
        let unknown = try CLI.run(["freq", file, "stype", "--by", "awrds > 0"])
        #expect(unknown.status != 0 && unknown.stderr.contains("awrds") && unknown.stderr.contains("awards"))
    }
}
