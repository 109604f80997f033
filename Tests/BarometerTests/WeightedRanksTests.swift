@testable import Barometer
import Foundation
import Testing

/// The radix ranking path (``WeightedRanks``) on adversarial columns — heavy
/// ties, values sharing their upper 32 bits, −0/+0, subnormals, ±1e300, a 1e9
/// offset — against scipy `rankdata`, an O(n²) numpy ridit score and scipy
/// `spearmanr`: Fixtures/reference/correlation/make_ranks.py.
@Suite struct WeightedRanksTests {
    struct Ref: Decodable {
        let n: Int, names: [String], bits: [String: [String]], weights: [Double], subset: [Int]
        let unit: [String: [Double]], weighted: [String: [Double]]
        let unitSubset: [String: [Double]], weightedSubset: [String: [Double]]
        let spearman: [[Double]]
    }
    let ref: Ref
    let columns: [String: [Double]]
    init() throws {
        ref = try Fixture.decode(Ref.self, "Fixtures/reference/correlation/ranks.json")
        var c: [String: [Double]] = [:]
        for (k, v) in ref.bits { c[k] = v.map { Double(bitPattern: UInt64($0, radix: 16) ?? 0) } }
        columns = c
    }

    @Test func midRanksMatchScipyAndRiditOnAllRows() throws {
        let rows = Array(0..<ref.n), ones = [Double](repeating: 1, count: ref.n)
        for name in ref.names {
            let x = try #require(columns[name])
            let u = WeightedRanks.ranks(of: x, rows: rows, weights: ones)
            let w = WeightedRanks.ranks(of: x, rows: rows, weights: ref.weights)
            let uWant = try #require(ref.unit[name]), wWant = try #require(ref.weighted[name])
            #expect(u == uWant, "unit ranks of \(name)")        // halves of integers: exact
            #expect(zip(w, wWant).allSatisfy { close($0, $1, rel: 1e-12) }, "weighted ranks of \(name)")
        }
    }

    @Test func midRanksOnASubsetLeaveOtherRowsMissing() throws {
        let ones = [Double](repeating: 1, count: ref.n)
        let cols = ref.names.compactMap { columns[$0] }
        let all = WeightedRanks.ranks(of: cols, rows: ref.subset, weights: ref.weights)
        let allUnit = WeightedRanks.ranks(of: cols, rows: ref.subset, weights: ones)
        let inSubset = Set(ref.subset)
        for (j, name) in ref.names.enumerated() {
            let uWant = try #require(ref.unitSubset[name]), wWant = try #require(ref.weightedSubset[name])
            #expect(ref.subset.map { allUnit[j][$0] } == uWant, "unit subset ranks of \(name)")
            #expect(zip(ref.subset.map { all[j][$0] }, wWant).allSatisfy { close($0, $1, rel: 1e-12) },
                    "weighted subset ranks of \(name)")
            #expect((0..<ref.n).filter { !inSubset.contains($0) }.allSatisfy { all[j][$0].isNaN })
            // the column-parallel version equals ranking one column at a time
            #expect(all[j].elementsEqual(WeightedRanks.ranks(of: cols[j], rows: ref.subset, weights: ref.weights)) {
                $0 == $1 || ($0.isNaN && $1.isNaN)
            })
        }
    }

    @Test func spearmanMatrixMatchesScipy() throws {
        let vars = try ref.names.map { Variable(name: $0, level: .scale, values: try #require(columns[$0])) }
        let d = SurveyDesign.unweighted(try Dataset(variables: vars))
        let m = try Correlation.matrix(d, variables: ref.names, options: CorrelationOptions(method: .spearman))
        for i in 0..<ref.names.count { for j in 0..<ref.names.count {
            #expect(close(m.estimates[i][j] ?? .nan, ref.spearman[i][j], rel: 1e-10, abs: 1e-14),
                    "\(ref.names[i]) × \(ref.names[j])")
        } }
    }
}
