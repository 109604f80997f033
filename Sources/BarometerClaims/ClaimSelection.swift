import Barometer
/// Respondents whose answer to ``variable`` is one of ``codes``: a claim's
/// condition (`given`), domain or group.
public struct ClaimSelection: Sendable, Codable, Equatable {
    /// Variable name (as in the claim file, before any mapping).
    public var variable: String
    /// Codes that select a respondent.
    public var codes: [Double]

    /// - Parameters:
    ///   - variable: Variable name (as in the claim file, before any mapping).
    ///   - codes: Codes that select a respondent.
    public init(variable: String, codes: [Double]) {
        self.variable = variable
        self.codes = codes
    }

    /// The domain of `design` this selection describes.
    /// - Throws: `BarometerError/unknownVariable(_:suggestions:)`,
    ///   `BarometerError/notNumeric(variable:)`.
    public func domain(in design: SurveyDesign) throws(BarometerError) -> Domain {
        try design.domain(variable, in: Set(codes))
    }

    func validate(claim id: String, field: String) throws(BarometerError) {
        guard !variable.isEmpty else { throw .invalidClaim(claim: id, field: "\(field).variable", reason: "empty") }
        guard !codes.isEmpty else { throw .invalidClaim(claim: id, field: "\(field).codes", reason: "no codes") }
        guard codes.allSatisfy(\.isFinite) else { throw .invalidClaim(claim: id, field: "\(field).codes", reason: "codes must be finite numbers") }
    }

    func mapped(by m: ClaimMapping) -> ClaimSelection {
        ClaimSelection(variable: m.name(for: variable), codes: m.codes(for: variable, codes))
    }
}
