/// A columnar survey dataset: named ``Variable``s of equal length, and
/// optionally the name of the variable that holds the survey weights.
public struct Dataset: Sendable {
    /// The variables, in file order.
    public private(set) var variables: [Variable]
    private var index: [String: Int]
    /// Number of respondents (rows).
    public private(set) var rowCount: Int
    /// The codebook's weight variable, if it names one.
    public var weightVariable: String?

    /// A dataset from variables of equal length with unique names.
    /// - Throws: ``BarometerError/duplicateVariable(_:)``,
    ///   ``BarometerError/lengthMismatch(variable:expected:actual:)``, or
    ///   ``BarometerError/unknownVariable(_:suggestions:)`` for a weight
    ///   variable that is not among them.
    public init(variables: [Variable], weightVariable: String? = nil) throws(BarometerError) {
        self.variables = []
        self.index = [:]
        self.rowCount = variables.first?.count ?? 0
        self.weightVariable = nil
        for v in variables { try add(v) }
        if let w = weightVariable {
            _ = try variable(w)
            self.weightVariable = w
        }
    }

    /// Names of all variables in order.
    public var variableNames: [String] { variables.map(\.name) }

    /// The variable called `name`, or `nil`.
    public subscript(name: String) -> Variable? {
        index[name].map { variables[$0] }
    }

    /// The variable called `name`.
    /// - Throws: ``BarometerError/unknownVariable(_:suggestions:)`` with the
    ///   closest names (a case-insensitive match, or edit distance ≤ 1, ≤ 2 for names of six or more characters).
    public func variable(_ name: String) throws(BarometerError) -> Variable {
        if let i = index[name] { return variables[i] }
        throw .unknownVariable(name, suggestions: suggestions(for: name))
    }

    /// Adds a variable at the end.
    public mutating func add(_ v: Variable) throws(BarometerError) {
        guard index[v.name] == nil else { throw .duplicateVariable(v.name) }
        if variables.isEmpty { rowCount = v.count }
        guard v.count == rowCount else { throw .lengthMismatch(variable: v.name, expected: rowCount, actual: v.count) }
        index[v.name] = variables.count
        variables.append(v)
    }

    /// Replaces the variable of the same name, or adds it.
    public mutating func replace(_ v: Variable) throws(BarometerError) {
        guard let i = index[v.name] else { try add(v); return }
        guard v.count == rowCount else { throw .lengthMismatch(variable: v.name, expected: rowCount, actual: v.count) }
        variables[i] = v
    }

    func suggestions(for name: String) -> [String] {
        let lower = name.lowercased()
        let limit = max(1, min(2, lower.count / 3))
        return variableNames.filter { candidate in
            candidate.lowercased() == lower || Self.editDistance(candidate.lowercased(), lower, atMost: limit)
        }.prefix(3).map { $0 }
    }

    /// Whether the Levenshtein distance of `a` and `b` is at most `k`: the
    /// dynamic programme only over the band |i − j| ≤ k (cells outside it
    /// exceed k), so O((|a| + |b|) · k) for any name lengths (an unknown name
    /// of 100,000 characters against thousands of long column names stays
    /// linear).
    static func editDistance(_ a: String, _ b: String, atMost k: Int) -> Bool {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        guard abs(x.count - y.count) <= k else { return false }
        if x.isEmpty || y.isEmpty { return max(x.count, y.count) <= k }
        let big = k + 1
        var prev = (0...y.count).map { min($0, big) }, cur = [Int](repeating: big, count: y.count + 1)
        for i in 1...x.count {
            let lo = max(1, i - k), hi = min(y.count, i + k)
            cur[0] = min(i, big)
            if lo > 1 { cur[lo - 1] = big }
            var best = cur[0]
            for j in lo...hi {
                cur[j] = Swift.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1), big)
                best = Swift.min(best, cur[j])
            }
            if hi < y.count { cur[hi + 1] = big }
            guard best <= k else { return false }
            swap(&prev, &cur)
        }
        return prev[y.count] <= k
    }
}
