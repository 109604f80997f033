import Foundation
import Testing

/// The command-line tool end to end: output formats, the documented JSON
/// schema, and typed errors with a non-zero exit status.
@Suite struct CLITests {
    static let csv = "Fixtures/reference/frequencies/weighted-dk.csv"
    static let codebook = "Fixtures/reference/frequencies/weighted-dk.codebook.json"

    struct PandasRef: Decodable {
        struct Row: Decodable { let count: Int; let weighted: Double; let percent: Double }
        struct Table: Decodable { let rows: [Row]; let totalWeighted: Double }
        let tables: [String: Table]
    }

    @Test func freqJSONFollowsTheDocumentedSchemaAndMatchesPandas() throws {
        let r = try CLI.run(["freq", Self.csv, "--codebook", Self.codebook, "opinion", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        for key in ["variable", "label", "weight", "base", "rows", "totalCount", "totalWeighted", "validCount",
                    "validWeighted", "effectiveSize", "weightingDesignEffect"] {
            #expect(json[key] != nil, "missing key \(key)")
        }
        let rows = try #require(json["rows"] as? [[String: Any]])
        let ref = try #require(try Fixture.decode(PandasRef.self, "Fixtures/reference/frequencies/expected-pandas.json").tables["opinion"])
        #expect(rows.count == ref.rows.count)
        for (row, e) in zip(rows, ref.rows) {
            #expect(row["count"] as? Int == e.count)
            #expect(close(try #require(row["weightedCount"] as? Double), e.weighted))
            #expect(close(try #require(row["percent"] as? Double), e.percent))
            let category = try #require(row["category"] as? [String: Any])
            #expect(category["label"] is String && category["status"] is String)
        }
    }

    @Test func tableMarkdownAndCSVFormats() throws {
        let table = try CLI.run(["freq", Self.csv, "--codebook", Self.codebook, "opinion"])
        #expect(table.stdout.contains("Don't know") && table.stdout.contains("Base: all respondents"))
        let md = try CLI.run(["freq", Self.csv, "--codebook", Self.codebook, "opinion", "--format", "markdown"])
        #expect(md.stdout.contains("| Very favorable | 1 |"))
        let csv = try CLI.run(["freq", Self.csv, "--codebook", Self.codebook, "opinion", "--format", "csv"])
        let lines = csv.stdout.split(separator: "\r\n")
        #expect(lines.first == "Category,Code,n,Weighted,Percent,Valid %,Cum. %")
        #expect(lines.contains { $0.hasPrefix("Don't know,8,") })
    }

    @Test func describeListsMissingCodesAndWeight() throws {
        let r = try CLI.run(["describe", Self.csv, "--codebook", Self.codebook, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(json["rowCount"] as? Int == 600)
        #expect(json["weight"] as? String == "wt")
        let vars = try #require(json["variables"] as? [[String: Any]])
        let opinion = try #require(vars.first { $0["name"] as? String == "opinion" })
        #expect(opinion["missingCodes"] as? [Double] == [8, 9])
        #expect(opinion["level"] as? String == "ordinal")
    }

    @Test func unknownVariableIsAClearErrorWithSuggestion() throws {
        let r = try CLI.run(["freq", Self.csv, "--codebook", Self.codebook, "opinon"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("unknown variable 'opinon'") && r.stderr.contains("'opinion'"))
    }

    @Test func malformedCSVNamesLineAndColumn() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("bad.csv")
        try "a,b\n1,2\n3,x\n".write(to: file, atomically: true, encoding: .utf8)
        // The bad cell is in the column tabulated (a command reads only the columns it uses).
        let r = try CLI.run(["freq", file.path, "b"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("line 3") && r.stderr.contains("column 2"), "\(r.stderr)")
    }

    @Test func negativeWeightNamesTheRow() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("w.csv")
        try "q,w\n1,1\n2,-0.5\n".write(to: file, atomically: true, encoding: .utf8)
        let r = try CLI.run(["freq", file.path, "q", "--weight", "w"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("row 2") && r.stderr.contains("-0.5"), "\(r.stderr)")
    }

    @Test func designOptionsReproduceRSurvey() throws {
        let ref = try #require(try Fixture.json("Fixtures/reference/design/expected.json") as? [String: Any])
        func rstat(_ k: String) throws -> (Double, Double) {
            let d = try #require(ref[k] as? [String: Any])
            return (try #require(d["estimate"] as? Double), try #require(d["se"] as? Double))
        }
        func first(_ args: [String]) throws -> [String: Any] {
            let r = try CLI.run(args + ["--format", "json"])
            #expect(r.status == 0, "\(r.stderr)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            return try #require((json["estimates"] as? [[String: Any]])?.first)
        }
        let strat = try first(["mean", "Fixtures/reference/design/apistrat.csv", "api00", "--weight", "pw",
                               "--strata", "stype", "--fpc", "fpc"])
        let (e1, s1) = try rstat("strat_mean_api00")
        let se1 = try #require(strat["standardError"] as? Double), est1 = try #require(strat["estimate"] as? Double)
        #expect(close(est1, e1) && close(se1, s1))
        let jk = try first(["mean", "Fixtures/reference/design/apiclus1.csv", "api00", "--weight", "pw",
                            "--repweights", "^jk1_", "--repmethod", "jk1", "--rep-scale", "\(14.0 / 15 * (1 - 15.0 / 757))"])
        let (_, s2) = try rstat("jk1_mean_api00")
        let se2 = try #require(jk["standardError"] as? Double)
        #expect(close(se2, s2, rel: 1e-9))
        let bad = try CLI.run(["mean", "Fixtures/reference/design/apiclus1.csv", "api00", "--repweights", "^jk1_"])
        #expect(bad.status != 0 && bad.stderr.contains("--repmethod"))
    }

    @Test func shareAndCrosstabStatisticsUseTheDesign() throws {
        let ref = try #require(try Fixture.json("Fixtures/reference/design/expected-extras.json") as? [String: Any])
        // svyciprop(~I(sch_wide == 1), dclus1, method = "logit")
        let r = try CLI.run(["share", "Fixtures/reference/design/apiclus1.csv", "--of", "sch_wide in 1", "--weight", "pw",
                             "--psu", "dnum", "--fpc", "fpc", "--ci", "logit", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let interval = try #require(json["interval"] as? [String: Any])
        let expected = try #require(ref["ciprop_clus1_logit"] as? [String: Any])
        let ci = try #require(expected["ci"] as? [Double])
        let lower = try #require(interval["lower"] as? Double), upper = try #require(interval["upper"] as? Double)
        let se = try #require(json["designStandardError"] as? Double)
        #expect(close(lower, ci[0], rel: 1e-8) && close(upper, ci[1], rel: 1e-8))
        #expect(close(se, try #require(expected["se"] as? Double), rel: 1e-10))
        // svychisq(~stype + sch_wide, dstrat, statistic = "F")
        let x = try CLI.run(["crosstab", "Fixtures/reference/design/apistrat.csv", "--rows", "stype", "--cols", "sch_wide",
                             "--weight", "pw", "--strata", "stype", "--fpc", "fpc", "--stats", "raoscott", "--format", "csv"])
        #expect(x.status == 0, "\(x.stderr)")
        let f = try #require(ref["chisq_strat_stype_schwide_F"] as? [String: Any])
        let line = try #require(x.stdout.split(separator: "\r\n").first { $0.hasPrefix("Rao-Scott F,") })
        let value = try #require(Double(line.split(separator: ",")[1]))
        #expect(abs(value - (try #require(f["statistic"] as? Double))) < 5e-5)   // printed to 4 decimals
    }

    @Test func partialCorrelationWithDesignStandardErrors() throws {
        let ref = try #require(try Fixture.json("Fixtures/reference/design/expected-extras.json") as? [String: Any])
        let r = try CLI.run(["pcorr", "Fixtures/reference/design/apistrat.csv", "api00", "api99", "--control", "enroll",
                             "--weight", "pw", "--strata", "stype", "--fpc", "fpc", "--format", "csv"])
        #expect(r.status == 0, "\(r.stderr)")
        let line = try #require(r.stdout.split(separator: "\r\n").first { $0.hasPrefix("\"pcorr(api00, api99 | enroll)\",") })
        let se = try #require(Double(line.split(separator: "\",")[1].split(separator: ",")[1]))
        let expected = try #require((ref["pcorr_strat_api00_api99_enroll"] as? [String: Any])?["se"] as? Double)
        #expect(abs(se - expected) < 5e-5)       // printed to 4 decimals
    }
}
