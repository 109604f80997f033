import Foundation

/// Population targets for weighting: one-way margins (one variable) or joint
/// cells (several variables), each category with a population total or a
/// share.
///
/// A margin's targets are read as **shares** when they sum to 1 within
/// ``shareTolerance``, and as **totals** otherwise. Shares are scaled to the
/// population total: ``total`` when given, else the total of the margins
/// given as totals, else the sum of the design weights (as anesrake and
/// weightipy, which keep the weight total). Margins given as totals must
/// agree on the population total (relative ``shareTolerance``): raking to
/// margins of different totals cannot converge.
///
/// Targets are plain text as written in the file (a category is a code or a
/// value label); ``resolve(against:baseWeights:)`` checks them against the data
/// before any iteration.
public struct WeightingTargets: Sendable, Codable, Equatable {
    /// One category (or joint cell) of a margin and its target.
    public struct Cell: Sendable, Codable, Equatable {
        /// The category of each of the margin's variables, as written (code or value label).
        public var categories: [String]
        /// Population total or share.
        public var target: Double
        /// 1-based line in a CSV target file (nil for JSON or code).
        public var line: Int?

        /// - Parameters:
        ///   - categories: The category of each of the margin's variables, as written (code or value label).
        ///   - target: Population total or share.
        ///   - line: 1-based line in a CSV target file (nil for JSON or code).
        public init(categories: [String], target: Double, line: Int? = nil) {
            self.categories = categories
            self.target = target
            self.line = line
        }
    }

    /// One margin: a variable (one-way) or several (joint cells).
    public struct Margin: Sendable, Codable, Equatable {
        /// The margin's variables.
        public var variables: [String]
        /// Its categories (cells) and targets.
        public var cells: [Cell]

        /// - Parameters:
        ///   - variables: The margin's variables (one for a one-way margin).
        ///   - cells: Its categories (cells) and targets.
        public init(variables: [String], cells: [Cell]) {
            self.variables = variables
            self.cells = cells
        }

        /// `sex` or `sex × agegroup`.
        public var name: String { variables.joined(separator: " × ") }
    }

    /// The margins, in the order they are raked.
    public var margins: [Margin]
    /// Population total that shares are scaled to (nil: see the type's description).
    public var total: Double?
    /// Tolerance on the sum of shares (and on the agreement of margin totals, relative). Default 1e-6.
    public var shareTolerance: Double

    /// - Parameters:
    ///   - margins: The margins, in the order they are raked.
    ///   - total: Population total that shares are scaled to (nil: see the type's description).
    ///   - shareTolerance: Tolerance on the sum of shares and, relative, on the agreement of margin totals.
    public init(margins: [Margin], total: Double? = nil, shareTolerance: Double = 1e-6) {
        self.margins = margins
        self.total = total
        self.shareTolerance = shareTolerance
    }
}

/// Targets checked against a dataset: every respondent mapped to a cell of
/// the weighted joint table of the margin variables, every margin category
/// to its population total. Built by ``WeightingTargets/resolve(against:baseWeights:)``.
public struct ResolvedTargets: Sendable {
    /// One checked margin.
    public struct Margin: Sendable, Codable, Equatable {
        /// Margin name (`sex`, `sex × agegroup`).
        public let name: String
        /// The margin's variables.
        public let variables: [String]
        /// Category labels, e.g. `Male` or `1`; joint cells joined by ` × `.
        public let labels: [String]
        /// Population totals per category.
        public let totals: [Double]
        /// Whether the file gave shares.
        public let givenAsShares: Bool
    }
    /// The margins.
    public let margins: [Margin]
    /// Population total N (shares are totals / N).
    public let populationTotal: Double
    /// Joint cell of each respondent (cells of the margin variables observed in the data).
    public let cellOfRow: [Int32]
    /// Category index of each cell in each margin: `cellCategory[m][c]`.
    public let cellCategory: [[Int32]]
    /// Number of respondents per cell.
    public let cellCounts: [Int]

    /// Number of joint cells.
    public var cellCount: Int { cellCounts.count }
}

