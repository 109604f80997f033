import Foundation

/// `LocalizedError`: `error.localizedDescription` is the same text as
/// `"\(error)"` (``BarometerError/description``) instead of Foundation's
/// generic "The operation could not be completed", and a recovery suggestion
/// says what to do where there is a clear next step.
extension BarometerError: LocalizedError {
    /// The same text as ``description``.
    public var errorDescription: String? { description }

    /// What to try next: close variable names, the lonely-PSU rules, the
    /// weight rules; nil where the message already says all there is.
    public var recoverySuggestion: String? {
        switch self {
        case .unknownVariable(_, let s):
            return s.isEmpty ? "Check the variable name against the dataset's columns (barometer describe lists them)."
                : "Did you mean \(s.map { "'\($0)'" }.joined(separator: ", "))?"
        case .duplicateVariable: return "Rename one of the two variables (names must be unique)."
        case .invalidWeight:
            return "Weights must be finite and non-negative: fix or drop the row, or set its weight to 0 to exclude it."
        case .notNumeric: return "Declare the variable numeric in the codebook, or choose a numeric variable."
        case .notNumericValue:
            return "Fix or blank the value shown (or list it as a missing token), declare the variable numeric in the codebook, or choose a numeric variable."
        case .insufficientData(let s) where s.contains("PSU"):
            return "Choose a lonely-PSU rule (as R options(survey.lonely.psu)): remove, adjust, average or certainty "
                + "(library: SurveyDesign(..., lonelyPSU:), CLI: --lonely-psu), or merge the stratum with a neighbour."
        case .emptyDomain: return "Check the domain's codes and the weights of its respondents."
        case .singularMatrix(let vs, _) where !vs.isEmpty:
            return "Drop one of the collinear variables: \(vs.joined(separator: ", "))."
        case .linearAlgebra(let e): return e.recoverySuggestion
        default: return nil
        }
    }
}

/// `LocalizedError`: `localizedDescription` equals ``description``.
extension LinearAlgebraError: LocalizedError {
    /// The same text as ``description``.
    public var errorDescription: String? { description }

    /// For a non-positive-definite or singular matrix: look for collinear
    /// or constant variables.
    public var recoverySuggestion: String? {
        switch self {
        case .notPositiveDefinite, .singular:
            return "The variables are collinear or constant among the rows used; drop one of them."
        case .nonFinite: return "Remove NaN or infinite values (or declare them missing) before the computation."
        default: return nil
        }
    }
}
