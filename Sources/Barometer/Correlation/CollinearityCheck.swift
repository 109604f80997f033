/// Detects a singular or near-singular correlation matrix and names a
/// minimal collinear set (internal).
///
/// The matrix is correlation-scaled (unit diagonal), so its 2-norm condition
/// number `κ = λ_max / λ_min` (LAPACK `dsyevd` eigenvalues; equal to
/// σ_max/σ_min for a symmetric positive semi-definite matrix) does not depend
/// on the variables' units. When `κ` exceeds the limit, the eigenvector of the
/// smallest eigenvalue `v` satisfies `R v ≈ 0`: the variables with
/// `|v_i| > 10⁻⁴ · max|v|` form the dependent set (for one exact linear
/// dependency this is exactly its support, hence minimal).
struct CollinearityCheck {
    let conditionNumber: Double
    let collinear: [String]
    let eigenvalues: [Double]
    let eigenvectors: Matrix

    var isSingular: Bool { !collinear.isEmpty }

    init(_ r: Matrix, names: [String], limit: Double) throws(BarometerError) {
        let e: (values: [Double], vectors: Matrix?)
        do { e = try LinearAlgebra.symmetricEigen(r, vectors: true) } catch { throw .linearAlgebra(error) }
        let vectors = e.vectors ?? Matrix(rows: 0, columns: 0)
        eigenvalues = e.values
        eigenvectors = vectors
        guard let lmin = e.values.first, let lmax = e.values.last, lmax > 0 else {
            conditionNumber = .infinity; collinear = names; return
        }
        let cond = lmin > 0 ? lmax / lmin : .infinity
        conditionNumber = cond
        if cond > limit {
            let v = (0..<r.rows).map { Swift.abs(vectors[$0, 0]) }
            let m = v.max() ?? 0
            collinear = (0..<r.rows).filter { v[$0] > 1e-4 * m }.map { names[$0] }
        } else {
            collinear = []
        }
    }

    var error: BarometerError { .singularMatrix(variables: collinear, conditionNumber: conditionNumber) }

    /// Moore–Penrose pseudo-inverse `V diag(1/λ) Vᵀ` over eigenvalues with
    /// `λ > λ_max / limit`, formed as `U Uᵀ` (`dsyrk`) with `U = V diag(λ^{-1/2})`.
    func pseudoInverse(limit: Double) throws(BarometerError) -> Matrix {
        let n = eigenvectors.rows
        let lmax = eigenvalues.last ?? 0
        let keep = (0..<n).filter { eigenvalues[$0] > lmax / limit }
        var u = Matrix(rows: n, columns: keep.count)
        for (c, k) in keep.enumerated() {
            let s = 1 / eigenvalues[k].squareRoot()
            for i in 0..<n { u[i, c] = eigenvectors[i, k] * s }
        }
        var out = Matrix(rows: n, columns: n)
        do { try LinearAlgebra.syrk(u, transpose: false, into: &out) } catch { throw .linearAlgebra(error) }
        return out
    }
}
