import Foundation

/// What produced a result: the Barometer version, each input file with its
/// SHA-256, the options (the command line) and the time, so that a report
/// can say exactly what it was computed from.
///
/// `barometer … --provenance` adds it as a top-level `provenance` object to
/// JSON output and as closing lines to tables; `verify --provenance` also
/// writes it into the reports.
public struct Provenance: Sendable, Codable, Equatable {
    /// The version of this library and of the `barometer` tool.
    public static let barometerVersion = "0.2.0"

    /// One input file.
    public struct Input: Sendable, Codable, Equatable {
        /// The path as given (`-` for standard input).
        public let path: String
        /// Lower-case hex SHA-256 of the bytes read (FIPS 180-4).
        public let sha256: String
        /// Bytes read.
        public let bytes: Int

        /// - Parameters:
        ///   - path: The path as given (`-` for standard input).
        ///   - sha256: Lower-case hex SHA-256 of the bytes read.
        ///   - bytes: Number of bytes read.
        public init(path: String, sha256: String, bytes: Int) {
            self.path = path
            self.sha256 = sha256
            self.bytes = bytes
        }
    }

    /// Always "barometer".
    public let tool: String
    /// ``barometerVersion`` at the time of the run.
    public let version: String
    /// The input files (data, codebook, claim file …) in the order read.
    public let inputs: [Input]
    /// The options, e.g. the command line after the program name.
    public let options: [String]
    /// When the result was produced, ISO 8601 in UTC (`2026-12-06T03:04:05Z`).
    public let time: String

    /// Provenance of a run of ``barometerVersion`` of the `barometer` tool.
    /// - Parameters:
    ///   - inputs: The input files in the order read.
    ///   - options: The options, e.g. the command line after the program name.
    ///   - date: When the result was produced (default now), written as ISO 8601 in UTC.
    public init(inputs: [Input], options: [String], date: Date = Date()) {
        self.tool = "barometer"
        self.version = Self.barometerVersion
        self.inputs = inputs
        self.options = options
        let f = ISO8601DateFormatter()
        f.timeZone = TimeZone(identifier: "UTC")
        self.time = f.string(from: date)
    }

    /// The provenance lines printed below a table.
    public var lines: [String] {
        ["Produced by barometer \(version) at \(time)"]
            + inputs.map { "Input \($0.path): \($0.bytes) bytes, SHA-256 \($0.sha256)" }
            + (options.isEmpty ? [] : ["Options: " + options.joined(separator: " ")])
    }
}

/// SHA-256 (FIPS 180-4), streaming: feed bytes with ``update(_:)``, then
/// ``hexDigest()``. Checked against Python's `hashlib` on the committed
/// fixtures (`Fixtures/reference/library/`).
public struct SHA256: Sendable {
    private var h: [UInt32] = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]
    private var buffer: [UInt8] = []
    private var length: UInt64 = 0

    private static let k: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]

    /// A hasher with nothing fed yet (the FIPS 180-4 initial hash values).
    public init() {}

    /// The digest of `bytes` as lower-case hex.
    public static func hexDigest<C: Collection>(of bytes: C) -> String where C.Element == UInt8 {
        var s = SHA256()
        s.update(bytes)
        return s.hexDigest()
    }

    /// The digest and size of a file (or pipe), read in 1 MiB pieces.
    /// - Throws: ``BarometerError/invalidArgument(_:)`` naming the file when it cannot be read.
    public static func file(_ path: String) throws(BarometerError) -> Provenance.Input {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .invalidArgument("cannot read \(path) to compute its SHA-256")
        }
        defer { try? handle.close() }
        var s = SHA256()
        var total = 0
        while true {
            let chunk: Data
            do { chunk = try handle.read(upToCount: 1 << 20) ?? Data() } catch {
                throw .invalidArgument("cannot read \(path) to compute its SHA-256: \(error)")
            }
            if chunk.isEmpty { break }
            total += chunk.count
            s.update(chunk)
        }
        return Provenance.Input(path: path, sha256: s.hexDigest(), bytes: total)
    }

    /// Adds bytes.
    public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        length &+= UInt64(bytes.count)
        buffer.append(contentsOf: bytes)
        var start = 0
        while buffer.count - start >= 64 {
            compress(buffer, at: start)
            start += 64
        }
        if start > 0 { buffer.removeFirst(start) }
    }

    /// The digest of everything added, as lower-case hex (the state is not changed).
    public func hexDigest() -> String {
        var copy = self
        var tail = copy.buffer
        let bits = length &* 8
        tail.append(0x80)
        while tail.count % 64 != 56 { tail.append(0) }
        for i in (0..<8).reversed() { tail.append(UInt8(truncatingIfNeeded: bits >> (UInt64(i) * 8))) }
        var start = 0
        while start < tail.count {
            copy.compress(tail, at: start)
            start += 64
        }
        let hex: [Character] = Array("0123456789abcdef")
        var out = ""
        for word in copy.h {
            for shift in stride(from: 28, through: 0, by: -4) { out.append(hex[Int((word >> UInt32(shift)) & 0xf)]) }
        }
        return out
    }

    private mutating func compress(_ block: [UInt8], at offset: Int) {
        @inline(__always) func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { (x >> n) | (x << (32 - n)) }
        var w = [UInt32](repeating: 0, count: 64)
        for t in 0..<16 {
            let i = offset + 4 * t
            w[t] = UInt32(block[i]) << 24 | UInt32(block[i + 1]) << 16 | UInt32(block[i + 2]) << 8 | UInt32(block[i + 3])
        }
        for t in 16..<64 {
            let s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3)
            let s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10)
            w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
        }
        var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7]
        for t in 0..<64 {
            let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
            let ch = (e & f) ^ (~e & g)
            let t1 = hh &+ s1 &+ ch &+ Self.k[t] &+ w[t]
            let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
            let maj = (a & b) ^ (a & c) ^ (b & c)
            let t2 = s0 &+ maj
            hh = g; g = f; f = e; e = d &+ t1; d = c; c = b; b = a; a = t1 &+ t2
        }
        h[0] &+= a; h[1] &+= b; h[2] &+= c; h[3] &+= d; h[4] &+= e; h[5] &+= f; h[6] &+= g; h[7] &+= hh
    }
}
