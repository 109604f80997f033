import Barometer
import Foundation
import Testing

/// The BLAS/LAPACK wrappers against NumPy/SciPy (Fixtures/reference/linalg).
@Suite struct LinearAlgebraTests {
    struct Ref: Decodable {
        let X: [[Double]], A: [[Double]], A_inverse: [[Double]], A_cholesky_upper: [[Double]]
        let A_eigenvalues: [Double], A_condition: Double, A_logdet: Double
        let B: [[Double]], A_solve_B: [[Double]], A_times_B: [[Double]], XtX: [[Double]]
        let G: [[Double]], G_singular_values: [Double], G_rank: Int, G_times_B_col0: [Double]
        let S_singular: [[Double]], S_rank: Int
    }
    let ref: Ref
    init() throws { ref = try Fixture.decode(Ref.self, "Fixtures/reference/linalg/linalg.json") }

    func expectClose(_ m: Matrix, _ r: [[Double]], rel: Double = 1e-10, abs: Double = 0) {
        #expect(m.rows == r.count)
        for i in 0..<m.rows { for j in 0..<m.columns {
            #expect(close(m[i, j], r[i][j], rel: rel, abs: abs), "(\(i),\(j)): \(m[i, j]) vs \(r[i][j])")
        } }
    }

    @Test func inverseOfKnownSPDMatrix() throws {
        let a = try Matrix(rowMajor: ref.A)
        expectClose(try LinearAlgebra.inverseSPD(a), ref.A_inverse)
    }

    @Test func choleskyFactorSolveAndLogDet() throws {
        let f = try LinearAlgebra.cholesky(try Matrix(rowMajor: ref.A))
        expectClose(f.upper, ref.A_cholesky_upper, abs: 1e-14)
        expectClose(try f.solve(try Matrix(rowMajor: ref.B)), ref.A_solve_B)
        #expect(close(f.logDeterminant, ref.A_logdet))
    }

    @Test func syrkGemmGemv() throws {
        let x = try Matrix(rowMajor: ref.X)
        expectClose(try LinearAlgebra.gram(x), ref.XtX, rel: 1e-13)
        expectClose(try LinearAlgebra.multiply(try Matrix(rowMajor: ref.A), try Matrix(rowMajor: ref.B)), ref.A_times_B, rel: 1e-13)
        let g6 = try Matrix(rowMajor: ref.G.map { Array($0.prefix(6)) })
        let y = try LinearAlgebra.gemv(g6, ref.B.map { $0[0] })
        for (a, b) in zip(y, ref.G_times_B_col0) { #expect(close(a, b, rel: 1e-12)) }
    }

    @Test func eigenSVDRankCondition() throws {
        let a = try Matrix(rowMajor: ref.A)
        let (values, _) = try LinearAlgebra.symmetricEigen(a)
        for (a, b) in zip(values, ref.A_eigenvalues) { #expect(close(a, b, rel: 1e-12)) }
        #expect(close(try LinearAlgebra.conditionNumber(a), ref.A_condition, rel: 1e-10))
        let g = try Matrix(rowMajor: ref.G)
        for (a, b) in zip(try LinearAlgebra.singularValues(g), ref.G_singular_values) { #expect(close(a, b, rel: 1e-12)) }
        #expect(try LinearAlgebra.rank(g) == ref.G_rank)
        #expect(try LinearAlgebra.rank(try Matrix(rowMajor: ref.S_singular)) == ref.S_rank)
    }

    @Test func singularMatrixIsATypedErrorNotNaN() throws {
        let s = try Matrix(rowMajor: ref.S_singular)
        #expect(throws: LinearAlgebraError.self) { try LinearAlgebra.inverseSPD(s) }
        do { _ = try LinearAlgebra.cholesky(s); Issue.record("expected an error") }
        catch .notPositiveDefinite(let k) { #expect(k == 3) }
        catch { Issue.record("unexpected \(error)") }
        let indefinite = try Matrix(rowMajor: [[1, 2], [2, 1]])
        #expect(throws: LinearAlgebraError.notPositiveDefinite(leadingMinor: 2)) { try LinearAlgebra.cholesky(indefinite) }
        let withNaN = try Matrix(rowMajor: [[1, .nan], [.nan, 1]])
        #expect(throws: LinearAlgebraError.self) { try LinearAlgebra.inverseSPD(withNaN) }
    }

    @Test func shapeErrors() throws {
        #expect(throws: LinearAlgebraError.self) { try Matrix(rowMajor: [[1, 2], [3]]) }
        #expect(throws: LinearAlgebraError.self) {
            try LinearAlgebra.multiply(Matrix(rows: 2, columns: 3), Matrix(rows: 2, columns: 3))
        }
        #expect(throws: LinearAlgebraError.self) { try LinearAlgebra.cholesky(Matrix(rows: 2, columns: 3)) }
    }
}
