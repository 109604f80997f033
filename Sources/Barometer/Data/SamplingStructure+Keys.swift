/// A design variable (strata or PSUs) read for numbering its values: integer
/// codes in `0..<range` straight from the numeric column (the usual design
/// variable: nothing is copied), else one `UInt64` key per row: a numeric
/// value's bits (−0 read as 0, so two rows share a key exactly when their
/// printed codes are equal) or a text value's index among the distinct texts.
struct DesignColumn {
    enum Keys {
        /// Integer codes in `0..<range`, the numeric column itself.
        case codes([Double])
        /// One key per row.
        case keys([UInt64])
    }
    let keys: Keys
    /// Number of distinct key values when the keys are `0..<range` (codes or text indices).
    let range: Int?
    /// Each row's value as printed (labels are formatted only for the rows that need one).
    let labels: DesignLabels

    /// The column of `name`.
    /// - Throws: ``BarometerError/invalidArgument(_:)`` naming the first row with a missing value.
    init(_ data: Dataset, _ name: String) throws(BarometerError) {
        let v = try data.variable(name)
        let n = data.rowCount
        if let s = v.strings {
            var out = [UInt64](repeating: 0, count: n)
            var ids: [String: UInt64] = [:]
            for i in 0..<n {
                guard !s[i].isEmpty else { throw .invalidArgument("design variable '\(name)' is missing at data row \(i + 1)") }
                if i > 0 && s[i] == s[i - 1] { out[i] = out[i - 1]; continue }
                if let id = ids[s[i]] { out[i] = id } else { out[i] = UInt64(ids.count); ids[s[i]] = out[i] }
            }
            (keys, range, labels) = (.keys(out), ids.count, .strings(s))
            return
        }
        let values = v.values
        guard values.count == n else { throw .lengthMismatch(variable: name, expected: n, actual: values.count) }
        // Integer codes 0 ≤ x < 1e9 (UInt64(x) is then exact, and equal back means an integer) are
        // their own keys; at the first other value every row is keyed by its bits instead.
        // (Int64(x) is exact there: one conversion instruction, where rounded(.towardZero) is a call to trunc.)
        var top = 0.0, integral = true
        values.withUnsafeBufferPointer { vp in
            for x in vp {
                guard x >= 0 && x < 1e9 && Double(Int64(x)) == x else { integral = false; break }
                top = Swift.max(top, x)
            }
        }
        labels = .numbers(values)
        if integral {
            (keys, range) = (.codes(values), Int(top) + 1)
            return
        }
        var out = [UInt64](repeating: 0, count: n), missingRow: Int? = nil
        values.withUnsafeBufferPointer { vp in out.withUnsafeMutableBufferPointer { op in
            for j in 0..<n {
                let x = vp[j]
                if x.isNaN { missingRow = j; return }
                op[j] = (x == 0 ? 0.0 : x).bitPattern
            }
        } }
        if let i = missingRow { throw .invalidArgument("design variable '\(name)' is missing at data row \(i + 1)") }
        (keys, range) = (.keys(out), nil)
    }

    /// Numbers the strata (``SamplingStructure/numberStrata(_:rows:range:tableLimit:into:)``
    /// specialized for the form of the keys).
    func numberStrata(rows n: Int, tableLimit: Int, into strata: inout [Int32]) -> [Int32] {
        switch keys {
        case .codes(let v):
            v.withUnsafeBufferPointer { SamplingStructure.numberStrata(CodeKeys(p: $0), rows: n, range: range, tableLimit: tableLimit, into: &strata) }
        case .keys(let k):
            k.withUnsafeBufferPointer { SamplingStructure.numberStrata(BitKeys(p: $0), rows: n, range: range, tableLimit: tableLimit, into: &strata) }
        }
    }

    /// Numbers the PSUs (``SamplingStructure/numberPSUs(_:rows:range:nest:strata:strataCount:tableLimit:clusters:psuStratum:firstRows:)``
    /// specialized for the form of the keys).
    func numberPSUs(rows n: Int, nest: Bool, strata: [Int32], strataCount: Int, tableLimit: Int, clusters: inout [Int32],
                    psuStratum: inout [Int32], firstRows: inout [Int32]) -> Int? {
        switch keys {
        case .codes(let v):
            v.withUnsafeBufferPointer {
                SamplingStructure.numberPSUs(CodeKeys(p: $0), rows: n, range: range, nest: nest, strata: strata, strataCount: strataCount,
                                             tableLimit: tableLimit, clusters: &clusters, psuStratum: &psuStratum, firstRows: &firstRows)
            }
        case .keys(let k):
            k.withUnsafeBufferPointer {
                SamplingStructure.numberPSUs(BitKeys(p: $0), rows: n, range: range, nest: nest, strata: strata, strataCount: strataCount,
                                             tableLimit: tableLimit, clusters: &clusters, psuStratum: &psuStratum, firstRows: &firstRows)
            }
        }
    }
}

