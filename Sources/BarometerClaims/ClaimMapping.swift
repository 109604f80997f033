import Barometer
/// A mapping file (format `barometer-mapping/1`, `$defs/mapping` in
/// `Fixtures/memos/claims.schema.json`): the claim files' variable names and
/// codes translated to a researcher's own survey file.
///
/// ```json
/// {"format": "barometer-mapping/1", "claims": "ponars-658", "weight": "WGT",
///  "variables": {"q_russia_opinion": {"name": "Q12A", "codes": {"1": 4, "2": 3, "3": 2, "4": 1, "8": [98, 99]}}}}
/// ```
/// Variables not listed keep their names; codes not listed keep their values.
/// A claim code may map to several codes of the researcher's file (all of
/// them then count).
public struct ClaimMapping: Sendable, Codable, Equatable {
    /// The only format this version reads.
    public static let currentFormat = "barometer-mapping/1"

    /// One variable's translation.
    public struct VariableMap: Sendable, Codable, Equatable {
        /// The researcher's variable name.
        public var name: String
        /// Claim code (as written in the claim file) → the researcher's code(s).
        public var codes: [String: CodeList]?

        /// - Parameters:
        ///   - name: The researcher's variable name.
        ///   - codes: Claim code (as written in the claim file) → the researcher's code(s); nil keeps every code.
        public init(name: String, codes: [String: CodeList]? = nil) {
            self.name = name
            self.codes = codes
        }
    }

    /// One code or several.
    public struct CodeList: Sendable, Codable, Equatable {
        /// The researcher's codes (one or several); JSON accepts a number or an array.
        public var values: [Double]

        /// The researcher's codes `values` for one claim code.
        public init(_ values: [Double]) { self.values = values }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let one = try? c.decode(Double.self) { values = [one] } else { values = try c.decode([Double].self) }
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            if values.count == 1 { try c.encode(values[0]) } else { try c.encode(values) }
        }
    }

    /// Format tag.
    public var format: String
    /// The memo id the mapping was written for.
    public var claims: String?
    /// Weight variable of the researcher's file.
    public var weight: String?
    /// Claim variable name → translation.
    public var variables: [String: VariableMap]

    /// - Parameters:
    ///   - format: Format tag (default ``currentFormat``).
    ///   - claims: The memo id the mapping was written for.
    ///   - weight: Weight variable of the researcher's file.
    ///   - variables: Claim variable name → translation.
    public init(format: String = ClaimMapping.currentFormat, claims: String? = nil, weight: String? = nil,
                variables: [String: VariableMap]) {
        self.format = format
        self.claims = claims
        self.weight = weight
        self.variables = variables
    }

    /// The researcher's name for claim variable `v`.
    public func name(for v: String) -> String { variables[v]?.name ?? v }

    /// The researcher's codes for claim codes `codes` of claim variable `v`.
    public func codes(for v: String, _ codes: [Double]) -> [Double] {
        guard let table = variables[v]?.codes else { return codes }
        var out: [Double] = []
        for c in codes {
            for r in table[Variable.formatCode(c)]?.values ?? [c] where !out.contains(r) { out.append(r) }
        }
        return out
    }

    /// Checks the format tag, names and code keys.
    /// - Throws: `BarometerError/invalidClaim(claim:field:reason:)` with
    ///   claim `(mapping)`.
    public func validate() throws(BarometerError) {
        guard format == Self.currentFormat else {
            throw .invalidClaim(claim: "(mapping)", field: "format", reason: "expected '\(Self.currentFormat)', found '\(format)'")
        }
        for (v, m) in variables.sorted(by: { $0.key < $1.key }) {
            guard !m.name.isEmpty else { throw .invalidClaim(claim: "(mapping)", field: "variables.\(v).name", reason: "empty") }
            for (k, list) in (m.codes ?? [:]).sorted(by: { $0.key < $1.key }) {
                guard Double(k) != nil else {
                    throw .invalidClaim(claim: "(mapping)", field: "variables.\(v).codes.\(k)", reason: "a code key must be a number")
                }
                guard !list.values.isEmpty, list.values.allSatisfy(\.isFinite) else {
                    throw .invalidClaim(claim: "(mapping)", field: "variables.\(v).codes.\(k)", reason: "needs at least one finite code")
                }
            }
        }
    }
}
