@testable import Barometer
import Foundation
import Testing

/// The model's columns as the IRLS passes read them (`ModelColumns`): equal, bit
/// for bit, to the model matrix written out from its definition (R `model.matrix`,
/// treatment contrasts) on the rows used, with factor() dummies, interactions, a
/// domain, user-missing and system-missing rows; a numeric predictor over every row
/// is read in place (no copy); a fit on the columns is the fit on the matrix to the bit.
@Suite struct ModelColumnsTests {
    /// 3.5 IRLS chunks: x numeric, f a factor with codes 1…3, u numeric with
    /// code 9 user-missing, NaN in x on every 97th row; y 0/1.
    static func data() throws -> Dataset {
        let n = GLMFit.chunkRows * 7 / 2
        var g = CLIRandomizedTests.RNG(state: 20_2028)
        var x = [Double](repeating: 0, count: n), f = x, u = x, y = x, w = x, d = x
        for k in 0..<n {
            x[k] = k % 97 == 5 ? .nan : 2 * g.double() - 1
            f[k] = Double(1 + k % 3)
            u[k] = k % 89 == 7 ? 9 : g.double()
            let eta = 0.2 + 0.8 * (x[k].isNaN ? 0 : x[k]) - 0.4 * (f[k] == 2 ? 1 : 0) + 0.3 * u[k]
            y[k] = g.double() < 1 / (1 + Foundation.exp(-eta)) ? 1 : 0
            w[k] = 0.5 + 2 * g.double()
            d[k] = Double(k % 4)
        }
        let vars = [Variable(name: "x", level: .scale, values: x), Variable(name: "f", values: f),
                    Variable(name: "u", level: .scale, values: u, missing: MissingValues(codes: [9])),
                    Variable(name: "y", values: y), Variable(name: "w", level: .scale, values: w),
                    Variable(name: "d", values: d)]
        return try Dataset(variables: vars)
    }

    @Test func columnsEqualTheModelMatrixFromItsDefinition() throws {
        let data = try Self.data()
        let n = data.rowCount
        let x = try data.variable("x").values, f = try data.variable("f").values, u = try data.variable("u").values
        let dv = try data.variable("d").values
        let mask = dv.map { $0 != 0 }
        let formula = try ModelFormula(parsing: "y ~ x * factor(f) + u")
        let mm = try ModelMatrix(formula: formula, data: data, domain: Domain(mask: mask, description: "d != 0"),
                                 family: .binomial, successCodes: nil)
        // Rows used by definition: in the domain, x not NaN, u not 9.
        let rows = (0..<n).filter { mask[$0] && !x[$0].isNaN && u[$0] != 9 }
        #expect(mm.rows == rows)
        #expect(mm.names == ["(Intercept)", "x", "factor(f)2", "factor(f)3", "u", "x:factor(f)2", "x:factor(f)3"])
        let expected: [[Double]] = [rows.map { _ in 1 }, rows.map { x[$0] },
                                    rows.map { f[$0] == 2 ? 1 : 0 }, rows.map { f[$0] == 3 ? 1 : 0 },
                                    rows.map { u[$0] }, rows.map { x[$0] * (f[$0] == 2 ? 1 : 0) },
                                    rows.map { x[$0] * (f[$0] == 3 ? 1 : 0) }]
        let matrix = mm.x
        for (j, column) in expected.enumerated() {
            let got = (0..<rows.count).map { matrix[$0, j] }
            #expect(got.map(\.bitPattern) == column.map(\.bitPattern), "\(mm.names[j])")
            let view = mm.columns.withColumn(j) { p in (0..<rows.count).map { p?[$0] ?? 1 } }
            #expect(view.map(\.bitPattern) == column.map(\.bitPattern), "\(mm.names[j]) (view)")
        }
        #expect(mm.columns.columns[0] == nil)
    }

    @Test func numericPredictorOverEveryRowIsReadInPlace() throws {
        let data = try Self.data()
        let formula = try ModelFormula(parsing: "y ~ f + w")
        let mm = try ModelMatrix(formula: formula, data: data, domain: nil, family: .binomial, successCodes: nil)
        #expect(mm.rows.count == data.rowCount)
        let w = try data.variable("w").values
        let same = mm.columns.withColumn(2) { p in w.withUnsafeBufferPointer { $0.baseAddress == p } }
        #expect(same, "the column w is not the variable's storage")
        // With rows left out (a domain) the column is a compacted copy.
        let half = Domain(mask: (0..<data.rowCount).map { $0 % 2 == 0 }, description: "even rows")
        let sub = try ModelMatrix(formula: formula, data: data, domain: half, family: .binomial, successCodes: nil)
        #expect(sub.columns.rows == (data.rowCount + 1) / 2)
        #expect(sub.columns.withColumn(2) { p in (0..<sub.columns.rows).map { p?[$0] ?? .nan } } == sub.rows.map { w[$0] })
    }

    @Test func fitOnColumnsIsTheFitOnTheMatrix() throws {
        let data = try Self.data()
        let wv = try data.variable("w").values
        for (formula, family) in [("y ~ x * factor(f) + u", GLMFamily.binomial), ("y ~ f + w", .binomial),
                                  ("u ~ x + factor(f)", .gaussian)] {
            let mm = try ModelMatrix(formula: try ModelFormula(parsing: formula), data: data, domain: nil, family: family,
                                     successCodes: nil)
            let w = mm.rows.map { wv[$0] }
            for workers in [1, 2] {
                let a = try GLMFit.irls(columns: mm.columns, y: mm.y, w: w, family: family, link: family.canonicalLink,
                                        start: nil, tolerance: 1e-12, maxIterations: 50, names: mm.names, workers: workers)
                let b = try GLMFit.irls(x: mm.x, y: mm.y, w: w, family: family, link: family.canonicalLink,
                                        start: nil, tolerance: 1e-12, maxIterations: 50, names: mm.names, workers: workers)
                #expect(a.beta.map(\.bitPattern) == b.beta.map(\.bitPattern), "\(formula)")
                #expect(a.mu.map(\.bitPattern) == b.mu.map(\.bitPattern), "\(formula)")
                #expect(a.r.storage.map(\.bitPattern) == b.r.storage.map(\.bitPattern), "\(formula)")
                #expect(a.deviance.bitPattern == b.deviance.bitPattern)
            }
        }
    }
}
