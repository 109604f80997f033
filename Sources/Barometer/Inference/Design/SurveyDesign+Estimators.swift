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

    private func baseDescription(_ domain: Domain?) -> String { Self.baseDescription(domain?.description) }

    static func baseDescription(_ domain: String?) -> String {
        (domain ?? "all respondents") + "; valid answers only (Don't know, Refused and system-missing excluded, rows kept in the design)"
    }

    /// Estimates with SE, CI (design df) and deff from accumulated totals
    /// (``DesignTotalsAccumulator``): the one finalization of the in-memory
    /// and merged paths.
    static func finish(kind: String, names: [String], totals acc: DesignTotalsAccumulator.Output, level: Double,
                       variance: String, weight: String?, hasPopulationSize: Bool) throws(BarometerError) -> DesignEstimates {
        let result = acc.result, srsVariance = acc.srsVariances
        guard level > 0, level < 1 else { throw .invalidArgument("confidence level \(level) outside (0, 1)") }
        let df = acc.degreesOfFreedom
        let t = StudentT(degreesOfFreedom: Double(df)).quantile(0.5 + level / 2)
        var out: [DesignEstimate] = []
        for (j, name) in names.enumerated() {
            let v = result.covariance[j, j]
            let se = max(v, 0).squareRoot()
            let count = acc.counts[j], wsum = acc.weightedCounts[j]
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
        return DesignEstimates(kind: kind, estimates: out, variance: variance, base: "", weight: weight)
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
        let acc = try meansOrTotalsAccumulator(names, domain: domain, total: total)
        var out = try acc.finalize()
        if sampling.calibration != nil && replicates == nil {
            // Calibrated weights: the calibration residuals of the influence values need the rows.
            var num = Matrix(rows: rowCount, columns: names.count), den = num
            for (j, name) in names.enumerated() {
                let v = try variable(name), ind = try validIndicator([v], domain: domain)
                for i in 0..<rowCount where ind[i] != 0 { num[i, j] = v.values[i]; den[i, j] = 1 }
            }
            out = .init(result: try RatioOfTotals(numerators: num, denominators: total ? nil : den).evaluate(self),
                        counts: out.counts, weightedCounts: out.weightedCounts, srsVariances: out.srsVariances,
                        degreesOfFreedom: out.degreesOfFreedom)
        }
        return try Self.finish(kind: total ? "total" : "mean", names: names.map { total ? "total(\($0))" : "mean(\($0))" },
                               totals: out, level: level, variance: varianceDescription, weight: weights.name,
                               hasPopulationSize: hasPopulationSize)
            .withBase(baseDescription(domain))
    }

    /// The accumulated sums of means (or totals) of `names` over this
    /// design's rows as one chunk (``DesignTotalsAccumulator``); with
    /// `requireAnswers` false a variable without valid answers is no error
    /// (a shard of a larger file). With `shard`, a replicate design's degrees of
    /// freedom are accumulated with its rows (``DesignTotalsAccumulator/rankRows``)
    /// instead of taken from this part's replicate weights.
    func meansOrTotalsAccumulator(_ names: [String], domain: Domain?, total: Bool,
                                  requireAnswers: Bool = true, shard: Bool = false) throws(BarometerError) -> DesignTotalsAccumulator {
        guard !names.isEmpty else { throw .invalidArgument("no variables given") }
        var vars: [Variable] = []
        for name in names {
            let v = try variable(name)
            try v.requireNumeric()
            vars.append(v)
        }
        if let d = domain, d.mask.count != rowCount {
            throw .lengthMismatch(variable: "domain \(d.description)", expected: rowCount, actual: d.mask.count)
        }
        let k = names.count
        var answered = [Int](repeating: 0, count: k), sw = [Double](repeating: 0, count: k)
        var acc = DesignTotalsAccumulator(design: self, count: k, totals: total)
        if shard { acc.givenDF = nil }
        // Numerators y·d and indicators d (d: in the domain with a valid answer), which are also the denominators of a mean.
        try accumulateInChunks(&acc, columns: k, ratio: !total, srs: true, domain: domain) { (rows, num, den, ind) in
            let w = weights.values, mask = domain?.mask
            for (j, v) in vars.enumerated() {
                let values = v.values
                var count = answered[j], sum = sw[j]
                for i in rows where mask?[i] ?? true {
                    let y = values[i]
                    guard v.status(of: y) == .valid else { continue }
                    num[i - rows.lowerBound, j] = y; ind[i - rows.lowerBound, j] = 1
                    count += 1; sum += w[i]
                }
                answered[j] = count; sw[j] = sum
            }
            if !total { den = ind }
        }
        if requireAnswers {
            for (j, name) in names.enumerated() {
                guard answered[j] > 0 else {
                    throw .emptyDomain("no valid answers to '\(name)' in \(domain?.description ?? "the data")")
                }
                if !total, sw[j] == 0 {
                    throw .emptyDomain("the valid answers to '\(name)' in \(domain?.description ?? "the data") have zero total weight")
                }
            }
        }
        return acc
    }

    /// Rows per chunk of an in-memory pass through ``DesignTotalsAccumulator``:
    /// the estimating columns of one chunk (k estimates: k × 16,384 doubles each)
    /// and the accumulator's own temporaries stay a few MB, whatever n is.
    static let designChunkRows = 16_384

    /// Adds this design's rows to `acc` chunk by chunk (``designChunkRows``
    /// rows, in row order): `fill(rows, &numerators, &denominators, &indicators)`
    /// writes the chunk's estimating columns (all zero on entry; chunk row
    /// `i − rows.lowerBound` is design row `i`), which then enter
    /// ``DesignTotalsAccumulator/add(_:)`` with the chunk's part of the design.
    /// The one path of the in-memory estimators: no n × k matrix is built.
    /// Within `domain`, its rows are the degrees-of-freedom rows
    /// (``DesignTotalsChunk/DegreesOfFreedomRows/domain(_:)``): the df is the domain's.
    func accumulateInChunks(_ acc: inout DesignTotalsAccumulator, columns k: Int, ratio: Bool, srs: Bool,
                            domain: Domain? = nil, perEstimateDegreesOfFreedom: Bool = false,
                            fill: (Range<Int>, inout Matrix, inout Matrix, inout Matrix) throws(BarometerError) -> Void)
        throws(BarometerError) {
        let sampling = DesignTotalsChunk.Sampling(self)
        // Strata and PSUs registered once in the design's order; the chunks then add by index.
        let seeded = acc.seed(sampling, psuStratum: self.sampling.psuStratum)
        var lo = 0
        repeat {
            let rows = lo..<min(lo + Self.designChunkRows, rowCount)
            var num = Matrix(rows: rows.count, columns: k), den = num, ind = num
            try fill(rows, &num, &den, &ind)
            var chunk = try DesignTotalsChunk(self, rows: rows, sampling: sampling, numerators: num,
                                              denominators: ratio ? den : nil, indicators: ind, srs: srs,
                                              degreesOfFreedomRows: perEstimateDegreesOfFreedom ? .indicators
                                                : domain.map { .domain(Array($0.mask[rows])) } ?? .none)
            chunk.seeded = seeded
            try acc.add(chunk)
            lo = rows.upperBound
        } while lo < rowCount
    }

    /// Design-based ratio of totals `Σw·y / Σw·x` (R `svyratio`), over rows
    /// valid on both variables within `domain`. No design effect is reported.
    public func ratio(numerator: String, denominator: String, domain: Domain? = nil,
                      level: Double = 0.95) throws(BarometerError) -> DesignEstimates {
        let y = try variable(numerator), x = try variable(denominator)
        var out = try ratioAccumulator(numerator: numerator, denominator: denominator, domain: domain).finalize()
        if sampling.calibration != nil && replicates == nil {
            // Calibrated weights: the calibration residuals of the influence values need the rows.
            let ind = try validIndicator([y, x], domain: domain)
            var num = Matrix(rows: rowCount, columns: 1), den = Matrix(rows: rowCount, columns: 1)
            for i in 0..<rowCount where ind[i] != 0 { num[i, 0] = y.values[i]; den[i, 0] = x.values[i] }
            out = .init(result: try RatioOfTotals(numerators: num, denominators: den).evaluate(self), counts: out.counts,
                        weightedCounts: out.weightedCounts, srsVariances: out.srsVariances, degreesOfFreedom: out.degreesOfFreedom)
        }
        return try Self.finish(kind: "ratio", names: ["\(numerator)/\(denominator)"], totals: out,
                               level: level, variance: varianceDescription, weight: weights.name,
                               hasPopulationSize: hasPopulationSize)
            .withBase(baseDescription(domain))
    }
}

