/// A weighted contingency table: rows × columns, optionally split by one
/// or more layer variables (an n-way table as a list of two-way layers),
/// as SPSS `CROSSTABS` shows it.
///
/// Accumulation is the one shared path: each variable is coded by
/// ``CategoryCoding``, the codings are combined into one cell index
/// (``CategoryCoding/combinedIndex(_:)``) and tallied by ``CellTally``
/// in row order (results independent of thread count).
///
/// For each layer and cell (i, j): unweighted count `nᵢⱼ`, weighted count
/// `Wᵢⱼ = Σ wₖ`, margins, and percentages
/// - row `100·Wᵢⱼ / Wᵢ₊`, column `100·Wᵢⱼ / W₊ⱼ`, total `100·Wᵢⱼ / W₊₊`
///   (nil, not NaN, when the margin is zero — an empty row or column).
///
/// Missing data: with ``MissingInclusion/showMissing`` each user-missing
/// code ("Don't know", "Refused") is its own labelled category and
/// system-missing one more, so the base is all respondents (in the
/// domain); with ``MissingInclusion/excludeMissing`` only valid answers to
/// every variable enter (listwise) and the base says so. A domain restricts
/// the base without dropping rows. ``base`` states the base in the notes
/// and the JSON.
///
/// Part B statistics (tests, association measures) read
/// ``countMatrix(layer:)`` / ``weightedCountMatrix(layer:)`` and the
/// per-respondent category indices ``rowIndex``, ``columnIndex``,
/// ``layerIndex``.
public struct ContingencyTable: Sendable, Equatable, Encodable, TableRepresentable {
    /// Which percentages the text rendering shows.
    public enum Percentages: String, Sendable, Codable, CaseIterable {
        /// Row percentages 100·Wᵢⱼ/Wᵢ₊.
        case row
        /// Column percentages 100·Wᵢⱼ/W₊ⱼ.
        case column
        /// Total percentages 100·Wᵢⱼ/W₊₊.
        case total
    }

    /// One two-way slice of the table.
    public struct Layer: Sendable, Equatable, Codable {
        /// The layer's category of each layer variable (empty without layers).
        public let categories: [Category]
        /// Unweighted counts `[row][column]`.
        public let counts: [[Int]]
        /// Weighted counts Σw `[row][column]`.
        public let weighted: [[Double]]
        /// Σw² per cell `[row][column]` (Kish effective size of any cell set).
        public let weightedSquares: [[Double]]
        /// Row margins (unweighted, weighted).
        public let rowCounts: [Int]
        /// Weighted row margins Σw, one per row category.
        public let rowWeighted: [Double]
        /// Column margins (unweighted, weighted).
        public let columnCounts: [Int]
        /// Weighted column margins Σw, one per column category.
        public let columnWeighted: [Double]
        /// Layer totals.
        public let totalCount: Int
        /// Σw over the layer.
        public let totalWeighted: Double
        /// Kish effective size `(Σw)²/Σw²` of the layer and the design effect of weighting `n/n_eff`.
        public let effectiveSize: Double
        /// Design effect of weighting `n / n_eff` (1 when unweighted, NaN for an empty layer).
        public let weightingDesignEffect: Double
        /// Row percentages (nil where the row margin is 0).
        public let rowPercent: [[Double?]]
        /// Column percentages (nil where the column margin is 0).
        public let columnPercent: [[Double?]]
        /// Total percentages (nil when the layer total is 0).
        public let totalPercent: [[Double?]]
    }

    /// Row variable name and label.
    public let rowVariable: String
    /// The row variable's label (nil when it has none).
    public let rowLabel: String?
    /// Column variable name and label.
    public let columnVariable: String
    /// The column variable's label (nil when it has none).
    public let columnLabel: String?
    /// Layer variable names (empty for a two-way table).
    public let layerVariables: [String]
    /// Row categories in table order (valid codes, then user-missing, then system-missing).
    public let rowCategories: [Category]
    /// Column categories in table order.
    public let columnCategories: [Category]
    /// Weight variable, nil when unweighted.
    public let weight: String?
    /// Missing-data rule.
    public let missing: MissingInclusion
    /// The base of every percentage.
    public let base: TableBase
    /// Layers; exactly one (with no categories) for a two-way table.
    public let layers: [Layer]
    /// Which percentages ``textTable`` shows (the JSON carries all three).
    public var display: Percentages?

