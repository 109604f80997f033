/// Accumulator of listwise Pearson moments: n, Σw, Σw², the weighted means
/// and the centred cross-products `Σ w (x − x̄)(x − x̄)ᵀ`. A chunk is one
/// ``CentredMoments`` pass (shifted, √w-scaled SYRK per 4,096-row block);
/// two states merge by the parallel-axis rule of Chan, Golub & LeVeque
/// (1983):
///
///     W = W_a + W_b,  δ = x̄_b − x̄_a,
///     C = C_a + C_b + δδᵀ·W_a W_b / W,  x̄ = x̄_a + δ·W_b / W.
///
/// The in-memory ``Correlation/matrix(_:variables:options:)`` adds one chunk
/// (exactly its earlier single pass); shards merge.
struct PearsonAccumulator: StatisticAccumulator {
    /// The rows of a chunk: columns with NaN for excluded values, their weights.
    struct Chunk {
        let columns: [[Double]]
        let weights: [Double]
    }
    let variableCount: Int
    private(set) var moments: CentredMoments?

    init(variableCount: Int) { self.variableCount = variableCount }

    init(moments: CentredMoments) {
        variableCount = moments.means.count
        self.moments = moments
    }

    mutating func add(_ chunk: Chunk) throws(BarometerError) {
        guard chunk.columns.count == variableCount else {
            throw .invalidArgument("a chunk of \(chunk.columns.count) variables added to \(variableCount)")
        }
        let n = chunk.weights.count
        var rows: [Int] = []
        rows.reserveCapacity(n)
        for i in 0..<n {
            var ok = true
            for (j, c) in chunk.columns.enumerated() {
                guard c.count == n else { throw .lengthMismatch(variable: "column \(j + 1)", expected: n, actual: c.count) }
                if c[i].isNaN { ok = false; break }
                if c[i].isInfinite { throw .invalidArgument("column \(j + 1) holds \(c[i]) at row \(i + 1) of the chunk") }
            }
            if ok { rows.append(i) }
        }
        guard !rows.isEmpty else { return }
        try add(CentredMoments(columns: chunk.columns, rows: rows, weights: chunk.weights))
    }

    /// Adds the moments of one pass.
    mutating func add(_ m: CentredMoments) throws(BarometerError) {
        try merge(PearsonAccumulator(moments: m))
    }

    mutating func merge(_ other: PearsonAccumulator) throws(BarometerError) {
        guard other.variableCount == variableCount else {
            throw .invalidArgument("cannot merge Pearson moments of \(other.variableCount) and \(variableCount) variables")
        }
        guard let b = other.moments else { return }
        guard var a = moments else { moments = b; return }
        let p = variableCount
        let w = a.sumW + b.sumW
        let delta = (0..<p).map { b.means[$0] - a.means[$0] }
        let f = a.sumW * b.sumW / w
        for j in 0..<p { for k in 0..<p {
            a.crossProducts[j, k] += b.crossProducts[j, k] + delta[j] * delta[k] * f
        } }
        for j in 0..<p {
            a.means[j] += delta[j] * b.sumW / w
            a.scales[j] = Swift.max(a.scales[j], b.scales[j])
        }
        a.count += b.count
        a.sumW = w
        a.sumW2 += b.sumW2
        moments = a
    }

    func finalize() throws(BarometerError) -> CentredMoments {
        guard let m = moments else { throw .insufficientData("no rows with valid values on every variable") }
        return m
    }
}

extension CentredMoments {
    /// Moments from their parts (deserialized state).
    init(crossProducts: Matrix, means: [Double], scales: [Double], count: Int, sumW: Double, sumW2: Double) {
        self.crossProducts = crossProducts
        self.means = means
        self.scales = scales
        self.count = count
        self.sumW = sumW
        self.sumW2 = sumW2
    }
}
