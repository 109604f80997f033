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
    /// Σ base weights per cell (summed in row order).
    let cellBaseTotals: [Double]

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
        // Per variable: the category (0..<count) of every respondent. Small whole-number codes
        // (the usual survey case) are read through a lookup table straight from the values;
        // anything else (negative, fractional or large codes, missing values) takes the shared
        // CategoryCoding, and a missing value (user- or system-missing) in a margin variable
        // is an error naming the row.
        var columns: [MarginColumn] = []
        for v in vars {
            if let small = MarginColumn(smallCodes: v) { columns.append(small); continue }
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
            columns.append(MarginColumn(coding: coding, present: present))
        }
        let codeIndex = columns.map(\.indexOfCode)
        let codes = columns.map(\.codes)
        // Joint cells of the observed combinations, numbered in order of first appearance.
        // The combined index (first variable fastest, as CategoryCoding.combinedIndex) is formed
        // a block of rows at a time from every variable's categories and mapped to its cell
        // through a flat table when the product of the category counts is small, else a
        // dictionary; beyond Int32 a dictionary on the category tuple. One pass over the rows,
        // in row order, also counts the respondents and sums the base weights per cell.
        let V = columns.count
        let radix = columns.map { Swift.max($0.count, 1) }
        var product = 1, fitsInt32 = true
        for r in radix {
            let (m, overflow) = product.multipliedReportingOverflow(by: r)
            if overflow || m > Int(Int32.max) { fitsInt32 = false; break }
            product = m
        }
        var cellKeys: [Int32] = []          // the V categories of each cell, cell after cell
        var cellCounts: [Int] = []
        var cellWeight: [Double] = []
        func newCell(_ key: [Int32]) -> Int32 {
            cellKeys += key; cellCounts.append(0); cellWeight.append(0)
            return Int32(cellCounts.count - 1)
        }
        /// Adds the rows' base weights and counts to their cells (after the rows' cells are known).
        func tally(_ cell: UnsafeMutableBufferPointer<Int32>, _ w: UnsafeBufferPointer<Double>, _ rows: Range<Int>) {
            cellCounts.withUnsafeMutableBufferPointer { count in
                cellWeight.withUnsafeMutableBufferPointer { weight in
                    for i in rows { let c = Int(cell[i]); count[c] += 1; weight[c] += w[i] }
                }
            }
        }
        let cellOfRow = [Int32](unsafeUninitializedCapacity: n) { out, initialized in
            baseWeights.withUnsafeBufferPointer { w in
                if fitsInt32 {
                    func decode(_ c: Int) -> [Int32] {
                        var rest = c
                        return radix.map { r in defer { rest /= r }; return Int32(rest % r) }
                    }
                    let useTable = product <= 4 * n + 4096
                    var flat = [Int32](repeating: -1, count: useTable ? product : 0)
                    var byKey: [Int: Int32] = [:]
                    var key = [Int](repeating: 0, count: MarginColumn.block)
                    flat.withUnsafeMutableBufferPointer { flat in
                        key.withUnsafeMutableBufferPointer { key in
                            var start = 0
                            while start < n {
                                let rows = start..<Swift.min(start + MarginColumn.block, n)
                                var stride = 1
                                for j in 0..<V {
                                    columns[j].accumulate(into: key, rows: rows, stride: stride, first: j == 0)
                                    stride *= radix[j]
                                }
                                for i in rows {
                                    let k = key[i &- rows.lowerBound]
                                    let c: Int32
                                    if useTable {
                                        let e = flat[k]
                                        if e >= 0 { c = e } else { c = newCell(decode(k)); flat[k] = c }
                                    } else if let e = byKey[k] {
                                        c = e
                                    } else {
                                        c = newCell(decode(k)); byKey[k] = c
                                    }
                                    out.initializeElement(at: i, to: c)
                                }
                                tally(out, w, rows)
                                start = rows.upperBound
                            }
                        }
                    }
                } else {
                    let index = columns.map { $0.categories(rowCount: n) }
                    var byArray: [[Int32]: Int32] = [:]
                    var key = [Int32](repeating: 0, count: V)
                    for i in 0..<n {
                        for j in 0..<V { key[j] = index[j][i] }
                        let c: Int32
                        if let e = byArray[key] { c = e } else { c = newCell(key); byArray[key] = c }
                        out.initializeElement(at: i, to: c)
                    }
                    tally(out, w, 0..<n)
                }
            }
            initialized = n
        }
        let cellCount = cellCounts.count
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
            // A one-way margin finds a cell's category through a flat table on the variable's
            // categories, a joint margin through the dictionary on the category tuple.
            var oneWay: [Int32] = []
            if mv.count == 1 {
                oneWay = [Int32](repeating: -1, count: radix[mv[0]])
                for (key, k) in catOf { oneWay[Int(key[0])] = k }
            }
            var cat = [Int32](repeating: -1, count: cellCount)
            var weightIn = [Double](repeating: 0, count: labels.count)
            for c in 0..<cellCount {
                let found: Int32? = mv.count == 1
                    ? { let k = oneWay[Int(cellKeys[c * V + mv[0]])]; return k >= 0 ? k : nil }()
                    : catOf[mv.map { cellKeys[c * V + $0] }]
                guard let k = found else {
                    let row = (cellOfRow.firstIndex(of: Int32(c)) ?? 0) + 1
                    let shown = mv.map { j in
                        let code = codes[j][Int(cellKeys[c * V + j])]
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
                               cellCounts: cellCounts, cellBaseTotals: cellWeight)
    }

    /// The code a category token names: a number, else a value label of `v`.
    static func code(_ token: String, of v: Variable) -> Double? {
        let t = token.trimmingCharacters(in: .whitespaces)
        if let x = Double(t), x.isFinite { return x }
        let matches = v.valueLabels.filter { $0.value == t }.map(\.key)
        return matches.count == 1 ? matches[0] : nil
    }
}

