/// Strata, primary sampling units (PSUs) and finite-population correction
/// of a design: the first stage of R `survey::svydesign(ids=, strata=, fpc=)`.
///
/// Each row belongs to one stratum and one PSU. Variances use the
/// ultimate-cluster approximation (Wolter 2007, §1.3; R `survey` with
/// `survey.ultimate.cluster`): only first-stage PSU totals enter, which is
/// exact for with-replacement or single-stage designs and what R computes
/// for multistage designs given without a second-stage fpc.
public struct SamplingStructure: Sendable {
    /// Stratum index per row (0..<strataCount).
    public let strata: [Int32]
    /// Stratum labels, by index.
    public let stratumLabels: [String]
    /// PSU index per row (0..<psuCount), unique across strata.
    public let clusters: [Int32]
    /// Stratum of each PSU.
    public let psuStratum: [Int32]
    /// PSUs per stratum, n_h.
    public let psusPerStratum: [Int]
    /// Population number of PSUs per stratum, N_h (nil: with replacement).
    public let populationPSUs: [Double]?
    /// Lonely-PSU rule.
    public let lonelyPSU: LonelyPSURule
    /// How the design was specified, e.g. `strata = stype, PSU = dnum, fpc = fpc`.
    public let description: String
    /// Rows in (stratum, PSU, row) order for the per-PSU kernels, built once.
    let order: PSUOrder
    /// Calibration of the weights (raking, GREG, post-stratification): when
    /// set, influence values are replaced by their calibration residuals
    /// before they meet the PSU sums (see ``CalibrationAdjustment``).
    var calibration: CalibrationAdjustment? = nil
    /// The PSU variable's value of each PSU (by index), nil when each
    /// respondent is its own PSU: the key under which accumulated per-PSU
    /// totals of different shards are merged (``DesignTotalsAccumulator``).
    /// Formatted when asked for (from each PSU's first row), not when the
    /// design is built: in-memory estimates never need them.
    public var psuLabels: [String]? { psuLabelRows?.strings }
    /// Whether ``psuLabels`` is non-nil (without formatting them).
    var hasPSULabels: Bool { psuLabelRows != nil }
    /// Where ``psuLabels`` come from: the PSU variable and each PSU's first row.
    private var psuLabelRows: DesignLabels.FirstRows? = nil
    /// The fpc variable's value in each stratum as given (population PSUs or
    /// sampling fraction), nil without an fpc: accumulated shards resolve it
    /// against the PSUs of all shards.
    public private(set) var fpcValues: [Double]? = nil

    /// Number of PSUs.
    public var psuCount: Int { psuStratum.count }
    /// Number of strata.
    public var strataCount: Int { psusPerStratum.count }
    /// Design degrees of freedom: PSUs − strata (R `degf`).
    public var degreesOfFreedom: Int { psuCount - strataCount }

    /// Each respondent its own PSU, one stratum, with replacement: the
    /// weights-only design.
    public static func independent(rows: Int) -> SamplingStructure {
        SamplingStructure(strata: [Int32](repeating: 0, count: rows), stratumLabels: ["all"],
                          clusters: (0..<rows).map { Int32($0) }, psuStratum: [Int32](repeating: 0, count: rows),
                          psusPerStratum: [rows], populationPSUs: nil, lonelyPSU: .fail,
                          description: "each respondent its own PSU, no strata, with replacement")
    }

    init(strata: [Int32], stratumLabels: [String], clusters: [Int32], psuStratum: [Int32], psusPerStratum: [Int],
         populationPSUs: [Double]?, lonelyPSU: LonelyPSURule, description: String) {
        self.strata = strata
        self.stratumLabels = stratumLabels
        self.clusters = clusters
        self.psuStratum = psuStratum
        self.psusPerStratum = psusPerStratum
        self.populationPSUs = populationPSUs
        self.lonelyPSU = lonelyPSU
        self.description = description
        self.order = PSUOrder(clusters: clusters, psuStratum: psuStratum, strataCount: psusPerStratum.count)
    }

