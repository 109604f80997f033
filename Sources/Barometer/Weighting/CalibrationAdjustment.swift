/// What a calibrated (raked, post-stratified, GREG…) design keeps so that
/// linearization variances know the weights were calibrated: influence
/// values are replaced by their residuals from the calibration variables
/// before they are summed over PSUs (Deville & Särndal 1992; R `survey`'s
/// `svyrecvar` on a design from `calibrate`, `postStratify` or `rake`).
///
/// The calibration variables are functions of the joint cell of the margin
/// variables, so the regressions run on cell totals: O(n·k) per call.
///
/// - ``Projection/greg``: R `calibrate` (every distance) and `postStratify`:
///   with `d` the weights before calibration, `w = d·g` after, `x_c` the
///   model row of cell c, `Z_c` the cell totals of the influence values,
///   `β = (Σ_c D_c x_c x_cᵀ)⁺ Σ_c x_c Z_c / g_c` and `eᵢ = zᵢ − wᵢ x_{c(i)}ᵀβ`
///   (R: `qr.resid(qr(mm·√d), z/(g√d))·g√d`).
/// - ``Projection/backfit``: R `rake`'s variance: ten sweeps over the
///   margins, each `zᵢ ← zᵢ − wᵢ·mean_{j in i's category}(z_j / w_j)`
///   (unweighted mean over respondents, as R's `ave`).
struct CalibrationAdjustment: Sendable {
    enum Projection: Sendable {
        /// Model matrix (cells × p) and base weight total per cell.
        case greg(x: Matrix, base: [Double])
        /// Category of each cell per margin, the number of categories per margin, and the sweeps.
        case backfit(category: [[Int32]], categoryCounts: [Int], sweeps: Int)
    }
    let projection: Projection
    /// Joint cell of each respondent.
    let cellOfRow: [Int32]
    /// Respondents per cell.
    let cellCounts: [Int]
    /// g-weight per cell (calibrated / base weight).
    let g: [Double]
    /// Calibrated weight per respondent.
    let weights: [Double]

    /// Residuals of the influence values `z` (n × k).
    func residuals(_ z: Matrix) throws(BarometerError) -> Matrix {
        let n = z.rows, k = z.columns, C = g.count
        guard n == cellOfRow.count else { throw .lengthMismatch(variable: "influence values", expected: cellOfRow.count, actual: n) }
        var out = z
        switch projection {
        case .greg(let x, let base):
            let p = x.columns
            // Z_c / g_c, cells × k.
            var zc = Matrix(rows: C, columns: k)
            for j in 0..<k { for i in 0..<n { zc[Int(cellOfRow[i]), j] += z[i, j] } }
            for j in 0..<k { for c in 0..<C { zc[c, j] = g[c] != 0 ? zc[c, j] / g[c] : 0 } }
            var xd = x
            for j in 0..<p { for c in 0..<C { xd[c, j] *= base[c] } }
            let m = try CellSolver.la { () throws(LinearAlgebraError) in try LinearAlgebra.multiply(xd, x, transposeA: true) }
            let rhs = try CellSolver.la { () throws(LinearAlgebraError) in try LinearAlgebra.multiply(x, zc, transposeA: true) }
            var fitted = Matrix(rows: C, columns: k)           // x_cᵀβ per cell and column
            var beta = Matrix(rows: p, columns: k)
            for j in 0..<k {
                let b = try CellSolver.pseudoInverseSolve(m, (0..<p).map { rhs[$0, j] })
                for r in 0..<p { beta[r, j] = b[r] }
            }
            fitted = try CellSolver.la { () throws(LinearAlgebraError) in try LinearAlgebra.multiply(x, beta) }
            for j in 0..<k { for i in 0..<n { out[i, j] -= weights[i] * fitted[Int(cellOfRow[i]), j] } }
        case .backfit(let category, let counts, let sweeps):
            // Offsets a[m][cat] subtracted from uᵢ = zᵢ/wᵢ; the sweeps run on cell totals.
            for j in 0..<k {
                var u = [Double](repeating: 0, count: C)
                for i in 0..<n where weights[i] != 0 { u[Int(cellOfRow[i])] += z[i, j] / weights[i] }
                var cellOffset = [Double](repeating: 0, count: C)
                for _ in 0..<sweeps {
                    for m in category.indices {
                        var s = [Double](repeating: 0, count: counts[m]), cnt = [Double](repeating: 0, count: counts[m])
                        for c in 0..<C {
                            let q = Int(category[m][c])
                            s[q] += u[c] - Double(cellCounts[c]) * cellOffset[c]
                            cnt[q] += Double(cellCounts[c])
                        }
                        let mean = (0..<counts[m]).map { cnt[$0] > 0 ? s[$0] / cnt[$0] : 0 }
                        for c in 0..<C { cellOffset[c] += mean[Int(category[m][c])] }
                    }
                }
                for i in 0..<n { out[i, j] -= weights[i] * cellOffset[Int(cellOfRow[i])] }
            }
        }
        return out
    }
}
