import Barometer
import BarometerIO
import BarometerClaims
/// Diverging stacked bars for agree/disagree (Likert) questions, drawn as
/// survey researchers do (Robbins & Heiberger 2011): negative answers to
/// the left of a zero line, positive answers to the right, the milder
/// category next to the line, and "Don't know / no answer" aside in its
/// own column so it does not shift the centre. Each question shows the
/// published row above the recomputed row.
struct LikertChart {
    struct Row {
        var label: String
        /// Percent per category: strong positive, mild positive, mild negative, strong negative.
        var veryPositive: Double?
        var positive: Double?
        var negative: Double?
        var veryNegative: Double?
        var dontKnow: Double?
    }

    struct Question {
        var title: String
        /// Category names: very positive, positive, negative, very negative.
        var categories: [String]
        var rows: [Row]
    }

    var title: String
    var questions: [Question]
    var caption: String

    static let colors = ["#1a7837", "#7fbf7b", "#f4a582", "#b2182b"]
    static let dkColor = "#bdbdbd"

    var svg: String {
        let labelW = 230.0, plotW = 560.0, gap = 30.0, dkW = 120.0, barH = 18.0, rowGap = 4.0, qGap = 30.0
        let negMax = questions.flatMap(\.rows).map { ($0.negative ?? 0) + ($0.veryNegative ?? 0) }.max() ?? 0
        let posMax = questions.flatMap(\.rows).map { ($0.positive ?? 0) + ($0.veryPositive ?? 0) }.max() ?? 0
        // One axis from −(negative side) to +(positive side), ticks every 10
        // points, coarser when the range is wide: at most 20 intervals.
        let axisTicks = AxisTicks(covering: -Swift.max(10, negMax.isFinite ? negMax : 0), Swift.max(10, posMax.isFinite ? posMax : 0),
                                  minimumStep: 10, maxIntervals: 20)
        let lo = -axisTicks.lower, hi = axisTicks.upper
        let scale = plotW / (lo + hi)
        let x0 = labelW + lo * scale
        let dkMax = AxisTicks(covering: 0, Swift.max(10, questions.flatMap(\.rows).compactMap(\.dontKnow).filter(\.isFinite).max() ?? 0),
                              minimumStep: 10).upper
        let dkX = labelW + plotW + gap, dkScale = dkW / dkMax
        let top = 56.0
        var y = top
        var body = ""
        for q in questions {
            body += "<text x=\"4\" y=\"\(XMLText.num(y + 12))\" class=\"q\">\(XMLText.escape(q.title))</text>\n"
            y += 18
            for r in q.rows {
                body += "<text x=\"\(XMLText.num(labelW - 6))\" y=\"\(XMLText.num(y + 13))\" text-anchor=\"end\">\(XMLText.escape(r.label))</text>\n"
                // Right side: mild then strong; left side: mild then strong.
                var right = x0
                for (k, v) in [(1, r.positive), (0, r.veryPositive)] {
                    guard let v else { continue }
                    body += segment(x: right, w: v * scale, y: y, h: barH, color: Self.colors[k], value: v, name: q.categories[k])
                    right += v * scale
                }
                var left = x0
                for (k, v) in [(2, r.negative), (3, r.veryNegative)] {
                    guard let v else { continue }
                    left -= v * scale
                    body += segment(x: left, w: v * scale, y: y, h: barH, color: Self.colors[k], value: v, name: q.categories[k])
                }
                if let d = r.dontKnow {
                    body += segment(x: dkX, w: d * dkScale, y: y, h: barH, color: Self.dkColor, value: d, name: "Don't know / no answer")
                }
                y += barH + rowGap
            }
            y += qGap - rowGap
        }
        let height = y + 40
        var axis = ""
        for t in axisTicks.values {
            let x = x0 + t * scale
            axis += "<line x1=\"\(XMLText.num(x))\" y1=\"\(XMLText.num(top - 4))\" x2=\"\(XMLText.num(x))\" y2=\"\(XMLText.num(y - qGap + 8))\" class=\"grid\"/>\n"
            axis += "<text x=\"\(XMLText.num(x))\" y=\"\(XMLText.num(y - qGap + 22))\" text-anchor=\"middle\" class=\"tick\">\(AxisTicks.label(abs(t)))%</text>\n"
        }
        axis += "<line x1=\"\(XMLText.num(x0))\" y1=\"\(XMLText.num(top - 8))\" x2=\"\(XMLText.num(x0))\" y2=\"\(XMLText.num(y - qGap + 8))\" class=\"zero\"/>\n"
        axis += "<text x=\"\(XMLText.num(dkX))\" y=\"\(XMLText.num(top - 8))\" class=\"tick\">Don't know / no answer</text>\n"
        let cats = questions.first?.categories ?? []
        var legend = ""
        var lx = labelW
        for (k, name) in [(3, cats.count > 3 ? cats[3] : ""), (2, cats.count > 2 ? cats[2] : ""),
                          (1, cats.count > 1 ? cats[1] : ""), (0, cats.first ?? "")] {
            legend += "<rect x=\"\(XMLText.num(lx))\" y=\"26\" width=\"12\" height=\"12\" fill=\"\(Self.colors[k])\"/>"
            legend += "<text x=\"\(XMLText.num(lx + 16))\" y=\"36\" class=\"tick\">\(XMLText.escape(name))</text>\n"
            lx += 150
        }
        let width = dkX + dkW + 40
        return XMLText.svg(id: "likert", width: width, height: height, title: title, body: "\(legend)\(axis)\(body)", caption: caption, captionOffset: 8)
    }

    private func segment(x: Double, w: Double, y: Double, h: Double, color: String, value: Double, name: String) -> String {
        var s = "<rect x=\"\(XMLText.num(x))\" y=\"\(XMLText.num(y))\" width=\"\(XMLText.num(Swift.max(w, 0)))\" height=\"\(XMLText.num(h))\" fill=\"\(color)\"><title>\(XMLText.escape(name)): \(XMLText.num(value))%</title></rect>"
        if w >= 26 {
            s += "<text x=\"\(XMLText.num(x + w / 2))\" y=\"\(XMLText.num(y + 13))\" text-anchor=\"middle\" class=\"v\">\(AxisTicks.label(value.rounded()))</text>"
        }
        return s + "\n"
    }
}