    /// Builds the structure from design variables of `data`.
    /// - Parameters:
    ///   - data: the respondents.
    ///   - strataName: stratum variable (nil: one stratum).
    ///   - clusterName: PSU variable (nil: each respondent its own PSU).
    ///   - fpcName: finite-population correction variable, constant within a
    ///     stratum: the population number of PSUs N_h (values > 1) or the
    ///     sampling fraction n_h/N_h (all values ≤ 1), as R `survey` reads it.
    ///   - nest: PSU identifiers restart within strata (R `nest = TRUE`).
    ///   - lonelyPSU: what a stratum with one PSU contributes (R `survey.lonely.psu`).
    /// - Throws: ``BarometerError`` for unknown variables, missing values in
    ///   a design variable (naming the row), PSUs that span strata without
    ///   `nest`, an fpc that varies within a stratum or is below n_h.
    public init(data: Dataset, strata strataName: String? = nil, clusters clusterName: String? = nil,
                fpc fpcName: String? = nil, nest: Bool = false, lonelyPSU: LonelyPSURule = .fail) throws(BarometerError) {
        let n = data.rowCount
        // Lookup tables indexed by the key itself when the keys are small (at most 4n + 65,536
        // entries), else a dictionary.
        let tableLimit = 4 * n + 65_536
        // Strata, numbered in order of first appearance (consecutive rows of a stratum skip the lookup).
        var labels: [String] = []
        var strata = [Int32](repeating: 0, count: n)
        if let s = strataName {
            let column = try DesignColumn(data, s)
            let first = column.numberStrata(rows: n, tableLimit: tableLimit, into: &strata)
            labels = first.map { column.labels.label(Int($0)) }
        } else {
            labels = ["all"]
        }
        // PSUs, numbered in order of first appearance; with `nest` a PSU is a (stratum, value) pair.
        var psuStratum: [Int32] = []
        var clusters = [Int32](repeating: 0, count: n)
        var names: DesignLabels.FirstRows? = nil
        if let clusterName {
            let column = try DesignColumn(data, clusterName)
            var firstRows: [Int32] = []
            let spanning = column.numberPSUs(rows: n, nest: nest, strata: strata, strataCount: labels.count, tableLimit: tableLimit,
                                             clusters: &clusters, psuStratum: &psuStratum, firstRows: &firstRows)
            if let i = spanning {
                throw .invalidArgument("PSU '\(column.labels.label(i))' of '\(clusterName)' appears in two strata (data row \(i + 1)); use nest if PSU ids restart within strata")
            }
            names = DesignLabels.FirstRows(labels: column.labels, rows: firstRows)
        } else {
            // Each respondent its own PSU.
            psuStratum = strata
            for i in 0..<n { clusters[i] = Int32(i) }
        }
        var perStratum = [Int](repeating: 0, count: labels.count)
        for h in psuStratum { perStratum[Int(h)] += 1 }
        // FPC.
        var population: [Double]? = nil, rawFPC: [Double]? = nil
        if let f = fpcName {
            let v = try data.variable(f)
            try v.requireNumeric()
            var byStratum = [Double](repeating: .nan, count: labels.count)
            for i in 0..<n {
                let x = v.values[i], h = Int(strata[i])
                guard x.isFinite, x > 0 else { throw .invalidArgument("fpc '\(f)' must be positive and finite (data row \(i + 1))") }
                if byStratum[h].isNaN { byStratum[h] = x }
                else if byStratum[h] != x { throw .invalidArgument("fpc '\(f)' varies within stratum '\(labels[h])' (data row \(i + 1))") }
            }
            population = try Self.populationPSUs(fpc: byStratum, psusPerStratum: perStratum, stratumLabels: labels)
            rawFPC = byStratum
        }
        var parts: [String] = []
        if let s = strataName { parts.append("strata = \(s)") }
        parts.append(clusterName.map { "PSU = \($0)" } ?? "PSU = respondent")
        if let f = fpcName { parts.append("fpc = \(f)") } else { parts.append("with replacement") }
        if labels.count > 1 || strataName != nil { parts.append("lonely PSU: \(lonelyPSU.rawValue)") }
        self.init(strata: strata, stratumLabels: labels, clusters: clusters, psuStratum: psuStratum,
                  psusPerStratum: perStratum, populationPSUs: population, lonelyPSU: lonelyPSU,
                  description: parts.joined(separator: ", "))
        self.fpcValues = rawFPC
        self.psuLabelRows = names
    }

