/// Locates the first syntax error of a JSON text (RFC 8259) as a line and
/// column, for messages that point at the place when `JSONDecoder` only says
/// "not valid JSON". Lines are 1-based and counted at LF (a CRLF counts
/// once); columns are 1-based characters (UTF-8 continuation bytes are not
/// counted). Iterative (explicit stack), so nesting depth cannot exhaust the
/// call stack; work is linear in the input.
package enum JSONSyntax {
    package struct Failure: Equatable, CustomStringConvertible {
        package var line: Int
        package var column: Int
        package var message: String
        package var description: String { "line \(line), column \(column): \(message)" }
    }

    /// The first syntax error in `bytes`, or nil when they are well-formed JSON.
    package static func firstError<C: Collection>(in bytes: C) -> Failure? where C.Element == UInt8 {
        firstError(Array(bytes))
    }

    /// What the parser expects next.
    private enum Expect { case value, valueOrClose, key, keyOrClose, colon, commaOrClose }

    private static func firstError(_ b: [UInt8]) -> Failure? {
        var i = 0
        if b.count >= 3, b[0] == 0xEF, b[1] == 0xBB, b[2] == 0xBF { i = 3 }
        func fail(_ at: Int, _ message: String) -> Failure {
            var line = 1, column = 1
            var k = 0
            while k < min(at, b.count) {
                if b[k] == 0x0A { line += 1; column = 1 } else if b[k] & 0xC0 != 0x80 { column += 1 }
                k += 1
            }
            return Failure(line: line, column: column, message: message)
        }
        func skipSpace() { while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 } }
        func describe(_ at: Int) -> String {
            guard at < b.count else { return "end of file" }
            let c = b[at]
            return (0x21...0x7E).contains(c) ? "'\(Character(Unicode.Scalar(c)))'" : "byte 0x\(String(c, radix: 16, uppercase: true))"
        }
        /// Scans a string starting at the opening quote; nil on success.
        func scanString() -> Failure? {
            let start = i
            i += 1
            while i < b.count {
                let c = b[i]
                if c == 0x22 { i += 1; return nil }
                if c < 0x20 { return fail(i, "control character \(describe(i)) inside a string (escape it)") }
                if c == 0x5C {
                    i += 1
                    guard i < b.count else { break }
                    switch b[i] {
                    case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74: i += 1
                    case 0x75:
                        for k in 1...4 {
                            guard i + k < b.count, Self.isHex(b[i + k]) else { return fail(i - 1, "invalid \\u escape") }
                        }
                        i += 5
                    default: return fail(i - 1, "invalid escape '\\\(describe(i))'")
                    }
                    continue
                }
                i += 1
            }
            return fail(start, "string not terminated")
        }
        func scanNumber() -> Failure? {
            let start = i
            if b[i] == 0x2D { i += 1 }
            guard i < b.count, Self.isDigit(b[i]) else { return fail(start, "invalid number") }
            if b[i] == 0x30 { i += 1 } else { while i < b.count, Self.isDigit(b[i]) { i += 1 } }
            if i < b.count, b[i] == 0x2E {
                i += 1
                guard i < b.count, Self.isDigit(b[i]) else { return fail(start, "invalid number (no digit after '.')") }
                while i < b.count, Self.isDigit(b[i]) { i += 1 }
            }
            if i < b.count, b[i] == 0x65 || b[i] == 0x45 {
                i += 1
                if i < b.count, b[i] == 0x2B || b[i] == 0x2D { i += 1 }
                guard i < b.count, Self.isDigit(b[i]) else { return fail(start, "invalid number (no digit in the exponent)") }
                while i < b.count, Self.isDigit(b[i]) { i += 1 }
            }
            return nil
        }
        func scanLiteral(_ word: String) -> Failure? {
            let w = Array(word.utf8)
            guard i + w.count <= b.count, Array(b[i..<(i + w.count)]) == w else { return fail(i, "unexpected \(describe(i))") }
            i += w.count
            return nil
        }
        // Containers on the stack: true = object, false = array.
        var stack: [Bool] = []
        var expect = Expect.value
        while true {
            skipSpace()
            switch expect {
            case .value, .valueOrClose:
                guard i < b.count else { return fail(i, "unexpected end of file (a value is missing)") }
                if expect == .valueOrClose, b[i] == 0x5D { stack.removeLast(); i += 1; expect = .commaOrClose; break }
                switch b[i] {
                case 0x7B: stack.append(true); i += 1; expect = .keyOrClose
                case 0x5B: stack.append(false); i += 1; expect = .valueOrClose
                case 0x22: if let f = scanString() { return f }; expect = .commaOrClose
                case 0x2D, 0x30...0x39: if let f = scanNumber() { return f }; expect = .commaOrClose
                case 0x74: if let f = scanLiteral("true") { return f }; expect = .commaOrClose
                case 0x66: if let f = scanLiteral("false") { return f }; expect = .commaOrClose
                case 0x6E: if let f = scanLiteral("null") { return f }; expect = .commaOrClose
                default: return fail(i, "unexpected \(describe(i)) where a value is expected")
                }
            case .key, .keyOrClose:
                guard i < b.count else { return fail(i, "unexpected end of file (a key is missing)") }
                if expect == .keyOrClose, b[i] == 0x7D { stack.removeLast(); i += 1; expect = .commaOrClose; break }
                guard b[i] == 0x22 else { return fail(i, "unexpected \(describe(i)) where a quoted key is expected") }
                if let f = scanString() { return f }
                expect = .colon
            case .colon:
                guard i < b.count, b[i] == 0x3A else { return fail(i, "expected ':' after the key, found \(describe(i))") }
                i += 1; expect = .value
            case .commaOrClose:
                guard let top = stack.last else {
                    return i < b.count ? fail(i, "unexpected \(describe(i)) after the end of the document") : nil
                }
                guard i < b.count else { return fail(i, "unexpected end of file (missing '\(top ? "}" : "]")')") }
                switch b[i] {
                case 0x2C: i += 1; expect = top ? .key : .value
                case 0x7D where top, 0x5D where !top: stack.removeLast(); i += 1; expect = .commaOrClose
                default: return fail(i, "expected ',' or '\(top ? "}" : "]")', found \(describe(i))")
                }
            }
        }
    }

    private static func isDigit(_ c: UInt8) -> Bool { c >= 0x30 && c <= 0x39 }
    private static func isHex(_ c: UInt8) -> Bool { isDigit(c) || (c | 0x20 >= 0x61 && c | 0x20 <= 0x66) }
}
