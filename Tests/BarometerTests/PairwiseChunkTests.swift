import Barometer
import Foundation
import Testing

/// Pairwise-complete Pearson over several 4096-row chunks — a column whose
/// first chunk holds one outlying value (the shift is refined), a 1e9 offset,
/// 60 % missing, codes — against per-pair numpy `np.corrcoef` and
/// `np.cov(aweights=)`: Fixtures/reference/correlation/make_pairwise.py.
@Suite struct PairwiseChunkTests {
    struct Ref: Decodable {
        let n: Int, names: [String], bits: [String: [String]], weights: [Double]
        let unweighted: [[Double]], weighted: [[Double]], counts: [[Int]]
    }
    let ref: Ref
    let data: Dataset
    init() throws {
        ref = try Fixture.decode(Ref.self, "Fixtures/reference/correlation/pairwise.json")
        var vars: [Variable] = []
        for name in ref.names {
            let bits = try #require(ref.bits[name])
            vars.append(Variable(name: name, level: .scale, values: bits.map { Double(bitPattern: UInt64($0, radix: 16) ?? 0) }))
        }
        vars.append(Variable(name: "w", level: .scale, values: ref.weights))
        data = try Dataset(variables: vars)
    }

    @Test func unweightedMatchesNumpyCorrcoef() throws {
        let m = try Correlation.matrix(SurveyDesign.unweighted(data), variables: ref.names,
                                       options: CorrelationOptions(missing: .pairwise))
        for i in 0..<ref.names.count { for j in 0..<ref.names.count {
            #expect(close(m.estimates[i][j] ?? .nan, ref.unweighted[i][j], rel: 1e-10), "\(ref.names[i]) × \(ref.names[j])")
            #expect(m.counts[i][j] == ref.counts[i][j])
        } }
    }

    @Test func weightedMatchesNumpyCovWithAweights() throws {
        let m = try Correlation.matrix(try SurveyDesign(data: data, weight: "w"), variables: ref.names,
                                       options: CorrelationOptions(missing: .pairwise))
        for i in 0..<ref.names.count { for j in 0..<ref.names.count {
            #expect(close(m.estimates[i][j] ?? .nan, ref.weighted[i][j], rel: 1e-10), "\(ref.names[i]) × \(ref.names[j])")
            #expect(m.counts[i][j] == ref.counts[i][j])
        } }
    }
}
