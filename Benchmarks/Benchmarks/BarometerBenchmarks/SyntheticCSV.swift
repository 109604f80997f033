import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A deterministic numeric CSV for the ingest benchmark, written once under
/// `Benchmarks/.data/bench/` (git-ignored, never committed) and reused.
/// 20 columns of values `round(100·u, 6)` with `u` from SplitMix64 in
/// (−1, 1), six decimals each, like the peer comparison's `ingest.csv`.
enum SyntheticCSV {
    struct Failure: Error, CustomStringConvertible { let description: String }

    /// Path of a file with `rows` data rows (about 215 bytes per row: 4.6 M rows ≈ 1 GB).
    static func file(rows: Int, columns: Int = 20, seed: UInt64 = 3) throws -> String {
        let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".data/bench").path
        let path = "\(dir)/ingest-\(rows)x\(columns).csv"
        if FileManager.default.fileExists(atPath: path) { return path }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let tmp = path + ".partial"
        guard let f = fopen(tmp, "wb") else { throw Failure(description: "cannot write \(tmp)") }
        var g = SyntheticSurvey.Generator(state: seed)
        var buf = [UInt8]()
        buf.reserveCapacity(1 << 22)
        buf.append(contentsOf: Array((1...columns).map { "c\($0)" }.joined(separator: ",").utf8))
        buf.append(10)
        var digits = [UInt8](repeating: 0, count: 24)
        for _ in 0..<rows {
            for j in 0..<columns {
                // an integer number of millionths in (−10⁸, 10⁸): value = m / 10⁶
                let m = Int64(g.next() % 200_000_000) - 100_000_000
                if m < 0 { buf.append(UInt8(ascii: "-")) }
                var a = UInt64(abs(m)), k = 0
                repeat { digits[k] = UInt8(48 + a % 10); a /= 10; k += 1 } while k < 7 || a > 0
                for i in stride(from: k - 1, through: 6, by: -1) { buf.append(digits[i]) }
                buf.append(UInt8(ascii: "."))
                for i in stride(from: 5, through: 0, by: -1) { buf.append(digits[i]) }
                buf.append(j == columns - 1 ? 10 : UInt8(ascii: ","))
            }
            if buf.count > (1 << 22) - 4096 {
                guard fwrite(buf, 1, buf.count, f) == buf.count else { fclose(f); throw Failure(description: "short write") }
                buf.removeAll(keepingCapacity: true)
            }
        }
        guard fwrite(buf, 1, buf.count, f) == buf.count, fclose(f) == 0 else { throw Failure(description: "short write") }
        try FileManager.default.moveItem(atPath: tmp, toPath: path)
        return path
    }

    static func size(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path)[.size]) as? NSNumber)?.intValue ?? 0
    }
}
