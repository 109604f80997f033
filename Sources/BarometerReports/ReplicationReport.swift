import Foundation
import Barometer
import BarometerIO
import BarometerClaims

/// The replication report of one memo on one dataset: every claim with its
/// published and recomputed figure, 95% CI and verdict, the aggregate
/// consistency checks of the published figures, and three SVG charts:
/// - diverging stacked bars for the Likert questions (every variable with
///   single-code marginal-share claims for the four scale points 1–4, plus
///   its "Don't know / no answer" claim aside), published row above the
///   recomputed row;
/// - grouped bars for single-choice questions asked about several items
///   (variables `stem_item` sharing a stem and the claimed codes, e.g.
///   desired presence of Russia, the US and China), published figures as ticks;
/// - a heat map of the correlations beside the partial correlations.
///
/// Output: ``markdown`` and ``html`` (self-contained XHTML: inline CSS and
/// SVG, no script, no external resource; parses as XML). Every chart and
/// table carries the ``ReportDataSource`` line, so figures from the
/// SYNTHETIC fixture are labelled as such. The report only presents
/// results; every number comes from `ClaimEvaluator` and
/// `ConsistencyReport`.
public struct ReplicationReport: Sendable {
    /// The claims as evaluated (after any mapping).
    public let claims: ClaimFile
    /// Each claim recomputed and judged (`ClaimEvaluator`).
    public let evaluation: ClaimEvaluationReport
    /// The aggregate checks of the published figures (no microdata).
    public let consistency: ConsistencyReport
    /// The data-source line carried onto every chart and table.
    public let source: ReportDataSource
    /// Variable and value labels (optional: names and codes are used without).
    public let labels: [String: Variable]
    /// What produced the report (version, input SHA-256, options, time), printed under the source line when set.
    public var provenance: Provenance? = nil

    /// A report on `evaluation`; `labels` supplies variable and value labels for the charts.
    public init(claims: ClaimFile, evaluation: ClaimEvaluationReport, consistency: ConsistencyReport,
                source: ReportDataSource, labels: Dataset? = nil) {
        self.claims = claims
        self.evaluation = evaluation
        self.consistency = consistency
        self.source = source
        var l: [String: Variable] = [:]
        for v in labels?.variables ?? [] { l[v.name] = v }
        self.labels = l
    }

    // MARK: chart data

    private func singleCodeShares() -> [String: [(code: Double, claim: Claim, eval: ClaimEvaluation)]] {
        var out: [String: [(code: Double, claim: Claim, eval: ClaimEvaluation)]] = [:]
        for c in claims.claims where c.computation.kind == .marginalShare && c.computation.domain == nil {
            guard let v = c.computation.variable, let codes = c.computation.codes, let e = evaluation.evaluation(c.id) else { continue }
            if codes.count == 1 { out[v, default: []].append((codes[0], c, e)) }
        }
        return out
    }

    private func dontKnow(_ variable: String) -> ClaimEvaluation? {
        let missing = labels[variable]?.missing
        for c in claims.claims where c.computation.kind == .marginalShare && c.computation.variable == variable
            && c.computation.domain == nil {
            guard let codes = c.computation.codes, codes.count >= 1 else { continue }
            let isMissing = missing.map { m in codes.allSatisfy { m.contains($0) } } ?? codes.allSatisfy { $0 >= 8 }
            if isMissing, codes.count > 1 || missing != nil { return evaluation.evaluation(c.id) }
        }
        return nil
    }

    private func codeLabel(_ variable: String, _ code: Double) -> String {
        labels[variable]?.valueLabels[code] ?? "code \(Variable.formatCode(code))"
    }

    /// The printed figure (for "< 1%" the bound itself).
    private static func published(_ c: Claim) -> Double? { c.figure?.value }

    /// A four-point scale (claims for exactly the codes 1–4, one each) on a
    /// variable that is not declared nominal.
    private func isLikert(_ variable: String, _ codes: [Double]) -> Bool {
        Set(codes) == [1, 2, 3, 4] && codes.count == 4 && labels[variable]?.level != .nominal
    }

