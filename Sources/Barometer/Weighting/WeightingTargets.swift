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
        // Per variable: the category (0..<count) of every respondent, and the joint cells of the
        // observed combinations (JointCells). Whole-number codes are read straight from the
        // values: first on the range of codes a sample of rows and the value labels suggest,
        // checked on every row as the joint pass reads it; when a row falls outside, on the
        // range or the distinct codes of a full scan. Anything else (fractional or negative
        // codes, missing values) takes the shared CategoryCoding, where a missing value (user-
        // or system-missing) in a margin variable is an error naming the row.
        let limit = 4 * n + 4096
        var columns = vars.map { MarginColumn(sampled: $0, tableLimit: limit) }
        var joint: JointCells? = nil
        if columns.allSatisfy({ $0 != nil }) {
            joint = JointCells(columns.compactMap { $0 }, rowCount: n, baseWeights: baseWeights, tableLimit: limit)
        }
        if joint == nil {
            var checked: [MarginColumn] = []
            for v in vars {
                if let c = MarginColumn(scanned: v) { checked.append(c) } else { checked.append(try MarginColumn(codingAndChecking: v)) }
            }
            columns = checked
            joint = JointCells(checked, rowCount: n, baseWeights: baseWeights, tableLimit: limit)
        }
        guard let cells = joint else { throw .invalidArgument("internal: the joint table of the margin variables could not be formed") }
        let checked = columns.compactMap { $0 }
        // A user-missing code some respondent has (read as a category on the code paths) is an
        // error; the coding path names the first row that has it.
        for (j, v) in vars.enumerated() where checked[j].hasUserMissing(v, presentIn: cells, column: j) {
            _ = try MarginColumn(codingAndChecking: v)
            throw .invalidArgument("internal: variable '\(v.name)' has a user-missing code the coding did not find")
        }
        let V = checked.count
        let radix = checked.map { Swift.max($0.count, 1) }
        let cellOfRow = cells.cellOfRow, cellKeys = cells.keys, cellCounts = cells.counts, cellWeight = cells.baseTotals
        let cellCount = cellCounts.count
        let codes = checked.map(\.codes)
        // The category of each code that respondents have (read off the cells).
        let codeIndex: [[Double: Int32]] = (0..<V).map { j in
            var present = [Bool](repeating: false, count: radix[j])
            for c in 0..<cellCount { present[Int(cellKeys[c * V + j])] = true }
            var byCode: [Double: Int32] = [:]
            for (k, p) in present.enumerated() where p && !codes[j][k].isNaN { byCode[codes[j][k]] = Int32(k) }
            return byCode
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
/// as ``WeightingTargets/resolve(against:baseWeights:)`` reads it: whole-number
/// codes straight from the values (category k is code `lowest + k`, or through a
/// table to the distinct codes), any other variable through its ``CategoryCoding``.
struct MarginColumn {
    /// Rows per block of the joint pass (its keys stay in L1).
    static let block = 4096
    enum Source {
        /// Category of row i: `code(xᵢ) − lowest` (through `lookup` when not empty);
        /// `checked`: every row was verified to be such a code.
        case codes(values: [Double], lowest: Int, lookup: [Int32], checked: Bool)
        /// Category per row from a coding.
        case coded([Int32])
    }
    /// Number of categories.
    let count: Int
    /// The code of each category (NaN for one without a code).
    let codes: [Double]
    let source: Source

    /// Codes in 0..<2³¹ are read from the values.
    static let codeLimit = 1 << 31
    static let magic = 6_755_399_441_055_744.0   // 1.5·2⁵²

    /// `v` rounded to an integer when |v| < 2⁵¹, without float-to-integer
    /// conversion (as ``CategoryCoding/smallCode(_:)``): `v + 1.5·2⁵²` lies in
    /// the binade [2⁵², 2⁵³) where the spacing is 1. Outside that range the
    /// result is ≥ 2⁵¹ or negative, never a code in 0..<``codeLimit``.
    @inline(__always) static func rounded(_ v: Double) -> (code: Int, whole: Bool) {
        let t = v + magic
        return (Int(truncatingIfNeeded: t.bitPattern &- magic.bitPattern), t - magic == v)
    }

    /// The code range a sample of rows (about 1,024, evenly spaced) and the valid value
    /// labels suggest; nil when a sampled value is not a whole code in 0..<2³¹ or the
    /// range is wider than `tableLimit`. The joint pass checks every row against it.
    init?(sampled v: Variable, tableLimit: Int) {
        let n = v.values.count
        var lo = Int.max, hi = Int.min
        let step = Swift.max(1, n / 1024)
        var i = 0
        while i < n {
            let (k, whole) = Self.rounded(v.values[i])
            guard whole, k >= 0, k < Self.codeLimit else { return nil }
            lo = Swift.min(lo, k); hi = Swift.max(hi, k)
            i += step
        }
        for code in v.valueLabels.keys where !v.missing.contains(code) {
            let (k, whole) = Self.rounded(code)
            if whole, k >= 0, k < Self.codeLimit { lo = Swift.min(lo, k); hi = Swift.max(hi, k) }
        }
        guard lo <= hi, hi - lo < tableLimit else { return nil }
        count = hi - lo + 1
        codes = (lo...hi).map(Double.init)
        source = .codes(values: v.values, lowest: lo, lookup: [], checked: false)
    }

    /// A full scan: nil unless every value is a whole code in 0..<2³¹, none user-missing, over
    /// a range of at most 2²⁴ codes; categories are the
    /// codes' range when it is at most twice the number of distinct codes, else the distinct
    /// codes through a table (when the range is small enough for one).
    init?(scanned v: Variable) {
        var lo = Int.max, hi = Int.min
        let allWhole = v.values.withUnsafeBufferPointer { x in
            var outside: UInt = 0
            for value in x {
                let (k, whole) = Self.rounded(value)
                outside |= whole && UInt(bitPattern: k) < UInt(Self.codeLimit) ? 0 : 1
                lo = Swift.min(lo, k); hi = Swift.max(hi, k)
            }
            return outside == 0
        }
        guard allWhole else { return nil }
        guard lo <= hi else {        // no rows
            count = 0; codes = []; source = .codes(values: v.values, lowest: 0, lookup: [], checked: true)
            return
        }
        let range = hi - lo + 1
        guard range <= 1 << 24 else { return nil }
        var seen = [Bool](repeating: false, count: range)
        v.values.withUnsafeBufferPointer { x in
            seen.withUnsafeMutableBufferPointer { seen in
                for value in x { seen[Self.rounded(value).code &- lo] = true }
            }
        }
        let distinct = seen.indices.filter { seen[$0] }
        // A user-missing code is left to the coding path, which names the first row with it.
        guard v.missing.isEmpty || !distinct.contains(where: { v.missing.contains(Double(lo + $0)) }) else { return nil }
        if range <= 2 * distinct.count {
            count = range
            codes = (lo...hi).map(Double.init)
            source = .codes(values: v.values, lowest: lo, lookup: [], checked: true)
        } else {
            var lookup = [Int32](repeating: -1, count: range)
            for (k, d) in distinct.enumerated() { lookup[d] = Int32(k) }
            count = distinct.count
            codes = distinct.map { Double(lo + $0) }
            source = .codes(values: v.values, lowest: lo, lookup: lookup, checked: true)
        }
    }

    /// The coding path: the variable's ``CategoryCoding``, after checking that every
    /// respondent has a valid category.
    /// - Throws: ``BarometerError/invalidTarget(margin:category:line:reason:)`` naming the
    ///   first row with a system- or user-missing value.
    init(codingAndChecking v: Variable) throws(BarometerError) {
        let coding = CategoryCoding(v, missing: .showMissing)
        let valid = coding.categories.map { $0.status == .valid && $0.code != nil }
        // First invalid row, if any (one tight pass; the error names the row).
        let bad: Int? = coding.index.withUnsafeBufferPointer { idx in
            valid.withUnsafeBufferPointer { ok in
                for i in idx.indices {
                    let k = Int(idx[i])
                    guard k >= 0, ok[k] else { return i }
                }
                return nil
            }
        }
        if let i = bad {
            let x = v.values[i]
            let what = x.isNaN ? "system-missing" : "user-missing code \(Variable.formatCode(x))"
            throw .invalidTarget(margin: v.name, category: nil, line: nil,
                                 reason: "respondent at row \(i + 1) has a \(what) value; every respondent needs a category of every margin variable (recode or impute first)")
        }
        count = coding.count
        codes = coding.categories.map { $0.code ?? .nan }
        source = .coded(coding.index)
    }

    /// Whether a code some respondent has (a category of a cell in `joint`) is user-missing.
    func hasUserMissing(_ v: Variable, presentIn joint: JointCells, column j: Int) -> Bool {
        guard case .codes = source, !v.missing.isEmpty else { return false }
        let V = joint.keys.count / Swift.max(joint.counts.count, 1)
        for c in joint.counts.indices where v.missing.contains(codes[Int(joint.keys[c * V + j])]) { return true }
        return false
    }

    /// `key[i − rows.lowerBound] (+)= stride · category(i)` for the rows of one block
    /// (`first`: set rather than add); false when a row's value is not a code of the
    /// column's range (unchecked columns only; the keys are then meaningless).
    func accumulate(into key: UnsafeMutableBufferPointer<Int>, rows: Range<Int>, stride: Int, first: Bool) -> Bool {
        let lo = rows.lowerBound
        switch source {
        case .coded(let index):
            index.withUnsafeBufferPointer { idx in
                if first { for i in rows { key[i &- lo] = Int(idx[i]) &* stride } }
                else { for i in rows { key[i &- lo] &+= Int(idx[i]) &* stride } }
            }
            return true
        case .codes(let values, let lowest, let lookup, let checked):
            let magicBits = Self.magic.bitPattern, magic = Self.magic
            let range = UInt(lookup.isEmpty ? count : lookup.count)
            var outside: UInt = 0
            values.withUnsafeBufferPointer { x in
                if !lookup.isEmpty {
                    lookup.withUnsafeBufferPointer { t in
                        for i in rows {
                            let d = Int(truncatingIfNeeded: (x[i] + magic).bitPattern &- magicBits) &- lowest
                            let k = Int(t[d]) &* stride
                            key[i &- lo] = first ? k : key[i &- lo] &+ k
                        }
                    }
                } else if checked {
                    for i in rows {
                        let k = (Int(truncatingIfNeeded: (x[i] + magic).bitPattern &- magicBits) &- lowest) &* stride
                        key[i &- lo] = first ? k : key[i &- lo] &+ k
                    }
                } else {
                    // Every row checked: a whole number whose code lies in the range.
                    for i in rows {
                        let v = x[i], t = v + magic
                        let d = UInt(bitPattern: Int(truncatingIfNeeded: t.bitPattern &- magicBits) &- lowest)
                        outside |= (d < range && t - magic == v) ? 0 : 1
                        let k = Int(bitPattern: d) &* stride
                        key[i &- lo] = first ? k : key[i &- lo] &+ k
                    }
                }
            }
            return outside == 0
        }
    }

    /// The category of every respondent.
    func categories(rowCount n: Int) -> [Int32] {
        switch source {
        case .coded(let index): return index
        case .codes(let values, let lowest, let lookup, _):
            return values.map { v in
                let d = Self.rounded(v).code &- lowest
                return lookup.isEmpty ? Int32(truncatingIfNeeded: d) : lookup[d]
            }
        }
    }
}

/// The joint cells of the margin variables' observed combinations, numbered in
/// order of first appearance, with each respondent's cell, the respondents and
/// the base-weight total per cell (summed in row order).
///
/// The combined index (first variable fastest, as ``CategoryCoding/combinedIndex(_:)``)
/// is formed a block of rows at a time from every column's categories and mapped
/// to its cell through a flat table when the product of the category counts is at
/// most `tableLimit`, else a dictionary; beyond `Int32` a dictionary on the category
/// tuple. One pass over the rows, in row order.
struct JointCells {
    /// Cell of each respondent.
    let cellOfRow: [Int32]
    /// The categories of each cell, one per column, cell after cell.
    let keys: [Int32]
    /// Respondents per cell.
    let counts: [Int]
    /// Σ base weights per cell.
    let baseTotals: [Double]

    /// nil when an unchecked column meets a row outside its range, or when there is one and
    /// the product of the category counts exceeds `tableLimit`.
    init?(_ columns: [MarginColumn], rowCount n: Int, baseWeights: [Double], tableLimit: Int) {
        let V = columns.count
        let radix = columns.map { Swift.max($0.count, 1) }
        var product = 1, fitsInt32 = true
        for r in radix {
            let (m, overflow) = product.multipliedReportingOverflow(by: r)
            if overflow || m > Int(Int32.max) { fitsInt32 = false; break }
            product = m
        }
        // Unchecked columns are checked row by row only on the flat-table path.
        let unchecked = columns.contains { if case .codes(_, _, _, false) = $0.source { return true } else { return false } }
        if unchecked && !(fitsInt32 && product <= tableLimit) { return nil }
        var keys: [Int32] = []
        var counts: [Int] = []
        var totals: [Double] = []
        func newCell(_ key: [Int32]) -> Int32 {
            keys += key; counts.append(0); totals.append(0)
            return Int32(counts.count - 1)
        }
        /// Adds the rows' base weights and counts to their cells (after the rows' cells are known).
        func tally(_ cell: UnsafeMutableBufferPointer<Int32>, _ w: UnsafeBufferPointer<Double>, _ rows: Range<Int>) {
            counts.withUnsafeMutableBufferPointer { count in
                totals.withUnsafeMutableBufferPointer { weight in
                    for i in rows { let c = Int(cell[i]); count[c] += 1; weight[c] += w[i] }
                }
            }
        }
        var ok = true
        let cellOfRow = [Int32](unsafeUninitializedCapacity: n) { out, initialized in
            initialized = 0
            baseWeights.withUnsafeBufferPointer { w in
                if fitsInt32 {
                    func decode(_ c: Int) -> [Int32] {
                        var rest = c
                        return radix.map { r in defer { rest /= r }; return Int32(rest % r) }
                    }
                    let useTable = product <= tableLimit
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
                                    ok = columns[j].accumulate(into: key, rows: rows, stride: stride, first: j == 0) && ok
                                    stride &*= radix[j]
                                }
                                guard ok else { return }
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
                                initialized = rows.upperBound
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
                    initialized = n
                    tally(out, w, 0..<n)
                }
            }
        }
        guard ok else { return nil }
        self.cellOfRow = cellOfRow
        self.keys = keys
        self.counts = counts
        self.baseTotals = totals
    }
}