extension WeightingTargets {
    /// Checks the targets against `data` and builds the joint table.
    ///
    /// Typed errors (``BarometerError/invalidTarget(margin:category:line:reason:)``,
    /// naming margin, category and CSV line): no margins, unknown or string
    /// variables, a variable in two margins of the same kind twice within one
    /// margin, a category that is neither a code nor a value label, a code
    /// no respondent has (with or without a value label: "no respondents"),
    /// a category listed twice, negative or non-finite targets, shares that
    /// do not sum to 1, margins whose totals disagree, respondents with a
    /// missing value or a category without a target.
    /// - Parameters:
    ///   - data: the respondents whose categories the targets name.
    ///   - baseWeights: the design weights (a cell needs positive
    ///     weight to be reachable; shares are scaled to their sum when no total is known).
    public func resolve(against data: Dataset, baseWeights: [Double]) throws(BarometerError) -> ResolvedTargets {
        let n = data.rowCount
        guard !margins.isEmpty else { throw .invalidTarget(margin: "(file)", category: nil, line: nil, reason: "no margins") }
        guard shareTolerance.isFinite, shareTolerance >= 0 else {
            throw .invalidTarget(margin: "(file)", category: nil, line: nil, reason: "share tolerance \(shareTolerance) must be finite and ≥ 0")
        }
        guard baseWeights.count == n else { throw .lengthMismatch(variable: "base weights", expected: n, actual: baseWeights.count) }
        // Variables of the margins, and each variable's observed codes.
        var varIndex: [String: Int] = [:]
        var vars: [Variable] = []
        for m in margins {
            let line = m.cells.first?.line
            guard !m.variables.isEmpty else { throw .invalidTarget(margin: "(unnamed)", category: nil, line: line, reason: "a margin names no variable") }
            guard Set(m.variables).count == m.variables.count else {
                throw .invalidTarget(margin: m.name, category: nil, line: line, reason: "a variable appears twice in one margin")
            }
            guard !m.cells.isEmpty else { throw .invalidTarget(margin: m.name, category: nil, line: line, reason: "no categories") }
            for name in m.variables where varIndex[name] == nil {
                let v: Variable
                do { v = try data.variable(name) } catch {
                    var reason = "unknown variable '\(name)'"
                    if case .unknownVariable(_, let s) = error, !s.isEmpty { reason += " (did you mean \(s.map { "'\($0)'" }.joined(separator: ", "))?)" }
                    throw .invalidTarget(margin: m.name, category: nil, line: line, reason: reason)
                }
                guard !v.isString else { throw .invalidTarget(margin: m.name, category: nil, line: line, reason: "variable '\(name)' is a string variable; margins need numeric codes") }
                varIndex[name] = vars.count
                vars.append(v)
            }
        }
        // Per variable: categories through the shared CategoryCoding; a missing value
        // (user- or system-missing) in a margin variable is an error naming the row.
        var codeIndex: [[Double: Int32]] = []
        var codes: [[Double]] = []
        var codings: [CategoryCoding] = []
        for v in vars {
            let coding = CategoryCoding(v, missing: .showMissing)
            let valid = coding.categories.map { $0.status == .valid && $0.code != nil }
            var present = [Bool](repeating: false, count: coding.categories.count)
            // First invalid row, if any (one tight pass; the error names the row).
            let bad: Int? = coding.index.withUnsafeBufferPointer { idx in
                valid.withUnsafeBufferPointer { ok in
                    present.withUnsafeMutableBufferPointer { seen in
                        for i in 0..<n {
                            let k = Int(idx[i])
                            guard k >= 0, ok[k] else { return i }
                            seen[k] = true
                        }
                        return nil
                    }
                }
            }
            if let i = bad {
                let x = v.values[i]
                let what = x.isNaN ? "system-missing" : "user-missing code \(Variable.formatCode(x))"
                throw .invalidTarget(margin: v.name, category: nil, line: nil,
                                     reason: "respondent at row \(i + 1) has a \(what) value; every respondent needs a category of every margin variable (recode or impute first)")
            }
            var idx: [Double: Int32] = [:]
            for (k, c) in coding.categories.enumerated() where present[k] {
                if let code = c.code { idx[code] = Int32(k) }
            }
            codeIndex.append(idx)
            codes.append(coding.categories.map { $0.code ?? .nan })
            codings.append(coding)
        }
        // Joint cells of the observed combinations, numbered in order of first appearance:
        // the combined index of the codings (CategoryCoding.combinedIndex, first variable
        // fastest) mapped to a cell through a flat table when the product of the category
        // counts is small, else a dictionary; beyond Int32 a dictionary on the code tuple.
        var cellOfRow = [Int32](repeating: 0, count: n)
        var cellKeys: [[Int32]] = []
        var cellCounts: [Int] = []
        var cellWeight: [Double] = []
        let radix = codings.map { Swift.max($0.count, 1) }
        if let combined = try? CategoryCoding.combinedIndex(codings) {
            let product = CategoryCoding.cellCount(codings)
            func key(_ c: Int32) -> [Int32] {
                var rest = Int(c)
                return radix.map { r in defer { rest /= r }; return Int32(rest % r) }
            }
            func newCell(_ c: Int32) -> Int32 {
                cellKeys.append(key(c)); cellCounts.append(0); cellWeight.append(0)
                return Int32(cellKeys.count - 1)
            }
            if product <= 4 * n + 4096 {
                var flat = [Int32](repeating: -1, count: product)
                flat.withUnsafeMutableBufferPointer { table in
                    combined.withUnsafeBufferPointer { key in
                        cellOfRow.withUnsafeMutableBufferPointer { out in
                            for i in 0..<n {
                                var c = table[Int(key[i])]
                                if c < 0 { c = newCell(key[i]); table[Int(key[i])] = c }
                                out[i] = c
                            }
                        }
                    }
                }
            } else {
                var byKey: [Int32: Int32] = [:]
                for i in 0..<n {
                    let k = combined[i]
                    if let c = byKey[k] { cellOfRow[i] = c } else { let c = newCell(k); byKey[k] = c; cellOfRow[i] = c }
                }
            }
            cellCounts.withUnsafeMutableBufferPointer { count in
                cellWeight.withUnsafeMutableBufferPointer { weight in
                    baseWeights.withUnsafeBufferPointer { w in
                        cellOfRow.withUnsafeBufferPointer { cell in
                            for i in 0..<n { let c = Int(cell[i]); count[c] += 1; weight[c] += w[i] }
                        }
                    }
                }
            }
        } else {
            var byArray: [[Int32]: Int32] = [:]
            var key = [Int32](repeating: 0, count: codings.count)
            for i in 0..<n {
                for j in codings.indices { key[j] = codings[j].index[i] }
                let c: Int32
                if let e = byArray[key] { c = e } else {
                    c = Int32(cellKeys.count)
                    byArray[key] = c
                    cellKeys.append(key); cellCounts.append(0); cellWeight.append(0)
                }
                cellOfRow[i] = c
                cellCounts[Int(c)] += 1
                cellWeight[Int(c)] += baseWeights[i]
            }
        }
        // Margins.
        var resolved: [ResolvedTargets.Margin] = []
        var cellCategory: [[Int32]] = []
        var shareMargins: [Int] = []
        var rawTargets: [[Double]] = []
        for m in margins {
            let mv = m.variables.map { varIndex[$0] ?? 0 }
            var catOf: [[Int32]: Int32] = [:]
            var labels: [String] = []
            var targets: [Double] = []
            for cell in m.cells {
                let shown = cell.categories.joined(separator: " × ")
                guard cell.categories.count == mv.count else {
                    throw .invalidTarget(margin: m.name, category: shown, line: cell.line,
                                         reason: "\(cell.categories.count) categories for \(mv.count) variables")
                }
                guard cell.target.isFinite else { throw .invalidTarget(margin: m.name, category: shown, line: cell.line, reason: "target \(cell.target) is not a finite number") }
                guard cell.target >= 0 else { throw .invalidTarget(margin: m.name, category: shown, line: cell.line, reason: "negative target \(cell.target)") }
                var k = [Int32]()
                var names = [String]()
                for (j, token) in cell.categories.enumerated() {
                    let v = vars[mv[j]]
                    guard let code = Self.code(token, of: v) else {
                        throw .invalidTarget(margin: m.name, category: shown, line: cell.line,
                                             reason: "'\(token)' is neither a code nor a value label of '\(v.name)'")
                    }
                    guard let idx = codeIndex[mv[j]][code] else {
                        let why = v.valueLabels[code] != nil ? "a target category with no respondents" : "unknown code: no respondent has it and it has no value label"
                        throw .invalidTarget(margin: m.name, category: shown, line: cell.line, reason: "\(why) ('\(v.name)' = \(Variable.formatCode(code)))")
                    }
                    k.append(idx)
                    names.append(v.valueLabels[code] ?? Variable.formatCode(code))
                }
                guard catOf[k] == nil else { throw .invalidTarget(margin: m.name, category: shown, line: cell.line, reason: "category listed twice") }
                catOf[k] = Int32(labels.count)
                labels.append(names.joined(separator: " × "))
                targets.append(cell.target)
            }
            // Each observed cell must fall in a listed category with positive weight somewhere.
            var cat = [Int32](repeating: -1, count: cellKeys.count)
            var weightIn = [Double](repeating: 0, count: labels.count)
            for (c, ck) in cellKeys.enumerated() {
                let sub = mv.map { ck[$0] }
                guard let k = catOf[sub] else {
                    let row = (cellOfRow.firstIndex(of: Int32(c)) ?? 0) + 1
                    let shown = zip(mv, sub).map { j, s in
                        let code = codes[j][Int(s)]
                        return vars[j].valueLabels[code] ?? Variable.formatCode(code)
                    }.joined(separator: " × ")
                    throw .invalidTarget(margin: m.name, category: shown, line: nil,
                                         reason: "\(cellCounts[c]) respondent(s) (first at row \(row)) are in a category without a target")
                }
                cat[c] = k
                weightIn[Int(k)] += cellWeight[c]
            }
            for (k, wk) in weightIn.enumerated() where !(wk > 0) {
                throw .invalidTarget(margin: m.name, category: labels[k], line: m.cells[k].line,
                                     reason: "a target category with no respondents of positive weight")
            }
            let sum = targets.reduce(0, +)
            let isShares = abs(sum - 1) <= shareTolerance
            if !isShares && targets.allSatisfy({ $0 <= 1 }) {
                throw .invalidTarget(margin: m.name, category: nil, line: m.cells.first?.line,
                                     reason: "shares sum to \(sum), not 1 (tolerance \(shareTolerance))")
            }
            if isShares { shareMargins.append(resolved.count) }
            rawTargets.append(targets)
            cellCategory.append(cat)
            resolved.append(.init(name: m.name, variables: m.variables, labels: labels, totals: targets, givenAsShares: isShares))
        }
        // Population total: explicit, else from total margins (which must agree), else Σ base weights.
        var population: Double? = nil
        if let t = total {
            guard t.isFinite, t > 0 else { throw .invalidTarget(margin: "(file)", category: nil, line: nil, reason: "population total \(t) must be positive and finite") }
            population = t
        }
        for (m, r) in resolved.enumerated() where !r.givenAsShares {
            let s = rawTargets[m].reduce(0, +)
            if let p = population {
                guard abs(s - p) <= shareTolerance * p else {
                    let other = total != nil ? "the population total \(p)" : "\(p), the total of margin '\(resolved.first { !$0.givenAsShares }?.name ?? "")'"
                    throw .invalidTarget(margin: r.name, category: nil, line: margins[m].cells.first?.line,
                                         reason: "targets total \(s), which differs from \(other)")
                }
            } else {
                population = s
            }
        }
        let N = population ?? baseWeights.reduce(0, +)
        guard N > 0 else { throw .invalidTarget(margin: "(file)", category: nil, line: nil, reason: "population total is zero") }
        let final = resolved.enumerated().map { (m, r) in
            ResolvedTargets.Margin(name: r.name, variables: r.variables, labels: r.labels,
                                   totals: r.givenAsShares ? rawTargets[m].map { $0 * N } : rawTargets[m],
                                   givenAsShares: r.givenAsShares)
        }
        return ResolvedTargets(margins: final, populationTotal: N, cellOfRow: cellOfRow, cellCategory: cellCategory,
                               cellCounts: cellCounts)
    }

    /// The code a category token names: a number, else a value label of `v`.
    static func code(_ token: String, of v: Variable) -> Double? {
        let t = token.trimmingCharacters(in: .whitespaces)
        if let x = Double(t), x.isFinite { return x }
        let matches = v.valueLabels.filter { $0.value == t }.map(\.key)
        return matches.count == 1 ? matches[0] : nil
    }
}
