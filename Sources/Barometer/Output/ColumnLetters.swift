/// Column letters as spreadsheets name columns: bijective base 26, so the
/// zero-based index 0 is "A", 25 "Z", 26 "AA", 701 "ZZ", 702 "AAA" (no
/// zero digit). Used for banner column letters (A, B, …, as WinCross and Q
/// letter columns) and for .xlsx cell references.
public enum ColumnLetters {
    /// The name of zero-based column `k` ("" for a negative index).
    public static func name(_ k: Int) -> String {
        guard k >= 0 else { return "" }
        var k = k, s = ""
        repeat {
            s = String(UnicodeScalar(UInt8(65 + k % 26))) + s
            k = k / 26 - 1
        } while k >= 0
        return s
    }
}
