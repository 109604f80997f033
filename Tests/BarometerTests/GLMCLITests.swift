import Foundation
import Testing

/// `barometer glm` end to end: JSON equals R svyglm on the fixture; formula errors name the column.
@Suite struct GLMCLITests {
    @Test func logisticOnTheFixture() throws {
        let r = try CLI.run(["glm", "Fixtures/surveys/kz2019-synthetic.csv", "--codebook", "Fixtures/surveys/kz2019-synthetic.codebook.json",
                             "q_us_opinion ~ factor(q_russia_opinion) + q_leader_opinion", "--family", "binomial",
                             "--success", "1,2", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let coefs = try #require(json["coefficients"] as? [[String: Any]])
        let ref = try #require(try Fixture.json("Fixtures/reference/models/expected.json") as? [String: Any])
        let kz = try #require(ref["kz_logit"] as? [String: Any])
        let est = try #require(kz["coef"] as? [Double]), se = try #require(kz["se"] as? [Double])
        #expect(coefs.count == est.count)
        for (j, c) in coefs.enumerated() where j < est.count {
            #expect(close(try #require(c["estimate"] as? Double), est[j], rel: 1e-8))
            #expect(close(try #require(c["standardError"] as? Double), se[j], rel: 1e-8))
        }
        #expect((json["degreesOfFreedom"] as? Int) == Int(try #require((kz["df"] as? [Double])?.first)))
        #expect((coefs[1]["levelLabel"] as? String) == "Somewhat favorable")
    }

    @Test func formulaErrorExitsNonZero() throws {
        let r = try CLI.run(["glm", "Fixtures/reference/design/apistrat.csv", "api00 ~ enroll + + stype"])
        #expect(r.status != 0)
        #expect(r.stderr.contains("column 18"), "\(r.stderr)")
    }

    @Test func quantilesUnderStrata() throws {
        let r = try CLI.run(["quantile", "Fixtures/reference/design/apistrat.csv", "api00", "--weight", "pw", "--strata", "stype",
                             "--fpc", "fpc", "--q", "0.1,0.5,0.9", "--rule", "hf7", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let qs = try #require(json["quantiles"] as? [[String: Any]])
        let ref = try #require(try Fixture.json("Fixtures/reference/quantiles/expected.json") as? [String: Any])
        let c = try #require(ref["strat_api00_hf7"] as? [String: Any])
        let est = try #require(c["quantile"] as? [Double]), lo = try #require(c["lower"] as? [Any]).map { $0 as? Double ?? .nan }
        for (j, k) in [1, 3, 5].enumerated() {
            #expect(close(try #require(qs[j]["estimate"] as? Double), est[k], rel: 1e-10))
            #expect(close(try #require(qs[j]["lower"] as? Double), lo[k], rel: 1e-10))
        }
    }

    @Test func ordinalOnTheFixture() throws {
        let r = try CLI.run(["olr", "Fixtures/surveys/kz2019-synthetic.csv", "--codebook", "Fixtures/surveys/kz2019-synthetic.codebook.json",
                             "q_us_opinion ~ factor(q_russia_opinion) + q_leader_opinion", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let ref = try #require(try Fixture.json("Fixtures/reference/models/expected_olr.json") as? [String: Any])
        let kz = try #require(ref["kz_olr"] as? [String: Any])
        let zeta = try #require(kz["zeta"] as? [Double])
        let thresholds = try #require(json["thresholds"] as? [[String: Any]])
        #expect(thresholds.count == zeta.count)
        for (j, z) in thresholds.enumerated() where j < zeta.count {
            #expect(close(try #require(z["estimate"] as? Double), zeta[j], rel: 1e-6))
        }
    }
}