    /// Row category per respondent (−1 = excluded by the missing rule; the domain is not applied to the indices).
    public let rowIndex: [Int32]
    /// Column category per respondent (−1 = excluded).
    public let columnIndex: [Int32]
    /// Combined layer category per respondent (nil without layers).
    public let layerIndex: [Int32]?
    /// Layer variables' categories, one list per layer variable.
    public let layerCategories: [[Category]]

    enum CodingKeys: String, CodingKey {
        case rowVariable, rowLabel, columnVariable, columnLabel, layerVariables, rowCategories,
             columnCategories, weight, missing, base, layers, display
    }

    /// Cross-tabulates `rows` × `columns` (× `layers`) over `domain`.
    /// - Throws: ``BarometerError/unknownVariable(_:suggestions:)``;
    ///   ``BarometerError/emptyDomain(_:)`` when no respondent with positive
    ///   weight is in the base; ``BarometerError/invalidArgument(_:)`` for a
    ///   variable used twice.
    ///
    /// `by` adds layers after `layers` as groups (`crosstab --by`, R
    /// `svytable(~rows + columns + by, design)`): their user- and
    /// system-missing codes are left out (as R `svyby` drops `NA` groups)
    /// whatever `missing` says; all layers are tallied in the same single pass.
    public init(_ design: SurveyDesign, rows: String, columns: String, layers: [String] = [], by: [String] = [],
                domain: Domain? = nil, missing: MissingInclusion = .showMissing,
                display: Percentages? = nil) throws(BarometerError) {
        try self.init(data: design.data, weights: design.weights, rows: rows, columns: columns, layers: layers, by: by,
                      domain: domain, missing: missing, display: display)
    }

    /// The table of `data` under `weights` (the design's data and weights: the table reads
    /// nothing else of a design), so that a caller can tally it while the design's sampling
    /// structure is being built.
    package init(data: Dataset, weights: Weights, rows: String, columns: String, layers: [String] = [], by: [String] = [],
                 domain: Domain? = nil, missing: MissingInclusion = .showMissing,
                 display: Percentages? = nil) throws(BarometerError) {
        let names = [rows, columns] + layers + by
        guard Set(names).count == names.count else { throw .invalidArgument("a variable appears twice in the table") }
        let vars = try names.map { (n) throws(BarometerError) in try data.variable(n) }
        let groupStart = 2 + layers.count
        let codings = vars.enumerated().map { CategoryCoding($1, missing: $0 >= groupStart ? .excludeMissing : missing) }
        try Self.checkCells(names, codings)
        var acc = TableAccumulator(variableCount: codings.count)
        try acc.add(TableChunk(codings: codings, weights: weights, domain: domain))
        let layerCodings = Array(codings.dropFirst(2))
        try self.init(accumulated: acc.finalize(), variables: vars, weight: weights.name,
                      domain: domain?.description, missing: missing, display: display,
                      rowIndex: codings[0].index, columnIndex: codings[1].index,
                      layerIndex: layerCodings.isEmpty ? nil : try CategoryCoding.combinedIndex(layerCodings))
    }

