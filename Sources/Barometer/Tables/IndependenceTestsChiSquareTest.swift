/// A χ²-type test result: the statistic, its (possibly non-integer)
/// degrees of freedom and the upper-tail p-value `P(χ²_df ≥ statistic)`.
public struct ChiSquareTest: Sendable, Equatable, Codable {
    /// What the statistic is, e.g. "Pearson chi-square".
    public let name: String
    /// The statistic.
    public let statistic: Double
    /// Degrees of freedom (non-integer for Satterthwaite corrections).
    public let degreesOfFreedom: Double
    /// Upper-tail p-value from ``ChiSquared``.
    public let pValue: Double

    /// A test referred to χ² with `degreesOfFreedom`.
    public init(name: String, statistic: Double, degreesOfFreedom: Double) {
        self.name = name
        self.statistic = statistic
        self.degreesOfFreedom = degreesOfFreedom
        self.pValue = ChiSquared(degreesOfFreedom: degreesOfFreedom).sf(statistic)
    }
}
