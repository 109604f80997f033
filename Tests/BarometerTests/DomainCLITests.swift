import Foundation
import Testing

/// `--where` on every estimating command, `--by/--compare/--adjust` and the
/// `ratio` command end to end, against pandas (domain masks) and R survey
/// (svyby + svycontrast).
@Suite struct DomainCLITests {
    static let strings = ["Fixtures/reference/domains/strings.csv", "--codebook", "Fixtures/reference/domains/strings.codebook.json"]
    struct DomainCase: Decodable { let expression: String; let count: Int; let weighted: Double }
    struct Domains: Decodable { let cases: [DomainCase] }

    func reference(_ expression: String) throws -> DomainCase {
        try #require(try Fixture.decode(Domains.self, "Fixtures/reference/domains/expected.json").cases.first { $0.expression == expression })
    }

    func json(_ args: [String]) throws -> [String: Any] {
        let r = try CLI.run(args + ["--format", "json"])
        #expect(r.status == 0, "\(args): \(r.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    /// The same `--where` gives every command the base pandas computes for that domain.
    @Test func whereGivesEveryCommandThePandasDomain() throws {
        let domain = try reference("age in 18-29")
        let valid = try reference("age in 18-29 and q is valid")
        let answered = try reference("age in 18-29 and q is not sysmis")
        let w = ["--where", "age in 18-29"]
        let freq = try json(["freq"] + Self.strings + ["q"] + w)
        #expect(freq["totalCount"] as? Int == domain.count)
        #expect(close(try #require(freq["totalWeighted"] as? Double), domain.weighted, rel: 1e-12))
        #expect((freq["base"] as? String)?.contains("age in {18-29}") == true)
        let xt = try json(["crosstab"] + Self.strings + ["--rows", "q", "--cols", "region"] + w)
        let layer = try #require((xt["layers"] as? [[String: Any]])?.first)
        #expect(layer["totalCount"] as? Int == domain.count)
        #expect(close(try #require(layer["totalWeighted"] as? Double), domain.weighted, rel: 1e-12))
        let share = try json(["share"] + Self.strings + ["--of", "q in 1,2", "--all-in-domain"] + w)
        #expect(share["denominatorCount"] as? Int == domain.count)
        #expect(close(try #require(share["denominatorWeighted"] as? Double), domain.weighted, rel: 1e-12))
        let validShare = try json(["share"] + Self.strings + ["--of", "q in 1,2"] + w)
        #expect(validShare["denominatorCount"] as? Int == valid.count)
        let mr = try json(["mrset"] + Self.strings + ["q"] + w)
        #expect(mr["caseCount"] as? Int == answered.count)
        #expect(close(try #require(mr["caseWeighted"] as? Double), answered.weighted, rel: 1e-12))
        for command in ["mean", "total"] {
            let m = try json([command] + Self.strings + ["age"] + w)
            let e = try #require((m["estimates"] as? [[String: Any]])?.first)
            #expect(e["count"] as? Int == domain.count, "\(command)")
            #expect(close(try #require(e["weightedCount"] as? Double), domain.weighted, rel: 1e-12), "\(command)")
        }
        let ratio = try json(["ratio"] + Self.strings + ["--numerator", "age", "--denominator", "w"] + w)
        let r = try #require((ratio["estimates"] as? [[String: Any]])?.first)
        #expect(r["count"] as? Int == domain.count)
        for command in [["corr", "age", "q"], ["pcorr", "age", "q", "--control", "w"]] {
            let c = try json([command[0]] + Self.strings + Array(command.dropFirst()) + w)
            let counts = try #require(c["counts"] as? [[Int]])
            #expect(counts[0][1] == valid.count, "\(command)")
            #expect((c["rule"] as? String)?.contains("domain: age in {18-29}") == true)
        }
    }

    /// `banner --where`: the book's domain is the pandas domain (the Total column's base).
    @Test func bannerTakesWhere() throws {
        let expression = "lang == \"Kazakh\" and wave == 2019"
        let domain = try reference(expression)
        let r = try CLI.run(["banner", "Fixtures/surveys/kz2019-synthetic.csv", "--codebook", "Fixtures/surveys/kz2019-synthetic.codebook.json",
                             "--rows", "q_russia_opinion", "--cols", "agegroup", "--base", "all", "--where", expression])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("lang = Kazakh and wave = Wave 2019"), "\(r.stdout)")
        #expect(r.stdout.contains("\(domain.count)"))
    }

