/// The numeric columns of a correlation analysis with every excluded value
/// turned into NaN (system-missing, user-missing when excluded, rows outside
/// the domain), plus the design's weights. Internal first step shared by all
/// correlation estimators.
struct CorrelationColumns: Sendable {
    let names: [String]
    /// One array per variable, length `rowCount`; NaN = not usable.
    let columns: [[Double]]
    /// Weights (all 1 for an unweighted design).
    let weights: [Double]
    let isWeighted: Bool
    let weightName: String?
    let rowCount: Int
    /// False when some value is known to be excluded (user-missing code,
    /// outside the domain). Columns that needed no masking are not scanned
    /// here (their storage is shared with the dataset); NaN and ±∞ in them are
    /// found by ``listwiseRows()`` or by the streaming pass.
    let maybeComplete: Bool

    init(_ design: SurveyDesign, variables: [String], options: CorrelationOptions) throws(BarometerError) {
        var seen = Set<String>()
        for v in variables {
            guard seen.insert(v).inserted else { throw .invalidArgument("variable '\(v)' is listed twice") }
        }
        let n = design.rowCount
        if let d = options.domain, d.mask.count != n {
            throw .lengthMismatch(variable: "domain \(d.description)", expected: n, actual: d.mask.count)
        }
        var cols: [[Double]] = []
        var excluded = false
        for name in variables {
            let v = try design.variable(name)
            try v.requireNumeric()
            var c = v.values            // shared storage: copied only when a value must be masked
            var masked: [Int] = []
            if options.excludeUserMissing && !v.missing.isEmpty {
                c.withUnsafeBufferPointer { x in
                    for i in 0..<x.count where !x[i].isNaN && v.missing.contains(x[i]) { masked.append(i) }
                }
            }
            if let d = options.domain {
                for i in 0..<n where !d.mask[i] && !c[i].isNaN { masked.append(i) }
            }
            for i in masked { c[i] = .nan }
            if !masked.isEmpty { excluded = true }
            cols.append(c)
        }
        names = variables
        columns = cols
        weights = design.weights.values
        isWeighted = design.weights.isWeighted
        weightName = design.weights.name
        rowCount = n
        maybeComplete = !excluded
    }

    /// Columns without rows: names and weighting only (to finalize merged moments).
    init(names: [String], weightName: String?) {
        self.names = names
        columns = names.map { _ in [] }
        weights = []
        isWeighted = weightName != nil
        self.weightName = weightName
        rowCount = 0
        maybeComplete = false
    }

    /// Throws for an infinite value (BLAS would turn it into NaN silently).
    func requireFinite(_ j: Int) throws(BarometerError) {
        for (i, x) in columns[j].enumerated() where x.isInfinite {
            throw .invalidArgument("variable '\(names[j])' holds \(x) at data row \(i + 1)")
        }
    }

    /// Rows where every variable is usable, ascending (one sequential pass per column).
    /// - Throws: ``BarometerError/invalidArgument(_:)`` for an infinite value.
    func listwiseRows() throws(BarometerError) -> [Int] {
        var ok = [Bool](repeating: true, count: rowCount)
        var infinite = -1
        ok.withUnsafeMutableBufferPointer { o in
            for (j, c) in columns.enumerated() {
                c.withUnsafeBufferPointer { x in
                    for i in 0..<x.count where !x[i].isFinite {
                        if x[i].isNaN { o[i] = false } else if infinite < 0 { infinite = j }
                    }
                }
            }
        }
        if infinite >= 0 { try requireFinite(infinite) }
        var rows: [Int] = []
        rows.reserveCapacity(rowCount)
        for i in 0..<rowCount where ok[i] { rows.append(i) }
        return rows
    }

    /// The n entering tests for rows with Σw = `sumW`, Σw² = `sumW2` and `count` rows.
    func testSize(count: Int, sumW: Double, sumW2: Double, semantics: WeightSemantics) -> Double {
        guard isWeighted else { return Double(count) }
        switch semantics {
        case .probability: return sumW2 > 0 ? sumW * sumW / sumW2 : 0
        case .frequency: return sumW
        }
    }

    /// One-line statement of the deletion rule and base, for results.
    func ruleDescription(_ rule: MissingDataRule, options: CorrelationOptions) -> String {
        let um = options.excludeUserMissing ? "user-missing codes (Don't know, Refused) and system-missing excluded"
                                            : "user-missing codes used as values; system-missing excluded"
        let del = rule == .listwise ? "listwise deletion (one base: rows valid on every variable)"
                                    : "pairwise deletion (each pair: rows valid on both)"
        let w: String
        if isWeighted {
            w = "weighted by \(weightName ?? "weight") (" + (options.weightSemantics == .probability
                ? "probability weights: tests use Kish n_eff" : "frequency weights: tests use Σw") + ")"
        } else { w = "unweighted" }
        let dom = options.domain.map { "; domain: \($0.description)" } ?? ""
        return "\(del); \(um); \(w)\(dom)"
    }
}
