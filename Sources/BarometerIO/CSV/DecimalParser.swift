#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Correctly rounded decimal-to-`Double` conversion of a CSV cell, straight
/// from its bytes.
///
/// Grammar (that of Python's `float()` without `inf`, `nan` and `_`):
/// optional spaces/tabs, an optional `+`/`-`, digits with an optional `.`
/// (at least one digit: `5.` and `.5` are numbers, `.` is not), an optional
/// exponent `e`/`E` with optional sign and at least one digit, optional
/// spaces/tabs.
///
/// Fast path (Clinger 1990): when the significant digits fit in a `UInt64`
/// with value ≤ 2^53 and the decimal exponent is within ±22, both the
/// mantissa and 10^|e| are exact doubles, so one IEEE multiplication or
/// division gives the correctly rounded result. Otherwise (long mantissas,
/// large exponents, subnormals) the validated text is handed to C `strtod`,
/// which is correctly rounded in glibc. Overflow gives ±infinity and
/// underflow ±0 or a subnormal, as Python does.
enum DecimalParser {
    @usableFromInline static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    @inline(__always) static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

    /// Parses `count` bytes at `p`; `nil` when the text is not a number.
    @inline(__always)
    static func parse(_ p: UnsafePointer<UInt8>, count: Int, powers: UnsafePointer<Double>) -> Double? {
        var i = 0
        var end = count
        while i < end && isBlank(p[i]) { i += 1 }
        while end > i && isBlank(p[end - 1]) { end -= 1 }
        if i == end { return nil }
        let start = i
        var negative = false
        if p[i] == UInt8(ascii: "-") { negative = true; i += 1 } else if p[i] == UInt8(ascii: "+") { i += 1 }
        var mantissa: UInt64 = 0
        var significant = 0
        var exponent = 0
        var truncated = false
        var anyDigit = false
        // Integer part.
        while i < end {
            let d = p[i] &- 0x30
            if d > 9 { break }
            anyDigit = true
            if significant < 19 {
                if mantissa != 0 || d != 0 { mantissa = mantissa &* 10 &+ UInt64(d); significant += 1 }
            } else {
                exponent += 1
                if d != 0 { truncated = true }
            }
            i += 1
        }
        // Fraction.
        if i < end && p[i] == UInt8(ascii: ".") {
            i += 1
            while i < end {
                let d = p[i] &- 0x30
                if d > 9 { break }
                anyDigit = true
                if significant < 19 {
                    if mantissa != 0 || d != 0 { mantissa = mantissa &* 10 &+ UInt64(d); significant += 1 }
                    exponent -= 1
                } else if d != 0 {
                    truncated = true
                }
                i += 1
            }
        }
        if !anyDigit { return nil }
        // Exponent.
        if i < end && (p[i] | 0x20) == UInt8(ascii: "e") {
            i += 1
            var expNegative = false
            if i < end && p[i] == UInt8(ascii: "-") { expNegative = true; i += 1 } else if i < end && p[i] == UInt8(ascii: "+") { i += 1 }
            var e = 0
            var expDigits = false
            while i < end {
                let d = p[i] &- 0x30
                if d > 9 { break }
                expDigits = true
                if e < 100_000 { e = e * 10 + Int(d) }
                i += 1
            }
            if !expDigits { return nil }
            exponent += expNegative ? -e : e
        }
        if i != end { return nil }
        if !truncated {
            if mantissa == 0 { return negative ? -0.0 : 0.0 }
            if mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
                let m = Double(mantissa)
                let v = exponent < 0 ? m / powers[-exponent] : m * powers[exponent]
                return negative ? -v : v
            }
        }
        return slowPath(p + start, count: end - start)
    }

    /// `strtod` on a NUL-terminated copy of already validated text.
    static func slowPath(_ p: UnsafePointer<UInt8>, count: Int) -> Double? {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buf -> Double? in
            guard let base = buf.baseAddress else { return nil }
            for k in 0..<count { base[k] = CChar(bitPattern: p[k]) }
            base[count] = 0
            var endPtr: UnsafeMutablePointer<CChar>? = nil
            let v = strtod(base, &endPtr)
            guard let e = endPtr, e - base == count else { return nil }
            return v
        }
    }

    /// Convenience for tests and codebook keys: parses a Swift string.
    static func parse(_ s: String) -> Double? {
        var bytes = Array(s.utf8)
        if bytes.isEmpty { return nil }
        return bytes.withUnsafeMutableBufferPointer { b in
            powersOfTen.withUnsafeBufferPointer { pw in
                guard let base = b.baseAddress, let pwb = pw.baseAddress else { return nil }
                return parse(UnsafePointer(base), count: b.count, powers: pwb)
            }
        }
    }
}
