import Barometer
/// A memo's claims: the decoded form of a `*.claims.json` file (format
/// `barometer-claims/1`, JSON Schema in `Fixtures/memos/claims.schema.json`).
///
/// Decoding (in `BarometerIO.ClaimFileLoader`) checks the shape; ``validate()``
/// checks what a JSON Schema cannot: unique ids, references between checks and
/// claims, the fields each computation kind needs, rounding that matches the
/// published value, and a verdict rule that fits the computation.
public struct ClaimFile: Sendable, Codable, Equatable {
    /// The only format this version reads.
    public static let currentFormat = "barometer-claims/1"

    /// Format tag, `barometer-claims/1`.
    public var format: String
    /// The memo the claims come from.
    public var memo: MemoInfo
    /// One entry per quantitative statement of the memo.
    public var claims: [Claim]
    /// Aggregate consistency checks between published figures (no microdata).
    public var checks: [ConsistencyCheck]

    /// - Parameters:
    ///   - format: Format tag (default ``currentFormat``).
    ///   - memo: The memo the claims come from.
    ///   - claims: One entry per quantitative statement of the memo.
    ///   - checks: Aggregate consistency checks between published figures.
    public init(format: String = ClaimFile.currentFormat, memo: MemoInfo, claims: [Claim], checks: [ConsistencyCheck] = []) {
        self.format = format
        self.memo = memo
        self.claims = claims
        self.checks = checks
    }

    enum CodingKeys: String, CodingKey { case format, memo, claims, checks }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        format = try c.decode(String.self, forKey: .format)
        memo = try c.decode(MemoInfo.self, forKey: .memo)
        claims = try c.decode([Claim].self, forKey: .claims)
        checks = try c.decodeIfPresent([ConsistencyCheck].self, forKey: .checks) ?? []
    }

    /// The claim with this id, if any.
    public func claim(_ id: String) -> Claim? { claims.first { $0.id == id } }

    /// Semantic validation.
    /// - Throws: `BarometerError/invalidClaim(claim:field:reason:)` naming
    ///   the first offending claim (or check) id and field.
    public func validate() throws(BarometerError) {
        guard format == Self.currentFormat else {
            throw .invalidClaim(claim: "(file)", field: "format", reason: "expected '\(Self.currentFormat)', found '\(format)'")
        }
        guard Claim.isIdentifier(memo.id) else {
            throw .invalidClaim(claim: "(file)", field: "memo.id", reason: "'\(memo.id)' is not a lowercase identifier")
        }
        guard !memo.title.isEmpty else { throw .invalidClaim(claim: "(file)", field: "memo.title", reason: "empty") }
        guard !claims.isEmpty else { throw .invalidClaim(claim: "(file)", field: "claims", reason: "no claims") }
        var seen = Set<String>()
        for claim in claims {
            guard seen.insert(claim.id).inserted else {
                throw .invalidClaim(claim: claim.id, field: "id", reason: "duplicate id")
            }
            try claim.validate()
        }
        for check in checks {
            guard seen.insert(check.id).inserted else {
                throw .invalidClaim(claim: check.id, field: "id", reason: "duplicate id")
            }
            try check.validate(in: self)
        }
    }

    /// This file with every variable name and code translated by `mapping`
    /// (a researcher's names and codes for the same questions).
    /// - Throws: `BarometerError/invalidClaim(claim:field:reason:)` when
    ///   the mapping is malformed.
    public func applying(_ mapping: ClaimMapping) throws(BarometerError) -> ClaimFile {
        try mapping.validate()
        var copy = self
        copy.claims = claims.map { $0.mapped(by: mapping) }
        return copy
    }
}
