/// Errors from the linear-algebra layer. LAPACK's `info` codes map onto
/// these cases, so callers never see a silent NaN from a failed
/// factorization.
public enum LinearAlgebraError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Shapes do not conform (the message says which).
    case dimensionMismatch(String)
    /// Cholesky failed: the leading minor of this order (1-based) is not
    /// positive, so the matrix is not positive definite (singular,
    /// indefinite, or numerically so).
    case notPositiveDefinite(leadingMinor: Int)
    /// The matrix is singular: `potri` met a zero diagonal element of the
    /// factor at this 1-based position.
    case singular(position: Int)
    /// An iterative routine (eigenvalues, SVD) did not converge.
    case noConvergence(routine: String, info: Int)
    /// LAPACK rejected argument number `argument` (a programming error
    /// inside Barometer; reported rather than trapped).
    case illegalArgument(routine: String, argument: Int)
    /// The input holds NaN or infinity, which BLAS would propagate silently.
    case nonFinite(String)
    /// The dimensions exceed what a 32-bit BLAS integer can address.
    case tooLarge(String)

    public var description: String {
        switch self {
        case .dimensionMismatch(let s): return "dimension mismatch: \(s)"
        case .notPositiveDefinite(let k): return "matrix is not positive definite (leading minor of order \(k) is not positive)"
        case .singular(let k): return "matrix is singular (zero pivot at position \(k))"
        case .noConvergence(let r, let info): return "\(r) did not converge (info = \(info))"
        case .illegalArgument(let r, let a): return "\(r): illegal value in argument \(a)"
        case .nonFinite(let s): return "non-finite values: \(s)"
        case .tooLarge(let s): return "too large for 32-bit BLAS indexing: \(s)"
        }
    }
}