    @Test func whereErrorsPointAtTheToken() throws {
        for command in [["freq", "q"], ["mean", "age"], ["corr", "age", "q"], ["share", "--of", "q in 1"]] {
            let r = try CLI.run([command[0]] + Self.strings + Array(command.dropFirst()) + ["--where", "age in 18-29 and (q == 1"])
            #expect(r.status != 0)
            #expect(r.stderr.contains("missing ')'") && r.stderr.contains("^"), "\(command): \(r.stderr)")
        }
        let unknown = try CLI.run(["mean"] + Self.strings + ["age", "--where", "regoin == North"])
        #expect(unknown.status != 0 && unknown.stderr.contains("unknown variable 'regoin'") && unknown.stderr.contains("'region'"))
        let label = try CLI.run(["freq"] + Self.strings + ["q", "--where", "q == 'Fine'"])
        #expect(label.stderr.contains("column 6 ('Fine')") && label.stderr.contains("\"Very good\""), "\(label.stderr)")
    }

    struct RPair: Decodable { let estimate: Double; let se: Double; let p: Double }
    struct RCase: Decodable {
        let name: String
        let estimates: [Double], se: [Double]
        let pairs: [RPair]
        let adjusted: [String: [Double]]
    }
    struct RGroups: Decodable { let jk1_scale: Double; let cases: [RCase] }

