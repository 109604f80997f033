/// The identity of a category across chunks and shards, and its place in
/// table order: valid answers (codes ascending, or texts ascending for a
/// string variable), user-missing codes ascending, Stata/SAS extended
/// missing values by tag, system-missing last — the order of
/// ``CategoryCoding``.
struct CategoryKey: Hashable, Comparable, Sendable {
    /// 0 valid, 1 user-missing, 2 extended missing, 3 system-missing.
    let rank: UInt8
    /// The numeric code (0 when none).
    let code: Double
    /// The text of a string value or the tag of an extended missing value.
    let text: String

    init(rank: UInt8, code: Double, text: String) { self.rank = rank; self.code = code; self.text = text }

    init(_ c: Category) {
        switch c.status {
        case .valid:
            self.init(rank: 0, code: c.code ?? 0, text: c.code == nil ? c.label : "")
        case .userMissing:
            self.init(rank: 1, code: c.code ?? 0, text: c.code == nil ? c.label : "")
        case .systemMissing:
            if c.label == "System missing" {
                self.init(rank: 3, code: 0, text: "")
            } else {
                // "Label (.t)" or "Missing .t": the tag is the last letter before an optional ")".
                let trimmed = c.label.hasSuffix(")") ? String(c.label.dropLast()) : c.label
                self.init(rank: 2, code: 0, text: trimmed.last.map(String.init) ?? "")
            }
        }
    }

    static func < (a: CategoryKey, b: CategoryKey) -> Bool {
        if a.rank != b.rank { return a.rank < b.rank }
        if a.code != b.code { return a.code < b.code }
        return a.text < b.text
    }
}

/// The rows of a chunk for a ``TableAccumulator``: each tabulated variable
/// coded by ``CategoryCoding`` over the chunk, its weights and domain.
public struct TableChunk {
    let codings: [CategoryCoding]
    let weights: Weights
    let domain: Domain?

    /// The chunk's `variables` of `design`, under `missing`, restricted to `domain`.
    public init(_ design: SurveyDesign, variables: [String], missing: MissingInclusion,
                domain: Domain? = nil) throws(BarometerError) {
        let vars = try variables.map { (n) throws(BarometerError) in try design.variable(n) }
        self.init(codings: vars.map { CategoryCoding($0, missing: missing) }, weights: design.weights, domain: domain)
    }

    init(codings: [CategoryCoding], weights: Weights, domain: Domain?) {
        self.codings = codings
        self.weights = weights
        self.domain = domain
    }
}

/// Accumulator of weighted frequencies and n-way tables: per cell of the
/// cross-classification n, Σw and Σw² (the state of ``CellTally``), keyed by
/// each variable's categories, plus the same three sums over the whole base
/// (every row in the domain, answered or not).
///
/// A chunk is coded and tallied by the shared kernel
/// (``CategoryCoding/combinedIndex(_:)``, ``CellTally``), then folded in by
/// category key; merging folds another accumulator's cells the same way, so
/// shards that saw different codes merge correctly. ``finalize()`` returns
/// the categories in table order and the tally laid out as ``CellTally`` of
/// the sorted categories (first variable fastest).
public struct TableAccumulator: StatisticAccumulator {
    /// Categories per variable, in first-seen order.
    private(set) var categories: [[Category]]
    private var keys: [[CategoryKey]]
    private var lookup: [[CategoryKey: Int]]
    /// Cell sums over the product of `keys` (first variable fastest).
    private(set) var counts: [Int] = [0]
    private(set) var weighted: [Double] = [0]
    private(set) var squares: [Double] = [0]
    /// Base sums: rows in the domain.
    private(set) var baseCount = 0
    private(set) var baseWeighted = 0.0
    private(set) var baseSquares = 0.0

    /// An empty accumulator of a `variableCount`-way table.
    public init(variableCount: Int) {
        categories = Array(repeating: [], count: variableCount)
        keys = Array(repeating: [], count: variableCount)
        lookup = Array(repeating: [:], count: variableCount)
        counts = [Int](repeating: 0, count: variableCount == 0 ? 1 : 0)
        weighted = [Double](repeating: 0, count: counts.count)
        squares = weighted
    }

    /// Number of tabulated variables.
    public var variableCount: Int { keys.count }

    public mutating func add(_ chunk: TableChunk) throws(BarometerError) {
        guard chunk.codings.count == variableCount else {
            throw .invalidArgument("a chunk of \(chunk.codings.count) variables added to a \(variableCount)-way table")
        }
        let index = try CategoryCoding.combinedIndex(chunk.codings)
        let cells = CategoryCoding.cellCount(chunk.codings)
        let tally = try CellTally(cellCount: cells, index: index, weights: chunk.weights, domain: chunk.domain)
        let zeros = [Int32](repeating: 0, count: chunk.weights.count)
        let base = try CellTally(cellCount: 1, index: zeros, weights: chunk.weights, domain: chunk.domain)
        fold(categories: chunk.codings.map(\.categories), counts: tally.counts, weighted: tally.weighted,
             squares: tally.weightedSquares, baseCount: base.counts[0], baseWeighted: base.weighted[0],
             baseSquares: base.weightedSquares[0])
    }

    public mutating func merge(_ other: TableAccumulator) throws(BarometerError) {
        guard other.variableCount == variableCount else {
            throw .invalidArgument("cannot merge a \(other.variableCount)-way table into a \(variableCount)-way table")
        }
        fold(categories: other.categories, counts: other.counts, weighted: other.weighted, squares: other.squares,
             baseCount: other.baseCount, baseWeighted: other.baseWeighted, baseSquares: other.baseSquares)
    }

