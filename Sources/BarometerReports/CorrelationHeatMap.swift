import Barometer
import BarometerIO
import BarometerClaims
/// A heat map of correlation coefficients beside partial correlations
/// (one row per pair of variables, one column per coefficient), coloured on
/// a diverging blue–white–red scale from −1 to 1, the value and its 95% CI
/// written in each cell.
struct CorrelationHeatMap {
    struct Cell {
        var value: Double
        var lower: Double?
        var upper: Double?
    }

    struct Row {
        var label: String
        /// One cell per column (nil: no claim for that pair).
        var cells: [Cell?]
    }

    var title: String
    var columns: [String]
    var rows: [Row]
    var caption: String

    /// Diverging colour for r in [−1, 1] (ColorBrewer RdBu end points).
    static func color(_ r: Double) -> String {
        let t = r.isFinite ? Swift.min(1, Swift.max(-1, r)) : 0
        let (a, b): ((Double, Double, Double), (Double, Double, Double)) =
            t >= 0 ? ((247, 247, 247), (178, 24, 43)) : ((247, 247, 247), (33, 102, 172))
        let u = abs(t)
        func c(_ x: Double, _ y: Double) -> Int { Int((x + (y - x) * u).rounded()) }
        let rgb = [c(a.0, b.0), c(a.1, b.1), c(a.2, b.2)]
        return "#" + rgb.map { v in let h = String(v, radix: 16); return h.count == 1 ? "0" + h : h }.joined()
    }

    var svg: String {
        let labelW = 330.0, cellW = 190.0, cellH = 40.0, top = 60.0
        let width = labelW + Double(columns.count) * cellW + 30
        let height = top + Double(rows.count) * cellH + 70
        var s = ""
        for (j, c) in columns.enumerated() {
            s += "<text x=\"\(XMLText.num(labelW + Double(j) * cellW + cellW / 2))\" y=\"\(XMLText.num(top - 8))\" text-anchor=\"middle\" class=\"q\">\(XMLText.escape(c))</text>\n"
        }
        for (i, r) in rows.enumerated() {
            let y = top + Double(i) * cellH
            s += "<text x=\"\(XMLText.num(labelW - 8))\" y=\"\(XMLText.num(y + cellH / 2 + 4))\" text-anchor=\"end\">\(XMLText.escape(r.label))</text>\n"
            for (j, cell) in r.cells.enumerated() {
                let x = labelW + Double(j) * cellW
                guard let cell else {
                    s += "<rect x=\"\(XMLText.num(x))\" y=\"\(XMLText.num(y))\" width=\"\(XMLText.num(cellW))\" height=\"\(XMLText.num(cellH))\" fill=\"#ffffff\" stroke=\"#dddddd\"/>\n"
                    continue
                }
                let dark = abs(cell.value) > 0.55
                let ci = zipCI(cell).map { " [\($0)]" } ?? ""
                s += "<rect x=\"\(XMLText.num(x))\" y=\"\(XMLText.num(y))\" width=\"\(XMLText.num(cellW))\" height=\"\(XMLText.num(cellH))\" fill=\"\(Self.color(cell.value))\" stroke=\"#ffffff\"><title>\(XMLText.escape(r.label)), \(XMLText.escape(columns[j])): \(fmt(cell.value))\(ci)</title></rect>"
                s += "<text x=\"\(XMLText.num(x + cellW / 2))\" y=\"\(XMLText.num(y + 17))\" text-anchor=\"middle\" class=\"\(dark ? "vw" : "vb")\">\(fmt(cell.value))</text>"
                if let c = zipCI(cell) {
                    s += "<text x=\"\(XMLText.num(x + cellW / 2))\" y=\"\(XMLText.num(y + 32))\" text-anchor=\"middle\" class=\"\(dark ? "cw" : "cb")\">95% CI \(c)</text>"
                }
                s += "\n"
            }
        }
        // Colour scale.
        let sy = top + Double(rows.count) * cellH + 16
        var scale = ""
        for k in 0...20 {
            let r = -1 + Double(k) * 0.1
            scale += "<rect x=\"\(XMLText.num(labelW + Double(k) * 12))\" y=\"\(XMLText.num(sy))\" width=\"12\" height=\"10\" fill=\"\(Self.color(r))\"/>"
        }
        scale += "<text x=\"\(XMLText.num(labelW - 8))\" y=\"\(XMLText.num(sy + 9))\" text-anchor=\"end\" class=\"tick\">−1</text>"
        scale += "<text x=\"\(XMLText.num(labelW + 21 * 12 + 6))\" y=\"\(XMLText.num(sy + 9))\" class=\"tick\">+1</text>\n"
        return XMLText.svg(id: "heatmap", width: width, height: height, title: title, body: "\(s)\(scale)", caption: caption, captionOffset: 10)
    }

    private func fmt(_ x: Double) -> String {
        let v = (x * 1000).rounded() / 1000
        var s = String(format3(v))
        if v >= 0 { s = "+" + s }
        return s
    }

    private func format3(_ v: Double) -> String {
        guard v.isFinite, abs(v) < 1e12 else { return v.isNaN ? "n/a" : String(format: "%.3g", v) }
        let neg = v < 0
        let m = Int((abs(v) * 1000).rounded())
        let frac = String(m % 1000)
        return (neg ? "−" : "") + "\(m / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
    }

    private func zipCI(_ c: Cell) -> String? {
        guard let lo = c.lower, let hi = c.upper else { return nil }
        return "\(fmt(lo)) to \(fmt(hi))"
    }
}
