/// The engine's typed errors. Every failure on user data surfaces as one of
/// these (never a trap), with enough context to act on: the variable, the
/// row, the collinear set.
public enum BarometerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No variable of this name; `suggestions` lists close names.
    case unknownVariable(String, suggestions: [String])
    /// Two variables share a name.
    case duplicateVariable(String)
    /// A variable's length differs from the dataset's row count.
    case lengthMismatch(variable: String, expected: Int, actual: Int)
    /// A weight is negative, NaN or infinite. `row` is 1-based (data rows,
    /// header excluded).
    case invalidWeight(variable: String, row: Int, value: Double)
    /// A string variable was used where numbers are needed.
    case notNumeric(variable: String)
    /// A string variable was used where numbers are needed; `row` (1-based
    /// data row) holds its first non-empty value that is not a number, e.g.
    /// `nan` in the first row of a weight column made the column text.
    case notNumericValue(variable: String, row: Int, value: String)
    /// A domain (subpopulation) or group has no respondents, or zero total weight.
    case emptyDomain(String)
    /// A variable has no variation among the rows used.
    case constantVariable(String)
    /// Too few observations for the requested statistic.
    case insufficientData(String)
    /// A covariance or correlation matrix is singular or numerically so;
    /// `variables` names the collinear set, `conditionNumber` is the 2-norm
    /// condition number when known.
    case singularMatrix(variables: [String], conditionNumber: Double?)
    /// An iterative estimator stopped without meeting its convergence criterion.
    case noConvergence(String)
    /// An argument is out of its domain (the message says which and why).
    case invalidArgument(String)
    /// A failure in the linear-algebra layer.
    case linearAlgebra(LinearAlgebraError)
    /// A claim file (or mapping file) is malformed: `claim` is the claim or
    /// check id (or `(file)` for the file itself), `field` the offending
    /// field path (e.g. `computation.given`), `reason` what is wrong.
    case invalidClaim(claim: String, field: String, reason: String)
    /// A weighting target (or the target file) is unusable: `margin` names
    /// the margin (its variables joined by `×`), `category` the category
    /// when one is at fault, `line` the 1-based line of a CSV target file.
    case invalidTarget(margin: String, category: String?, line: Int?, reason: String)
    /// A model formula could not be read: `column` is the 1-based character
    /// position of the offending `token` (empty at the end of the text).
    case invalidFormula(token: String, column: Int, reason: String)
    /// Model columns that are linear combinations of earlier ones (R `glm`
    /// would return NA for them): the design matrix is rank deficient.
    case rankDeficient(columns: [String])
    /// (Quasi-)complete separation in a binomial model: fitted probabilities
    /// reach 0 or 1 and the named coefficients diverge, so no finite maximum
    /// likelihood estimate exists.
    case separation(columns: [String])
    /// A domain expression (``DomainExpression``) cannot be parsed or
    /// evaluated: `offset` is the 0-based character offset of the offending
    /// token in `expression`, `token` its text (empty at the end of input),
    /// `reason` what is wrong.
    case invalidExpression(expression: String, offset: Int, token: String, reason: String)
    /// The input is beyond a documented size limit of a statistic: `what`
    /// names the quantity (and the statistic), `size` its value here and
    /// `limit` the largest accepted.
    case sizeLimitExceeded(what: String, size: Int, limit: Int)
    /// Long work stopped because its `Task` was cancelled (``LongWork``): `stage` names it,
    /// `completed` of `total` steps were done.
    case cancelled(stage: String, completed: Int, total: Int)

    public var description: String {
        switch self {
        case .unknownVariable(let n, let s):
            return "unknown variable '\(n)'" + (s.isEmpty ? "" : " (did you mean \(s.map { "'\($0)'" }.joined(separator: ", "))?)")
        case .duplicateVariable(let n): return "duplicate variable name '\(n)'"
        case .lengthMismatch(let v, let e, let a): return "variable '\(v)' has \(a) values, expected \(e)"
        case .invalidWeight(let v, let r, let x):
            return "invalid weight \(x) in variable '\(v)' at data row \(r) (header not counted): weights must be finite and non-negative"
        case .notNumeric(let v): return "variable '\(v)' is a string variable; a numeric one is needed"
        case .notNumericValue(let v, let r, let x):
            return "variable '\(v)' is a string variable (data row \(r), header not counted, holds '\(x)', which is not a number); a numeric one is needed"
        case .emptyDomain(let d): return "empty domain: \(d)"
        case .constantVariable(let v): return "variable '\(v)' is constant among the rows used"
        case .insufficientData(let s): return "insufficient data: \(s)"
        case .singularMatrix(let vs, let c):
            return "singular or near-singular matrix; collinear variables: \(vs.joined(separator: ", "))"
                + (c.map { " (condition number \($0))" } ?? "")
        case .noConvergence(let s): return "no convergence: \(s)"
        case .invalidArgument(let s): return "invalid argument: \(s)"
        case .linearAlgebra(let e): return "linear algebra: \(e)"
        case .invalidClaim(let c, let f, let r): return "invalid claim '\(c)', field '\(f)': \(r)"
        case .invalidTarget(let m, let c, let l, let r):
            return "invalid target" + (l.map { " (line \($0))" } ?? "") + ": margin '\(m)'"
                + (c.map { ", category '\($0)'" } ?? "") + ": \(r)"
        case .invalidFormula(let t, let c, let r):
            return "invalid formula at column \(c)" + (t.isEmpty ? " (end of formula)" : " ('\(t)')") + ": \(r)"
        case .rankDeficient(let cs):
            return "rank-deficient model: \(cs.map { "'\($0)'" }.joined(separator: ", ")) \(cs.count == 1 ? "is a linear combination" : "are linear combinations") of earlier columns (or empty); drop or merge them"
        case .separation(let cs):
            return "separation: fitted probabilities of 0 or 1 occur and the coefficients of \(cs.map { "'\($0)'" }.joined(separator: ", ")) diverge; no finite estimate exists (merge categories or drop the predictor)"
        case .invalidExpression(let e, let o, let t, let r):
            let quoted = t.first.map { "'\"`".contains($0) } ?? false
            let at = t.isEmpty ? "at the end" : "at column \(o + 1) (\(quoted ? t : "'\(t)'"))"
            return "invalid expression \(at): \(r)\n  \(e)\n  \(String(repeating: " ", count: max(o, 0)))\(String(repeating: "^", count: max(t.count, 1)))"
        case .sizeLimitExceeded(let w, let s, let l): return "size limit exceeded: \(w) is \(s), the limit is \(l)"
        case .cancelled(let w, let c, let t): return "cancelled: \(w) stopped after \(c) of \(t)"
        }
    }
}