/// Each row's key of a ``DesignColumn``.
protocol DesignRowKeys {
    func key(_ i: Int) -> UInt64
}

/// Integer codes of a numeric column (``DesignColumn/Keys/codes(_:)``).
struct CodeKeys: DesignRowKeys {
    let p: UnsafeBufferPointer<Double>
    @inline(__always) func key(_ i: Int) -> UInt64 { UInt64(p[i]) }
}

/// Stored keys (``DesignColumn/Keys/keys(_:)``).
struct BitKeys: DesignRowKeys {
    let p: UnsafeBufferPointer<UInt64>
    @inline(__always) func key(_ i: Int) -> UInt64 { p[i] }
}

/// The printed values of a design variable, formatted row by row on demand.
enum DesignLabels: Sendable {
    case numbers([Double])
    case strings([String])

    /// The value of row `i` as printed (``Variable/formatCode(_:)`` for numbers).
    func label(_ i: Int) -> String {
        switch self {
        case .numbers(let v): Variable.formatCode(v[i])
        case .strings(let s): s[i]
        }
    }

    /// The values of some rows (each PSU's first row), formatted when asked for.
    struct FirstRows: Sendable {
        let labels: DesignLabels
        let rows: [Int32]
        var strings: [String] { rows.map { labels.label(Int($0)) } }
    }
}

extension SamplingStructure {
    /// Numbers the strata of `keys` in order of first appearance into `strata` (consecutive
    /// rows of a stratum skip the lookup); returns each stratum's first row. The lookup is a
    /// table indexed by the key when `range` is known and at most `tableLimit`, else a dictionary.
    static func numberStrata<K: DesignRowKeys>(_ keys: K, rows n: Int, range: Int?, tableLimit: Int,
                                               into strata: inout [Int32]) -> [Int32] {
        var first: [Int32] = []
        var table = [Int32](repeating: -1, count: range.map { $0 <= tableLimit ? $0 : 0 } ?? 0)
        var index: [UInt64: Int32] = [:]
        strata.withUnsafeMutableBufferPointer { sp in table.withUnsafeMutableBufferPointer { tp in
            var previous: UInt64 = 0
            for i in 0..<n {
                let k = keys.key(i)
                if i > 0 && k == previous { sp[i] = sp[i - 1]; continue }
                previous = k
                let found: Int32? = tp.isEmpty ? index[k] : (tp[Int(k)] >= 0 ? tp[Int(k)] : nil)
                if let j = found { sp[i] = j } else {
                    let j = Int32(first.count)
                    if tp.isEmpty { index[k] = j } else { tp[Int(k)] = j }
                    first.append(Int32(i)); sp[i] = j
                }
            }
        } }
        return first
    }

    /// Numbers the PSUs of `keys` in order of first appearance into `clusters` (with `nest`
    /// a PSU is a (stratum, value) pair), appending each new PSU's stratum to `psuStratum`
    /// and its first row to `firstRows`. Returns the first row whose PSU already
    /// appeared in another stratum (nil: none).
    static func numberPSUs<K: DesignRowKeys>(_ keys: K, rows n: Int, range: Int?, nest: Bool, strata: [Int32],
                                             strataCount: Int, tableLimit: Int, clusters: inout [Int32],
                                             psuStratum: inout [Int32], firstRows: inout [Int32]) -> Int? {
        var index: [PSUValueKey: Int32] = [:]
        let width = range ?? 0, blocks = nest ? strataCount : 1
        var table = [Int32](repeating: -1, count: range != nil && blocks * width <= tableLimit ? blocks * width : 0)
        var spanning: Int? = nil
        strata.withUnsafeBufferPointer { sp in clusters.withUnsafeMutableBufferPointer { cp in
        table.withUnsafeMutableBufferPointer { tp in
            var previous: UInt64 = 0, previousStratum: Int32 = -1
            for i in 0..<n {
                let k = keys.key(i), h = sp[i]
                if i > 0 && k == previous && h == previousStratum { cp[i] = cp[i - 1]; continue }
                let j: Int32
                if i > 0 && k == previous && !nest {
                    j = cp[i - 1]                                   // same PSU, another stratum: caught below
                } else {
                    let slot = (nest ? Int(h) : 0) * width + Int(truncatingIfNeeded: k)
                    let key = PSUValueKey(stratum: nest ? h : -1, value: k)
                    if let found = tp.isEmpty ? index[key] : (tp[slot] >= 0 ? tp[slot] : nil) {
                        j = found
                    } else {
                        j = Int32(psuStratum.count)
                        if tp.isEmpty { index[key] = j } else { tp[slot] = j }
                        psuStratum.append(h); firstRows.append(Int32(i))
                    }
                }
                previous = k; previousStratum = h
                if psuStratum[Int(j)] != h { spanning = i; return }
                cp[i] = j
            }
        } } }
        return spanning
    }
}

/// A PSU's key while numbering PSUs: its stratum (−1 without `nest`) and its value's key.
private struct PSUValueKey: Hashable {
    let stratum: Int32
    let value: UInt64
}
