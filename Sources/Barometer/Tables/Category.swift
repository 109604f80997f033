/// One category of a tabulated variable: a code (nil for a string value or
/// the system-missing row), its label, and its missing status.
public struct Category: Sendable, Codable, Equatable {
    /// The numeric code; nil for a string variable's value and for system-missing.
    public let code: Double?
    /// The value label, or the code/text itself when unlabelled.
    public let label: String
    /// Valid, user-missing ("Don't know", "Refused") or system-missing.
    public let status: ValueStatus

    /// - Parameters:
    ///   - code: The numeric code; nil for a string value and for system-missing.
    ///   - label: The value label, or the code/text itself when unlabelled.
    ///   - status: Valid, user-missing or system-missing.
    public init(code: Double?, label: String, status: ValueStatus) {
        self.code = code
        self.label = label
        self.status = status
    }
}
