extension CategoryCoding {
    /// Number of categories.
    public var count: Int { categories.count }

    /// One cell index per respondent for the cross-classification of
    /// `codings` (first varies fastest): `c = i₀ + k₀·(i₁ + k₁·(i₂ + …))`,
    /// −1 when any coding excludes the respondent. This is the combined
    /// index handed to ``CellTally`` for an n-way table.
    /// - Throws: ``BarometerError/lengthMismatch(variable:expected:actual:)``
    ///   for codings of different lengths, ``BarometerError/invalidArgument(_:)``
    ///   when the product of category counts exceeds `Int32.max`.
    public static func combinedIndex(_ codings: [CategoryCoding]) throws(BarometerError) -> [Int32] {
        guard let first = codings.first else { return [] }
        var cells = 1
        for c in codings {
            guard c.index.count == first.index.count else {
                throw .lengthMismatch(variable: "category coding", expected: first.index.count, actual: c.index.count)
            }
            let (m, overflow) = cells.multipliedReportingOverflow(by: max(c.count, 1))
            guard !overflow, m <= Int(Int32.max) else { throw .invalidArgument("too many cells in the cross-classification") }
            cells = m
        }
        var out = [Int32](repeating: 0, count: first.index.count)
        var stride: Int32 = 1
        out.withUnsafeMutableBufferPointer { o in
            for c in codings {
                c.index.withUnsafeBufferPointer { idx in
                    for i in 0..<o.count {
                        let k = idx[i]
                        if o[i] < 0 { continue }
                        o[i] = k < 0 ? -1 : o[i] + k * stride
                    }
                }
                stride *= Int32(max(c.count, 1))
            }
        }
        return out
    }

    /// Product of the category counts of `codings` (cells of their cross-classification).
    public static func cellCount(_ codings: [CategoryCoding]) -> Int {
        codings.reduce(1) { $0 * $1.count }
    }

    /// Maps each category to a cell through `cell(category)` (nil = excluded):
    /// e.g. "answer in {1, 2}" → 0, any other included answer → 1.
    public func cells(_ cell: (Category) -> Int32?) -> [Int32] {
        let map = categories.map { cell($0) ?? -1 }
        return index.map { $0 < 0 ? -1 : map[Int($0)] }
    }
}
