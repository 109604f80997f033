import Barometer
import Foundation
import Testing

/// Edge cases of the correlation engine: each gives a correct value or a typed error.
@Suite struct CorrelationEdgeCaseTests {
    /// A small deterministic dataset (no randomness): x, y, z1, z2 and derived columns.
    static func data(n: Int = 40, extra: [Variable] = []) throws -> SurveyDesign {
        let t = (0..<n).map { Double($0) }
        let x = t.map { sin($0 * 1.3) + 0.1 * $0 }
        let y = t.map { cos($0 * 0.7) + 0.05 * $0 + 0.3 * sin($0 * 1.3) }
        let z1 = t.map { sin($0 * 0.31) }
        let z2 = t.map { cos($0 * 2.1) }
        var vars = [Variable(name: "x", values: x), Variable(name: "y", values: y),
                    Variable(name: "z1", values: z1), Variable(name: "z2", values: z2)]
        vars += extra
        return SurveyDesign.unweighted(try Dataset(variables: vars))
    }

    /// The variables and condition number of a singularMatrix error thrown by `body`, nil otherwise.
    static func singular(_ body: () throws(BarometerError) -> Void) -> (variables: [String], condition: Double?)? {
        do { try body() } catch {
            if case .singularMatrix(let v, let c) = error { return (v, c) }
        }
        return nil
    }

    static func column(_ d: SurveyDesign, _ name: String) -> [Double] { d.data[name]?.values ?? [] }

