/// A rendering-neutral labelled grid: what every result looks like before
/// it becomes plain text, Markdown or CSV (see `BarometerIO`'s renderers).
public struct TextTable: Sendable, Equatable {
    /// Column alignment.
    public enum Alignment: Sendable {
        /// Text columns (labels, names).
        case left
        /// Number columns.
        case right
    }

    /// A heading line above the grid.
    public var title: String
    /// Column headers.
    public var headers: [String]
    /// Alignment per column.
    public var alignments: [Alignment]
    /// Cells, row by row, already formatted.
    public var rows: [[String]]
    /// Lines below the grid: base, weight, deletion rule, warnings.
    public var notes: [String]

    /// - Parameters:
    ///   - title: A heading line above the grid.
    ///   - headers: Column headers.
    ///   - alignments: Alignment per column (nil: first column left, the others right).
    ///   - rows: Cells, row by row, already formatted.
    ///   - notes: Lines below the grid: base, weight, deletion rule, warnings.
    public init(title: String, headers: [String], alignments: [Alignment]? = nil,
                rows: [[String]], notes: [String] = []) {
        self.title = title
        self.headers = headers
        self.alignments = alignments ?? headers.indices.map { $0 == 0 ? .left : .right }
        self.rows = rows
        self.notes = notes
    }
}

/// A result that can be shown as a ``TextTable``.
public protocol TableRepresentable {
    /// The result as a labelled grid.
    var textTable: TextTable { get }
}

/// Fixed-decimal formatting used by every table.
public enum NumberFormat {
    /// `x` with `decimals` digits after the point ("" for nil, "NaN" never
    /// silently: non-finite values print as `n/a`). Halves round away from zero, and a
    /// value within 1e-12 (relative) of a half is read as that half: the same sums
    /// added in another order (merged shards, other chunks) differ in their last bits
    /// and must print the same digits, and a decimal tie such as 126.55 (a sum of
    /// 4-decimal weights, stored as 126.5499999999999972) prints 126.6, as written.
    public static func fixed(_ x: Double?, _ decimals: Int) -> String {
        guard let x else { return "" }
        guard x.isFinite else { return "n/a" }
        let scale = pow10(decimals)
        let scaled = abs(x) * scale
        var whole = scaled.rounded(.down)
        if scaled - whole >= 0.5 - 1e-12 * Swift.max(scaled, 1) { whole += 1 }
        var r = whole / scale
        if x < 0 && r != 0 { r = -r }
        var s = String(r)
        if s.contains("e") { return String(x) }
        if !s.contains(".") { s += "." }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        var frac = String(parts.count > 1 ? parts[1] : "")
        if frac.count < decimals { frac += String(repeating: "0", count: decimals - frac.count) }
        if frac.count > decimals { frac = String(frac.prefix(decimals)) }
        return decimals == 0 ? String(parts[0]) : "\(parts[0]).\(frac)"
    }

    private static func pow10(_ d: Int) -> Double {
        var p = 1.0
        for _ in 0..<max(d, 0) { p *= 10 }
        return p
    }
}
