@testable import BarometerIO
import Foundation
import Testing

/// The CSV number parser's fast paths (issue 21) against C `strtod`, which is
/// correctly rounded in glibc and shares none of their code: random decimal
/// strings of every shape the fast paths take or must refuse (1–40 digits,
/// leading zeros, a dot anywhere, signs, `-0`, exponents up to ±400, values
/// past the double range and subnormals), each read as a whole cell
/// (``DecimalParser/parse(_:count:powers:)``) and as a cell followed by what
/// ends it in a file (``DecimalParser/scan(_:from:to:powers:)``: a delimiter,
/// LF, CRLF, the end of the buffer), bit for bit, with the index after the number.
@Suite struct DecimalParserTests {
    /// strtod on the text: the value when it reads the whole text, else nil.
    static func reference(_ text: String) -> Double? {
        text.withCString { c -> Double? in
            var end: UnsafeMutablePointer<CChar>? = nil
            let v = strtod(c, &end)
            guard let end, end - UnsafeMutablePointer(mutating: c) == text.utf8.count, !text.isEmpty else { return nil }
            return v
        }
    }

    /// A random decimal number: sign, integer digits, optional dot and fraction digits, optional exponent.
    static func randomNumber(_ g: inout CLIRandomizedTests.RNG) -> String {
        func digits(_ n: Int) -> String { String((0..<n).map { _ in Character(String(Int(g.double() * 10) % 10)) }) }
        var s = ""
        switch Int(g.double() * 4) { case 0: s += "-"; case 1: s += g.double() < 0.5 ? "+" : ""; default: break }
        // Lengths that straddle the fast paths' limits: 7 digits in one word, 15/16/17/19/20 digits around 2^53 and UInt64.
        let lengths = [0, 1, 2, 3, 5, 6, 7, 8, 9, 14, 15, 16, 17, 18, 19, 20, 22, 30, 40]
        let whole = lengths[Int(g.double() * Double(lengths.count))]
        let zeros = g.double() < 0.2 ? String(repeating: "0", count: 1 + Int(g.double() * 4)) : ""
        s += zeros + digits(whole)
        if g.double() < 0.8 || whole == 0 && zeros.isEmpty {
            let fraction = lengths[Int(g.double() * Double(lengths.count))]
            s += "." + digits(whole == 0 && zeros.isEmpty ? max(fraction, 1) : fraction)
        }
        if g.double() < 0.25 {
            s += g.double() < 0.5 ? "e" : "E"
            switch Int(g.double() * 3) { case 0: s += "-"; case 1: s += "+"; default: break }
            let exps = [0, 1, 5, 15, 16, 22, 23, 30, 290, 300, 307, 308, 309, 320, 323, 324, 330, 400]
            s += String(exps[Int(g.double() * Double(exps.count))])
        }
        return s
    }

    static let edgeCases = [
        "0", "-0", "+0", "0.0", "-0.0", "-0.000000", "0.", ".0", "00000000.00000000", "-00.0e5",
        "1", "9007199254740992", "9007199254740993", "9007199254740991.5", "18446744073709551615",
        "18446744073709551616", "1234567890123456789", "12345678901234567890", "0.1", "0.3", "123456.7",
        "1234567.", "1.234567", "12.34567", "9999999.9", "0.0000001", "1e22", "1e23", "1e-22", "1e-23",
        "4.9406564584124654e-324", "2.4703282292062327e-324", "2.4703282292062328e-324", "1e-400",
        "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308", "1e309", "-1e309",
        "2.2250738585072011e-308", "2.2250738585072014e-308", "0.000000000000000000000000000001",
        "3.14159265358979323846264338327950288419716939937510", "123456789012345678901234567890.5",
        "5.", ".5", "-.5", "+.5", "1e5", "1E+05", "1e-0", "10.802609", "0.552730", "-12.5e-1",
        "7.0000000000000000000000000000000001", "9007199254740993.0000000000000000001",
    ]

    static let notNumbers = ["", ".", "-", "+", "e5", ".e5", "1e", "1e+", "1.2.3", "--1", "1-", "0x10", "1,5",
                             "inf", "nan", "1 2", "١", "1e5.5", "+-1", "12345678a", "1234.567x"]

    @Test func wholeCellsMatchStrtodBitForBit() {
        var g = CLIRandomizedTests.RNG(state: 20_261_206_21)
        var texts = Self.edgeCases
        for _ in 0..<60_000 { texts.append(Self.randomNumber(&g)) }
        var checked = 0
        for t in texts {
            guard let want = Self.reference(t) else { Issue.record("strtod rejects \(t)"); continue }
            guard let got = DecimalParser.parse(t) else { Issue.record("not read: \(t)"); continue }
            #expect(got.bitPattern == want.bitPattern, "\(t): \(got) against strtod \(want)")
            checked += 1
        }
        #expect(checked == texts.count)
        for t in Self.notNumbers { #expect(DecimalParser.parse(t) == nil, "\(t) read as a number") }
    }

    /// The number followed by what ends a cell in a file: `scan` returns
    /// strtod's value and the index just past the number (blanks included),
    /// whether or not the fast word-at-a-time path can look past its end.
    @Test func cellsInContextMatchStrtodAndStopAtTheirEnd() {
        var g = CLIRandomizedTests.RNG(state: 21_21_21)
        var texts = Self.edgeCases.filter { !$0.isEmpty }
        for _ in 0..<40_000 { texts.append(Self.randomNumber(&g)) }
        let endings = [",", "\n", "\r\n", ";", "", ",1.5\n", "\n0.25,0.5\n", ",\"x\""]
        let powers = DecimalParser.powersOfTen
        for (n, t) in texts.enumerated() {
            guard let want = Self.reference(t) else { continue }
            let ending = endings[n % endings.count]
            let padded = n % 3 == 0 ? " " + t + " " : t            // blanks around a number belong to its cell
            let bytes = Array((padded + ending).utf8)
            bytes.withUnsafeBufferPointer { b in
                guard let p = b.baseAddress else { return }
                let r = DecimalParser.scan(p, from: 0, to: b.count, powers: powers)
                #expect(r?.value.bitPattern == want.bitPattern, "\(t) then \(ending.debugDescription): \(String(describing: r?.value)) against \(want)")
                #expect(r?.next == padded.utf8.count, "\(t) then \(ending.debugDescription): stops at \(String(describing: r?.next))")
            }
        }
    }

    /// A digit, an exponent or a letter right after a short decimal belongs
    /// to the cell: the fast path must not stop before it.
    @Test func shortDecimalsDoNotStopInsideTheirCell() {
        let powers = DecimalParser.powersOfTen
        for t in ["1.234567e3,", "1.2345678,", "123456.78,", "12.34567 ,", "1.5e-2\n", "0.552730E1,", "1.25x,", "1.25.5,"] {
            let bytes = Array(t.utf8)
            let cell = t.prefix { $0 != "," && $0 != "\n" }
            bytes.withUnsafeBufferPointer { b in
                guard let p = b.baseAddress else { return }
                let r = DecimalParser.scan(p, from: 0, to: b.count, powers: powers)
                if let want = Self.reference(String(cell).trimmingCharacters(in: .whitespaces)) {
                    #expect(r?.value.bitPattern == want.bitPattern, "\(t)")
                    #expect(r?.next == cell.utf8.count, "\(t)")
                } else {
                    // Not a number as a whole: scan may read a prefix, but it must not end the cell there.
                    if let r { #expect(r.next < b.count && bytes[r.next] != UInt8(ascii: ",") && bytes[r.next] != 0x0A, "\(t)") }
                }
            }
        }
    }
}