    /// Population PSUs N_h from one fpc value per stratum, read as R `survey`
    /// reads it: sampling fractions n_h/N_h when every value is ≤ 1, else N_h.
    /// - Throws: ``BarometerError/invalidArgument(_:)`` when N_h < n_h.
    static func populationPSUs(fpc byStratum: [Double], psusPerStratum perStratum: [Int],
                               stratumLabels labels: [String]) throws(BarometerError) -> [Double] {
        let fractions = byStratum.allSatisfy { $0 <= 1 }
        var pop = [Double](repeating: 0, count: byStratum.count)
        for h in 0..<byStratum.count {
            pop[h] = fractions ? Double(perStratum[h]) / byStratum[h] : byStratum[h]
            guard pop[h] + 1e-9 >= Double(perStratum[h]) else {
                throw .invalidArgument("fpc of stratum '\(labels[h])' (\(pop[h])) is below its \(perStratum[h]) sampled PSUs")
            }
        }
        return pop
    }

    /// Taylor-linearization covariance of totals of the influence values
    /// `z` (n × k, one column per estimate):
    ///
    ///     V = Σ_h (1 − f_h) · n_h/(n_h − 1) · Σ_j (z_hj − z̄_h)(z_hj − z̄_h)ᵀ
    ///
    /// where z_hj are PSU totals and f_h = n_h/N_h (0 with replacement).
    /// Lonely PSUs follow ``lonelyPSU`` exactly as R `survey`'s `onestrat`.
    /// Rows outside a domain must carry zero influence (they stay in the
    /// sum, so domain variances are right).
    public func linearizationCovariance(_ z: Matrix) throws(BarometerError) -> Matrix {
        guard z.rows == clusters.count else {
            throw .lengthMismatch(variable: "influence values", expected: clusters.count, actual: z.rows)
        }
        let z = try calibration?.residuals(z) ?? z
        let k = z.columns
        var totals = Matrix(rows: psuCount, columns: k)
        for j in 0..<k { for i in 0..<z.rows { totals[Int(clusters[i]), j] += z[i, j] } }
        return try linearizationCovariance(psuTotals: totals)
    }

    /// Whether influence values can be summed to PSU totals directly (no
    /// calibration: ``linearizationCovariance(_:)`` would first replace them
    /// by residuals, which needs every row).
    var acceptsPSUTotals: Bool { calibration == nil }

    /// ``linearizationCovariance(_:)`` from the PSU totals of the influence
    /// values (psuCount × k), for callers that sum them in one pass.
    func linearizationCovariance(psuTotals: Matrix) throws(BarometerError) -> Matrix {
        guard psuTotals.rows == psuCount else {
            throw .lengthMismatch(variable: "PSU totals", expected: psuCount, actual: psuTotals.rows)
        }
        var totals = psuTotals
        let k = totals.columns
        let plan = try stratumPlan()
        for h in 0..<strataCount {
            let members = order.stratumStart[h]..<order.stratumStart[h + 1]
            switch plan.treatment[h] {
            case .skip:
                for q in members { let p = order.psu(q); for j in 0..<k { totals[p, j] = 0 } }
            case .include(let centred, let factor):
                let s = factor.squareRoot(), nh = Double(psusPerStratum[h])
                for j in 0..<k {
                    var mean = 0.0
                    if centred {
                        for q in members { mean += totals[order.psu(q), j] }
                        mean /= nh
                    }
                    for q in members {
                        let p = order.psu(q)
                        totals[p, j] = centred ? (totals[p, j] - mean) * s : totals[p, j] * s
                    }
                }
            }
        }
        var v: Matrix
        do { v = try LinearAlgebra.gram(totals) } catch { throw .linearAlgebra(error) }
        plan.applyAveraging(&v)
        return v
    }

