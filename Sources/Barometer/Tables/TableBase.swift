/// The respondents a table, share or response set is computed over: stated
/// in every result's notes and JSON so that no percentage floats free of
/// its denominator.
public struct TableBase: Sendable, Codable, Equatable, CustomStringConvertible {
    /// What kind of base.
    public enum Kind: String, Sendable, Codable {
        /// Every respondent (Don't know / Refused / system-missing shown as categories).
        case allRespondents
        /// Respondents with a valid answer to every variable involved (listwise).
        case validAnswers
        /// A domain (subpopulation); combined with the rule above in ``description``.
        case domain
    }
    /// The kind.
    public let kind: Kind
    /// Human-readable statement, e.g. "valid answers to rus, us (listwise) within rus in {1,2}".
    public let description: String

    /// - Parameters:
    ///   - kind: What kind of base.
    ///   - description: Human-readable statement of who is counted.
    public init(kind: Kind, description: String) {
        self.kind = kind
        self.description = description
    }

    /// The base for tabulating `variables` under `missing` within `domain`.
    public static func of(_ variables: [String], missing: MissingInclusion, domain: Domain?) -> TableBase {
        of(variables, missing: missing, domain: domain?.description)
    }

    /// The same from the domain's description (nil: no domain).
    static func of(_ variables: [String], missing: MissingInclusion, domain: String?) -> TableBase {
        let valid = "valid answers to \(variables.joined(separator: ", "))" + (variables.count > 1 ? " (listwise)" : "")
        switch (domain, missing) {
        case (nil, .showMissing): return TableBase(kind: .allRespondents, description: "all respondents")
        case (nil, .excludeMissing): return TableBase(kind: .validAnswers, description: valid)
        case (let d?, .showMissing): return TableBase(kind: .domain, description: "all respondents in \(d)")
        case (let d?, .excludeMissing): return TableBase(kind: .domain, description: "\(valid) within \(d)")
        }
    }
}