    @Test func constantColumnIsTypedError() throws {
        let d = try Self.data(extra: [Variable(name: "c", values: [Double](repeating: 0.1, count: 40))])
        #expect(throws: BarometerError.constantVariable("c")) { try Correlation.matrix(d, variables: ["x", "c"]) }
        #expect(throws: BarometerError.constantVariable("c")) {
            try Correlation.matrix(d, variables: ["x", "c"], options: CorrelationOptions(missing: .pairwise))
        }
        #expect(throws: BarometerError.constantVariable("c")) {
            try Correlation.matrix(d, variables: ["x", "c"], options: CorrelationOptions(method: .kendall))
        }
        #expect(throws: BarometerError.constantVariable("c")) { try Correlation.partial(d, x: "x", y: "y", controlling: ["c"]) }
    }

    @Test func collinearCovariateNamesTheSet() throws {
        let base = try Self.data()
        let z3 = zip(Self.column(base, "z1"), Self.column(base, "z2")).map { 2 * $0 - $1 }
        let d = try Self.data(extra: [Variable(name: "z3", values: z3)])
        let e1 = Self.singular { () throws(BarometerError) in _ = try Correlation.partial(d, x: "x", y: "y", controlling: ["z1", "z2", "z3"]) }
        #expect(Set(e1?.variables ?? []) == ["z1", "z2", "z3"])
        #expect((e1?.condition ?? 0) > 1e12)
        // explicitly requested pseudo-inverse: a flagged result equal to controlling for z1, z2 only
        let pinv = try Correlation.partial(d, x: "x", y: "y", controlling: ["z1", "z2", "z3"],
                                           options: CorrelationOptions(singularity: .pseudoInverse))
        let plain = try Correlation.partial(d, x: "x", y: "y", controlling: ["z1", "z2"])
        #expect(pinv.usedPseudoInverse)
        #expect(close(pinv.r ?? .nan, plain.r ?? 0, rel: 1e-9))
        // a rank-deficient full matrix
        #expect(throws: BarometerError.self) {
            try Correlation.partialMatrixGivenOthers(d, variables: ["x", "z1", "z2", "z3"])
        }
    }

    @Test func covariateEqualToXIsAnError() throws {
        let base = try Self.data()
        let d = try Self.data(extra: [Variable(name: "xcopy", values: Self.column(base, "x").map { 3 * $0 + 1 })])
        #expect(throws: BarometerError.self) { try Correlation.partial(d, x: "x", y: "y", controlling: ["x"]) }
        let e2 = Self.singular { () throws(BarometerError) in _ = try Correlation.partial(d, x: "x", y: "y", controlling: ["xcopy"]) }
        #expect(Set(e2?.variables ?? []) == ["x", "xcopy"])
    }

    @Test func tooFewRowsIsInsufficientData() throws {
        let d = try Self.data(n: 4)
        // n = 4 ≤ |Z| + 2 = 4
        #expect(throws: BarometerError.self) { try Correlation.partial(d, x: "x", y: "y", controlling: ["z1", "z2"]) }
        let ok = try Correlation.partial(d, x: "x", y: "y", controlling: ["z1"])
        #expect(ok.degreesOfFreedom == 1)
        let two = try Self.data(n: 2)
        #expect(throws: BarometerError.self) { try Correlation.matrix(two, variables: ["x", "y"]) }
    }

    @Test func offsetBy1e9DoesNotChangeResults() throws {
        let base = try Self.data(n: 200)
        // values on a 2⁻¹⁰ grid, so that ±1e9 is an exact shift (no rounding of the data itself)
        var xm = Self.column(base, "x").map { ($0 * 1024).rounded() / 1024 }
        var ym = Self.column(base, "y").map { ($0 * 1024).rounded() / 1024 }
        var xo = xm.map { $0 + 1e9 }
        var yo = ym.map { $0 - 1e9 }
        for i in stride(from: 0, to: 200, by: 7) { xo[i] = .nan; xm[i] = .nan }
        for i in stride(from: 3, to: 200, by: 11) { yo[i] = .nan; ym[i] = .nan }
        let d = try Self.data(n: 200, extra: [Variable(name: "xo", values: xo), Variable(name: "yo", values: yo),
                                              Variable(name: "xm", values: xm), Variable(name: "ym", values: ym)])
        for rule in [MissingDataRule.listwise, .pairwise] {
            let shifted = try Correlation.matrix(d, variables: ["xo", "yo", "z1"], options: CorrelationOptions(missing: rule))
            let plain = try Correlation.matrix(d, variables: ["xm", "ym", "z1"], options: CorrelationOptions(missing: rule))
            for i in 0..<3 { for j in 0..<3 {
                #expect(close(shifted.estimates[i][j] ?? .nan, plain.estimates[i][j] ?? 0, rel: 1e-11),
                        "\(rule) (\(i),\(j)): \(shifted.estimates[i][j] ?? .nan) vs \(plain.estimates[i][j] ?? .nan)")
            } }
        }
        let ps = try Correlation.partial(d, x: "xo", y: "yo", controlling: ["z1"])
        let pp = try Correlation.partial(d, x: "xm", y: "ym", controlling: ["z1"])
        #expect(close(ps.r ?? .nan, pp.r ?? 0, rel: 1e-11))
    }

    @Test func pairWithNoCompleteRowsIsReported() throws {
        let n = 40
        let a = (0..<n).map { $0 < 20 ? Double($0 % 7) : .nan }
        let b = (0..<n).map { $0 >= 20 ? Double($0 % 5) : .nan }
        let d = try Self.data(extra: [Variable(name: "a", values: a), Variable(name: "b", values: b)])
        let m = try Correlation.matrix(d, variables: ["a", "b", "x"], options: CorrelationOptions(missing: .pairwise))
        #expect(m.counts[0][1] == 0)
        #expect(m.estimates[0][1] == nil)
        #expect(m.pValues[0][1] == nil)
        #expect(m.counts[0][2] == 20 && m.estimates[0][2] != nil)
        #expect(m.notes.contains { $0.contains("a × b") })
        // listwise deletion leaves nothing: typed error
        #expect(throws: BarometerError.self) { try Correlation.matrix(d, variables: ["a", "b"]) }
        let s = try Correlation.matrix(d, variables: ["a", "b", "x"], options: CorrelationOptions(method: .spearman, missing: .pairwise))
        #expect(s.counts[0][1] == 0 && s.estimates[0][1] == nil)
    }

    @Test func userMissingExcludedByDefaultAndStated() throws {
        let x = (0..<30).map { Double($0 % 5 + 1) }
        var y = (0..<30).map { Double(($0 * 3) % 5 + 1) }
        y[2] = 8; y[9] = 9
        let vy = Variable(name: "q", values: y, valueLabels: [8: "Don't know", 9: "Refused"], missing: MissingValues(codes: [8, 9]))
        let d = SurveyDesign.unweighted(try Dataset(variables: [Variable(name: "p", values: x), vy]))
        let m = try Correlation.matrix(d, variables: ["p", "q"])
        #expect(m.counts[0][1] == 28)
        #expect(m.userMissingExcluded && m.rule.contains("Don't know"))
        let raw = try Correlation.matrix(d, variables: ["p", "q"], options: CorrelationOptions(excludeUserMissing: false))
        #expect(raw.counts[0][1] == 30)
        #expect(raw.estimates[0][1] != m.estimates[0][1])
    }

    @Test func resultsStayInsideUnitInterval() throws {
        let base = try Self.data()
        let d = try Self.data(extra: [Variable(name: "x2", values: Self.column(base, "x").map { 2 * $0 + 5 }),
                                      Variable(name: "xneg", values: Self.column(base, "x").map { -0.5 * $0 })])
        let m = try Correlation.matrix(d, variables: ["x", "x2", "xneg"])
        #expect(m.estimates[0][1] == 1 || (m.estimates[0][1] ?? 2) <= 1)
        #expect(close(m.estimates[0][1] ?? 0, 1, rel: 1e-14) && close(m.estimates[0][2] ?? 0, -1, rel: 1e-14))
        for row in m.estimates { for r in row { #expect(abs(r ?? 0) <= 1) } }
    }

    static func threeMatrices(_ d: SurveyDesign, _ names: [String]) throws -> [[Double?]] {
        let a = try Correlation.matrix(d, variables: names).estimates
        let b = try Correlation.matrix(d, variables: names, options: CorrelationOptions(missing: .pairwise)).estimates
        let c = try Correlation.partialMatrixGivenOthers(d, variables: names.filter { $0 != "h" }).estimates
        return a + b + c
    }

    @Test func sameResultOnOneAndTwoThreads() throws {
        let n = 20_000
        var cols: [[Double]] = []
        for k in 0..<6 {
            var c = [Double](repeating: 0, count: n)
            for i in 0..<n {
                let a: Double = sin(Double(i * (k + 1)) * 0.001)
                let b: Double = Double((i * 7919 + k) % 101) / 50
                c[i] = a + b
            }
            cols.append(c)
        }
        var vars: [Variable] = []
        for (k, c) in cols.enumerated() { vars.append(Variable(name: "v\(k)", values: c)) }
        var holes = cols[0]
        for i in stride(from: 0, to: n, by: 13) { holes[i] = .nan }
        vars.append(Variable(name: "h", values: holes))
        let d = SurveyDesign.unweighted(try Dataset(variables: vars))
        let names: [String] = vars.map { (v: Variable) -> String in v.name }
        let before = BLASRuntime.threadCount
        _ = BLASRuntime.setThreadCount(1)
        let one = try Self.threeMatrices(d, names)
        _ = BLASRuntime.setThreadCount(2)
        let two = try Self.threeMatrices(d, names)
        _ = BLASRuntime.setThreadCount(before)
        for (a, b) in zip(one, two) { for (x, y) in zip(a, b) { #expect(close(x ?? .nan, y ?? .nan, rel: 1e-12)) } }
    }

    /// The single-pass path for complete data falls back to listwise deletion
    /// when a NaN turns up in a later chunk, and rejects ±∞.
    @Test func lateMissingValueAndInfinity() throws {
        let n = 10_000
        let x = (0..<n).map { sin(Double($0) * 0.37) }
        var y = (0..<n).map { cos(Double($0) * 0.11) + 0.5 * sin(Double($0) * 0.37) }
        y[9_000] = .nan
        let d = SurveyDesign.unweighted(try Dataset(variables: [Variable(name: "x", values: x), Variable(name: "y", values: y)]))
        let l = try Correlation.matrix(d, variables: ["x", "y"])
        let p = try Correlation.matrix(d, variables: ["x", "y"], options: CorrelationOptions(missing: .pairwise))
        #expect(l.counts[0][1] == n - 1 && p.counts[0][1] == n - 1)
        #expect(close(l.estimates[0][1] ?? .nan, p.estimates[0][1] ?? 0, rel: 1e-12))
        var yi = y
        yi[9_000] = .infinity
        let di = SurveyDesign.unweighted(try Dataset(variables: [Variable(name: "x", values: x), Variable(name: "y", values: yi)]))
        #expect(throws: BarometerError.self) { try Correlation.matrix(di, variables: ["x", "y"]) }
        #expect(throws: BarometerError.self) {
            try Correlation.matrix(di, variables: ["x", "y"], options: CorrelationOptions(missing: .pairwise))
        }
    }

    /// `LinearAlgebra.syrk(_:columns:into:)` (a column block in place) equals the Gram matrix of the copied block.
    @Test func columnRangeSyrkMatchesGramOfBlock() throws {
        var rowsOfA: [[Double]] = []
        for i in 0..<7 {
            var row: [Double] = []
            for j in 0..<5 { row.append(Double((i * 3 + j * 5) % 11) - 4.5) }
            rowsOfA.append(row)
        }
        let a = try Matrix(rowMajor: rowsOfA)
        var c = Matrix(rows: 3, columns: 3)
        try LinearAlgebra.syrk(a, columns: 1..<4, into: &c)
        let g = try LinearAlgebra.gram(a.submatrix(rows: Array(0..<7), columns: [1, 2, 3]))
        #expect(c == g)
        var bad = Matrix(rows: 2, columns: 2)
        #expect(throws: LinearAlgebraError.self) { try LinearAlgebra.syrk(a, columns: 4..<6, into: &bad) }
    }
}
