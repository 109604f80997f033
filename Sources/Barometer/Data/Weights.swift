/// Validated survey weights: finite and non-negative, one per respondent.
///
/// Zero weights are allowed (a respondent kept for variance but not for
/// estimates) and counted in ``zeroCount``. Kish's effective sample size
/// `n_eff = (Σw)² / Σw²` and the design effect of weighting
/// `deff_w = n · Σw² / (Σw)²` (Kish 1965, §11.7) are available here and
/// per cell through ``CellTally``.
public struct Weights: Sendable {
    /// The weights.
    public let values: [Double]
    /// The weight variable's name; `nil` for an unweighted design (all 1).
    public let name: String?
    /// How many weights are exactly zero.
    public let zeroCount: Int
    /// Σw.
    public let sum: Double
    /// Σw².
    public let sumOfSquares: Double

    /// Validates `values`.
    /// - Throws: ``BarometerError/invalidWeight(variable:row:value:)`` for
    ///   the first negative, NaN or infinite weight (row is 1-based).
    public init(validating values: [Double], name: String) throws(BarometerError) {
        var zeros = 0, s = 0.0, s2 = 0.0
        for (i, w) in values.enumerated() {
            guard w.isFinite, w >= 0 else { throw .invalidWeight(variable: name, row: i + 1, value: w) }
            if w == 0 { zeros += 1 }
            s += w
            s2 += w * w
        }
        self.values = values
        self.name = name
        self.zeroCount = zeros
        self.sum = s
        self.sumOfSquares = s2
    }

    /// Weights that their maker has checked (finite, ≥ 0) and summed in row
    /// order, as ``init(validating:name:)`` would (weighting writes and sums
    /// them in one pass).
    init(checked values: [Double], name: String, zeroCount: Int, sum: Double, sumOfSquares: Double) {
        self.values = values
        self.name = name
        self.zeroCount = zeroCount
        self.sum = sum
        self.sumOfSquares = sumOfSquares
    }

    /// Weight 1 for each of `count` respondents.
    public static func uniform(count: Int) -> Weights { Weights(uniform: count) }

    private init(uniform count: Int) {
        values = [Double](repeating: 1, count: count)
        name = nil
        zeroCount = 0
        sum = Double(count)
        sumOfSquares = Double(count)
    }

    /// Whether these are real weights rather than the unweighted default.
    public var isWeighted: Bool { name != nil }

    /// Number of respondents.
    public var count: Int { values.count }

    /// Kish's effective sample size `(Σw)² / Σw²` (0 when Σw = 0).
    public var kishEffectiveSize: Double { sumOfSquares > 0 ? sum * sum / sumOfSquares : 0 }
}
