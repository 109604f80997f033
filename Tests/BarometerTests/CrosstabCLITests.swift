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
        #expect((j["base"] as? [String: Any])?["description"] as? String == "valid answers to us within rus in {1,2}")
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
}
