import Foundation
import Testing

/// `barometer crosstab | share | mrset` end to end on the crosstab fixture
/// CSV, against the committed references.
@Suite struct CrosstabCLITests {
    static let csv = "Fixtures/reference/crosstab/survey_weighted.csv"
    static let codebook = "Fixtures/reference/crosstab/survey_weighted.codebook.json"

    func json(_ args: [String]) throws -> [String: Any] {
        let r = try CLI.run(args + ["--codebook", Self.codebook, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    @Test func shareJSONMatchesSvyciprop() throws {
        struct R: Decodable { let logit: [Double?] }
        struct Ref: Decodable { let shares: [String: R] }
        let e = try #require(try Fixture.decode(Ref.self, "Fixtures/reference/crosstab/svy_reference.json").shares["us12_among_rus12"])
        let j = try json(["share", Self.csv, "--of", "us in 1,2", "--among", "rus in {1,2}", "--ci", "logit"])
        let ci = try #require(j["interval"] as? [String: Any])
        #expect(close(try #require(ci["lower"] as? Double), try #require(e.logit[0]), rel: 1e-8))
        #expect(close(try #require(ci["upper"] as? Double), try #require(e.logit[1]), rel: 1e-8))
        #expect((j["base"] as? [String: Any])?["description"] as? String == "valid answers to us within rus in {Very favorable, Somewhat favorable}")
    }

    @Test func crosstabAndMrsetRun() throws {
        let t = try json(["crosstab", Self.csv, "--rows", "rus", "--cols", "us", "--layer", "region", "--percent", "row"])
        #expect((t["layers"] as? [Any])?.count == 3)
        let m = try json(["mrset", Self.csv, "reason1", "reason2", "--exclude", "99"])
        #expect(m["excluded"] as? [Double] == [99])
        let text = try CLI.run(["crosstab", Self.csv, "--codebook", Self.codebook, "--rows", "rus", "--cols", "us", "--exclude-missing"])
        #expect(text.stdout.contains("Base: valid answers to rus, us (listwise)."))
    }

    @Test func badInputFailsWithAMessage() throws {
        let bad = try CLI.run(["share", Self.csv, "--codebook", Self.codebook, "--of", "us 1,2"])
        #expect(bad.status != 0)
        let unknown = try CLI.run(["crosstab", Self.csv, "--codebook", Self.codebook, "--rows", "russ", "--cols", "us"])
        #expect(unknown.status != 0 && unknown.stderr.contains("rus"))
        let empty = try CLI.run(["share", Self.csv, "--codebook", Self.codebook, "--of", "us in 1", "--among", "region in 7"])
        #expect(empty.status != 0 && empty.stderr.contains("empty domain"))
    }

    /// Issues 15.3-15.5: tests on the valid answers by default, the design-based Rao-Scott F
    /// first under weights, df = degf(subset(design, valid)) also per layer; against
    /// make_crosstab_tests.R (svychisq on the valid-answer subsets).
    @Test func crosstabTestsFollowSvychisqOnTheValidAnswers() throws {
        struct Run: Decodable {
            let F: Double; let Fndf: Double; let Fddf: Double; let Fp: Double
            let adjWaldF: Double; let adjWaldDdf: Double; let waldF: Double; let waldDdf: Double; let waldP: Double
            let pearsonUnadjusted: Double
        }
        struct Ref: Decodable { let valid: Run; let layers: [Run] }
        let ref = try Fixture.decode(Ref.self, "Fixtures/reference/crosstab/crosstab_tests.json")
        func lines(_ j: [String: Any]) throws -> [[[String: Any]]] {
            let stats = try #require(j["statistics"] as? [[String: Any]])
            return try stats.map { try #require($0["lines"] as? [[String: Any]]) }
        }
        func check(_ ls: [[String: Any]], _ r: Run) throws {
            let names = ls.compactMap { $0["statistic"] as? String }
            #expect(names.first == "Rao-Scott F")
            #expect(Set(names).count == names.count)
            #expect(!names.contains { $0.hasPrefix("Pearson chi-square") })
            func line(_ n: String) throws -> [String: Any] { try #require(ls.first { $0["statistic"] as? String == n }) }
            let f = try line("Rao-Scott F")
            #expect(close(try #require(f["value"] as? Double), r.F, rel: 1e-10))
            #expect(close(try #require(f["degreesOfFreedom"] as? Double), r.Fndf, rel: 1e-10))
            #expect(close(try #require(f["denominatorDF"] as? Double), r.Fddf, rel: 1e-10))
            #expect(close(try #require(f["pValue"] as? Double), r.Fp, rel: 1e-8))
            let aw = try line("Adjusted Wald F")
            #expect(close(try #require(aw["value"] as? Double), r.adjWaldF, rel: 1e-10))
            #expect(aw["denominatorDF"] as? Double == r.adjWaldDdf)
            let wd = try line("Wald F (unadjusted)")
            #expect(close(try #require(wd["value"] as? Double), r.waldF, rel: 1e-10))
            #expect(wd["denominatorDF"] as? Double == r.waldDdf)
            #expect(close(try #require(wd["pValue"] as? Double), r.waldP, rel: 1e-8))
            let x2 = try line("Pearson X² of the weighted table (unadjusted, not a test)")
            #expect(close(try #require(x2["value"] as? Double), r.pearsonUnadjusted, rel: 1e-10))
            #expect(x2["pValue"] == nil)
        }
        // default: DK/Refused shown in the table, tests on the valid answers
        let shown = try json(["crosstab", Self.csv, "--rows", "rus", "--cols", "us", "--stats", "chisq"])
        try check(try lines(shown)[0], ref.valid)
        let notes = ((shown["statistics"] as? [[String: Any]])?[0]["notes"] as? [String]) ?? []
        #expect(notes.first?.hasPrefix("Tests and measures use the valid answers only") == true)
        // --exclude-missing: the same tests
        let excluded = try json(["crosstab", Self.csv, "--rows", "rus", "--cols", "us", "--stats", "raoscott", "--exclude-missing"])
        try check(try lines(excluded)[0], ref.valid)
        // per layer: the layer and the valid answers are the subset
        let layered = try json(["crosstab", Self.csv, "--rows", "rus", "--cols", "us", "--layer", "region", "--stats", "chisq"])
        let byLayer = try lines(layered)
        #expect(byLayer.count == ref.layers.count)
        for (l, r) in zip(byLayer, ref.layers) { try check(l, r) }
        // including DK/Refused is explicit, and changes the table tested (7 × 7 with them: its
        // empty cells make the Rao-Scott test undefined, as in R, so compare Cramer's V)
        let v = try lines(try json(["crosstab", Self.csv, "--rows", "rus", "--cols", "us", "--stats", "cramer"]))[0]
        let vIncl = try lines(try json(["crosstab", Self.csv, "--rows", "rus", "--cols", "us", "--stats", "cramer",
                                        "--stats-include-missing"]))[0]
        let excl = try json(["crosstab", Self.csv, "--rows", "rus", "--cols", "us", "--stats", "cramer", "--exclude-missing"])
        #expect(v[0]["value"] as? Double == (try lines(excl))[0][0]["value"] as? Double)
        #expect(v[0]["value"] as? Double != vIncl[0]["value"] as? Double)
        // weights-as-frequencies statistics only when asked, labelled, after the design-based ones
        let freq = try json(["crosstab", Self.csv, "--rows", "rus", "--cols", "us", "--stats", "chisq,lr", "--weights-as-frequencies"])
        let names = try lines(freq)[0].compactMap { $0["statistic"] as? String }
        #expect(names.first == "Rao-Scott F")
        #expect(names.contains("Pearson chi-square (weights as frequencies, SPSS)"))
        #expect(names.contains("Likelihood ratio (weights as frequencies, SPSS)"))
        // expected counts as a display option
        let exp = try json(["crosstab", Self.csv, "--rows", "rus", "--cols", "us", "--expected"])
        #expect(((exp["statistics"] as? [[String: Any]])?[0]["expectedCounts"] as? [String: Any]) != nil)
    }
}