    /// The table from accumulated cells (``TableAccumulator``), the one
    /// finalization of the in-memory, streamed and merged paths. A merged
    /// table has no per-respondent indices (empty arrays).
    init(accumulated: TableAccumulator.Output, variables vars: [Variable], weight: String?, domain: String?,
         missing: MissingInclusion, display: Percentages?, rowIndex: [Int32], columnIndex: [Int32],
         layerIndex: [Int32]?) throws(BarometerError) {
        guard vars.count >= 2, accumulated.categories.count == vars.count else {
            throw .invalidArgument("a contingency table needs a row and a column variable")
        }
        let names = vars.map(\.name)
        let cats = accumulated.categories
        let r = cats[0].count, c = cats[1].count
        let layerCats = Array(cats.dropFirst(2))
        let tally = accumulated.tally
        let base = TableBase.of(names, missing: missing, domain: domain)
        guard tally.totalCount > 0, tally.totalWeighted > 0 else {
            throw .emptyDomain("\(base.description) has no respondents with positive weight")
        }
        let layerCount = layerCats.reduce(1) { $0 * $1.count }
        var out: [Layer] = []
        out.reserveCapacity(layerCount)
        for l in 0..<layerCount {
            var lc: [Category] = []
            var rest = l
            for list in layerCats { lc.append(list[rest % list.count]); rest /= list.count }
            let offset = l * r * c
            func cell(_ i: Int, _ j: Int) -> Int { offset + i + j * r }
            out.append(Self.layer(categories: lc, rows: r, columns: c, tally: tally, cell: cell))
        }
        self.rowVariable = names[0]
        self.rowLabel = vars[0].label
        self.columnVariable = names[1]
        self.columnLabel = vars[1].label
        self.layerVariables = Array(names.dropFirst(2))
        self.rowCategories = cats[0]
        self.columnCategories = cats[1]
        self.weight = weight
        self.missing = missing
        self.base = base
        self.layers = out
        self.display = display
        self.rowIndex = rowIndex
        self.columnIndex = columnIndex
        self.layerIndex = layerIndex
        self.layerCategories = layerCats
    }

    static func layer(categories: [Category], rows r: Int, columns c: Int, tally: CellTally,
                      cell: (Int, Int) -> Int) -> Layer {
        var counts = [[Int]](repeating: [Int](repeating: 0, count: c), count: r)
        var weighted = [[Double]](repeating: [Double](repeating: 0, count: c), count: r)
        var squares = weighted
        var rowN = [Int](repeating: 0, count: r), colN = [Int](repeating: 0, count: c)
        var rowW = [Double](repeating: 0, count: r), colW = [Double](repeating: 0, count: c)
        var totN = 0, totW = 0.0, totW2 = 0.0
        for i in 0..<r {
            for j in 0..<c {
                let k = cell(i, j)
                counts[i][j] = tally.counts[k]
                weighted[i][j] = tally.weighted[k]
                squares[i][j] = tally.weightedSquares[k]
                rowN[i] += tally.counts[k]; rowW[i] += tally.weighted[k]
                totN += tally.counts[k]; totW += tally.weighted[k]; totW2 += tally.weightedSquares[k]
            }
        }
        for j in 0..<c { for i in 0..<r { colN[j] += counts[i][j]; colW[j] += weighted[i][j] } }
        func pct(_ x: Double, _ d: Double) -> Double? { d > 0 ? 100 * x / d : nil }
        let neff = totW2 > 0 ? totW * totW / totW2 : 0
        return Layer(
            categories: categories, counts: counts, weighted: weighted, weightedSquares: squares,
            rowCounts: rowN, rowWeighted: rowW, columnCounts: colN, columnWeighted: colW,
            totalCount: totN, totalWeighted: totW, effectiveSize: neff,
            weightingDesignEffect: neff > 0 ? Double(totN) / neff : .nan,
            rowPercent: (0..<r).map { i in (0..<c).map { j in pct(weighted[i][j], rowW[i]) } },
            columnPercent: (0..<r).map { i in (0..<c).map { j in pct(weighted[i][j], colW[j]) } },
            totalPercent: (0..<r).map { i in (0..<c).map { j in pct(weighted[i][j], totW) } })
    }

    /// Weighted counts of a layer as an r × c ``Matrix`` (for part B statistics).
    public func weightedCountMatrix(layer: Int = 0) -> Matrix {
        matrix(layers[layer].weighted)
    }