    /// Variables shown as Likert questions, in claim-file order.
    var likertQuestions: [LikertChart.Question] {
        let shares = singleCodeShares()
        var order: [String] = []
        for c in claims.claims { if let v = c.computation.variable, shares[v] != nil, !order.contains(v) { order.append(v) } }
        var out: [LikertChart.Question] = []
        for v in order {
            guard let items = shares[v], isLikert(v, items.map(\.code)) else { continue }
            func pick(_ code: Double) -> (claim: Claim, eval: ClaimEvaluation)? {
                items.first { $0.code == code }.map { ($0.claim, $0.eval) }
            }
            let dk = dontKnow(v)
            let dkClaim = dk.flatMap { e in claims.claim(e.id) }
            let pub = LikertChart.Row(label: "Published", veryPositive: pick(1).flatMap { Self.published($0.claim) },
                                      positive: pick(2).flatMap { Self.published($0.claim) },
                                      negative: pick(3).flatMap { Self.published($0.claim) },
                                      veryNegative: pick(4).flatMap { Self.published($0.claim) },
                                      dontKnow: dkClaim.flatMap(Self.published))
            let rec = LikertChart.Row(label: source.synthetic ? "Recomputed (SYNTHETIC)" : "Recomputed",
                                      veryPositive: pick(1)?.eval.estimate?.value, positive: pick(2)?.eval.estimate?.value,
                                      negative: pick(3)?.eval.estimate?.value, veryNegative: pick(4)?.eval.estimate?.value,
                                      dontKnow: dk?.estimate?.value)
            let part = pick(1)?.claim.location.part ?? v
            out.append(LikertChart.Question(title: part, categories: [1, 2, 3, 4].map { codeLabel(v, $0) }, rows: [pub, rec]))
        }
        return out
    }

    /// Families of single-choice questions asked about several items.
    var groupedFamilies: [(stem: String, codes: [Double], variables: [String])] {
        let shares = singleCodeShares()
        var order: [String] = []
        for c in claims.claims { if let v = c.computation.variable, shares[v] != nil, !order.contains(v) { order.append(v) } }
        var families: [(stem: String, codes: [Double], variables: [String])] = []
        for v in order {
            guard let items = shares[v], !isLikert(v, items.map(\.code)),
                  let cut = v.lastIndex(of: "_") else { continue }
            let stem = String(v[..<cut]), codes = items.map(\.code).sorted()
            if let k = families.firstIndex(where: { $0.stem == stem && $0.codes == codes }) { families[k].variables.append(v) }
            else { families.append((stem, codes, [v])) }
        }
        return families.filter { $0.variables.count >= 2 }
    }

    var groupedCharts: [GroupedBarChart] {
        let shares = singleCodeShares()
        return groupedFamilies.map { f in
            // Labels "desired presence of Russia in Kazakhstan", "… of the USA …": the common
            // prefix and suffix form the title, the middle parts name the groups.
            let names = f.variables.map { v in (labels[v]?.label ?? v).replacingOccurrences(of: "SYNTHETIC ", with: "") }
            let (prefix, suffix) = Self.commonAffixes(names)
            let groups = zip(f.variables, names).map { (v, name) -> GroupedBarChart.Group in
                let items = shares[v] ?? []
                var label = String(name.dropFirst(prefix.count).dropLast(suffix.count)).trimmingCharacters(in: .whitespaces)
                if label.isEmpty { label = v }
                return GroupedBarChart.Group(label: label.prefix(1).uppercased() + label.dropFirst(), values: f.codes.map { code in
                    let it = items.first { $0.code == code }
                    return (it?.eval.estimate?.value, it.flatMap { Self.published($0.claim) })
                })
            }
            let first = f.variables[0]
            let part = claims.claims.first { $0.computation.variable == first }?.location.part ?? f.stem
            let t = (prefix.trimmingCharacters(in: .whitespaces) + " … " + suffix.trimmingCharacters(in: .whitespaces))
                .trimmingCharacters(in: .whitespaces)
            let question = t == "…" ? f.stem : t.prefix(1).uppercased() + t.dropFirst()
            return GroupedBarChart(id: "grouped-" + f.stem.map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined(),
                                   title: "\(question) (%)",
                                   series: f.codes.map { codeLabel(first, $0) }, groups: groups,
                                   caption: "Bars: \(source.caption); ticks: published figures.", note: part)
        }
    }

    /// Longest common prefix and suffix (whole words) of `names`.
    static func commonAffixes(_ names: [String]) -> (String, String) {
        let words = names.map { $0.split(separator: " ").map(String.init) }
        guard let first = words.first, words.count > 1 else { return ("", "") }
        var p = 0
        while p < first.count, words.allSatisfy({ $0.count > p && $0[p] == first[p] }) { p += 1 }
        var q = 0
        while q < first.count - p, words.allSatisfy({ $0.count - p > q && $0[$0.count - 1 - q] == first[first.count - 1 - q] }) { q += 1 }
        let prefix = first.prefix(p).joined(separator: " "), suffix = first.suffix(q).joined(separator: " ")
        return (prefix.isEmpty ? "" : prefix + " ", suffix.isEmpty ? "" : " " + suffix)
    }