    /// How one stratum enters a linearization variance.
    enum StratumTreatment: Sendable, Equatable {
        /// Contributes nothing: a census stratum (f_h = 1), or a lonely PSU
        /// under `remove`, `certainty` or `average`.
        case skip
        /// PSU totals, centred at the stratum mean when `centred`, enter the
        /// sum of squares multiplied by `factor`: `(1 − f_h)·n_h/(n_h − 1)`,
        /// or `1 − f_h` uncentred for a lonely PSU under `adjust`.
        case include(centred: Bool, factor: Double)
    }

    /// Per-stratum treatment (fpc, census strata, lonely-PSU rule, exactly as
    /// R `survey`'s `onestrat`), shared by every linearization kernel.
    struct StratumPlan: Sendable {
        let treatment: [StratumTreatment]
        /// Strata whose lonely PSU is averaged (rule `average`).
        let lonelyAveraged: Int
        let strataCount: Int

        /// Scales a covariance by H/(H − lonely) under the `average` rule.
        func applyAveraging(_ v: inout Matrix) {
            guard lonelyAveraged > 0 else { return }
            let f = Double(strataCount) / Double(strataCount - lonelyAveraged)
            for i in v.storage.indices { v.storage[i] *= f }
        }
    }

    /// The ``StratumPlan`` of this structure.
    /// - Throws: ``BarometerError/insufficientData(_:)`` for a lonely PSU under
    ///   `fail`, or when every stratum is a lonely PSU under `average`.
    func stratumPlan() throws(BarometerError) -> StratumPlan {
        try Self.stratumPlan(psusPerStratum: psusPerStratum, populationPSUs: populationPSUs, lonelyPSU: lonelyPSU,
                             stratumLabels: stratumLabels)
    }

    /// The ``StratumPlan`` of strata with `psusPerStratum` sampled PSUs and
    /// `populationPSUs` population PSUs (nil: with replacement) under
    /// `lonelyPSU`: shared by the in-memory kernels and the accumulated
    /// per-PSU totals of ``DesignTotalsAccumulator``.
    static func stratumPlan(psusPerStratum: [Int], populationPSUs: [Double]?, lonelyPSU: LonelyPSURule,
                            stratumLabels: [String]) throws(BarometerError) -> StratumPlan {
        let strataCount = psusPerStratum.count
        var out = [StratumTreatment](repeating: .skip, count: strataCount)
        var lonelyAveraged = 0
        for h in 0..<strataCount {
            let nh = Double(psusPerStratum[h])
            let finite = populationPSUs.map { ($0[h] - nh) / $0[h] } ?? 1
            if finite < 1e-7 { continue }                  // census stratum
            if psusPerStratum[h] == 1 {
                switch lonelyPSU {
                case .fail:
                    throw .insufficientData("stratum '\(stratumLabels[h])' has only one PSU (choose a lonely-PSU rule: remove, adjust, average, certainty)")
                case .remove, .certainty:
                    break
                case .adjust:
                    out[h] = .include(centred: false, factor: finite)
                case .average:
                    lonelyAveraged += 1
                }
                continue
            }
            out[h] = .include(centred: true, factor: finite * nh / (nh - 1))
        }
        if lonelyAveraged > 0 && lonelyAveraged == strataCount {
            throw .insufficientData("every stratum has a single PSU; 'average' has nothing to average")
        }
        return StratumPlan(treatment: out, lonelyAveraged: lonelyAveraged, strataCount: strataCount)
    }
}
