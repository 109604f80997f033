/// The survey design handed to every estimator, in the manner of R
/// `survey::svydesign` / `svrepdesign`: the data together with how it was
/// sampled.
///
/// A design has weights (all 1 when none are named) and either
/// - a ``SamplingStructure``: strata, PSUs, finite-population correction
///   and a lonely-PSU rule, for Taylor-linearization variances (the default
///   is the weights-only design: each respondent its own PSU, no strata,
///   with replacement), or
/// - ``ReplicateWeights`` (JK1, JKn, BRR, Fay, bootstrap, SDR), for
///   replicate variances.
public struct SurveyDesign: Sendable {
    /// The respondent-level data.
    public let data: Dataset
    /// Validated full-sample weights (all 1 when the design is unweighted).
    public let weights: Weights
    /// Strata, PSUs and fpc (used when there are no replicate weights).
    public let sampling: SamplingStructure
    /// Replicate weights, when the design is a replicate design.
    public let replicates: ReplicateWeights?
    /// How the weights were calibrated (nil: not calibrated); see ``weighted(to:options:name:)``.
    public internal(set) var calibration: String? = nil

    /// A design over `data` weighted by the variable `weight`, or by the
    /// dataset's codebook weight when `weight` is nil, or unweighted when
    /// neither names one; optionally stratified and clustered.
    /// - Throws: ``BarometerError/unknownVariable(_:suggestions:)``,
    ///   ``BarometerError/notNumeric(variable:)``,
    ///   ``BarometerError/invalidWeight(variable:row:value:)``, and the
    ///   errors of ``SamplingStructure/init(data:strata:clusters:fpc:nest:lonelyPSU:)``.
    public init(data: Dataset, weight: String? = nil, strata: String? = nil, clusters: String? = nil,
                fpc: String? = nil, nest: Bool = false, lonelyPSU: LonelyPSURule = .fail) throws(BarometerError) {
        self.data = data
        self.weights = try Self.validatedWeights(data, weight)
        if strata == nil && clusters == nil && fpc == nil {
            self.sampling = .independent(rows: data.rowCount)
        } else {
            self.sampling = try SamplingStructure(data: data, strata: strata, clusters: clusters, fpc: fpc,
                                                  nest: nest, lonelyPSU: lonelyPSU)
        }
        self.replicates = nil
    }

    /// A replicate-weight design (R `svrepdesign`): `replicateColumns` hold
    /// the analysis replicate weights (or factors when `combined` is false).
    /// `strata` is only used to derive JKn's rscales. `fpc` (population PSUs,
    /// or the sampling fraction) is folded into JK1's scale or JKn's rscales
    /// as R `as.svrepdesign` does on a design with an fpc (see
    /// ``ReplicateWeights/init(data:columns:method:combined:base:scale:rscales:fayRho:mse:strata:fpc:partial:)``).
    /// `partial`: `data` is a part of the sample (a shard whose state is merged later), so
    /// JKn rscales derived from `strata` are left to the merged state.
    public init(data: Dataset, weight: String? = nil, replicateColumns: [String], method: ReplicateMethod,
                combined: Bool = true, scale: Double? = nil, rscales: [Double]? = nil, fayRho: Double? = nil,
                mse: Bool = false, strata: String? = nil, fpc: String? = nil, partial: Bool = false) throws(BarometerError) {
        self.data = data
        let w = try Self.validatedWeights(data, weight)
        self.weights = w
        let structure: SamplingStructure? = try strata.map { (s: String) throws(BarometerError) in
            try SamplingStructure(data: data, strata: s, lonelyPSU: .remove)
        }
        self.sampling = structure ?? .independent(rows: data.rowCount)
        self.replicates = try ReplicateWeights(data: data, columns: replicateColumns, method: method, combined: combined,
                                               base: w, scale: scale, rscales: rscales, fayRho: fayRho, mse: mse,
                                               strata: structure, fpc: try fpc.map { (f: String) throws(BarometerError) in try data.variable(f) },
                                               partial: partial)
    }

    /// An unweighted design.
    public static func unweighted(_ data: Dataset) -> SurveyDesign {
        SurveyDesign(data: data, weights: .uniform(count: data.rowCount))
    }

    init(data: Dataset, weights: Weights) {
        self.data = data
        self.weights = weights
        self.sampling = .independent(rows: data.rowCount)
        self.replicates = nil
    }

    /// The weights of a design over `data` weighted by `weight` (as ``init(data:weight:strata:clusters:fpc:nest:lonelyPSU:)``
    /// validates them).
    package static func validatedWeights(_ data: Dataset, _ weight: String?) throws(BarometerError) -> Weights {
        guard let name = weight ?? data.weightVariable else { return .uniform(count: data.rowCount) }
        let v = try data.variable(name)
        try v.requireNumeric()
        return try Weights(validating: v.values, name: name)
    }

    /// Number of respondents.
    public var rowCount: Int { data.rowCount }

    /// Design degrees of freedom: PSUs − strata, or replicate rank − 1.
    public var degreesOfFreedom: Int { replicates?.degreesOfFreedom ?? sampling.degreesOfFreedom }

    /// Whether the design knows a population size (an fpc), which makes the
    /// design effect against SRS without replacement meaningful.
    public var hasPopulationSize: Bool { replicates?.hasPopulationSize ?? (sampling.populationPSUs != nil) }

    /// One line saying how variances are computed.
    public var varianceDescription: String {
        let calibrated = calibration.map { "; calibrated: \($0)" } ?? ""
        if let r = replicates {
            return "replicate weights (\(r.method.rawValue), \(r.count) replicates, scale \(r.scale)\(r.hasPopulationSize ? ", fpc folded in" : "")\(calibrated))"
        }
        return "Taylor linearization (\(sampling.description)\(calibrated))"
    }