    /// What the tests and measures of association read for one layer.
    public struct StatisticsInput: Sendable {
        /// Weighted counts over the categories kept.
        public let counts: Matrix
        /// Labels of the row categories kept, in the order of the rows of ``counts``.
        public let rowLabels: [String]
        /// Labels of the column categories kept, in the order of the columns of ``counts``.
        public let columnLabels: [String]
        /// Row/column category per respondent in the kept categories (−1: excluded).
        public let rowIndex: [Int32]
        /// Column category per respondent in the kept categories (−1: excluded).
        public let columnIndex: [Int32]
        /// Whether user- or system-missing categories shown in the table were left out.
        public let excludedMissing: Bool
        /// The table's tally of the kept cells (column-major): respondents, Σw and Σw² as the
        /// table summed them, so that the design-based tests need not tally them again.
        var tally: CellTally? = nil
    }

    /// The input of the tests and association measures for `layer`: by
    /// default the valid answers only — user-missing (Don't know, Refused)
    /// and system-missing categories shown by ``MissingInclusion/showMissing``
    /// are dropped and their respondents excluded, as SPSS CROSSTABS (missing
    /// values excluded from statistics) and R (`NA` rows dropped) do;
    /// `includeMissing` keeps them as categories. No pass over the data: the
    /// counts are the table's and the indices are remapped.
    public func statisticsInput(layer: Int = 0, includeMissing: Bool = false) -> StatisticsInput {
        let all = weightedCountMatrix(layer: layer)
        func keep(_ cats: [Category]) -> [Int] {
            includeMissing ? Array(cats.indices) : cats.indices.filter { cats[$0].status == .valid }
        }
        let rows = keep(rowCategories), cols = keep(columnCategories)
        let excluded = rows.count < rowCategories.count || cols.count < columnCategories.count
        let l = layers[layer]
        var counts: [Int] = [], weighted: [Double] = [], squares: [Double] = []
        for j in cols { for i in rows {
            counts.append(l.counts[i][j]); weighted.append(l.weighted[i][j]); squares.append(l.weightedSquares[i][j])
        } }
        let tally = CellTally(counts: counts, weighted: weighted, weightedSquares: squares)
        guard excluded else {
            return StatisticsInput(counts: all, rowLabels: rowCategories.map(\.label), columnLabels: columnCategories.map(\.label),
                                   rowIndex: rowIndex, columnIndex: columnIndex, excludedMissing: false, tally: tally)
        }
        func remap(_ index: [Int32], _ kept: [Int], _ count: Int) -> [Int32] {
            var map = [Int32](repeating: -1, count: count)
            for (pos, k) in kept.enumerated() { map[k] = Int32(pos) }
            return index.map { $0 >= 0 && Int($0) < count ? map[Int($0)] : -1 }
        }
        return StatisticsInput(counts: all.submatrix(rows: rows, columns: cols),
                               rowLabels: rows.map { rowCategories[$0].label }, columnLabels: cols.map { columnCategories[$0].label },
                               rowIndex: remap(rowIndex, rows, rowCategories.count),
                               columnIndex: remap(columnIndex, cols, columnCategories.count), excludedMissing: true,
                               tally: tally)
    }

    /// Unweighted counts of a layer as an r × c ``Matrix``.
    public func countMatrix(layer: Int = 0) -> Matrix {
        matrix(layers[layer].counts.map { $0.map(Double.init) })
    }

    private func matrix(_ m: [[Double]]) -> Matrix {
        var out = Matrix(rows: rowCategories.count, columns: columnCategories.count)
        for i in 0..<out.rows { for j in 0..<out.columns { out[i, j] = m[i][j] } }
        return out
    }