    var heatMap: CorrelationHeatMap? {
        var columns: [String] = []
        var pairs: [String] = []
        var cells: [String: [String: CorrelationHeatMap.Cell]] = [:]
        for c in claims.claims where c.computation.kind == .correlation || c.computation.kind == .partialCorrelation {
            guard let v = c.computation.variables, v.count == 2, let e = evaluation.evaluation(c.id), let est = e.estimate else { continue }
            let col = c.computation.kind == .correlation ? "r" : "partial r | " + (c.computation.controls ?? []).joined(separator: ", ")
            let pair = "\(v[0]) × \(v[1])"
            if !columns.contains(col) { columns.append(col) }
            if !pairs.contains(pair) { pairs.append(pair) }
            cells[pair, default: [:]][col] = CorrelationHeatMap.Cell(value: est.value, lower: est.confidenceInterval?.lower,
                                                                      upper: est.confidenceInterval?.upper)
        }
        guard !pairs.isEmpty else { return nil }
        columns.sort { ($0 == "r" ? 0 : 1) < ($1 == "r" ? 0 : 1) }
        return CorrelationHeatMap(title: "Correlations beside partial correlations",
                                  columns: columns,
                                  rows: pairs.map { p in CorrelationHeatMap.Row(label: p, cells: columns.map { cells[p]?[$0] }) },
                                  caption: source.caption)
    }

    // MARK: output

    private var statusCounts: String {
        ClaimEvaluation.Status.allCases.compactMap { s in
            let k = evaluation.claims(s).count
            return k > 0 ? "\(k) \(s.rawValue)" : nil
        }.joined(separator: ", ")
    }

    /// The Markdown report.
    public var markdown: String {
        var s = "# Replication report: \(claims.memo.title)\n\n"
        s += "> **\(source.line)**\n\n"
        if let provenance { s += provenance.lines.map { "> \($0)  \n" }.joined() + "\n" }
        if let survey = claims.memo.survey { s += "Memo's survey: \(survey).\n\n" }
        s += "Claims: \(evaluation.evaluations.count) (\(statusCounts)). Consistency checks: "
        s += "\(consistency.results.count - consistency.inconsistent.count) of \(consistency.results.count) consistent.\n\n"
        s += OutputFormat.markdown.render(evaluation.textTable) + "\n\n"
        s += OutputFormat.markdown.render(consistency.textTable) + "\n\n"
        s += "Charts (diverging bars of the Likert questions, grouped bars, correlation heat map) are in the HTML report.\n"
        return s
    }

