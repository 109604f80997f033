import Barometer
import Foundation

/// Writes a dataset as RFC 4180 CSV (header row; numbers in the shortest form
/// that reads back to the same `Double`; system-missing as an empty cell;
/// fields with a comma, quote or line break quoted). Labels are not kept:
/// write `.sav` (``SAVWriter``) for that.
public enum DatasetCSVWriter {
    /// Writes `data` to `path` (replacing it).
    /// - Throws: ``BarometerError/invalidArgument(_:)`` when the file cannot be written.
    public static func write(_ data: Dataset, to path: String) throws(BarometerError) {
        var out = data.variables.map { quote($0.name) }.joined(separator: ",") + "\n"
        out.reserveCapacity(data.rowCount * data.variables.count * 8)
        for i in 0..<data.rowCount {
            var first = true
            for v in data.variables {
                if !first { out += "," }
                first = false
                if let s = v.strings { out += quote(s[i]) } else { out += number(v.values[i]) }
            }
            out += "\n"
        }
        do { try Data(out.utf8).write(to: URL(fileURLWithPath: path)) } catch {
            throw .invalidArgument("cannot write \(path): \(error.localizedDescription)")
        }
    }

    static func number(_ x: Double) -> String {
        guard x.isFinite else { return "" }
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }

    static func quote(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
