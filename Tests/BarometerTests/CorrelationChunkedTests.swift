import Foundation
import Testing
@testable import Barometer

/// Correlation matrices over several streaming chunks (CentredMoments fills
/// 4,096-row chunks one ahead of dsyrk on a filler thread) against exact
/// rational references (Fixtures/reference/correlation/make_chunked.py).
@Suite struct CorrelationChunkedTests {
    struct Ref: Decodable {
        let n: Int, A: [Int], B: [Int], M: [Int], S: [Double], offset: [Double]
        let unweighted: [[Double]], weighted: [[Double]]
    }

    static func data() throws -> (Ref, Dataset) {
        let ref = try Fixture.decode(Ref.self, "Fixtures/reference/correlation/chunked.json")
        var vars: [Variable] = []
        for j in 0..<4 {
            let x = (0..<ref.n).map { i in
                Double((i * ref.A[j] + ref.B[j]) % ref.M[j]) / Double(ref.M[j])
                    + ref.S[j] * (Double((i * 7 + 3) % 53) / 53) + ref.offset[j]
            }
            vars.append(Variable(name: "x\(j + 1)", level: .scale, values: x))
        }
        vars.append(Variable(name: "w", level: .scale, values: (0..<ref.n).map { 0.5 + Double($0 % 7) / 4 }))
        return (ref, try Dataset(variables: vars))
    }

    @Test func unweightedAndWeightedMatchExactReference() throws {
        let (ref, data) = try Self.data()
        #expect(ref.n > 4 * CentredMoments.chunkRows)
        let names = ["x1", "x2", "x3", "x4"]
        let u = try Correlation.matrix(SurveyDesign.unweighted(data), variables: names)
        let w = try Correlation.matrix(try SurveyDesign(data: data, weight: "w"), variables: names)
        for j in 0..<4 {
            for k in 0..<4 {
                #expect(close(u.estimates[j][k] ?? .nan, ref.unweighted[j][k], rel: 1e-10))
                #expect(close(w.estimates[j][k] ?? .nan, ref.weighted[j][k], rel: 1e-10))
            }
        }
        #expect(u.counts[0][1] == ref.n)
    }
}
