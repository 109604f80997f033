/// The design (model) matrix of a ``ModelFormula`` over the rows a model
/// uses, built as R's `model.matrix` builds it with treatment contrasts:
///
/// - an intercept column `(Intercept)` unless the formula drops it;
/// - a numeric predictor `x` is one column;
/// - `factor(x)` has one column per level (the valid codes present among the
///   rows used, ascending) except the reference (the lowest code, or `ref =`),
///   named `factor(x)<code>`;
/// - inside an interaction a factor uses contrasts when the term without it
///   is in the model (the intercept counts as the empty term), else one
///   indicator per level, as R's `model.matrix` does; columns of an
///   interaction are products, the first variable varying fastest.
struct ModelMatrix: Sendable {
    /// Rows used (0-based dataset rows), ascending.
    let rows: [Int]
    /// Response values on those rows (0/1 after success coding).
    let y: [Double]
    /// The p columns over the rows used (a numeric predictor over every
    /// dataset row shares its variable's storage; nothing n × p is copied).
    let columns: ModelColumns
    /// rows.count × p, column-major (materialised from ``columns``).
    var x: Matrix { columns.matrix }
    /// Column names (R's).
    let names: [String]
    /// Term label per column (`(Intercept)` for the intercept).
    let terms: [String]
    /// Value labels of the factor levels a column stands for (nil: none).
    let levelLabels: [String?]
    /// Term labels in order, and the columns of each.
    let termColumns: [(label: String, columns: [Int])]
    /// Rows excluded for a user-missing (Don't know, Refused) or a
    /// system-missing value on a model variable (within the domain).
    let excludedUserMissing: Int
    let excludedSystemMissing: Int

    /// One source of a column: a numeric variable or an indicator of a code.
    private enum Factor { case numeric(Variable), indicator(Variable, Double) }

