import Foundation
import Testing

/// Issue 22's absolute memory bound: a file whose columns cannot be loaded in 1 GiB is
/// streamed by `barometer partial` with a peak resident set (`/usr/bin/time -v`) below 1 GiB,
/// and the streamed answer is the right one.
@Suite struct StreamingMemoryBoundTests {
    /// The bound of issue 22 (every streamed task ≤ 1 GiB of peak RSS).
    static let bound = 1 << 30

    /// 10⁶ rows × 140 coded columns (1–5, correlated through a common factor; ≈ 280 MB of
    /// CSV). Loading the 140 columns needs 10⁶ · 140 · 8 B = 1.12 GB of `Double`s alone, above
    /// the bound before any other allocation; the streamed 140 × 140 Pearson matrix
    /// (`partial corr … --state-out` + `merge`) must peak below it. The rows are drawn from
    /// 4,096 distinct records, so the whole-file answer is also the frequency-weighted
    /// correlation of those records (weights = how often each was drawn,
    /// `--frequency-weights`, whose n is Σw): an in-memory computation on a 4,096-row file
    /// that the streamed one must match at 1e-10 (estimates, df, p-values).
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/time")))
    func streamedCorrelationOfAFileTooLargeToLoadStaysBelowOneGiB() throws {
        let rows = 1_000_000, columns = 140, distinct = 4_096
        #expect(rows * columns * MemoryLayout<Double>.size > Self.bound)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("barometer-gib-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var g = SplitMix(seed: 22)
        func uniform() -> Double { Double(g.next() >> 11) / Double(1 << 53) }
        // The distinct records, each `width` bytes (one digit and a delimiter per column), back to back:
        // code = clamp(⌊common/2 + noise + 3⌋, 1, 5), common uniform on (−2, 2), noise on (−1.5, 1.5).
        let width = 2 * columns
        var records = [UInt8](repeating: UInt8(ascii: ","), count: distinct * width)
        for k in 0..<distinct {
            let common = 4 * uniform() - 2
            for j in 0..<columns {
                let code = min(5, max(1, Int((0.5 * common + 3 * uniform() - 1.5 + 3).rounded(.down))))
                records[k * width + 2 * j] = UInt8(ascii: "0") + UInt8(code)
            }
            records[k * width + width - 1] = UInt8(ascii: "\n")
        }
        let names = (1...columns).map { "c\($0)" }
        let big = dir.appendingPathComponent("big.csv")
        try Data((names.joined(separator: ",") + "\n").utf8).write(to: big)
        let handle = try FileHandle(forWritingTo: big)
        try handle.seekToEnd()
        var drawn = [Int](repeating: 0, count: distinct)
        let block = 16_384
        var buffer = [UInt8](repeating: 0, count: block * width)
        // Whole records copied with memcpy (a debug build would copy byte by byte otherwise).
        try records.withUnsafeBytes { source in
            var done = 0
            while done < rows {
                let m = min(block, rows - done)
                buffer.withUnsafeMutableBytes { target in
                    for r in 0..<m {
                        let k = Int(g.next() % UInt64(distinct))
                        drawn[k] += 1
                        (target.baseAddress! + r * width).copyMemory(from: source.baseAddress! + k * width, byteCount: width)
                    }
                }
                try handle.write(contentsOf: buffer[0..<(m * width)])
                done += m
            }
        }
        try handle.close()
        var small = names.joined(separator: ",") + ",count\n"
        for k in 0..<distinct where drawn[k] > 0 {
            small += String(decoding: records[(k * width)..<(k * width + width - 1)], as: UTF8.self) + ",\(drawn[k])\n"
        }
        let weighted = dir.appendingPathComponent("distinct.csv")
        try small.write(to: weighted, atomically: true, encoding: .utf8)

        let state = dir.appendingPathComponent("big.state").path
        let streamed = try CLI.peakRSS(["partial", "corr", big.path] + names + ["--state-out", state])
        #expect(streamed.status == 0)
        #expect(streamed.kib > 0 && streamed.kib * 1024 < Self.bound, "streamed peak \(streamed.kib) KiB")
        let merged = try CLI.run(["merge", state, "--format", "json"])
        let reference = try CLI.run(["corr", weighted.path] + names + ["--weight", "count", "--frequency-weights", "--format", "json"])
        #expect(merged.status == 0 && reference.status == 0, "\(merged.stderr)\(reference.stderr)")
        let m = try #require(try JSONSerialization.jsonObject(with: Data(merged.stdout.utf8)) as? [String: Any])
        let r = try #require(try JSONSerialization.jsonObject(with: Data(reference.stdout.utf8)) as? [String: Any])
        for key in ["estimates", "degreesOfFreedom", "pValues"] {
            let a = try #require(m[key] as? [[Any]]), b = try #require(r[key] as? [[Any]])
            #expect(a.count == columns && b.count == columns, "\(key)")
            for (i, (x, y)) in zip(a, b).enumerated() {
                for (j, (u, v)) in zip(x, y).enumerated() {
                    if let u = u as? NSNumber, let v = v as? NSNumber {
                        #expect(close(u.doubleValue, v.doubleValue, rel: 1e-10), "\(key)[\(i)][\(j)]: \(u) vs \(v)")
                    } else {
                        #expect(u is NSNull && v is NSNull, "\(key)[\(i)][\(j)]")
                    }
                }
            }
        }
    }
}