    /// The variable called `name`.
    public func variable(_ name: String) throws(BarometerError) -> Variable { try data.variable(name) }

    /// A domain of the respondents whose answer to `variable` is one of `codes`. Its description
    /// uses the value labels: `lang = Kazakh` for one code, `region in {North, South}` for several
    /// (codes without a label as numbers).
    public func domain(_ variable: String, in codes: Set<Double>) throws(BarometerError) -> Domain {
        let v = try data.variable(variable)
        try v.requireNumeric()
        // Small whole-number codes through a flat table; others by hashing.
        var table = [Bool](repeating: false, count: CategoryCoding.smallCodeLimit)
        var others = Set<Double>()
        for c in codes { if let k = CategoryCoding.smallCode(c) { table[k] = true } else { others.insert(c) } }
        let mask = v.values.map { x in
            if let k = CategoryCoding.smallCode(x) { return table[k] }
            return !others.isEmpty && others.contains(x)
        }
        return Domain(mask: mask, description: Self.describe(variable, v, codes))
    }

    /// How a code-set domain prints, with value labels where the codebook has them:
    /// "lang = Kazakh" for one code, "q in {Very favorable, 2}" for several.
    static func describe(_ name: String, _ v: Variable, _ codes: Set<Double>) -> String {
        let shown = codes.sorted().map { v.valueLabels[$0] ?? Variable.formatCode($0) }
        let labelled = codes.contains { v.valueLabels[$0] != nil }
        return shown.count == 1 ? "\(name) = \(shown[0])"
            : "\(name) in {\(shown.joined(separator: labelled ? ", " : ","))}"
    }
}

extension SurveyDesign {
    /// Design degrees of freedom of a domain, as R `degf` of a subset
    /// design: PSUs holding a respondent of the domain with non-zero weight,
    /// minus the strata of those PSUs; replicate rank − 1 for replicate designs.
    public func degreesOfFreedom(in domain: Domain?) -> Int {
        if let r = replicates { return r.degreesOfFreedom }
        guard let domain else { return sampling.degreesOfFreedom }
        return domain.mask.withUnsafeBufferPointer { mp in
            degreesOfFreedom(rows: min(rowCount, mp.count), groupCount: 1) { mp[$0] ? 0 : -1 }[0]
        }
    }

    /// ``degreesOfFreedom(in:)`` of `groupCount` disjoint domains at once:
    /// row `i` is in domain `groups[i]` (−1: none). One pass over the rows
    /// grouped by PSU; O(n + PSUs + strata + groupCount) memory.
    func degreesOfFreedom(groups: [Int32], groupCount k: Int) -> [Int] {
        groups.withUnsafeBufferPointer { gp in
            degreesOfFreedom(rows: min(rowCount, gp.count), groupCount: k) { Int(gp[$0]) }
        }
    }

    /// ``degreesOfFreedom(groups:groupCount:)`` with each row's domain given by `group` (rows
    /// `0..<n`; rows beyond are in none), so a domain mask needs no n-vector of groups.
    func degreesOfFreedom(rows n: Int, groupCount k: Int, group: (Int) -> Int) -> [Int] {
        if let r = replicates { return [Int](repeating: r.degreesOfFreedom, count: k) }
        var psus = [Int](repeating: 0, count: k), strata = [Int](repeating: 0, count: k)
        var psuMark = [Int](repeating: -1, count: k), stratumMark = [Int](repeating: -1, count: k)
        let order = sampling.order
        let w = weights.values
        let strataCount = sampling.strataCount
        if order.oneRowPerPSU && k * strataCount <= 4 * max(rowCount, 1) {
            // Every PSU is one row: PSUs = respondents; strata through a k × H flag table.
            var seen = [Bool](repeating: false, count: k * strataCount)
            w.withUnsafeBufferPointer { wp in
            sampling.strata.withUnsafeBufferPointer { sp in
                for i in 0..<n {
                    let g = group(i)
                    guard g >= 0, g < k, wp[i] != 0 else { continue }
                    psus[g] += 1
                    let f = g * strataCount + Int(sp[i])
                    if !seen[f] { seen[f] = true; strata[g] += 1 }
                }
            } }
            return zip(psus, strata).map { $0 - $1 }
        }
        // Rows grouped by PSU within strata, through the order's buffers (no reference counting per row).
        order.withBuffers { psuAt, rowStart, rowAt in
        w.withUnsafeBufferPointer { wp in
        psus.withUnsafeMutableBufferPointer { pp in strata.withUnsafeMutableBufferPointer { hp in
        psuMark.withUnsafeMutableBufferPointer { pm in stratumMark.withUnsafeMutableBufferPointer { hm in
            for h in 0..<strataCount {
                for q in order.stratumStart[h]..<order.stratumStart[h + 1] {
                    let p = psuAt.map { Int($0[q]) } ?? q
                    for r in rowStart.map({ $0[p]..<$0[p + 1] }) ?? p..<(p + 1) {
                        let i = rowAt.map { Int($0[r]) } ?? r
                        guard i < n, wp[i] != 0 else { continue }
                        let g = group(i)
                        guard g >= 0, g < k else { continue }
                        if pm[g] != p { pm[g] = p; pp[g] += 1 }
                        if hm[g] != h { hm[g] = h; hp[g] += 1 }
                    }
                }
            }
        } } } } } }
        return zip(psus, strata).map { $0 - $1 }
    }
}