/// The report charts drawn from arbitrary published figures: the `claims`
/// fuzz harness checks that chart code stays bounded whatever a claim file
/// publishes (see README "Robustness").
package enum ChartFuzzing {
    /// Draws the grouped bar chart, the Likert chart and the heat map with
    /// every value taken from `figures`; the SVG text is discarded.
    package static func draw(figures: [Double]) {
        let pairs = figures.map { (recomputed: Optional($0), published: Optional($0)) }
        _ = GroupedBarChart(id: "g", title: "t", series: pairs.map { _ in "s" }, groups: [.init(label: "g", values: pairs)],
                            caption: "c", note: "n").svg
        let rows = figures.map { LikertChart.Row(label: "r", veryPositive: $0, positive: $0, negative: $0, veryNegative: $0, dontKnow: $0) }
        _ = LikertChart(title: "t", questions: [.init(title: "q", categories: ["a", "b", "c", "d"], rows: rows)], caption: "c").svg
        _ = CorrelationHeatMap(title: "t", columns: ["r"], rows: figures.map { .init(label: "p", cells: [.init(value: $0, lower: $0, upper: $0)]) },
                               caption: "c").svg
    }
}
