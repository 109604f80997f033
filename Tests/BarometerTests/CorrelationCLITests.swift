import Barometer
import Foundation
import Testing

/// `barometer corr` / `barometer pcorr` end to end on the committed CSV
/// fixtures, compared with the same references as the library tests.
@Suite struct CorrelationCLITests {
    struct Out: Decodable {
        let estimates: [[Double?]], counts: [[Int]], pValues: [[Double?]], rule: String, controls: [String]
    }
    let ref: CorrelationTests.Ref
    init() throws { ref = try Fixture.decode(CorrelationTests.Ref.self, CorrelationTests.path) }

    func run(_ args: [String]) throws -> (CLI.Result, Out?) {
        let r = try CLI.run(args)
        return (r, try? JSONDecoder().decode(Out.self, from: Data(r.stdout.utf8)))
    }

    @Test func corrOnAnesMatchesPandas() throws {
        let cols = ref.anes96.columns
        let (r, out) = try run(["corr", "Fixtures/reference/correlation/anes96.csv"] + Array(cols.prefix(4))
                               + ["--method", "spearman", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try #require(out)
        for i in 0..<4 { for j in 0..<4 {
            #expect(close(o.estimates[i][j] ?? .nan, ref.anes96.pandasSpearman[i][j], rel: 1e-10, abs: 1e-14))
        } }
    }

    @Test func corrWeightedPairwiseWithCodebook() throws {
        let (r, out) = try run(["corr", "Fixtures/reference/correlation/synthetic.csv", "q1", "q2", "q3", "q4",
                                "--codebook", "Fixtures/reference/correlation/synthetic.codebook.json",
                                "--pairwise", "--adjust", "bh", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try #require(out)
        for i in 0..<4 { for j in 0..<4 {
            #expect(close(o.estimates[i][j] ?? .nan, ref.synthetic.weightedPairwise[i][j], rel: 1e-10, abs: 1e-14))
            #expect(o.counts[i][j] == Int(ref.synthetic.pairN[i][j]))
        } }
        #expect(o.rule.contains("pairwise") && o.rule.contains("Don't know") && o.rule.contains("wt"))
    }

    @Test func pcorrMatchesPingouinAndRejectsSelfControl() throws {
        let (r, out) = try run(["pcorr", "Fixtures/reference/correlation/anes96.csv", "ClinLR", "DoleLR",
                                "--control", "selfLR", "PID", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let o = try #require(out)
        #expect(close(o.estimates[0][1] ?? .nan, ref.anes96.partialClinDoleGivenSelfPID.r))
        #expect(o.controls == ["selfLR", "PID"])
        let bad = try CLI.run(["pcorr", "Fixtures/reference/correlation/anes96.csv", "ClinLR", "DoleLR", "--control", "ClinLR"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("ClinLR"))
    }
}
