import Foundation

extension PartialResult {
    /// The state of `barometer banner` over `design`'s rows (one shard, or one
    /// chunk of a streamed file): the banner accumulator of every stub (`BannerAccumulator`), keyed
    /// so that shards which saw other categories, codes or PSUs merge. The
    /// header records the stub, member and banner variables with their
    /// codebook entries, the design, the `--where` domain and the resolved
    /// specification (stubs, banner, total, base, test, levels, adjust), so
    /// states of different specifications refuse to merge, naming the part
    /// that differs. Merged and finalized, it prints the book `banner`
    /// prints on the whole data (``BannerBook``, ``Output/banner(_:)``).
    ///
    /// Weights-only designs, strata/PSU designs (with an fpc, nesting and
    /// a lonely-PSU rule) whose PSUs are named by a variable (`--psu`), and
    /// replicate-weight designs (every method, with `mse`; JKn rscales derived
    /// from the merged strata when not given) are supported; the domain keeps
    /// every row in the design (R `subset`). Under replicate weights the state
    /// keeps per replicate the cell totals Σwᵣ (and Σwᵣy of mean stubs), so each
    /// column's replicate estimates, SEs and letters are those of the in-memory
    /// book; the df is the rank of all shards' replicate weights − 1.
    /// - Throws: ``BarometerError/invalidArgument(_:)`` for calibrated
    ///   designs, strata without named PSUs, and a bad
    ///   specification; the variables' lookup errors.
    public static func banner(_ design: SurveyDesign, specification: BannerSpecification, domain: Domain? = nil,
                              design spec: [String: String]) throws(BarometerError) -> PartialResult {
        if design.sampling.calibration != nil {
            throw .invalidArgument("partial banner cannot take calibrated weights: their variance needs the calibration residuals of every row (weight the whole file, then run partial on shards of its output with --weight)")
        }
        let resolved = try specification.resolved()
        let n = design.rowCount
        if let d = domain, d.mask.count != n {
            throw .lengthMismatch(variable: "domain \(d.description)", expected: n, actual: d.mask.count)
        }
        let bannerVariables = try resolved.banner.map { (b) throws(BarometerError) -> Variable in
            let v = try design.variable(b.variable); try v.requireNumeric(); return v
        }
        try BannerBook.checkNets(resolved, variables: bannerVariables)
        var keys: DesignTotalsAccumulator? = nil, psu: [Int32]? = nil, replicate: DesignTotalsAccumulator? = nil
        // A shard of a stratified design may hold one stratum: its labels, not its PSU count, say it is stratified.
        let stratified = design.sampling.stratumLabels != ["all"] || design.sampling.populationPSUs != nil
        if design.replicates != nil {
            // Per-replicate cell totals; the df from the rank state of every shard's replicate weights.
            var totals = DesignTotalsAccumulator(design: design, count: 0, totals: true)
            totals.givenDF = nil
            replicate = totals
        } else if stratified || DesignTotalsAccumulator(design: design, count: 0, totals: false).kind == .clustered {
            guard design.sampling.psuLabels != nil else {
                throw .invalidArgument("partial results with strata or an fpc need --psu (respondent PSUs have no name shared across shards)")
            }
            var (template, rows) = try BannerBook.psuTemplate(design)
            template.nest = spec["nest"] == "true"
            (keys, psu) = (template, rows)
        }
        let codings = try BannerBook.stubCodings(resolved.stubs, spec: resolved, design: design)
        let acc = try BannerBook.accumulate(codings, banner: bannerVariables.map { CategoryCoding($0, missing: .excludeMissing) },
                                            design: design, domain: domain, keys: keys, psu: psu, workers: nil,
                                            replicate: replicate)
        // Header: every variable the book reads, with its codebook entry, and the resolved specification.
        var names: [String] = []
        for stub in resolved.stubs {
            names += (stub.kind ?? .categories) == .multipleResponse ? (stub.variables ?? []) : [stub.variable]
        }
        names += resolved.banner.map(\.variable)
        var seen = Set<String>()
        let vars = try names.filter { seen.insert($0).inserted }.map { (name) throws(BarometerError) in try design.variable(name) }
        var o = try bannerOptions(resolved)
        if let d = domain { o["where"] = d.description }
        var s = spec
        s["variance"] = design.varianceDescription
        return PartialResult(header: PartialHeader(statistic: "banner", variables: vars, design: s, options: o),
                             payload: .banner(acc))
    }

    /// The resolved specification as header options, one entry per part (so a
    /// refused merge names the part that differs).
    static func bannerOptions(_ r: BannerSpecification.Resolved) throws(BarometerError) -> [String: String] {
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        func json<T: Encodable>(_ v: T) throws(BarometerError) -> String {
            do { return String(decoding: try enc.encode(v), as: UTF8.self) } catch {
                throw .invalidArgument("banner specification cannot be recorded: \(error)")
            }
        }
        return ["stubs": try json(r.stubs), "banner": try json(r.banner), "total": r.total ? "true" : "false",
                "base": r.base.rawValue, "test": r.test.rawValue, "levels": try json(r.levels), "adjust": r.adjust.rawValue]
    }

    /// The specification recorded by ``bannerOptions(_:)``.
    static func bannerSpecification(_ o: [String: String]) throws(BarometerError) -> BannerSpecification {
        let dec = JSONDecoder()
        func json<T: Decodable>(_ key: String, _ type: T.Type) throws(BarometerError) -> T {
            guard let text = o[key] else { throw .invalidArgument("banner state without its '\(key)'") }
            do { return try dec.decode(type, from: Data(text.utf8)) } catch {
                throw .invalidArgument("banner state: '\(key)' is not a valid specification part")
            }
        }
        guard let base = BannerSpecification.Base(rawValue: o["base"] ?? ""),
              let test = BannerSpecification.Test(rawValue: o["test"] ?? ""),
              let adjust = PValueAdjustment(rawValue: o["adjust"] ?? "") else {
            throw .invalidArgument("banner state without its base, test or adjustment")
        }
        return BannerSpecification(stubs: try json("stubs", [BannerSpecification.Stub].self),
                                   banner: try json("banner", [BannerSpecification.BannerVariable].self),
                                   total: o["total"] == "true", base: base, test: test,
                                   levels: try json("levels", [Double].self), adjust: adjust)
    }
}