    init(formula: ModelFormula, data: Dataset, domain: Domain?, family: GLMFamily,
         successCodes: Set<Double>?) throws(BarometerError) {
        let n = data.rowCount
        if let d = domain, d.mask.count != n {
            throw .lengthMismatch(variable: "domain \(d.description)", expected: n, actual: d.mask.count)
        }
        var vars: [String: Variable] = [:]
        for name in formula.variables {
            let v = try data.variable(name)
            try v.requireNumeric()
            vars[name] = v
        }
        guard let response = vars[formula.response] else { throw .unknownVariable(formula.response, suggestions: []) }
        let all = formula.variables.compactMap { vars[$0] }
        // Status per row, variable by variable (0 valid, 1 system-missing, 2 user-missing:
        // a user-missing answer on any variable classes the row as user-missing).
        var state = [UInt8](repeating: 0, count: n)
        state.withUnsafeMutableBufferPointer { sp in
            for v in all {
                v.values.withUnsafeBufferPointer { vp in
                    if v.missing.isEmpty {
                        // No user-missing codes: only NaN (system-missing) to find; max keeps a 2
                        // (branch-free, so the loop vectorizes).
                        for i in 0..<min(n, vp.count) { sp[i] = max(sp[i], vp[i].isNaN ? 1 : 0) }
                        return
                    }
                    for i in 0..<min(n, vp.count) {
                        let s = v.status(of: vp[i])
                        if s == .userMissing { sp[i] = 2 } else if s == .systemMissing, sp[i] == 0 { sp[i] = 1 }
                    }
                }
            }
        }
        var rows: [Int] = [], userMissing = 0, systemMissing = 0
        rows.reserveCapacity(n)
        for i in 0..<n {
            if let d = domain, !d.mask[i] { continue }
            switch state[i] {
            case 0: rows.append(i)
            case 2: userMissing += 1
            default: systemMissing += 1
            }
        }
        guard !rows.isEmpty else {
            throw .emptyDomain("no rows with valid answers to every model variable (\(formula.variables.joined(separator: ", ")))\(domain.map { " in \($0.description)" } ?? "")")
        }
        // Response.
        var y = [Double](repeating: 0, count: rows.count)
        for (k, i) in rows.enumerated() {
            let raw = response.values[i]
            let value = successCodes.map { $0.contains(raw) ? 1.0 : 0.0 } ?? raw
            guard family.validResponse(value) else {
                let need = family.isBinomial ? "values in [0, 1] (give the success codes to recode)" : family.isPoisson ? "non-negative values" : "finite values"
                throw .invalidArgument("response '\(response.name)' has \(Variable.formatCode(raw)) at row \(i + 1); the \(family.rawValue) family needs \(need)")
            }
            y[k] = value
        }
        // Factor levels among the rows used.
        var levels: [String: [Double]] = [:]
        for term in formula.terms {
            for p in term.predictors where p.isFactor && levels[p.variable] == nil {
                guard let v = vars[p.variable] else { continue }
                var codes = Set<Double>()
                for i in rows { codes.insert(v.values[i]) }
                var sorted = codes.sorted()
                if let r = p.reference {
                    guard let k = sorted.firstIndex(of: r) else {
                        throw .invalidArgument("reference category \(Variable.formatCode(r)) of factor(\(p.variable)) does not occur among the rows used (codes: \(sorted.map(Variable.formatCode).joined(separator: ", ")))")
                    }
                    sorted.remove(at: k)
                    sorted.insert(r, at: 0)
                }
                levels[p.variable] = sorted
            }
        }
        // Columns.
        let termKeys = Set(formula.terms.map { Set($0.predictors.map(\.label)) })
        // Levels each predictor of each term contributes (contrasts or indicators).
        let termLevels: [[(predictor: ModelFormula.Predictor, variable: Variable, codes: [Double]?)]] = formula.terms.map { term in
            term.predictors.compactMap { p in
                guard let v = vars[p.variable] else { return nil }
                guard p.isFactor else { return (p, v, nil) }
                let lv = levels[p.variable] ?? []
                let margin = Set(term.predictors.map(\.label)).subtracting([p.label])
                let contrasts = margin.isEmpty ? formula.intercept : termKeys.contains(margin)
                return (p, v, contrasts ? Array(lv.dropFirst()) : lv)
            }
        }
        // The number of coefficients (a product of level counts per term) is
        // checked against the rows before any column is made: an interaction of
        // factors with many levels would otherwise build its Cartesian product first.
        var coefficients = formula.intercept ? 1 : 0
        for parts in termLevels {
            var size = 1
            for part in parts {
                let (product, overflow) = size.multipliedReportingOverflow(by: part.codes?.count ?? 1)
                size = overflow ? Int.max : product
            }
            let (sum, overflow) = coefficients.addingReportingOverflow(size)
            coefficients = overflow ? Int.max : sum
        }
        guard rows.count >= coefficients else {
            throw .insufficientData("\(rows.count) rows used for a model with \(coefficients == Int.max ? "more than 2^63" : "\(coefficients)") coefficients")
        }
        var specs: [(name: String, term: String, label: String?, factors: [Factor])] = []
        if formula.intercept { specs.append(("(Intercept)", "(Intercept)", nil, [])) }
        var termColumns: [(label: String, columns: [Int])] = []
        for (term, levelParts) in zip(formula.terms, termLevels) {
            var parts: [[(name: String, label: String?, factor: Factor)]] = []
            for (p, v, codes) in levelParts {
                guard let codes else { parts.append([(p.variable, nil, .numeric(v))]); continue }
                parts.append(codes.map { c in ("\(p.label)\(Variable.formatCode(c))", v.label(for: c), .indicator(v, c)) })
            }
            // Cartesian product, first part varying fastest.
            var combos: [[(name: String, label: String?, factor: Factor)]] = [[]]
            for part in parts {
                var next: [[(name: String, label: String?, factor: Factor)]] = []
                for item in part { for c in combos { next.append(c + [item]) } }
                combos = next
            }
            var cols: [Int] = []
            for c in combos where !c.isEmpty {
                let labels = c.compactMap(\.label)
                cols.append(specs.count)
                specs.append((c.map(\.name).joined(separator: ":"), term.label,
                              labels.isEmpty ? nil : labels.joined(separator: " × "), c.map(\.factor)))
            }
            termColumns.append((term.label, cols))
        }
        // Column by column: the first factor's values, times each further factor's
        // (the same products, in the same order, as 1·f₁·f₂…). A lone numeric
        // predictor over every dataset row is its variable's own storage.
        let m = rows.count, everyRow = m == n
        var columns: [[Double]?] = []
        columns.reserveCapacity(specs.count)
        for spec in specs {
            if spec.factors.isEmpty { columns.append(nil); continue }
            if everyRow, spec.factors.count == 1, case .numeric(let v) = spec.factors[0], v.values.count == n {
                columns.append(v.values); continue
            }
            var col = [Double](repeating: 1, count: m)
            col.withUnsafeMutableBufferPointer { cp in
                rows.withUnsafeBufferPointer { rp in
                    for f in spec.factors {
                        switch f {
                        case .numeric(let v):
                            v.values.withUnsafeBufferPointer { vp in
                                for k in 0..<m { cp[k] *= vp[rp[k]] }
                            }
                        case .indicator(let v, let c):
                            v.values.withUnsafeBufferPointer { vp in
                                for k in 0..<m { cp[k] *= vp[rp[k]] == c ? 1 : 0 }
                            }
                        }
                    }
                }
            }
            columns.append(col)
        }
        self.rows = rows
        self.y = y
        self.columns = ModelColumns(rows: m, columns: columns)
        self.names = specs.map(\.name)
        self.terms = specs.map(\.term)
        self.levelLabels = specs.map(\.label)
        self.termColumns = termColumns
        self.excludedUserMissing = userMissing
        self.excludedSystemMissing = systemMissing
    }
}

