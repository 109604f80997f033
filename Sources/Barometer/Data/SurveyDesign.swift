/// The survey design handed to every estimator, in the manner of R
/// `survey::svydesign`: the data together with how it was sampled.
///
/// Today a design carries weights only (a weights-only, with-replacement
/// design: each respondent its own PSU, no strata). Strata, clusters,
/// finite-population corrections and replicate weights extend this value
/// without changing the estimators' signatures.
public struct SurveyDesign: Sendable {
    /// The respondent-level data.
    public let data: Dataset
    /// Validated weights (all 1 when the design is unweighted).
    public let weights: Weights

    /// A design over `data` weighted by the variable `weight`, or by the
    /// dataset's codebook weight when `weight` is nil, or unweighted when
    /// neither names one.
    /// - Throws: ``BarometerError/unknownVariable(_:suggestions:)``,
    ///   ``BarometerError/notNumeric(variable:)``, or
    ///   ``BarometerError/invalidWeight(variable:row:value:)``.
    public init(data: Dataset, weight: String? = nil) throws(BarometerError) {
        self.data = data
        if let name = weight ?? data.weightVariable {
            let v = try data.variable(name)
            try v.requireNumeric()
            self.weights = try Weights(validating: v.values, name: name)
        } else {
            self.weights = .uniform(count: data.rowCount)
        }
    }

    /// An unweighted design.
    public static func unweighted(_ data: Dataset) -> SurveyDesign {
        SurveyDesign(data: data, weights: .uniform(count: data.rowCount))
    }

    init(data: Dataset, weights: Weights) {
        self.data = data
        self.weights = weights
    }

    /// Number of respondents.
    public var rowCount: Int { data.rowCount }

    /// The variable called `name`.
    public func variable(_ name: String) throws(BarometerError) -> Variable { try data.variable(name) }

    /// A domain of the respondents whose answer to `variable` is one of `codes`.
    public func domain(_ variable: String, in codes: Set<Double>) throws(BarometerError) -> Domain {
        let v = try data.variable(variable)
        try v.requireNumeric()
        let mask = v.values.map { codes.contains($0) }
        let list = codes.sorted().map(Variable.formatCode).joined(separator: ",")
        return Domain(mask: mask, description: "\(variable) in {\(list)}")
    }
}
