@testable import Barometer
import Foundation
import Testing

/// Issue 21 (Rao-Scott under strata/PSUs): the strata that the grouped linearization kernel
/// sums as dense PSU × group tables are computed on several cores, each stratum by one
/// worker and added to the covariance in stratum order (from 2¹⁶ rows; here forced by the worker
/// cap on ≈ 9,000 rows). The covariance is bit-identical for
/// 1, 2, 3 and 8 workers, on rows sorted by stratum and PSU and on shuffled rows (PSU and row
/// maps), with a sparse stratum between dense ones, and equals the dense n × k kernel
/// (`linearizationCovariance(_:)`, the formula R `svytotal` uses) to 1e-12.
@Suite struct DenseStrataTests {
    static let groupCount = 12

    /// ≈ 9,000 rows: strata 1, 2, 3, 5, 6 with 5–15 rows per PSU (dense), stratum 4 with 1–2 rows per
    /// PSU (sparse: fewer than a quarter of the 12 groups), 10 % of rows in no group.
    static func design(sorted: Bool) throws -> (SamplingStructure, [Int32], [Double]) {
        var g = CLIRandomizedTests.RNG(state: 2026_1206)
        func u() -> Double { Double(g.next() >> 11) / Double(1 << 53) }
        var rows: [(st: Double, psu: Double, group: Int32, w: Double)] = []
        for h in 0..<6 {
            for p in 0..<(h == 3 ? 300 : 150 + 10 * h) {
                for _ in 0..<(h == 3 ? 1 + Int(u() * 2) : 5 + Int(u() * 11)) {
                    rows.append((Double(h + 1), Double(p + 1), u() < 0.1 ? -1 : Int32(u() * Double(groupCount)), 0.5 + 2 * u()))
                }
            }
        }
        if !sorted {
            for i in stride(from: rows.count - 1, to: 0, by: -1) { rows.swapAt(i, Int(u() * Double(i + 1))) }
        }
        let data = try Dataset(variables: [Variable(name: "st", values: rows.map(\.st)),
                                           Variable(name: "psu", values: rows.map(\.psu))])
        return (try SamplingStructure(data: data, strata: "st", clusters: "psu", nest: true), rows.map(\.group), rows.map(\.w))
    }

    @Test(arguments: [true, false]) func denseStrataBitIdenticalAcrossWorkers(sorted: Bool) throws {
        let (s, groups, w) = try Self.design(sorted: sorted)
        let k = Self.groupCount
        let one = try s.linearizationCovariance(groups: groups, groupCount: k, workers: 1) { w[$0] }
        for workers in [2, 3, 8] {
            let more = try s.linearizationCovariance(groups: groups, groupCount: k, workers: workers) { w[$0] }
            #expect(more.storage.map(\.bitPattern) == one.storage.map(\.bitPattern), "\(workers) workers, sorted: \(sorted)")
        }
        var z = Matrix(rows: w.count, columns: k)
        for i in w.indices where groups[i] >= 0 { z[i, Int(groups[i])] = w[i] }
        let dense = try s.linearizationCovariance(z)
        let scale = dense.storage.map(abs).max() ?? 0
        #expect(scale > 0)
        for a in 0..<k { for b in 0..<k {
            #expect(close(one[a, b], dense[a, b], rel: 1e-12, abs: 1e-12 * scale), "[\(a), \(b)]")
        } }
    }
}
