@testable import Barometer
import Foundation
import Testing

/// The chunk's replicate products `Wᵀ[Y X]` (`DesignTotalsAccumulator.replicateTotals`)
/// when columns of Y and X repeat (issue 21: the denominators of several means over the
/// same rows are equal, and are summed once): every total is, bit for bit, the total of its
/// column computed alone (no other column beside it), whether its column repeats an earlier
/// one, differs from it in one row or only in the sign of a zero;
/// and within 1e-12 of a compensated (Kahan) sum of the same products, an independent sum.
@Suite struct ReplicateProductTests {
    @Test func repeatedColumnsGiveTheTotalsOfTheirOwnDotProducts() throws {
        let n = 70_001, R = 9
        var g = SplitMix(seed: 21)
        func uniform() -> Double { Double(g.next() >> 11) / Double(1 << 53) }
        var data: [Variable] = []
        for r in 0..<R { data.append(Variable(name: "rw\(r + 1)", values: (0..<n).map { _ in 0.2 + uniform() })) }
        let reps = try ReplicateWeights(data: Dataset(variables: data), columns: data.map(\.name), method: .jk1)
        let a = (0..<n).map { _ in uniform() - 0.5 }
        let ones = [Double](repeating: 1, count: n)
        var oneRowOff = ones; oneRowOff[n / 2] = 1 + 0x1p-52
        var zeros = [Double](repeating: 0, count: n); zeros[7] = -0.0
        let plusZeros = [Double](repeating: 0, count: n)
        let yColumns = [a, ones, a, oneRowOff, zeros]
        let xColumns = [ones, ones, plusZeros, a, oneRowOff]
        let y = try Matrix(rows: n, columns: yColumns.count, columnMajor: yColumns.flatMap { $0 })
        let x = try Matrix(rows: n, columns: xColumns.count, columnMajor: xColumns.flatMap { $0 })
        for range in [0..<n, 3..<(n - 5)] {
            let m = range.count
            let ys = try Matrix(rows: m, columns: yColumns.count, columnMajor: yColumns.flatMap { $0[range] })
            let xs = try Matrix(rows: m, columns: xColumns.count, columnMajor: xColumns.flatMap { $0[range] })
            let (ry, rx) = try DesignTotalsAccumulator.replicateTotals(reps, range, range.count == n ? y : ys,
                                                                        range.count == n ? x : xs)
            let out = try #require(rx)
            for r in 0..<R {
                for (k, column) in (yColumns + xColumns).enumerated() {
                    let got = k < yColumns.count ? ry[r, k] : out[r, k - yColumns.count]
                    let alone = try DesignTotalsAccumulator.replicateTotals(
                        reps, range, try Matrix(rows: m, columns: 1, columnMajor: Array(column[range])), nil).0
                    let want = alone[r, 0]
                    #expect(got.bitPattern == want.bitPattern, "replicate \(r), column \(k): \(got) vs \(want)")
                    // An independent compensated sum.
                    var s = 0.0, comp = 0.0
                    for i in range {
                        let t = reps.columns[r][i] * column[i] - comp
                        let u = s + t
                        comp = (u - s) - t
                        s = u
                    }
                    #expect(abs(got - s) <= 1e-12 * max(abs(s), 1e-300) || got == s, "replicate \(r), column \(k)")
                }
            }
        }
    }
}
