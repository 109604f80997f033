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
/// Fast path (Clinger 1990): when the digits (at most 19) fit in a `UInt64`
/// with value ≤ 2^53 and the decimal exponent is within ±22, both the
/// mantissa and 10^|e| are exact doubles, so one IEEE multiplication or
/// division gives the correctly rounded result. Otherwise (long mantissas,
/// large exponents, subnormals) the validated text is handed to C `strtod`,
/// which is correctly rounded in glibc. Overflow gives ±infinity and
/// underflow ±0 or a subnormal, as Python does.
enum DecimalParser {
    /// 10^0 … 10^22, all exact doubles; allocated once, never freed or written.
    nonisolated(unsafe) static let powersOfTen: UnsafePointer<Double> = {
        let p = UnsafeMutablePointer<Double>.allocate(capacity: 23)
        var x = 1.0
        for k in 0...22 { p[k] = x; x *= 10 }
        return UnsafePointer(p)
    }()

    @inline(__always) static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 }

    /// Parses a whole cell of `count` bytes at `p`; `nil` when it is not a number.
    @inline(__always)
    static func parse(_ p: UnsafePointer<UInt8>, count: Int, powers: UnsafePointer<Double>) -> Double? {
        guard let r = scan(p, from: 0, to: count, powers: powers), r.next == count else { return nil }
        return r.value
    }

    /// Parses the number that starts at `p[i]` (after optional blanks) and
    /// returns it with the index just past it and any trailing blanks;
    /// `nil` when no number starts there. The caller checks what follows.
    ///
    /// `@_transparent` (as in swift-numerics) rather than `@inline(__always)`:
    /// the parser's record loop is too large for the optimizer to honour the
    /// latter, and the call per cell cost 6–12% of the user CPU time of a
    /// numeric file (0.99 GB benchmark, 7 alternating runs on a shared 2-core
    /// VM: mean user time 1.66 s inlined against 1.77 s called).
    @_transparent
    static func scan(_ p: UnsafePointer<UInt8>, from i0: Int, to end: Int,
                     powers: UnsafePointer<Double>) -> (value: Double, next: Int)? {
        var i = i0
        while i < end && isBlank(p[i]) { i += 1 }
        if i == end { return nil }
        let start = i
        var negative = false
        if p[i] == UInt8(ascii: "-") { negative = true; i += 1 } else if p[i] == UInt8(ascii: "+") { i += 1 }
        // Digits go into a UInt64 while there are at most 19 of them
        // (leading zeros included), which cannot overflow; longer
        // mantissas are left to strtod.
        if let r = shortDecimal(p, i, end, negative: negative, powers: powers) { return r }
        var mantissa: UInt64 = 0
        var digits = digitRun(p, &i, end, &mantissa)
        var fractionDigits = 0
        if i < end && p[i] == UInt8(ascii: ".") {
            i += 1
            fractionDigits = digitRun(p, &i, end, &mantissa)
            digits += fractionDigits
        }
        if digits == 0 { return nil }
        var exponent = -fractionDigits
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
        let numberEnd = i
        while i < end && isBlank(p[i]) { i += 1 }
        if digits <= 19 {
            if mantissa == 0 { return (negative ? -0.0 : 0.0, i) }
            if mantissa <= 1 << 53 && exponent >= -22 && exponent <= 22 {
                let m = Double(mantissa)
                let v = exponent < 0 ? m / powers[-exponent] : m * powers[exponent]
                return (negative ? -v : v, i)
            }
        }
        guard let v = slowPath(p + start, count: numberEnd - start) else { return nil }
        return (v, i)
    }

    /// The common cell `d…d.d…d` (1–6 digits, a dot, at least one more digit,
    /// at most 7 digits in all) read from one 8-byte word, when it is followed by
    /// a byte that ends it (not a digit, not an exponent, not a blank): the
    /// value and the index after it, exactly what the general path returns
    /// for it (the same mantissa, the same single division by an exact 10^k);
    /// nil in every other case, which the general path then reads from `i`.
    /// `i` is past the sign. Measured on the issue-21 SDR file (86 columns of
    /// `0.552730`-like cells): 10 ns per cell against 15 ns for the general path.
    @inline(__always)
    static func shortDecimal(_ p: UnsafePointer<UInt8>, _ i: Int, _ end: Int, negative: Bool,
                             powers: UnsafePointer<Double>) -> (value: Double, next: Int)? {
        guard i + 8 <= end else { return nil }
        let x = UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
        // Non-zero high nibble in each byte that is not a digit (as in digitRun).
        let high = x & 0xF0F0_F0F0_F0F0_F0F0
        let shifted = (x &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0
        let nondigit = (high ^ 0x3030_3030_3030_3030) | (shifted ^ 0x3030_3030_3030_3030)
        let whole = nondigit == 0 ? 8 : nondigit.trailingZeroBitCount >> 3      // digits before the first other byte
        guard whole >= 1 && whole <= 6 && p[i + whole] == UInt8(ascii: ".") else { return nil }
        // The first non-digit after the dot.
        let after = nondigit & ~((UInt64(1) &<< UInt64(8 * whole + 8)) &- 1)
        let stop = after == 0 ? 8 : after.trailingZeroBitCount >> 3
        guard stop > whole + 1 else { return nil }                              // no digit after the dot
        if stop == 8 {
            // The word ends in digits: the number must end right after it.
            guard i + 8 < end, p[i + 8] &- 0x30 > 9 else { return nil }
        }
        let next = i + stop
        let c = p[next]                                                         // next < end: stop < 8, or i + 8 < end
        guard c | 0x20 != UInt8(ascii: "e") && !isBlank(c) else { return nil }
        let fraction = stop - whole - 1, count = stop - 1
        // The digits without the dot, first digit lowest, then to the top `count` bytes and combined.
        let below = (UInt64(1) &<< UInt64(8 * whole)) &- 1
        let packed = (x & below) | ((x &>> 8) & ~below)
        var v = (packed &- 0x3030_3030_3030_3030) &<< UInt64(64 - 8 * count)
        v = (v &* 10) &+ (v &>> 8)
        v = (((v & 0x0000_00FF_0000_00FF) &* 0x000F_4240_0000_0064)
             &+ (((v &>> 16) & 0x0000_00FF_0000_00FF) &* 0x0000_2710_0000_0001)) &>> 32
        let mantissa = v & 0xFFFF_FFFF
        if mantissa == 0 { return (negative ? -0.0 : 0.0, next) }
        let value = Double(mantissa) / powers[fraction]
        return (negative ? -value : value, next)
    }

    /// 10^n for n in 1…8 (a switch of constants, which the compiler turns
    /// into a lookup table without the lazy-global check of a `static let`).
    @inline(__always)
    static func integerPowerOfTen(_ n: Int) -> UInt64 {
        switch n {
        case 1: return 10
        case 2: return 100
        case 3: return 1_000
        case 4: return 10_000
        case 5: return 100_000
        case 6: return 1_000_000
        case 7: return 10_000_000
        default: return 100_000_000
        }
    }

    /// Reads the run of ASCII digits at `p[i..<end]`, advancing `i` past it,
    /// into `mantissa` (`mantissa·10 + digit` per digit, wrapping past 19
    /// digits: the caller then ignores it) and returns how many there were.
    ///
    /// While eight bytes remain it takes them at once (SWAR, as in Lemire's
    /// fast_float): a byte is a digit when its high nibble is 3 both before
    /// and after adding 6; the digits before the first other byte are
    /// shifted to the top of the word and combined by three multiplications
    /// (pairs, quads, the eight). The same `mantissa` as one digit at a time.
    @inline(__always)
    static func digitRun(_ p: UnsafePointer<UInt8>, _ i: inout Int, _ end: Int, _ mantissa: inout UInt64) -> Int {
        var count = 0
        while i + 8 <= end {
            let x = UInt64(littleEndian: UnsafeRawPointer(p + i).loadUnaligned(as: UInt64.self))
            let high = x & 0xF0F0_F0F0_F0F0_F0F0
            let shifted = (x &+ 0x0606_0606_0606_0606) & 0xF0F0_F0F0_F0F0_F0F0
            let other = (high ^ 0x3030_3030_3030_3030) | (shifted ^ 0x3030_3030_3030_3030)
            let n = other == 0 ? 8 : other.trailingZeroBitCount >> 3
            if n == 0 { return count }
            // The n digits (first = most significant) in the top n bytes, zeros below.
            var v = (x &- 0x3030_3030_3030_3030) &<< UInt64(64 - 8 * n)
            v = (v &* 10) &+ (v &>> 8)
            v = (((v & 0x0000_00FF_0000_00FF) &* 0x000F_4240_0000_0064)
                 &+ (((v &>> 16) & 0x0000_00FF_0000_00FF) &* 0x0000_2710_0000_0001)) &>> 32
            mantissa = mantissa &* integerPowerOfTen(n) &+ (v & 0xFFFF_FFFF)
            count += n
            i += n
            if n < 8 { return count }
        }
        while i < end {
            let d = p[i] &- 0x30
            if d > 9 { break }
            mantissa = mantissa &* 10 &+ UInt64(d)
            count += 1
            i += 1
        }
        return count
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

    /// Parses a Swift string (codebook keys, tests).
    static func parse(_ s: String) -> Double? {
        let bytes = Array(s.utf8)
        return bytes.withUnsafeBufferPointer { b in
            guard let base = b.baseAddress else { return nil }
            return parse(base, count: b.count, powers: powersOfTen)
        }
    }
}