extension SurveyDesign {
    /// The accumulated sums of the ratio of totals `Σw·y / Σw·x` over this design's
    /// rows valid on both variables within `domain`, as one chunk
    /// (``DesignTotalsAccumulator``): the one pass of ``ratio(numerator:denominator:domain:level:)``
    /// and of its partial state. With `shard`, a replicate design's degrees of freedom are
    /// accumulated with its rows (``DesignTotalsAccumulator/rankRows``) instead of taken
    /// from this part's replicate weights.
    func ratioAccumulator(numerator: String, denominator: String, domain: Domain?,
                          shard: Bool = false) throws(BarometerError) -> DesignTotalsAccumulator {
        let y = try variable(numerator), x = try variable(denominator)
        try y.requireNumeric(); try x.requireNumeric()
        if let d = domain, d.mask.count != rowCount {
            throw .lengthMismatch(variable: "domain \(d.description)", expected: rowCount, actual: d.mask.count)
        }
        var acc = DesignTotalsAccumulator(design: self, count: 1, totals: false)
        if shard { acc.givenDF = nil }
        try accumulateInChunks(&acc, columns: 1, ratio: true, srs: false, domain: domain) { (rows, num, den, ind) in
            let mask = domain?.mask
            for i in rows where (mask?[i] ?? true)
                    && y.status(of: y.values[i]) == .valid && x.status(of: x.values[i]) == .valid {
                num[i - rows.lowerBound, 0] = y.values[i]; den[i - rows.lowerBound, 0] = x.values[i]
                ind[i - rows.lowerBound, 0] = 1
            }
        }
        return acc
    }
}

extension DesignEstimates {
    func withBase(_ base: String) -> DesignEstimates {
        DesignEstimates(kind: kind, estimates: estimates, variance: variance, base: base, weight: weight)
    }
}