    /// The self-contained XHTML report.
    public var html: String {
        var s = """
        <!DOCTYPE html>
        <html xmlns="http://www.w3.org/1999/xhtml" lang="en">
        <head>
        <meta charset="utf-8"/>
        <title>Replication report: \(XMLText.escape(claims.memo.title))</title>
        <style>
        body { font-family: 'DejaVu Sans', Helvetica, Arial, sans-serif; margin: 24px; color: #222; max-width: 1150px; }
        h1 { font-size: 22px; } h2 { font-size: 18px; margin-top: 28px; }
        .source { background: #fff3cd; border: 1px solid #e0c36a; padding: 8px 12px; font-weight: bold; }
        table { border-collapse: collapse; font-size: 12px; margin: 8px 0; }
        th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; }
        td.n { text-align: right; font-variant-numeric: tabular-nums; }
        tr.fail td, tr.error td, tr.inconsistent td { background: #f8d7da; }
        tr.pass td.status, tr.consistent td.status { color: #1a7837; font-weight: bold; }
        figure { margin: 16px 0; } figcaption { font-size: 12px; color: #555; }
        svg.chart { font-size: 12px; } svg .h { font-size: 14px; font-weight: bold; } svg .q { font-weight: bold; paint-order: stroke; stroke: #fff; stroke-width: 4px; }
        svg .tick { fill: #444; font-size: 11px; } svg .grid { stroke: #e5e5e5; } svg .zero { stroke: #222; stroke-width: 1.5; }
        svg .v { fill: #fff; font-size: 11px; } svg .src { fill: #8a6d00; font-size: 11px; font-style: italic; }
        svg .pub { stroke: #000; stroke-width: 2.5; } svg .vb { fill: #222; font-weight: bold; } svg .vw { fill: #fff; font-weight: bold; }
        svg .cb { fill: #333; font-size: 10px; } svg .cw { fill: #fff; font-size: 10px; }
        </style>
        </head>
        <body>
        <h1>Replication report: \(XMLText.escape(claims.memo.title))</h1>
        <p class="source">\(XMLText.escape(source.line))</p>

        """
        if let provenance {
            s += "<p class=\"provenance\">" + provenance.lines.map(XMLText.escape).joined(separator: "<br/>") + "</p>\n"
        }
        if let survey = claims.memo.survey { s += "<p>Memo's survey: \(XMLText.escape(survey)).</p>\n" }
        s += "<p>Claims: \(evaluation.evaluations.count) (\(XMLText.escape(statusCounts))). Consistency checks of the published figures: \(consistency.results.count - consistency.inconsistent.count) of \(consistency.results.count) consistent.</p>\n"
        let likert = likertQuestions
        if !likert.isEmpty {
            let chart = LikertChart(title: "Likert questions: published and recomputed answers (%)", questions: likert, caption: source.caption)
            s += "<h2>Likert questions</h2>\n<figure>\n\(chart.svg)\n<figcaption>Diverging stacked bars: unfavourable answers left of zero, favourable right, Don't know / no answer aside. \(XMLText.escape(source.line))</figcaption>\n</figure>\n"
        }
        let grouped = groupedCharts
        if !grouped.isEmpty {
            s += "<h2>Grouped questions</h2>\n"
            for g in grouped {
                s += "<figure>\n\(g.svg)\n<figcaption>Claims of \(XMLText.escape(g.note)). \(XMLText.escape(source.line))</figcaption>\n</figure>\n"
            }
        }
        if let h = heatMap {
            s += "<h2>Correlations</h2>\n<figure>\n\(h.svg)\n<figcaption>Weighted Pearson correlations, listwise, Don't know/Refused excluded; partial correlations given the controls; 95% CI from the design-based (linearization) SE, Fisher z. \(XMLText.escape(source.line))</figcaption>\n</figure>\n"
        }
        s += "<h2>Claims</h2>\n" + htmlTable(evaluation.textTable, rowClasses: evaluation.evaluations.map(\.status.rawValue), statusColumn: 4)
        s += "<h2>Consistency of the published figures</h2>\n"
            + htmlTable(consistency.textTable, rowClasses: consistency.results.map { $0.consistent ? "consistent" : "inconsistent" }, statusColumn: 4)
        s += "<p class=\"source\">\(XMLText.escape(source.line))</p>\n</body>\n</html>\n"
        return s
    }

    private func htmlTable(_ t: TextTable, rowClasses: [String], statusColumn: Int) -> String {
        var s = "<table>\n<caption>\(XMLText.escape(t.title))</caption>\n<tr>"
        for h in t.headers { s += "<th>\(XMLText.escape(h))</th>" }
        s += "</tr>\n"
        for (i, row) in t.rows.enumerated() {
            s += "<tr class=\"\(i < rowClasses.count ? rowClasses[i] : "")\">"
            for (j, cell) in row.enumerated() {
                let cls = j == statusColumn ? " class=\"status\"" : (j < t.alignments.count && t.alignments[j] == .right ? " class=\"n\"" : "")
                s += "<td\(cls)>\(XMLText.escape(cell))</td>"
            }
            s += "</tr>\n"
        }
        s += "</table>\n"
        if !t.notes.isEmpty {
            s += "<ul>\n" + t.notes.map { "<li>\(XMLText.escape($0))</li>" }.joined(separator: "\n") + "\n</ul>\n"
        }
        return s
    }

    /// Writes `<memo>.report.md` and `<memo>.report.html` into `directory`
    /// (created if needed) and returns their paths.
    /// - Throws: `BarometerError.invalidArgument(_:)` when a file cannot be written.
    public func write(to directory: String) throws(BarometerError) -> [String] {
        let fm = FileManager.default
        do { try fm.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw .invalidArgument("cannot create report directory \(directory): \(error.localizedDescription)")
        }
        var paths: [String] = []
        for (ext, text) in [("md", markdown), ("html", html)] {
            let path = (directory as NSString).appendingPathComponent("\(claims.memo.id).report.\(ext)")
            do { try Data(text.utf8).write(to: URL(fileURLWithPath: path)) } catch {
                throw .invalidArgument("cannot write \(path): \(error.localizedDescription)")
            }
            paths.append(path)
        }
        return paths
    }
}
