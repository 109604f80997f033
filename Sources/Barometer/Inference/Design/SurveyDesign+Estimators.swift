extension SurveyDesign {
    /// Rows entering an estimate of `variables`: in `domain`, and with a
    /// valid answer (user- and system-missing excluded, like R's
    /// `na.rm = TRUE`, which is itself a domain: rows stay in the design).
    func validIndicator(_ variables: [Variable], domain: Domain?) throws(BarometerError) -> [Double] {
        if let d = domain, d.mask.count != rowCount {
            throw .lengthMismatch(variable: "domain \(d.description)", expected: rowCount, actual: d.mask.count)
        }
        var ind = [Double](repeating: 1, count: rowCount)
        for i in 0..<rowCount {
            if let d = domain, !d.mask[i] { ind[i] = 0; continue }
            for v in variables where v.status(of: v.values[i]) != .valid { ind[i] = 0; break }
        }
        return ind
    }

    private func baseDescription(_ domain: Domain?) -> String {
        (domain?.description ?? "all respondents") + "; valid answers only (Don't know, Refused and system-missing excluded, rows kept in the design)"
    }

    private func finish(kind: String, names: [String], result: RatioOfTotals.Result, indicators: [[Double]],
                        srsVariance: [(Double, Double)?], level: Double) throws(BarometerError) -> DesignEstimates {
        guard level > 0, level < 1 else { throw .invalidArgument("confidence level \(level) outside (0, 1)") }
        let df = degreesOfFreedom
        let t = StudentT(degreesOfFreedom: Double(df)).quantile(0.5 + level / 2)
        var out: [DesignEstimate] = []
        for (j, name) in names.enumerated() {
            let v = result.covariance[j, j]
            let se = max(v, 0).squareRoot()
            var count = 0, wsum = 0.0
            for i in 0..<rowCount where indicators[j][i] != 0 && weights.values[i] != 0 {
                count += 1; wsum += weights.values[i]
            }
            let srs = srsVariance[j]
            out.append(DesignEstimate(name: name, estimate: result.estimates[j], standardError: se,
                                      lower: result.estimates[j] - t * se, upper: result.estimates[j] + t * se,
                                      level: level, degreesOfFreedom: df,
                                      designEffect: srs.map { v / $0.0 }, designEffectReplace: srs.map { v / $0.1 },
                                      count: count, weightedCount: wsum))
        }
        return DesignEstimates(kind: kind, estimates: out, variance: varianceDescription, base: "", weight: weights.name)
            .withBase(baseDescription(nil))
    }

    /// R `svyvar`-based variance of the estimate under simple random
    /// sampling of the same size: s²/n·(N̂ − n)/N̂ (without replacement) and
    /// s²/n (with), with s² = Σw(y − ȳ)²/Σw · n/(n − 1), n the rows with
    /// non-zero weight, N̂ = Σw; multiplied by N̂² for a total.
    func srsVariance(_ y: [Double], _ ind: [Double], total: Bool) -> (Double, Double)? {
        var sw = 0.0, swy = 0.0, n = 0
        for i in 0..<rowCount where ind[i] != 0 && weights.values[i] != 0 {
            sw += weights.values[i]; swy += weights.values[i] * y[i]; n += 1
        }
        guard n > 1, sw > 0 else { return nil }
        let mean = swy / sw
        var ss = 0.0
        for i in 0..<rowCount where ind[i] != 0 && weights.values[i] != 0 {
            ss += weights.values[i] * (y[i] - mean) * (y[i] - mean)
        }
        let s2 = ss / sw * Double(n) / Double(n - 1)
        let factor = total ? sw * sw : 1
        let replace = s2 / Double(n) * factor
        return (replace * (sw - Double(n)) / sw, replace)
    }

    /// Design-based means of numeric variables (R `svymean`), each over its
    /// valid answers within `domain`.
    /// - Throws: ``BarometerError/emptyDomain(_:)`` when no row remains.
    public func mean(_ names: [String], domain: Domain? = nil, level: Double = 0.95) throws(BarometerError) -> DesignEstimates {
        try meansOrTotals(names, domain: domain, level: level, total: false)
    }

    /// Design-based totals (R `svytotal`).
    public func total(_ names: [String], domain: Domain? = nil, level: Double = 0.95) throws(BarometerError) -> DesignEstimates {
        try meansOrTotals(names, domain: domain, level: level, total: true)
    }

    private func meansOrTotals(_ names: [String], domain: Domain?, level: Double, total: Bool) throws(BarometerError) -> DesignEstimates {
        guard !names.isEmpty else { throw .invalidArgument("no variables given") }
        var num = Matrix(rows: rowCount, columns: names.count)
        var den = Matrix(rows: rowCount, columns: names.count)
        var indicators: [[Double]] = [], srs: [(Double, Double)?] = []
        for (j, name) in names.enumerated() {
            let v = try variable(name)
            try v.requireNumeric()
            let ind = try validIndicator([v], domain: domain)
            guard ind.contains(where: { $0 != 0 }) else {
                throw .emptyDomain("no valid answers to '\(name)' in \(domain?.description ?? "the data")")
            }
            for i in 0..<rowCount where ind[i] != 0 { num[i, j] = v.values[i]; den[i, j] = 1 }
            indicators.append(ind)
            srs.append(srsVariance(v.values, ind, total: total))
        }
        let r = try RatioOfTotals(numerators: num, denominators: total ? nil : den).evaluate(self)
        return try finish(kind: total ? "total" : "mean", names: names.map { total ? "total(\($0))" : "mean(\($0))" },
                          result: r, indicators: indicators, srsVariance: srs, level: level)
            .withBase(baseDescription(domain))
    }

    /// Design-based ratio of totals `Σw·y / Σw·x` (R `svyratio`), over rows
    /// valid on both variables within `domain`. No design effect is reported.
    public func ratio(numerator: String, denominator: String, domain: Domain? = nil,
                      level: Double = 0.95) throws(BarometerError) -> DesignEstimates {
        let y = try variable(numerator), x = try variable(denominator)
        try y.requireNumeric(); try x.requireNumeric()
        let ind = try validIndicator([y, x], domain: domain)
        var num = Matrix(rows: rowCount, columns: 1), den = Matrix(rows: rowCount, columns: 1)
        for i in 0..<rowCount where ind[i] != 0 { num[i, 0] = y.values[i]; den[i, 0] = x.values[i] }
        let r = try RatioOfTotals(numerators: num, denominators: den).evaluate(self)
        return try finish(kind: "ratio", names: ["\(numerator)/\(denominator)"], result: r, indicators: [ind],
                          srsVariance: [nil], level: level).withBase(baseDescription(domain))
    }
}

extension DesignEstimates {
    func withBase(_ base: String) -> DesignEstimates {
        DesignEstimates(kind: kind, estimates: estimates, variance: variance, base: base, weight: weight)
    }
}
