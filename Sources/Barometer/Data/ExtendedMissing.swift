/// Stata's extended missing values `.a`…`.z` (and SAS's `.A`…`.Z`, `._`)
/// carried inside ``Variable/values`` as quiet NaNs with a payload.
///
/// Every extended missing value is system-missing for analysis
/// (``Variable/status(of:)`` sees a NaN), but the tag survives so that
/// "refused" (`.a`) and "not asked" (`.b`) stay distinct from each other and
/// from plain `.` (a NaN with payload 0, i.e. `Double.nan`).
///
/// Encoding: tag `.a`…`.z` is `Double(nan: k, signaling: false)` with
/// k = 1…26; SAS `._` is k = 27. SAS's upper-case tags map to the same
/// k as the lower-case letter (SAS `.A` ≙ Stata `.a`). Payloads survive
/// copies, but not arithmetic: compute on values only after deciding how to
/// treat missing rows.
public enum ExtendedMissing {
    /// Largest payload in use (`._`).
    static let maxPayload: UInt64 = 27
    private static let payloadMask: UInt64 = (1 << 51) - 1

    /// The NaN that encodes `tag` (`a`…`z`, `A`…`Z` or `_`), or nil for any
    /// other character.
    public static func value(for tag: Character) -> Double? {
        guard let k = payload(for: tag) else { return nil }
        return Double(nan: Double.RawSignificand(k), signaling: false)
    }

    /// The tag of `value` (lower-case `a`…`z`, or `_`) when it is an
    /// extended missing value; nil for numbers and for plain NaN.
    @inlinable public static func tag(of value: Double) -> Character? {
        guard value.isNaN else { return nil }
        return tag(payload: UInt64(value.significandBitPattern) & ((1 << 51) - 1))
    }

    @usableFromInline static func tag(payload k: UInt64) -> Character? {
        switch k {
        case 1...26: return Character(Unicode.Scalar(UInt8(96 + k)))
        case 27: return "_"
        default: return nil
        }
    }

    static func payload(for tag: Character) -> UInt64? {
        guard let a = tag.asciiValue else { return nil }
        switch a {
        case 97...122: return UInt64(a - 96)
        case 65...90: return UInt64(a - 64)
        case 95: return 27
        default: return nil
        }
    }
}

extension Variable {
    /// The extended missing tag (`a`…`z`, `_`) of row `row` (0-based), or
    /// nil when the row holds a number, a plain system-missing `.`, or text.
    public func extendedMissingTag(atRow row: Int) -> Character? {
        guard !isString, values.indices.contains(row) else { return nil }
        return ExtendedMissing.tag(of: values[row])
    }

    /// Whether any row holds an extended missing value.
    public var hasExtendedMissing: Bool {
        !isString && values.contains { ExtendedMissing.tag(of: $0) != nil }
    }
}