/// The category (0..<``count``) of every respondent in one margin variable,
/// as ``WeightingTargets/resolve(against:baseWeights:)`` reads it. Small
/// whole-number codes are read straight from the values through a lookup
/// table (categories: the codes present, ascending); any other variable goes
/// through its ``CategoryCoding`` (categories: the coding's).
struct MarginColumn {
    /// Rows per block of the joint-index pass (its keys stay in L1).
    static let block = 4096
    /// Number of categories.
    let count: Int
    /// The code of each category (NaN for one without a code).
    let codes: [Double]
    /// The category of each code that respondents have.
    let indexOfCode: [Double: Int32]
    /// Small code → category (empty on the coding path).
    private let lookup: [Int32]
    private let values: [Double]
    /// Category per respondent (the coding path; empty on the lookup path).
    private let index: [Int32]

    /// The lookup path: nil unless every value of `v` is a whole number in
    /// 0..<``CategoryCoding/smallCodeLimit`` and none is user-missing (the
    /// coding path then finds the first offending row).
    init?(smallCodes v: Variable) {
        let limit = CategoryCoding.smallCodeLimit
        var seen = [Bool](repeating: false, count: limit)
        let allSmall = v.values.withUnsafeBufferPointer { x in
            seen.withUnsafeMutableBufferPointer { seen in
                for value in x {
                    guard let k = CategoryCoding.smallCode(value) else { return false }
                    seen[k] = true
                }
                return true
            }
        }
        guard allSmall else { return nil }
        var codes: [Double] = [], lookup = [Int32](repeating: -1, count: limit), byCode: [Double: Int32] = [:]
        for k in 0..<limit where seen[k] {
            let code = Double(k)
            guard !v.missing.contains(code) else { return nil }
            lookup[k] = Int32(codes.count)
            byCode[code] = Int32(codes.count)
            codes.append(code)
        }
        self.count = codes.count
        self.codes = codes
        self.indexOfCode = byCode
        self.lookup = lookup
        self.values = v.values
        self.index = []
    }

    /// The coding path: `coding` with every respondent in a valid category;
    /// `present[k]`: whether anyone is in category k.
    init(coding: CategoryCoding, present: [Bool]) {
        var byCode: [Double: Int32] = [:]
        for (k, c) in coding.categories.enumerated() where present[k] {
            if let code = c.code { byCode[code] = Int32(k) }
        }
        self.count = coding.count
        self.codes = coding.categories.map { $0.code ?? .nan }
        self.indexOfCode = byCode
        self.lookup = []
        self.values = []
        self.index = coding.index
    }

    /// The table index of a value known to be a small whole-number code
    /// (``CategoryCoding/smallCode(_:)`` without the checks, which the
    /// lookup path's constructor made for every row).
    @inline(__always) private static func smallIndex(_ v: Double) -> Int {
        let magic = 6_755_399_441_055_744.0
        return Int(truncatingIfNeeded: (v + magic).bitPattern &- magic.bitPattern)
    }

    /// `key[i − rows.lowerBound] (+)= stride · category(i)` for the rows of one block
    /// (`first`: set rather than add).
    func accumulate(into key: UnsafeMutableBufferPointer<Int>, rows: Range<Int>, stride: Int, first: Bool) {
        let lo = rows.lowerBound
        if lookup.isEmpty {
            index.withUnsafeBufferPointer { idx in
                if first { for i in rows { key[i &- lo] = Int(idx[i]) &* stride } }
                else { for i in rows { key[i &- lo] &+= Int(idx[i]) &* stride } }
            }
            return
        }
        values.withUnsafeBufferPointer { x in
            lookup.withUnsafeBufferPointer { t in
                if first { for i in rows { key[i &- lo] = Int(t[Self.smallIndex(x[i])]) &* stride } }
                else { for i in rows { key[i &- lo] &+= Int(t[Self.smallIndex(x[i])]) &* stride } }
            }
        }
    }

    /// The category of every respondent.
    func categories(rowCount n: Int) -> [Int32] {
        guard !lookup.isEmpty else { return index }
        return values.map { lookup[Self.smallIndex($0)] }
    }
}
