import Barometer
import BarometerIO
import BarometerClaims
/// Grouped vertical bars: one group per item (e.g. a country), one bar per
/// answer (e.g. more / as it is / less presence), the recomputed percent as
/// the bar and the published percent as a black tick across it.
struct GroupedBarChart {
    struct Group {
        var label: String
        /// One value per series: (recomputed, published).
        var values: [(recomputed: Double?, published: Double?)]
    }

    /// Element id (unique in the report).
    var id: String
    var title: String
    var series: [String]
    var groups: [Group]
    var caption: String
    /// Where the figures appear in the memo (for the figure caption).
    var note: String

    static let colors = ["#2166ac", "#92c5de", "#f4a582", "#b2182b", "#999999", "#5aae61", "#c2a5cf"]

    var svg: String {
        let left = 50.0, top0 = 30.0, plotH = 260.0, barW = 34.0, barGap = 6.0, groupGap = 46.0
        let all = groups.flatMap(\.values).flatMap { [$0.recomputed ?? 0, $0.published ?? 0] }.filter(\.isFinite)
        // Percent axis from 0 (or the smallest negative value) in steps of 10,
        // coarser when the range is wide: at most 10 intervals whatever the data.
        let axis = AxisTicks(covering: Swift.min(0, all.min() ?? 0), Swift.max(10, all.max() ?? 0), minimumStep: 10, maxIntervals: 10)
        let ymin = axis.lower, ymax = axis.upper
        let k = Double(series.count)
        let groupW = k * barW + (k - 1) * barGap
        let width = Swift.max(620, left + Double(groups.count) * (groupW + groupGap) + 20)
        let legendH = 18 * Double(series.count + 1)
        let top = top0 + legendH
        let height = top + plotH + 60
        func yOf(_ v: Double) -> Double { top + plotH - (axis.clamp(v) - ymin) / (ymax - ymin) * plotH }
        var s = ""
        for t in axis.values {
            s += "<line x1=\"\(XMLText.num(left))\" y1=\"\(XMLText.num(yOf(t)))\" x2=\"\(XMLText.num(width - 10))\" y2=\"\(XMLText.num(yOf(t)))\" class=\"grid\"/>"
            s += "<text x=\"\(XMLText.num(left - 6))\" y=\"\(XMLText.num(yOf(t) + 4))\" text-anchor=\"end\" class=\"tick\">\(AxisTicks.label(t))%</text>\n"
        }
        var x = left + groupGap / 2
        for g in groups {
            for (j, v) in g.values.enumerated() {
                let bx = x + Double(j) * (barW + barGap)
                if let r = v.recomputed {
                    s += "<rect x=\"\(XMLText.num(bx))\" y=\"\(XMLText.num(Swift.min(yOf(r), yOf(0))))\" width=\"\(XMLText.num(barW))\" height=\"\(XMLText.num(Swift.abs(yOf(0) - yOf(r))))\" fill=\"\(Self.colors[j % Self.colors.count])\"><title>\(XMLText.escape(g.label)), \(XMLText.escape(series[j])): recomputed \(XMLText.num(r))%</title></rect>"
                    s += "<text x=\"\(XMLText.num(bx + barW / 2))\" y=\"\(XMLText.num(yOf(r) - 4))\" text-anchor=\"middle\" class=\"tick\">\(XMLText.num((r * 10).rounded() / 10))</text>"
                }
                if let p = v.published {
                    s += "<line x1=\"\(XMLText.num(bx - 3))\" y1=\"\(XMLText.num(yOf(p)))\" x2=\"\(XMLText.num(bx + barW + 3))\" y2=\"\(XMLText.num(yOf(p)))\" class=\"pub\"><title>published \(XMLText.num(p))%</title></line>"
                }
                s += "\n"
            }
            s += "<text x=\"\(XMLText.num(x + groupW / 2))\" y=\"\(XMLText.num(top + plotH + 18))\" text-anchor=\"middle\" class=\"q\">\(XMLText.escape(g.label))</text>\n"
            x += groupW + groupGap
        }
        var legend = ""
        for (j, name) in series.enumerated() {
            let ly = 26 + 18 * Double(j)
            legend += "<rect x=\"\(XMLText.num(left))\" y=\"\(XMLText.num(ly))\" width=\"12\" height=\"12\" fill=\"\(Self.colors[j % Self.colors.count])\"/><text x=\"\(XMLText.num(left + 18))\" y=\"\(XMLText.num(ly + 10))\" class=\"tick\">\(XMLText.escape(name))</text>\n"
        }
        let ly = 26 + 18 * Double(series.count)
        legend += "<line x1=\"\(XMLText.num(left - 3))\" y1=\"\(XMLText.num(ly + 6))\" x2=\"\(XMLText.num(left + 15))\" y2=\"\(XMLText.num(ly + 6))\" class=\"pub\"/><text x=\"\(XMLText.num(left + 18))\" y=\"\(XMLText.num(ly + 10))\" class=\"tick\">published figure</text>\n"
        return XMLText.svg(id: id, width: width, height: height, title: title, body: "\(legend)\(s)", caption: caption, captionOffset: 10)
    }
}