    @Test func groupedCommandsWithComparisonsEqualRSurvey() throws {
        let ref = try Fixture.decode(RGroups.self, "Fixtures/reference/groups/expected.json")
        func rcase(_ name: String) throws -> RCase { try #require(ref.cases.first { $0.name == name }) }
        let dir = "Fixtures/reference/design/"
        let runs: [(String, [String], String)] = [
            ("clus1 mean api00 by stype where api99 > 600",
             ["mean", dir + "apiclus1.csv", "api00", "--weight", "pw", "--psu", "dnum", "--fpc", "fpc", "--by", "stype",
              "--where", "api99 > 600"], "holm"),
            ("strat mean api00 by stype+sch_wide",
             ["mean", dir + "apistrat.csv", "api00", "--weight", "pw", "--strata", "stype", "--fpc", "fpc",
              "--by", "stype", "--by", "sch_wide"], "bh"),
            ("strat total enroll by sch_wide",
             ["total", dir + "apistrat.csv", "enroll", "--weight", "pw", "--strata", "stype", "--fpc", "fpc", "--by", "sch_wide"], "bonferroni"),
            ("jk1 ratio api_stu/enroll by sch_wide",
             ["ratio", dir + "apiclus1.csv", "--numerator", "api_stu", "--denominator", "enroll", "--weight", "pw",
              "--repweights", "^jk1_", "--repmethod", "jk1", "--rep-scale", String(ref.jk1_scale), "--by", "sch_wide"], "holm"),
            ("clus1 mean api00 by one_psu",
             ["mean", dir + "apiclus1.csv", "api00", "--weight", "pw", "--psu", "dnum", "--fpc", "fpc", "--by", "dnum == 413"], "holm"),
        ]
        for (name, args, adjust) in runs {
            let c = try rcase(name)
            let out = try json(args + ["--compare", "--adjust", adjust])
            let result = try #require((out["result"] as? [[String: Any]])?.first)
            let groups = try #require(result["groups"] as? [[String: Any]])
            #expect(groups.count == c.estimates.count, "\(name)")
            for (g, (e, se)) in zip(groups, zip(c.estimates, c.se)) {
                let est = try #require(g["estimate"] as? [String: Any])
                #expect(close(try #require(est["estimate"] as? Double), e, rel: 1e-10), "\(name)")
                #expect(close(try #require(est["standardError"] as? Double), se, rel: 1e-10), "\(name)")
            }
            let diffs = try #require((out["differences"] as? [[String: Any]])?.first?["contrasts"] as? [[String: Any]])
            #expect(diffs.count == c.pairs.count)
            let adjusted = try #require(c.adjusted[adjust])
            for (i, (d, p)) in zip(diffs, c.pairs).enumerated() {
                #expect(close(try #require(d["estimate"] as? Double), p.estimate, rel: 1e-10, abs: 1e-9), "\(name) \(i)")
                #expect(close(try #require(d["standardError"] as? Double), p.se, rel: 1e-10), "\(name) \(i)")
                #expect(close(try #require(d["pValue"] as? Double), p.p, rel: 1e-10), "\(name) \(i)")
                #expect(close(try #require(d["adjustedPValue"] as? Double), adjusted[i], rel: 1e-10), "\(name) \(i)")
            }
        }
        // share --by --compare: the table's rows are R's group shares (design SE), the differences R's contrasts
        for (name, design) in [("clus1 share api00>700 by stype", ["--psu", "dnum", "--fpc", "fpc"]),
                               ("jk1 share api00>700 by stype", ["--repweights", "^jk1_", "--repmethod", "jk1", "--rep-scale", String(ref.jk1_scale)])] {
            let c = try rcase(name)
            let out = try json(["share", dir + "apiclus1.csv", "--of", "api00 > 700", "--by", "stype", "--weight", "pw",
                                "--compare", "--adjust", "holm"] + design)
            let rows = try #require((out["result"] as? [String: Any])?["rows"] as? [[String: Any]])
            #expect(rows.count == c.estimates.count)
            for (row, (e, se)) in zip(rows, zip(c.estimates, c.se)) {
                let share = try #require(row["share"] as? [String: Any])
                #expect(close(try #require(share["estimate"] as? Double), e, rel: 1e-10), "\(name)")
                #expect(close(try #require(share["designStandardError"] as? Double), se, rel: 1e-10), "\(name)")
            }
            let diffs = try #require((out["differences"] as? [[String: Any]])?.first?["contrasts"] as? [[String: Any]])
            for (i, (d, p)) in zip(diffs, c.pairs).enumerated() {
                #expect(close(try #require(d["estimate"] as? Double), p.estimate, rel: 1e-10, abs: 1e-14), "\(name) \(i)")
                #expect(close(try #require(d["standardError"] as? Double), p.se, rel: 1e-10), "\(name) \(i)")
                #expect(close(try #require(d["adjustedPValue"] as? Double), try #require(c.adjusted["holm"])[i], rel: 1e-10), "\(name) \(i)")
            }
        }
        // text output: the group table then the differences, labelled
        let text = try CLI.run(["mean", dir + "apiclus1.csv", "api00", "--weight", "pw", "--psu", "dnum", "--fpc", "fpc",
                                "--by", "stype", "--compare", "--adjust", "holm"])
        #expect(text.stdout.contains("Design-based mean(api00) by stype") && text.stdout.contains("Differences between groups"))
        #expect(text.stdout.contains("stype = 1 − stype = 2") && text.stdout.contains("holm"))
        let bad = try CLI.run(["mean", dir + "apiclus1.csv", "api00", "--compare"])
        #expect(bad.status != 0 && bad.stderr.contains("--compare needs --by"))
    }

    /// `share --of/--by` with a threshold and a text variable.
    @Test func shareTakesThresholdsAndTextVariables() throws {
        let byRegion = try json(["share"] + Self.strings + ["--of", "age > 40", "--by", "region"])
        let rows = try #require(byRegion["rows"] as? [[String: Any]])
        let labels = rows.compactMap { ($0["category"] as? [String: Any])?["label"] as? String }
        #expect(labels == ["East", "North", "South", "West"])
        let north = try json(["share"] + Self.strings + ["--of", "age >= 30", "--among", "region in North, South"])
        let ref = try reference("region in North, South and age >= 30")
        #expect(north["numeratorCount"] as? Int == ref.count)
        #expect(close(try #require(north["numeratorWeighted"] as? Double), ref.weighted, rel: 1e-12))
    }
}