/// The columns of a model matrix over the rows a model uses, each held once:
/// nil for a column of ones (the intercept), else `rows` values. The IRLS
/// passes and the influence values read them chunk by chunk, so no n × p
/// copy is made.
struct ModelColumns: Sendable {
    /// Rows used.
    let rows: Int
    /// One entry per column (nil: all ones).
    let columns: [[Double]?]

    var count: Int { columns.count }

    init(rows: Int, columns: [[Double]?]) {
        self.rows = rows
        self.columns = columns
    }

    /// The columns of a matrix (copied).
    init(_ x: Matrix) {
        rows = x.rows
        columns = (0..<x.columns).map { j in Array(x.storage[(j * x.rows)..<((j + 1) * x.rows)]) }
    }

    /// The rows × p column-major matrix.
    var matrix: Matrix {
        var x = Matrix(rows: rows, columns: columns.count, repeating: 1)
        x.storage.withUnsafeMutableBufferPointer { xp in
            for (j, c) in columns.enumerated() {
                guard let c else { continue }
                for k in 0..<rows { xp[k + j * rows] = c[k] }
            }
        }
        return x
    }

    /// `body` with the base addresses of every column's values (nil: the column
    /// of ones), valid for its duration.
    func withColumnBases<R>(_ body: ([UnsafePointer<Double>?]) -> R) -> R {
        func go(_ j: Int, _ bases: inout [UnsafePointer<Double>?]) -> R {
            if j == columns.count { return body(bases) }
            guard let c = columns[j] else { bases.append(nil); return go(j + 1, &bases) }
            return c.withUnsafeBufferPointer { bp in bases.append(bp.baseAddress); return go(j + 1, &bases) }
        }
        var bases: [UnsafePointer<Double>?] = []
        bases.reserveCapacity(columns.count)
        return go(0, &bases)
    }

    /// `body` with the base address of column j's values (nil: the column of ones).
    @inline(__always)
    func withColumn<R>(_ j: Int, _ body: (UnsafePointer<Double>?) -> R) -> R {
        guard let c = columns[j] else { return body(nil) }
        return c.withUnsafeBufferPointer { body($0.baseAddress) }
    }
}

extension ModelMatrix {
    /// `out = diag(s)·x` (same shape as x), column by column.
    static func scaleRows(_ x: Matrix, by s: [Double], into out: inout Matrix) {
        let n = x.rows
        guard out.rows == n, out.columns == x.columns, s.count == n else { return }
        x.storage.withUnsafeBufferPointer { xp in
            s.withUnsafeBufferPointer { sp in
                out.storage.withUnsafeMutableBufferPointer { op in
                    for j in 0..<x.columns {
                        let base = j * n
                        for k in 0..<n { op[base + k] = sp[k] * xp[base + k] }
                    }
                }
            }
        }
    }

    /// An n × m matrix holding row k of `m` at row `rows[k]`, zeros elsewhere
    /// (influence values of the rows used, placed among all the design's rows).
    static func scatter(_ m: Matrix, rows: [Int], count n: Int) -> Matrix {
        var out = Matrix(rows: n, columns: m.columns)
        m.storage.withUnsafeBufferPointer { mp in
            out.storage.withUnsafeMutableBufferPointer { op in
                for j in 0..<m.columns {
                    let src = j * m.rows, dst = j * n
                    for (k, i) in rows.enumerated() where i < n { op[dst + i] = mp[src + k] }
                }
            }
        }
        return out
    }

    /// Columns of `a` (√w-scaled model columns) that the QR `qr` of `a` finds
    /// aliased: |R_jj| < 10⁻⁷·‖a_j‖ (R `dqrdc2`'s tolerance) or an all-zero column.
    static func aliasedColumns(_ a: Matrix, _ qr: QRFactorization, names: [String]) -> [String] {
        var aliased: [String] = []
        for j in 0..<a.columns {
            var norm = 0.0
            a.storage.withUnsafeBufferPointer { ap in
                for k in 0..<a.rows { let v = ap[j * a.rows + k]; norm += v * v }
            }
            if norm == 0 || abs(qr.factored[j, j]) < 1e-7 * norm.squareRoot() { aliased.append(names[j]) }
        }
        return aliased
    }
}