    /// Adds cells laid out over `categories` (first variable fastest), by key.
    mutating func fold(categories incoming: [[Category]], counts c: [Int], weighted w: [Double], squares s: [Double],
                       baseCount: Int, baseWeighted: Double, baseSquares: Double) {
        // Map each incoming category to our position, appending new keys.
        var grew = false
        let oldShape = keys.map(\.count)
        var maps: [[Int]] = []
        for (v, cats) in incoming.enumerated() {
            var m: [Int] = []
            for cat in cats {
                let key = CategoryKey(cat)
                if let p = lookup[v][key] { m.append(p); continue }
                let p = keys[v].count
                keys[v].append(key); categories[v].append(cat); lookup[v][key] = p
                m.append(p); grew = true
            }
            maps.append(m)
        }
        if grew { relayout(from: oldShape) }
        let shape = keys.map(\.count)
        let inShape = incoming.map(\.count)
        let n = inShape.reduce(1, *)
        guard n == c.count, n == w.count, n == s.count else { return }
        var digits = [Int](repeating: 0, count: inShape.count)
        for cell in 0..<n {
            var rest = cell, target = 0, stride = 1
            for v in 0..<inShape.count {
                digits[v] = rest % inShape[v]; rest /= inShape[v]
                target += maps[v][digits[v]] * stride
                stride *= shape[v]
            }
            counts[target] += c[cell]; weighted[target] += w[cell]; squares[target] += s[cell]
        }
        self.baseCount += baseCount; self.baseWeighted += baseWeighted; self.baseSquares += baseSquares
    }

    /// Moves the cell sums from the layout of `old` to the current key counts.
    private mutating func relayout(from old: [Int]) {
        let shape = keys.map(\.count)
        let total = shape.reduce(1, *)
        var nc = [Int](repeating: 0, count: total), nw = [Double](repeating: 0, count: total)
        var ns = [Double](repeating: 0, count: total)
        let oldTotal = old.reduce(1, *)
        if oldTotal > 0 && counts.count == oldTotal {
            for cell in 0..<oldTotal {
                var rest = cell, target = 0, stride = 1
                for v in 0..<old.count { target += (rest % old[v]) * stride; rest /= old[v]; stride *= shape[v] }
                nc[target] = counts[cell]; nw[target] = weighted[cell]; ns[target] = squares[cell]
            }
        }
        counts = nc; weighted = nw; squares = ns
    }

    /// The accumulated table in table order.
    public struct Output: Sendable {
        /// Categories per variable, in table order.
        public let categories: [[Category]]
        /// Cells laid out over `categories`, first variable fastest.
        public let tally: CellTally
        /// n, Σw, Σw² over the base (every row in the domain).
        public let base: CellTally
    }

    public func finalize() throws(BarometerError) -> Output {
        let order = keys.map { k in k.indices.sorted { k[$0] < k[$1] } }
        let shape = keys.map(\.count)
        let total = shape.reduce(1, *)
        var nc = [Int](repeating: 0, count: total), nw = [Double](repeating: 0, count: total)
        var ns = [Double](repeating: 0, count: total)
        // position of each old index in the sorted order
        let rank: [[Int]] = order.map { o in
            var r = [Int](repeating: 0, count: o.count)
            for (i, p) in o.enumerated() { r[p] = i }
            return r
        }
        if counts.count == total {
            for cell in 0..<total {
                var rest = cell, target = 0, stride = 1
                for v in 0..<shape.count { target += rank[v][rest % shape[v]] * stride; rest /= shape[v]; stride *= shape[v] }
                nc[target] = counts[cell]; nw[target] = weighted[cell]; ns[target] = squares[cell]
            }
        }
        return Output(categories: zip(order, categories).map { o, c in o.map { c[$0] } },
                      tally: CellTally(counts: nc, weighted: nw, weightedSquares: ns),
                      base: CellTally(counts: [baseCount], weighted: [baseWeighted], weightedSquares: [baseSquares]))
    }
}

extension TableAccumulator {
    /// The raw state (for serialization): categories, cells and base sums.
    var state: (categories: [[Category]], counts: [Int], weighted: [Double], squares: [Double],
                base: (Int, Double, Double)) {
        (categories, counts, weighted, squares, (baseCount, baseWeighted, baseSquares))
    }

    /// An accumulator from a raw state (for deserialization).
    /// - Throws: ``BarometerError/invalidArgument(_:)`` when the cell arrays do
    ///   not match the categories or a category appears twice.
    init(categories: [[Category]], counts: [Int], weighted: [Double], squares: [Double],
         base: (Int, Double, Double)) throws(BarometerError) {
        self.init(variableCount: categories.count)
        var cells = 1
        for c in categories {
            let (m, o) = cells.multipliedReportingOverflow(by: c.count)
            guard !o, m <= counts.count + 1 else { throw .invalidArgument("table state: cell count does not match its categories") }
            cells = m
            guard Set(c.map(CategoryKey.init)).count == c.count else {
                throw .invalidArgument("table state: a category appears twice")
            }
        }
        guard counts.count == cells, weighted.count == cells, squares.count == cells else {
            throw .invalidArgument("table state: \(counts.count) cells for \(cells) category combinations")
        }
        fold(categories: categories, counts: counts, weighted: weighted, squares: squares,
             baseCount: base.0, baseWeighted: base.1, baseSquares: base.2)
    }
}
