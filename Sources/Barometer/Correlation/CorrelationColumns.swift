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
    /// Per variable: how many rows were user-missing and system-missing.
    let userMissing: [Int]
    let systemMissing: [Int]

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
        var um: [Int] = [], sm: [Int] = []
        for name in variables {
            let v = try design.variable(name)
            try v.requireNumeric()
            var c = v.values
            var u = 0, s = 0
            for i in 0..<n {
                let x = c[i]
                if x.isNaN { s += 1; continue }
                if !x.isFinite { throw .invalidArgument("variable '\(name)' holds \(x) at row \(i + 1)") }
                if options.excludeUserMissing && v.missing.contains(x) { u += 1; c[i] = .nan }
            }
            if let d = options.domain {
                for i in 0..<n where !d.mask[i] { c[i] = .nan }
            }
            cols.append(c)
            um.append(u); sm.append(s)
        }
        names = variables
        columns = cols
        weights = design.weights.values
        isWeighted = design.weights.isWeighted
        weightName = design.weights.name
        rowCount = n
        userMissing = um
        systemMissing = sm
    }

    /// Rows where every variable is usable (and the weight positive or zero).
    func listwiseRows() -> [Int] {
        var rows: [Int] = []
        rows.reserveCapacity(rowCount)
        outer: for i in 0..<rowCount {
            for c in columns where c[i].isNaN { continue outer }
            rows.append(i)
        }
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
