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
            // A ratio has no design effect; means and totals get both, checked (never negative or infinite).
            let deff = kind == "ratio" ? nil : DesignEffects(variance: max(v, 0), srs: srsVariance[j],
                                                             hasPopulationSize: hasPopulationSize)
            out.append(DesignEstimate(name: name, estimate: result.estimates[j], standardError: se,
                                      lower: result.estimates[j] - t * se, upper: result.estimates[j] + t * se,
                                      level: level, degreesOfFreedom: df,
                                      designEffect: deff?.withoutReplacement, designEffectReplace: deff?.withReplacement,
                                      count: count, weightedCount: wsum,
                                      designEffectWithReplacement: deff?.withReplacement,
                                      designEffectWithoutReplacement: deff?.withoutReplacement,
                                      designEffectNote: deff?.note))
        }
        return DesignEstimates(kind: kind, estimates: out, variance: varianceDescription, base: "", weight: weights.name)
            .withBase(baseDescription(nil))
    }

    /// R `svyvar`-based variance of the estimate under simple random
    /// sampling of the same size: s²/n·(N̂ − n)/N̂ (without replacement) and
    /// s²/n (with), with s² = Σw(y − ȳ)²/Σw · n/(n − 1), n the rows with
    /// non-zero weight, N̂ = Σw; multiplied by N̂² for a total.
    func srsVariance(_ y: [Double], _ ind: [Double], total: Bool) -> (Double, Double)? {
        let groups = (0..<rowCount).map { i -> Int32 in ind[i] != 0 ? 0 : -1 }
        return srsVariances(y, groups: groups, groupCount: 1, total: total)[0]
    }

    /// ``srsVariance(_:_:total:)`` of `groupCount` disjoint domains at once
    /// (row `i` in domain `groups[i]`, −1: none); each domain sums its rows
    /// in row order, so each entry equals the single-domain call.
    func srsVariances(_ y: [Double], groups: [Int32], groupCount k: Int, total: Bool) -> [(Double, Double)?] {
        var sw = [Double](repeating: 0, count: k), swy = [Double](repeating: 0, count: k)
        var n = [Int](repeating: 0, count: k), ss = [Double](repeating: 0, count: k)
        let rows = min(rowCount, groups.count, y.count)
        weights.values.withUnsafeBufferPointer { w in groups.withUnsafeBufferPointer { gp in y.withUnsafeBufferPointer { yp in
            for i in 0..<rows where gp[i] >= 0 && w[i] != 0 {
                let g = Int(gp[i])
                sw[g] += w[i]; swy[g] += w[i] * yp[i]; n[g] += 1
            }
            let mean = (0..<k).map { swy[$0] / sw[$0] }
            for i in 0..<rows where gp[i] >= 0 && w[i] != 0 {
                let g = Int(gp[i])
                ss[g] += w[i] * (yp[i] - mean[g]) * (yp[i] - mean[g])
            }
        } } }
        return (0..<k).map { g -> (Double, Double)? in
            guard n[g] > 1, sw[g] > 0 else { return nil }
            let s2 = ss[g] / sw[g] * Double(n[g]) / Double(n[g] - 1)
            let factor = total ? sw[g] * sw[g] : 1
            let replace = s2 / Double(n[g]) * factor
            return (replace * (sw[g] - Double(n[g])) / sw[g], replace)
        }
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