    public var textTable: TextTable {
        let cats = columnCategories
        let which = display ?? .column
        // The stub header names the row variable (its label when it has one), not "Row".
        var headers = [rowLabel ?? rowVariable, "Layer"] + cats.map(\.label) + ["Total"]
        let hasLayers = !layerVariables.isEmpty
        if !hasLayers { headers.remove(at: 1) }
        var rowsText: [[String]] = []
        for layer in layers {
            let lname = layer.categories.map(\.label).joined(separator: " / ")
            for (i, rc) in rowCategories.enumerated() {
                var line = [rc.label]
                if hasLayers { line.append(lname) }
                let p: [Double?] = switch which {
                case .row: layer.rowPercent[i]
                case .column: layer.columnPercent[i]
                case .total: layer.totalPercent[i]
                }
                for j in cats.indices {
                    line.append("\(NumberFormat.fixed(layer.weighted[i][j], 1)) (\(NumberFormat.fixed(p[j], 1))%)")
                }
                let rowShare: Double? = switch which {
                case .row: layer.rowWeighted[i] > 0 ? 100 : nil
                case .column, .total: layer.totalWeighted > 0 ? 100 * layer.rowWeighted[i] / layer.totalWeighted : nil
                }
                line.append("\(NumberFormat.fixed(layer.rowWeighted[i], 1)) (\(NumberFormat.fixed(rowShare, 1))%)")
                rowsText.append(line)
            }
            var total = ["Total"]
            if hasLayers { total.append(lname) }
            for j in cats.indices {
                let s: Double? = which == .column ? (layer.columnWeighted[j] > 0 ? 100 : nil)
                    : (layer.totalWeighted > 0 ? 100 * layer.columnWeighted[j] / layer.totalWeighted : nil)
                total.append("\(NumberFormat.fixed(layer.columnWeighted[j], 1)) (\(NumberFormat.fixed(s, 1))%)")
            }
            total.append("\(NumberFormat.fixed(layer.totalWeighted, 1)) (100.0%)")
            rowsText.append(total)
        }
        var notes = ["Cells: weighted count (\(which.rawValue) %). Base: \(base.description)."]
        for layer in layers {
            let lname = layer.categories.isEmpty ? "" : " [\(layer.categories.map(\.label).joined(separator: " / "))]"
            var s = "n\(lname) = \(layer.totalCount), weighted N = \(NumberFormat.fixed(layer.totalWeighted, 1))"
            if weight != nil {
                s += ", Kish effective n = \(NumberFormat.fixed(layer.effectiveSize, 1)), design effect of weighting = \(NumberFormat.fixed(layer.weightingDesignEffect, 3))"
            }
            notes.append(s + ".")
        }
        notes.append(weight.map { "Weight: \($0)." } ?? "Unweighted.")
        notes.append(missing == .showMissing
            ? "Don't know / Refused / system-missing shown as their own categories."
            : "User- and system-missing answers excluded (listwise).")
        // Variable labels in the title, the names after them: "Opinion of Russia (q_russia_opinion) × …".
        func named(_ name: String, _ label: String?) -> String { label.map { "\($0) (\(name))" } ?? name }
        let title = "\(named(rowVariable, rowLabel)) × \(named(columnVariable, columnLabel))"
            + (layerVariables.isEmpty ? "" : " by \(layerVariables.joined(separator: " × "))")
        return TextTable(title: title, headers: headers, rows: rowsText, notes: notes)
    }
}

extension ContingencyTable {
    /// The largest table (cells: the product of the category counts of the
    /// rows, columns and layers) that `crosstab`, a partial crosstab and a
    /// banner table take: 10⁶. Its work is O(n·v) to code and count plus
    /// O(cells) memory and output; beyond the limit (e.g. a continuous
    /// variable crossed with another) it stops with
    /// ``BarometerError/sizeLimitExceeded(what:size:limit:)`` before any
    /// allocation of the cells. R `table` has no limit of its own (it fails
    /// at 2³¹ cells); SPSS CROSSTABS has none documented.
    public static let maximumCells = 1_000_000

    /// Throws ``BarometerError/sizeLimitExceeded(what:size:limit:)`` when the
    /// cross-classification of `codings` (named `names`) has more than
    /// ``maximumCells`` cells.
    static func checkCells(_ names: [String], _ codings: [CategoryCoding]) throws(BarometerError) {
        guard codings.count >= 2 else { return }
        var cells = 1
        for c in codings {
            let (m, overflow) = cells.multipliedReportingOverflow(by: max(c.count, 1))
            cells = overflow ? Int.max : m
        }
        guard cells > maximumCells else { return }
        let shape = zip(names, codings).map { "'\($0)' (\($1.count) categories)" }.joined(separator: " × ")
        throw .sizeLimitExceeded(what: "the cells of the table \(shape) (recode into fewer categories)",
                                 size: cells, limit: maximumCells)
    }
}
