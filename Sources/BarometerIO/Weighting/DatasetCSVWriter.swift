import Barometer
import Foundation

/// Writes a dataset as RFC 4180 CSV (header row; numbers in the shortest form
/// that reads back to the same `Double`; system-missing as an empty cell;
/// fields with a comma, quote or line break quoted). Labels are not kept:
/// write `.sav` (``SAVWriter``) for that.
public enum DatasetCSVWriter {
    /// Writes `data` to `path` (replacing it).
    /// - Throws: `BarometerError/invalidArgument(_:)` when the file cannot be written.
    public static func write(_ data: Dataset, to path: String) throws(BarometerError) {
        var out: [UInt8] = []
        out.reserveCapacity(data.rowCount * max(data.variables.count, 1) * 8 + 1024)
        out.append(contentsOf: data.variables.map { quote($0.name) }.joined(separator: ",").utf8)
        out.append(10)
        // Rows are written from blocks of 4,096 rows copied column by column (no per-row copies
        // of the variables).
        let p = data.variables.count, n = data.rowCount, blockRows = 4096
        let strings = data.variables.map(\.strings)
        var block = [Double](repeating: 0, count: blockRows * p)
        var scratch: [UInt8] = []
        scratch.reserveCapacity(24)
        var start = 0
        while start < n {
            let rows = min(blockRows, n - start)
            for (j, v) in data.variables.enumerated() where v.strings == nil {
                v.values.withUnsafeBufferPointer { src in
                    for r in 0..<rows { block[j * blockRows + r] = src[start + r] }
                }
            }
            for r in 0..<rows {
                for j in 0..<p {
                    if j > 0 { out.append(44) }
                    if let s = strings[j] { out.append(contentsOf: quote(s[start + r]).utf8) } else {
                        appendNumber(block[j * blockRows + r], to: &out, scratch: &scratch)
                    }
                }
                out.append(10)
            }
            start += rows
        }
        do { try Data(out).write(to: URL(fileURLWithPath: path)) } catch {
            throw .invalidArgument("cannot write \(path): \(error.localizedDescription)")
        }
    }

    /// Whole numbers below 2⁵³ as integers (digits written directly), others in Swift's shortest round-trip form.
    static func appendNumber(_ x: Double, to out: inout [UInt8], scratch: inout [UInt8]) {
        guard x.isFinite else { return }
        if x == x.rounded(.towardZero), abs(x) < 9_007_199_254_740_992 {
            var v = Int64(x)
            if v < 0 { out.append(45); v = -v }
            if v == 0 { out.append(48); return }
            scratch.removeAll(keepingCapacity: true)
            while v > 0 { scratch.append(UInt8(48 + v % 10)); v /= 10 }
            for k in stride(from: scratch.count - 1, through: 0, by: -1) { out.append(scratch[k]) }
            return
        }
        out.append(contentsOf: x.description.utf8)
    }

    static func quote(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
