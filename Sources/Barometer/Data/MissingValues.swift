/// The user-missing declaration of a variable: discrete codes and, as SPSS
/// allows, closed ranges. System-missing (NaN) is never a member: it is a
/// separate status (``ValueStatus/systemMissing``).
public struct MissingValues: Sendable, Equatable, Codable {
    /// Discrete user-missing codes, ascending.
    public private(set) var codes: [Double]
    /// Closed ranges of user-missing codes (SPSS `MISSING VALUES x (97 THRU 99)`).
    public var ranges: [ClosedRange<Double>]

    /// A declaration from codes and ranges.
    public init(codes: [Double] = [], ranges: [ClosedRange<Double>] = []) {
        self.codes = Array(Set(codes.filter { !$0.isNaN })).sorted()
        self.ranges = ranges
    }

    /// No user-missing codes.
    public static let none = MissingValues()

    /// Whether nothing is declared.
    public var isEmpty: Bool { codes.isEmpty && ranges.isEmpty }

    /// Whether `value` is a declared user-missing code.
    @inlinable public func contains(_ value: Double) -> Bool {
        if codes.isEmpty && ranges.isEmpty { return false }
        for c in codes where c == value { return true }
        for r in ranges where r.contains(value) { return true }
        return false
    }

    /// Adds a code.
    public mutating func insert(_ code: Double) {
        guard !code.isNaN, !codes.contains(code) else { return }
        codes.append(code); codes.sort()
    }
}
