import Foundation

/// Errors reading or merging a partial-result state file.
public enum StateFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The bytes do not start with the state-file magic.
    case notAStateFile(String)
    /// Written by another format version.
    case unsupportedVersion(String, found: UInt32, supported: UInt32)
    /// The checksum does not match: truncated or corrupted.
    case checksumMismatch(String)
    /// Structurally invalid content at `offset`.
    case malformed(String, offset: Int, reason: String)
    /// Two states of different statistics, variables, designs or options.
    case incompatible(String, reason: String)

    public var description: String {
        switch self {
        case .notAStateFile(let f): return "\(f): not a Barometer state file"
        case .unsupportedVersion(let f, let found, let supported):
            return "\(f): state file format version \(found) is not supported; this Barometer reads format version \(supported)"
        case .checksumMismatch(let f): return "\(f): checksum mismatch: the state file is truncated or corrupted"
        case .malformed(let f, let o, let r): return "\(f): malformed state file at byte \(o): \(r)"
        case .incompatible(let f, let r): return "\(f): cannot merge: \(r)"
        }
    }
}

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320, as zlib's `crc32`).
enum CRC32 {
    static let table: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = (c & 1) != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func checksum<C: Collection>(_ bytes: C) -> UInt32 where C.Element == UInt8 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = table[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}

/// Little-endian binary writer.
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func int(_ v: Int) { u64(UInt64(bitPattern: Int64(v))) }
    mutating func bool(_ v: Bool) { u8(v ? 1 : 0) }
    mutating func double(_ v: Double) { u64(v.bitPattern) }
    mutating func string(_ s: String) { let u = Array(s.utf8); int(u.count); bytes.append(contentsOf: u) }
    mutating func doubles(_ a: [Double]) { int(a.count); for v in a { double(v) } }
    mutating func ints(_ a: [Int]) { int(a.count); for v in a { int(v) } }
    mutating func bools(_ a: [Bool]) { int(a.count); for v in a { bool(v) } }
    mutating func optionalDouble(_ v: Double?) { bool(v != nil); double(v ?? 0) }
    mutating func matrix(_ m: Matrix?) {
        bool(m != nil)
        guard let m else { return }
        int(m.rows); int(m.columns); doubles(m.storage)
    }
    mutating func raw(_ b: [UInt8]) { bytes.append(contentsOf: b) }
}

/// Bounds-checked little-endian reader: every read checks the remaining
/// length, every count is bounded by the bytes left, so no input traps.
struct ByteReader {
    let bytes: [UInt8]
    let file: String
    private(set) var offset: Int
    let end: Int
    /// The format version of the file being read (older versions lack later fields).
    var version: UInt32 = PartialResult.formatVersion

    init(_ bytes: [UInt8], file: String, from start: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.file = file
        self.offset = start
        self.end = min(end ?? bytes.count, bytes.count)
    }

    var remaining: Int { end - offset }

    func fail(_ reason: String) -> StateFileError { .malformed(file, offset: offset, reason: reason) }

    mutating func take(_ n: Int) throws(StateFileError) -> ArraySlice<UInt8> {
        guard n >= 0, n <= remaining else { throw fail("needs \(n) bytes, \(remaining) left") }
        defer { offset += n }
        return bytes[offset..<(offset + n)]
    }
    mutating func u8() throws(StateFileError) -> UInt8 { try take(1).first ?? 0 }
    mutating func u32() throws(StateFileError) -> UInt32 {
        var v: UInt32 = 0
        for (s, b) in try take(4).enumerated() { v |= UInt32(b) << (8 * UInt32(s)) }
        return v
    }
    mutating func u64() throws(StateFileError) -> UInt64 {
        var v: UInt64 = 0
        for (s, b) in try take(8).enumerated() { v |= UInt64(b) << (8 * UInt64(s)) }
        return v
    }
    mutating func int() throws(StateFileError) -> Int { Int(Int64(bitPattern: try u64())) }
    mutating func bool() throws(StateFileError) -> Bool {
        let b = try u8()
        guard b <= 1 else { throw fail("flag \(b) is neither 0 nor 1") }
        return b == 1
    }
    mutating func double() throws(StateFileError) -> Double { Double(bitPattern: try u64()) }
    /// A count of elements of `size` bytes each, bounded by the bytes left.
    mutating func count(_ size: Int) throws(StateFileError) -> Int {
        let n = try int()
        guard n >= 0, n <= remaining / max(size, 1) else { throw fail("count \(n) exceeds the \(remaining) bytes left") }
        return n
    }
    mutating func string() throws(StateFileError) -> String {
        let n = try count(1)
        guard let s = String(validating: try take(n), as: UTF8.self) else { throw fail("invalid UTF-8 text") }
        return s
    }
    mutating func doubles() throws(StateFileError) -> [Double] {
        let n = try count(8)
        var out = [Double](); out.reserveCapacity(n)
        for _ in 0..<n { out.append(try double()) }
        return out
    }
    mutating func doubles(expected: Int, _ what: String) throws(StateFileError) -> [Double] {
        let d = try doubles()
        guard d.count == expected else { throw fail("\(what): \(d.count) values, expected \(expected)") }
        return d
    }
    mutating func ints() throws(StateFileError) -> [Int] {
        let n = try count(8)
        var out = [Int](); out.reserveCapacity(n)
        for _ in 0..<n { out.append(try int()) }
        return out
    }
    mutating func bools() throws(StateFileError) -> [Bool] {
        let n = try count(1)
        var out = [Bool](); out.reserveCapacity(n)
        for _ in 0..<n { out.append(try bool()) }
        return out
    }
    mutating func optionalDouble() throws(StateFileError) -> Double? {
        let has = try bool(); let v = try double()
        return has ? v : nil
    }
    mutating func matrix() throws(StateFileError) -> Matrix? {
        guard try bool() else { return nil }
        let r = try count(8), c = try count(8)
        let (rc, o) = r.multipliedReportingOverflow(by: c)
        guard !o else { throw fail("matrix \(r)×\(c) too large") }
        let s = try doubles(expected: rc, "matrix \(r)×\(c)")
        var m = Matrix(rows: r, columns: c)
        m.storage = s
        return m
    }
}

/// `LocalizedError`: `localizedDescription` is ``StateFileError/description``,
/// with what to do next.
extension StateFileError: LocalizedError {
    public var errorDescription: String? { description }

    public var recoverySuggestion: String? {
        switch self {
        case .notAStateFile: return "Give the files written by `barometer partial … --state-out`."
        case .unsupportedVersion: return "Re-run `barometer partial` on the shard with this Barometer."
        case .checksumMismatch: return "Re-run `barometer partial` on the shard whose state this is, and copy the state whole."
        case .malformed: return "Re-run `barometer partial` on the shard whose state this is."
        case .incompatible: return "Run every shard with the same command, variables, codebook, weight, design and options."
        }
    }
}
