import Barometer
/// A recomputed claim figure: value, and where inference applies its
/// standard error and 95% confidence interval (R `survey` style).
public struct ClaimEstimate: Sendable, Codable, Equatable {
    /// The estimate, in the claim's unit (percent for shares).
    public var value: Double
    /// Standard error, when the engine provides one.
    public var standardError: Double?
    /// 95% confidence interval, when the engine provides one.
    public var confidenceInterval: FigureInterval?
    /// Respondents in the base (unweighted).
    public var count: Int
    /// Σw of the base.
    public var weightedBase: Double?
    /// The base in words (deletion rule, domain).
    public var base: String
    /// Two-sided p-value of the estimate against zero, when the engine tests it
    /// (regression coefficients: t on the model's residual df; group differences).
    public var pValue: Double? = nil
    /// Degrees of freedom of the interval and test, when the engine reports them.
    public var degreesOfFreedom: Int? = nil

    /// - Parameters:
    ///   - value: The estimate, in the claim's unit (percent for shares).
    ///   - standardError: Standard error, when the engine provides one.
    ///   - confidenceInterval: 95% confidence interval, when the engine provides one.
    ///   - count: Respondents in the base (unweighted).
    ///   - weightedBase: Σw of the base.
    ///   - base: The base in words (deletion rule, domain).
    ///   - pValue: Two-sided p-value against zero, when the engine tests it.
    ///   - degreesOfFreedom: Degrees of freedom of the interval and test, when reported.
    public init(value: Double, standardError: Double? = nil, confidenceInterval: FigureInterval? = nil,
                count: Int, weightedBase: Double? = nil, base: String, pValue: Double? = nil,
                degreesOfFreedom: Int? = nil) {
        self.value = value
        self.standardError = standardError
        self.confidenceInterval = confidenceInterval
        self.count = count
        self.weightedBase = weightedBase
        self.base = base
        self.pValue = pValue
        self.degreesOfFreedom = degreesOfFreedom
    }
}
