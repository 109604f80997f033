import Barometer
import BarometerIO
import BarometerClaims
/// Escaping for XHTML and SVG text and attribute values: `&`, `<`, `>`,
/// `"` and `'` become the five predefined XML entities, so every report
/// parses as XML (no HTML-only entities such as `&nbsp;`).
enum XMLText {
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// A coordinate with at most two decimals (stable output, no exponent).
    static func num(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        let r = (x * 100).rounded() / 100
        // Whole numbers below 2^53 print as integers; anything larger
        // (never a sensible coordinate, but bounded input is not assumed
        // here) prints without an Int conversion.
        guard Swift.abs(r) < 9.0e15 else { return String(format: "%.0f", r) }
        return r == r.rounded() ? String(Int(r)) : String(r)
    }

    /// A standalone SVG chart: the root element with its size, an
    /// accessible title, the heading, `body`, and the data-source caption at
    /// the bottom.
    static func svg(id: String, width: Double, height: Double, title: String, body: String, caption: String,
                    captionOffset: Double = 10) -> String {
        """
        <svg xmlns="http://www.w3.org/2000/svg" class="chart" id="\(escape(id))" role="img" width="\(num(width))" height="\(num(height))" viewBox="0 0 \(num(width)) \(num(height))">
        <title>\(escape(title))</title>
        <text x="4" y="16" class="h">\(escape(title))</text>
        \(body)<text x="4" y="\(num(height - captionOffset))" class="src">\(escape(caption))</text>
        </svg>
        """
    }
}
