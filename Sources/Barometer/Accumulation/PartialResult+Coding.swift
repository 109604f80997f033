import Foundation

extension PartialResult {
    // MARK: building from a shard

    /// The state of `barometer freq` over `design`'s rows, counting the rows
    /// of `domain` (all rows when nil). The domain's description is part of
    /// the header, so shards of different domains refuse to merge.
    public static func frequency(_ design: SurveyDesign, variable: String, missing: MissingInclusion,
                                 domain: Domain? = nil, design spec: [String: String]) throws(BarometerError) -> PartialResult {
        try table("freq", design, [variable], missing: missing, domain: domain, spec: spec, options: [:])
    }

    /// The state of `barometer freq --by` (``FrequencyTable/grouped(_:variable:by:domain:missing:)``):
    /// the table of `variable` × the groups' valid categories and the table of the groups
    /// (each group's base), keyed by category, so shards that saw different groups merge
    /// (payload kind 9).
    public static func groupedFrequency(_ design: SurveyDesign, variable: String, by: [String], missing: MissingInclusion,
                                        domain: Domain? = nil, design spec: [String: String]) throws(BarometerError) -> PartialResult {
        let v = try design.variable(variable)
        guard !by.isEmpty, Set(by).count == by.count else { throw .invalidArgument("grouping variables missing or listed twice") }
        guard !by.contains(variable) else { throw .invalidArgument("'\(variable)' is both tabulated and a grouping variable") }
        if let d = domain, d.mask.count != design.rowCount {
            throw .lengthMismatch(variable: "domain \(d.description)", expected: design.rowCount, actual: d.mask.count)
        }
        let byVariables = try by.map { (n) throws(BarometerError) in try design.variable(n) }
        let codings = byVariables.map { CategoryCoding($0, missing: .excludeMissing) }
        try ContingencyTable.checkCells([variable] + by, [CategoryCoding(v, missing: missing)] + codings)
        let (cells, bases) = try FrequencyTable.groupedTableAccumulators(v, codings: codings, weights: design.weights,
                                                                          domain: domain, missing: missing)
        var o = ["missing": missing.rawValue, "byCount": String(by.count)]
        if let d = domain { o["where"] = d.description }
        return PartialResult(header: PartialHeader(statistic: "freq", variables: [v] + byVariables, design: spec, options: o),
                             payload: .groupedTable(cells, bases))
    }

    /// The state of `barometer freq` over a list of variables (SPSS FREQUENCIES' variable
    /// list): one variable gives exactly the state of ``frequency(_:variable:missing:domain:design:)``
    /// (or, with `by`, of ``groupedFrequency(_:variable:by:missing:domain:design:)``); several give
    /// one such table state per variable, in the order given (payload kind 13, format 5), each
    /// keyed by category and merged variable by variable, so `merge` prints every table as
    /// the single-variable state prints it.
    /// - Throws: ``BarometerError/invalidArgument(_:)`` for an empty list or a variable listed
    ///   twice; the errors of the single-variable states (an unknown variable is named).
    public static func frequencies(_ design: SurveyDesign, variables: [String], by: [String] = [], missing: MissingInclusion,
                                   domain: Domain? = nil, design spec: [String: String]) throws(BarometerError) -> PartialResult {
        func one(_ name: String) throws(BarometerError) -> PartialResult {
            by.isEmpty ? try frequency(design, variable: name, missing: missing, domain: domain, design: spec)
                : try groupedFrequency(design, variable: name, by: by, missing: missing, domain: domain, design: spec)
        }
        guard let first = variables.first else { throw .invalidArgument("no variable to tabulate") }
        if let twice = variables.enumerated().first(where: { variables[..<$0.offset].contains($0.element) })?.element {
            throw .invalidArgument("'\(twice)' is listed twice")
        }
        guard variables.count > 1 else { return try one(first) }
        var entries: [Payload] = []
        for name in variables { entries.append(try one(name).payload) }
        let vars = try (variables + by).map { (n) throws(BarometerError) in try design.variable(n) }
        var o = ["missing": missing.rawValue, "variableCount": String(variables.count)]
        if !by.isEmpty { o["byCount"] = String(by.count) }
        if let d = domain { o["where"] = d.description }
        return PartialResult(header: PartialHeader(statistic: "freq", variables: vars, design: spec, options: o),
                             payload: .frequencies(entries))
    }

    /// The state of `barometer crosstab` (the table; statistics need the rows). `by`
    /// adds the groups' valid categories as layers after `layers`, as
    /// ``ContingencyTable/init(_:rows:columns:layers:by:domain:missing:display:)``:
    /// one table keyed by every variable's categories, so groups merge by key.
    public static func crosstab(_ design: SurveyDesign, rows: String, columns: String, layers: [String], by: [String] = [],
                                missing: MissingInclusion, display: ContingencyTable.Percentages?,
                                domain: Domain? = nil,
                                design spec: [String: String]) throws(BarometerError) -> PartialResult {
        let names = [rows, columns] + layers + by
        guard Set(names).count == names.count else { throw .invalidArgument("a variable appears twice in the table") }
        var o = display.map { ["display": $0.rawValue] } ?? [:]
        if !by.isEmpty { o["byCount"] = String(by.count) }
        return try table("crosstab", design, names, missing: missing, domain: domain, spec: spec, options: o,
                         groupStart: by.isEmpty ? nil : 2 + layers.count)
    }

    /// The state of `barometer crosstab --stats` under `design` (weights-only,
    /// strata with named PSUs, or replicate weights): the table and, for the design-based tests
    /// (``RaoScottTest``, ``AdjustedWaldTest``), the design's cell totals
    /// (`DesignCellTotalsAccumulator`) over the statistics' categories
    /// (valid answers unless `includeMissing`). The domain keeps every row in
    /// the design, as in the single pass. With `layers` (and `by`, layers of the groups'
    /// valid categories after them, as ``ContingencyTable/init(_:rows:columns:layers:by:domain:missing:display:)``)
    /// the tests are those of every layer, each layer a domain of the whole design within
    /// `domain` (as `crosstab --stats` computes them): one cell-totals state per layer the
    /// shard's domain rows touch, keyed by the layer's categories, and the design's own state
    /// for the layers a shard never saw (`LayeredCellTotalsAccumulator`, payload kind 12).
    /// - Throws: for calibrated designs, strata or an fpc without named PSUs, and replicate
    ///   designs with more than 4,096 cells.
    public static func crosstabStatistics(_ design: SurveyDesign, rows: String, columns: String, layers: [String] = [],
                                          by: [String] = [], missing: MissingInclusion,
                                          display: ContingencyTable.Percentages?, statistics: String,
                                          includeMissing: Bool, weightsAsFrequencies: Bool, domain: Domain? = nil,
                                          design spec: [String: String]) throws(BarometerError) -> PartialResult {
        _ = try CrosstabStatistic.parse(statistics)
        let names = [rows, columns] + layers + by
        guard Set(names).count == names.count else { throw .invalidArgument("a variable appears twice in the table") }
        guard design.sampling.calibration == nil, var cellTotals = DesignCellTotalsAccumulator(design: design, shard: true) else {
            throw .invalidArgument("partial crosstab --stats supports weights-only, strata/PSU and replicate designs (calibrated weights need every row)")
        }
        if cellTotals.kind == .clustered {
            guard design.sampling.psuLabels != nil else {
                throw .invalidArgument("partial results with strata or an fpc need --psu (respondent PSUs have no name shared across shards)")
            }
            cellTotals.nest = spec["nest"] == "true"
        }
        var tableOptions = display.map { ["display": $0.rawValue] } ?? [:]
        if !by.isEmpty { tableOptions["byCount"] = String(by.count) }
        let groupStart = 2 + layers.count
        let base = try table("crosstab", design, names, missing: missing, domain: domain, spec: spec, options: tableOptions,
                             groupStart: by.isEmpty ? nil : groupStart)
        guard case .table(let tableAcc) = base.payload else { throw .invalidArgument("crosstab state without a table") }
        // Each row's cell among the statistics' categories (−1: outside the domain or an excluded answer).
        let codings = try [rows, columns].map { (n) throws(BarometerError) in CategoryCoding(try design.variable(n), missing: missing) }
        let kept = codings.map { c in c.categories.indices.filter { includeMissing || c.categories[$0].status == .valid } }
        var position = codings.map { [Int32](repeating: -1, count: $0.categories.count) }
        for v in 0..<2 { for (p, k) in kept[v].enumerated() { position[v][k] = Int32(p) } }
        let nr = kept[0].count
        if cellTotals.kind == .replicate, nr * kept[1].count > 4096 {
            throw .sizeLimitExceeded(what: "partial crosstab --stats with replicate weights: cells of the \(nr) × \(kept[1].count) table",
                                     size: nr * kept[1].count, limit: 4096)
        }
        var keys: [CellKey] = []
        for c in kept[1] { for r in kept[0] {
            keys.append(CellKey(row: CategoryKey(codings[0].categories[r]), column: CategoryKey(codings[1].categories[c])))
        } }
        let n = design.rowCount
        var cells = [Int32](repeating: -1, count: n)
        for i in 0..<n {
            let a = codings[0].index[i], b = codings[1].index[i]
            guard a >= 0, b >= 0, domain?.mask[i] ?? true else { continue }
            let pa = position[0][Int(a)], pb = position[1][Int(b)]
            if pa >= 0 && pb >= 0 { cells[i] = pa + Int32(nr) * pb }
        }
        let sampling = DesignTotalsChunk.Sampling(design)
        var o = base.header.options
        o["stats"] = statistics
        o["statsIncludeMissing"] = includeMissing ? "true" : "false"
        o["weightsAsFrequencies"] = weightsAsFrequencies ? "true" : "false"
        var s = spec
        s["variance"] = design.varianceDescription
        let vars = try names.map { (n) throws(BarometerError) in try design.variable(n) }
        let header = PartialHeader(statistic: "crosstab", variables: vars, design: s, options: o)
        guard !(layers.isEmpty && by.isEmpty) else {
            let domainRows = domain.map { $0.mask.reduce(0) { $0 + ($1 ? 1 : 0) } } ?? n
            try cellTotals.add(.init(cells: cells, keys: keys, weights: design.weights.values, domainRows: domainRows,
                                     sampling: sampling))
            return PartialResult(header: header, payload: .crosstabDesign(tableAcc, cellTotals))
        }
        // Layers: each row's combined layer (first layer variable fastest, −1: a missing group value).
        let layerCodings = vars.enumerated().dropFirst(2).map {
            CategoryCoding($1, missing: $0 >= groupStart ? .excludeMissing : missing)
        }
        let layerOf = try CategoryCoding.combinedIndex(layerCodings)
        var design0 = cellTotals
        try design0.add(.init(cells: [Int32](repeating: -1, count: n), keys: [], weights: design.weights.values, domainRows: 0,
                              sampling: sampling))
        var layered = LayeredCellTotalsAccumulator(design: design0)
        var seen = Set<Int32>()
        for i in 0..<n where layerOf[i] >= 0 && (domain?.mask[i] ?? true) { seen.insert(layerOf[i]) }
        for l in seen.sorted() {
            var inLayer = [Int32](repeating: -1, count: n), domainRows = 0
            for i in 0..<n where layerOf[i] == l && (domain?.mask[i] ?? true) { inLayer[i] = cells[i]; domainRows += 1 }
            var state = cellTotals
            try state.add(.init(cells: inLayer, keys: keys, weights: design.weights.values, domainRows: domainRows, sampling: sampling))
            var rest = Int(l), key: [CategoryKey] = []
            for c in layerCodings { key.append(CategoryKey(c.categories[rest % c.count])); rest /= c.count }
            try layered.insert(key, state)
        }
        return PartialResult(header: header, payload: .crosstabLayers(tableAcc, layered))
    }

    private static func table(_ statistic: String, _ design: SurveyDesign, _ names: [String], missing: MissingInclusion,
                              domain: Domain?, spec: [String: String],
                              options: [String: String], groupStart: Int? = nil) throws(BarometerError) -> PartialResult {
        let vars = try names.map { (n) throws(BarometerError) in try design.variable(n) }
        var acc = TableAccumulator(variableCount: vars.count)
        // Grouping variables (from `groupStart`) keep their valid categories only, as R svyby.
        let codings = vars.enumerated().map { CategoryCoding($1, missing: $0 >= (groupStart ?? vars.count) ? .excludeMissing : missing) }
        try ContingencyTable.checkCells(names, codings)
        try acc.add(TableChunk(codings: codings, weights: design.weights, domain: domain))
        var o = options
        o["missing"] = missing.rawValue
        if let d = domain { o["where"] = d.description }
        return PartialResult(header: PartialHeader(statistic: statistic, variables: vars, design: spec, options: o),
                             payload: .table(acc))
    }

    /// The state of `barometer mean` / `total` (`total` true) over `design`'s rows.
    /// `domain` (R `subset(design, …)`) keeps every row in the design: rows
    /// outside it add zero to the totals but still count as PSUs, so the
    /// variance is the domain variance of the single pass.
    /// Replicate designs keep per-replicate totals and, for their degrees of
    /// freedom (the rank of the whole replicate-weight matrix), the triangular
    /// factor of the stacked sketches of the shards' replicate weights.
    /// - Throws: for strata or an fpc without PSUs (their per-respondent PSUs
    ///   have no name shared across shards).
    public static func estimates(_ design: SurveyDesign, variables: [String], total: Bool, level: Double,
                                 domain: Domain? = nil,
                                 design spec: [String: String]) throws(BarometerError) -> PartialResult {
        let acc = try design.meansOrTotalsAccumulator(variables, domain: domain, total: total, requireAnswers: false,
                                                      shard: true)
        return try designTotals(total ? "total" : "mean", acc, design, variables: variables, level: level, domain: domain,
                                spec: spec)
    }

    /// The state (payload kind 2) of a `mean`, `total` or `ratio` accumulator of `design`'s rows:
    /// the header records the variables, the variance and the level and domain.
    private static func designTotals(_ statistic: String, _ accumulated: DesignTotalsAccumulator, _ design: SurveyDesign,
                                     variables: [String], level: Double, domain: Domain?,
                                     spec: [String: String]) throws(BarometerError) -> PartialResult {
        var acc = accumulated
        if acc.kind == .clustered {
            guard design.sampling.psuLabels != nil else {
                throw .invalidArgument("partial results with strata or an fpc need --psu (respondent PSUs have no name shared across shards)")
            }
            acc.nest = spec["nest"] == "true"
        }
        var s = spec
        s["variance"] = design.varianceDescription
        s["populationSize"] = design.hasPopulationSize ? "true" : "false"
        let vars = try variables.map { (n) throws(BarometerError) in try design.variable(n) }
        var o = ["level": String(level)]
        if let d = domain { o["where"] = d.description }
        return PartialResult(header: PartialHeader(statistic: statistic, variables: vars, design: s, options: o),
                             payload: .totals(acc))
    }

    /// The state of `barometer ratio` (R `svyratio`): the ratio of totals `Σw·y / Σw·x` over
    /// the rows valid on both variables within `domain`, accumulated as
    /// ``SurveyDesign/ratio(numerator:denominator:domain:level:)`` accumulates it (one
    /// ``DesignTotalsAccumulator`` estimate with its denominator): weights-only shifted sums,
    /// per (stratum, PSU) totals of y and x, or per-replicate totals and the replicate rank
    /// state. `domain` keeps every row in the design, as in the single pass.
    /// - Throws: for calibrated weights (the residuals need every row), strata or an fpc
    ///   without named PSUs, and the lookup and type errors of the variables.
    public static func ratio(_ design: SurveyDesign, numerator: String, denominator: String, level: Double,
                             domain: Domain? = nil,
                             design spec: [String: String]) throws(BarometerError) -> PartialResult {
        if design.sampling.calibration != nil && design.replicates == nil {
            throw .invalidArgument("partial states of calibrated weights are not supported (the calibration residuals need every row)")
        }
        guard level > 0, level < 1 else { throw .invalidArgument("confidence level \(level) outside (0, 1)") }
        let acc = try design.ratioAccumulator(numerator: numerator, denominator: denominator, domain: domain, shard: true)
        return try designTotals("ratio", acc, design, variables: [numerator, denominator], level: level, domain: domain,
                                spec: spec)
    }

    /// The state of `barometer mean`/`total` with `--by` (`statistic` "mean" or
    /// "total"), of `barometer ratio --by` ("ratio": one numerator in `variables` and its
    /// `denominator`, R `svyby(~y, ~g, design, svyratio, denominator = ~x)`), or of
    /// `barometer share --by` ("share", `codes` the code set counted,
    /// among the valid answers): one grouped design-totals accumulator per variable, the
    /// grouping variables' values as keys. `compare` and `adjustment` are what the
    /// command prints beside the groups (`--compare`, `--adjust`).
    public static func grouped(_ design: SurveyDesign, statistic: String, variables: [String], codes: Set<Double> = [],
                               denominator: String? = nil,
                               by: [String], level: Double, compare: Bool, adjustment: PValueAdjustment,
                               domain: Domain? = nil, design spec: [String: String]) throws(BarometerError) -> PartialResult {
        guard ["mean", "total", "share", "ratio"].contains(statistic) else { throw .invalidArgument("no grouped state of '\(statistic)'") }
        guard !by.isEmpty, Set(by).count == by.count else { throw .invalidArgument("grouping variables missing or listed twice") }
        guard !variables.isEmpty else { throw .invalidArgument("no variables given") }
        guard (statistic == "ratio") == (denominator != nil), statistic != "ratio" || variables.count == 1 else {
            throw .invalidArgument("a grouped ratio takes one numerator and its denominator; other statistics none")
        }
        let xv = try denominator.map { (n) throws(BarometerError) in try design.variable(n) }
        if design.sampling.calibration != nil && design.replicates == nil {
            throw .invalidArgument("partial states of calibrated weights are not supported (the calibration residuals need every row)")
        }
        let byVariables = try by.map { (n) throws(BarometerError) in try design.variable(n) }
        var list: [GroupedTotalsAccumulator] = []
        for name in variables {
            var y = try design.variable(name)
            if statistic == "share" {
                try y.requireNumeric()
                guard !codes.isEmpty else { throw .invalidArgument("empty code set for \(name)") }
                y = Variable(name: name, values: y.values.map { v in y.status(of: v) != .valid ? .nan : codes.contains(v) ? 1 : 0 })
            }
            var acc = try design.groupedAccumulator(kind: statistic == "share" ? "proportion" : statistic, y: y, x: xv,
                                                    by: byVariables, domain: domain, shard: true)
            if var t = acc.totals, t.kind == .clustered {
                guard design.sampling.psuLabels != nil else {
                    throw .invalidArgument("partial results with strata or an fpc need --psu (respondent PSUs have no name shared across shards)")
                }
                t.nest = spec["nest"] == "true"
                acc.totals = t
            }
            list.append(acc)
        }
        var s = spec
        s["variance"] = design.varianceDescription
        s["populationSize"] = design.hasPopulationSize ? "true" : "false"
        let vars = try (variables + (denominator.map { [$0] } ?? []) + by).map { (n) throws(BarometerError) in try design.variable(n) }
        var o = ["level": String(level), "byCount": String(by.count), "compare": compare ? "true" : "false",
                 "adjust": adjustment.rawValue]
        if statistic == "share" { o["codes"] = codes.sorted().map(Variable.formatCode).joined(separator: ",") }
        if let d = domain { o["where"] = d.description }
        return PartialResult(header: PartialHeader(statistic: statistic, variables: vars, design: s, options: o),
                             payload: .grouped(list))
    }

    /// The state of `barometer share` (``ConditionalShare``; with `by`, ``ShareTable``) over
    /// `design`'s rows: per base (each valid category of `by`, or the one domain) the
    /// answer cells' n, Σw, Σw² and the grouped design totals of the 0/1 answer
    /// (`ShareAccumulator`). `among` (a code set of a variable, single share only)
    /// restricts the base as ``ConditionalShare/init(_:of:in:among:in:domain:denominator:method:level:)``
    /// does; `compare` and `adjustment` are `--compare`/`--adjust` of `share --by`.
    /// - Throws: the errors of the in-memory share (code sets, user-missing codes
    ///   under a valid-answers base), for calibrated weights, and for strata or an
    ///   fpc without named PSUs.
    public static func share(_ design: SurveyDesign, of variable: String, in codes: Set<Double>, among: String? = nil,
                             in amongCodes: Set<Double> = [], by: String? = nil, domain: Domain? = nil,
                             denominator: ConditionalShare.Denominator, method: ProportionIntervalMethod, level: Double,
                             compare: Bool = false, adjustment: PValueAdjustment = .none,
                             design spec: [String: String]) throws(BarometerError) -> PartialResult {
        if design.sampling.calibration != nil && design.replicates == nil {
            throw .invalidArgument("partial states of calibrated weights are not supported (the calibration residuals need every row)")
        }
        guard by == nil || among == nil else { throw .invalidArgument("share by a variable takes --among as part of the domain") }
        guard level > 0, level < 1 else { throw .invalidArgument("confidence level \(level) outside (0, 1)") }
        let y = try ConditionalShare.outcome(design, variable, codes, denominator)
        let xv = try by.map { (n) throws(BarometerError) -> Variable in let v = try design.variable(n); try v.requireNumeric(); return v }
        var dom = domain
        var amongVariable: Variable? = nil
        if let x = among {
            guard !amongCodes.isEmpty else { throw .invalidArgument("empty code set for \(x)") }
            amongVariable = try design.variable(x)
            let d = try design.domain(x, in: amongCodes)
            dom = try dom.map { (e) throws(BarometerError) in try e && d } ?? d
        }
        var acc = try design.shareAccumulator(y, codes: codes, denominator: denominator, by: xv, domain: dom,
                                              seen: [y] + (amongVariable.map { [$0] } ?? []))
        if var t = acc.groups.totals, t.kind == .clustered {
            guard design.sampling.psuLabels != nil else {
                throw .invalidArgument("partial results with strata or an fpc need --psu (respondent PSUs have no name shared across shards)")
            }
            t.nest = spec["nest"] == "true"
            acc.groups.totals = t
        }
        var s = spec
        s["variance"] = design.varianceDescription
        s["populationSize"] = design.hasPopulationSize ? "true" : "false"
        s["replicate"] = design.replicates != nil ? "true" : "false"
        var o = ["level": String(level), "codes": codes.sorted().map(Variable.formatCode).joined(separator: ","),
                 "codeValues": codes.sorted().map { String($0) }.joined(separator: ","),
                 "denominator": denominator.rawValue, "method": method.rawValue, "by": by == nil ? "false" : "true",
                 "compare": compare ? "true" : "false", "adjust": adjustment.rawValue]
        if let x = among {
            o["among"] = x
            o["amongCodes"] = amongCodes.sorted().map { String($0) }.joined(separator: ",")
        }
        if let d = dom { o["where"] = d.description }
        return PartialResult(header: PartialHeader(statistic: "share", variables: [y] + (xv.map { [$0] } ?? []) + (amongVariable.map { [$0] } ?? []),
                                                   design: s, options: o),
                             payload: .share(acc))
    }

    /// The state of `barometer corr` (Pearson listwise or pairwise, polychoric) over `design`'s rows.
    public static func correlation(_ design: SurveyDesign, variables: [String], options: CorrelationOptions,
                                   design spec: [String: String]) throws(BarometerError) -> PartialResult {
        guard options.method == .pearson || options.method == .polychoric else {
            throw .invalidArgument("partial correlation states support Pearson (listwise or pairwise) and polychoric (rank statistics need every row)")
        }
        guard variables.count >= 2 else { throw .invalidArgument("a correlation matrix needs at least two variables") }
        try Correlation.validate(options)
        let cols = try CorrelationColumns(design, variables: variables, options: options)
        let payload: Payload
        if options.method == .polychoric {
            var acc = PolychoricAccumulator(variableCount: variables.count, listwise: options.missing == .listwise)
            try acc.add(.init(design: design, cols: cols, options: options))
            payload = .polychoric(acc)
        } else if options.missing == .pairwise {
            var acc = PairwisePearsonAccumulator(variableCount: variables.count)
            try acc.add(cols)
            payload = .pairwisePearson(acc)
        } else {
            var acc = PearsonAccumulator(variableCount: variables.count)
            try acc.add(PearsonAccumulator.Chunk(columns: cols.columns, weights: cols.weights))
            payload = .pearson(acc)
        }
        let vars = try variables.map { (n) throws(BarometerError) in try design.variable(n) }
        var o = ["userMissing": options.excludeUserMissing ? "exclude" : "include",
                 "weights": options.weightSemantics.rawValue, "level": String(options.confidenceLevel),
                 "adjust": options.adjustment.rawValue]
        if let d = options.domain { o["where"] = d.description }
        if options.method == .polychoric {
            o["method"] = "polychoric"
            o["missing"] = options.missing == .listwise ? "listwise" : "pairwise"
            o["estimator"] = options.polychoricEstimator.rawValue
        } else if options.missing == .pairwise {
            o["missing"] = "pairwise"
        }
        return PartialResult(header: PartialHeader(statistic: "corr", variables: vars, design: spec, options: o),
                             payload: payload)
    }

    /// The state of `barometer mrset` (``MultipleResponseSet``) over
    /// `design`'s rows: responses per code and the cases, within `domain`.
    public static func multipleResponse(_ design: SurveyDesign, variables: [String], excluding excluded: Set<Double>,
                                        domain: Domain? = nil, missing: MissingInclusion,
                                        design spec: [String: String]) throws(BarometerError) -> PartialResult {
        let (acc, _) = try MultipleResponseSet.accumulate(design, variables: variables, name: nil, domain: domain,
                                                          missing: missing)
        let vars = try variables.map { (n) throws(BarometerError) in try design.variable(n) }
        var o = ["missing": missing.rawValue, "exclude": excluded.sorted().map(Variable.formatCode).joined(separator: ",")]
        if let d = domain { o["where"] = d.description }
        return PartialResult(header: PartialHeader(statistic: "mrset", variables: vars, design: spec, options: o),
                             payload: .table(acc))
    }

    // MARK: encoding

    /// The state file's bytes.
    public func encoded() -> [UInt8] {
        var w = ByteWriter()
        w.raw(Self.magic)
        w.u32(Self.formatVersion)
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        enc.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let json = (try? enc.encode(header)).map { Array($0) } ?? []
        w.u32(UInt32(json.count))
        w.raw(json)
        switch payload {
        case .table(let t):
            w.u8(1)
            t.encode(&w)
        case .totals(let a):
            w.u8(2)
            a.encode(&w)
        case .pearson(let p):
            w.u8(3)
            w.int(p.variableCount)
            w.bool(p.moments != nil)
            if let m = p.moments {
                w.matrix(m.crossProducts); w.doubles(m.means); w.doubles(m.scales)
                w.int(m.count); w.double(m.sumW); w.double(m.sumW2)
            }
        case .polychoric(let a):
            w.u8(4)
            w.int(a.variableCount); w.bool(a.listwise)
            for t in a.pairs { t.encode(&w) }
            w.ints(a.own)
        case .pairwisePearson(let a):
            w.u8(6)
            w.int(a.variableCount)
            w.ints(a.counts); w.doubles(a.sumW); w.doubles(a.sumW2); w.doubles(a.means)
            w.doubles(a.squares); w.doubles(a.tolerances); w.doubles(a.cross)
            w.doubles(a.lows); w.doubles(a.highs)
        case .crosstabDesign(let t, let c):
            w.u8(c.kind == .replicate ? 10 : 7)
            t.encode(&w)
            c.encode(&w)
        case .crosstabLayers(let t, let c):
            w.u8(12)
            t.encode(&w)
            c.encode(&w)
        case .grouped(let list):
            w.u8(5)
            w.int(list.count)
            for g in list { g.encode(&w) }
        case .groupedTable(let cells, let bases):
            w.u8(9)
            cells.encode(&w)
            bases.encode(&w)
        case .share(let a):
            w.u8(8)
            a.cells.encode(&w)
            a.groups.encode(&w)
            w.int(a.seen.count)
            for v in a.seen { w.doubles(v) }
        case .banner(let a):
            w.u8(11)
            a.encode(&w)
        case .frequencies(let list):
            w.u8(13)
            w.int(list.count)
            w.bool(list.contains { if case .groupedTable = $0 { return true } else { return false } })
            for entry in list {
                switch entry {
                case .table(let t): t.encode(&w)
                case .groupedTable(let cells, let bases): cells.encode(&w); bases.encode(&w)
                default: break   // built by `frequencies` only: tables or grouped tables
                }
            }
        }
        let crc = CRC32.checksum(w.bytes)
        w.u32(crc)
        return w.bytes
    }

    /// Reads a state file. A pure function of the bytes that never traps:
    /// the magic and format version are checked first (another version is
    /// refused naming both), then the CRC-32 over the whole file, then every
    /// read is bounds-checked and every count bounded by the bytes left.
    /// - Parameters:
    ///   - bytes: the whole state file.
    ///   - file: the name used in error messages.
    public static func decode(_ bytes: [UInt8], file: String = "state") throws(StateFileError) -> PartialResult {
        guard bytes.count >= magic.count + 4, Array(bytes[0..<magic.count]) == magic else { throw .notAStateFile(file) }
        var r = ByteReader(bytes, file: file, from: magic.count)
        let version = try r.u32()
        guard version == formatVersion || version == 4 || version == 3 || version == 2 else {
            throw .unsupportedVersion(file, found: version, supported: formatVersion)
        }
        guard bytes.count >= magic.count + 4 + 4 + 1 + 4 else { throw .checksumMismatch(file) }
        let body = bytes.count - 4
        var tail = ByteReader(bytes, file: file, from: body)
        guard CRC32.checksum(bytes[0..<body]) == (try tail.u32()) else { throw .checksumMismatch(file) }
        r = ByteReader(bytes, file: file, from: r.offset, end: body)
        r.version = version
        let headerLength = Int(try r.u32())
        let json = try r.take(headerLength)
        let dec = JSONDecoder()
        dec.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let header: PartialHeader
        do { header = try dec.decode(PartialHeader.self, from: Data(json)) } catch {
            throw r.fail("header is not valid JSON of a partial result")
        }
        let kind = try r.u8()
        let payload: Payload
        do {
            switch kind {
            case 1:
                payload = .table(try TableAccumulator(decoding: &r))
            case 2:
                payload = .totals(try DesignTotalsAccumulator(decoding: &r))
            case 3:
                let p = try r.count(8)
                var acc = PearsonAccumulator(variableCount: p)
                if try r.bool() {
                    guard let c = try r.matrix(), c.rows == p, c.columns == p else { throw r.fail("cross-products are not \(p)×\(p)") }
                    let means = try r.doubles(expected: p, "means"), scales = try r.doubles(expected: p, "scales")
                    let n = try r.int(), sw = try r.double(), sw2 = try r.double()
                    guard n >= 0, sw > 0 else { throw r.fail("moments of no rows") }
                    acc = PearsonAccumulator(moments: CentredMoments(crossProducts: c, means: means, scales: scales,
                                                                     count: n, sumW: sw, sumW2: sw2))
                }
                payload = .pearson(acc)
            case 4:
                let p = try r.count(8)
                let listwise = try r.bool()
                guard p >= 2, p <= 4096 else { throw r.fail("\(p) variables in a polychoric state") }
                var pairs: [TableAccumulator] = []
                for _ in 0..<(p * (p - 1) / 2) { pairs.append(try TableAccumulator(decoding: &r)) }
                let own = try r.ints()
                guard own.allSatisfy({ $0 >= 0 }) else { throw r.fail("negative count") }
                payload = .polychoric(try PolychoricAccumulator(variableCount: p, listwise: listwise, pairs: pairs, own: own))
            case 5:
                let count = try r.count(16)
                guard count >= 1 else { throw r.fail("a grouped state of no variables") }
                var list: [GroupedTotalsAccumulator] = []
                for _ in 0..<count { list.append(try GroupedTotalsAccumulator(decoding: &r)) }
                payload = .grouped(list)
            case 6:
                let p = try r.count(8)
                guard p >= 2, p <= 4096 else { throw r.fail("\(p) variables in a pairwise Pearson state") }
                var acc = PairwisePearsonAccumulator(variableCount: p)
                acc.counts = try r.ints()
                guard acc.counts.count == p * p, acc.counts.allSatisfy({ $0 >= 0 }) else { throw r.fail("pair counts") }
                acc.sumW = try r.doubles(expected: p * p, "Σw"); acc.sumW2 = try r.doubles(expected: p * p, "Σw²")
                acc.means = try r.doubles(expected: p * p, "means"); acc.squares = try r.doubles(expected: p * p, "squares")
                acc.tolerances = try r.doubles(expected: p * p, "tolerances"); acc.cross = try r.doubles(expected: p * p, "cross-products")
                acc.lows = try r.doubles(expected: p, "minima"); acc.highs = try r.doubles(expected: p, "maxima")
                payload = .pairwisePearson(acc)
            case 7, 10:
                payload = .crosstabDesign(try TableAccumulator(decoding: &r),
                                          try DesignCellTotalsAccumulator(decoding: &r, replicate: kind == 10))
            case 8:
                let cells = try TableAccumulator(decoding: &r)
                guard cells.variableCount == 2 else { throw r.fail("share cells of \(cells.variableCount) variables") }
                let groups = try GroupedTotalsAccumulator(decoding: &r)
                guard groups.kind == "proportion", groups.byCount == 1 else { throw r.fail("share totals of a grouped \(groups.kind)") }
                let count = try r.count(8)
                guard count >= 1, count <= 2 else { throw r.fail("\(count) lists of values seen") }
                var seen: [[Double]] = []
                for _ in 0..<count {
                    let v = try r.doubles()
                    guard v.allSatisfy({ !$0.isNaN }) else { throw r.fail("a value seen that is not a number") }
                    seen.append(v)
                }
                payload = .share(ShareAccumulator(cells: cells, groups: groups, seen: seen))
            case 9:
                let cells = try TableAccumulator(decoding: &r), bases = try TableAccumulator(decoding: &r)
                guard bases.variableCount >= 1, cells.variableCount == bases.variableCount + 1 else {
                    throw r.fail("grouped tables of \(cells.variableCount) and \(bases.variableCount) variables")
                }
                payload = .groupedTable(cells, bases)
            case 11:
                payload = .banner(try BannerAccumulator(decoding: &r))
            case 12 where version >= 4:
                payload = .crosstabLayers(try TableAccumulator(decoding: &r), try LayeredCellTotalsAccumulator(decoding: &r))
            case 13 where version >= 5:
                let count = try r.count(16)
                guard count >= 2 else { throw r.fail("a frequencies state of \(count) variables") }
                let grouped = try r.bool()
                var list: [Payload] = []
                for _ in 0..<count {
                    let cells = try TableAccumulator(decoding: &r)
                    if grouped {
                        let bases = try TableAccumulator(decoding: &r)
                        guard bases.variableCount >= 1, cells.variableCount == bases.variableCount + 1 else {
                            throw r.fail("grouped tables of \(cells.variableCount) and \(bases.variableCount) variables")
                        }
                        list.append(.groupedTable(cells, bases))
                    } else {
                        guard cells.variableCount == 1 else { throw r.fail("a frequency table of \(cells.variableCount) variables") }
                        list.append(.table(cells))
                    }
                }
                payload = .frequencies(list)
            default:
                throw r.fail("unknown payload kind \(kind)")
            }
        } catch let e as StateFileError {
            throw e
        } catch let e as BarometerError {
            throw .malformed(file, offset: r.offset, reason: e.description)
        } catch {
            throw .malformed(file, offset: r.offset, reason: "\(error)")
        }
        guard r.remaining == 0 else { throw r.fail("\(r.remaining) bytes after the payload") }
        let expected: Bool
        switch (header.statistic, payload) {
        case ("freq", .table(let t)): expected = t.variableCount == 1 && header.variables.count == 1
        case ("crosstab", .table(let t)): expected = t.variableCount >= 2 && t.variableCount == header.variables.count
        case ("crosstab", .crosstabDesign(let t, _)):
            expected = t.variableCount == 2 && header.variables.count == 2 && header.options["stats"] != nil
        case ("crosstab", .crosstabLayers(let t, let layers)):
            expected = t.variableCount >= 3 && header.variables.count == t.variableCount && header.options["stats"] != nil
                && layers.keys.allSatisfy { $0.count == t.variableCount - 2 }
        case ("mean", .totals(let a)), ("total", .totals(let a)):
            expected = a.k == header.variables.count && a.totals == (header.statistic == "total")
        case ("ratio", .totals(let a)): expected = a.k == 1 && !a.totals && header.variables.count == 2
        case ("corr", .pearson(let p)): expected = p.variableCount == header.variables.count && p.variableCount >= 2
        case ("corr", .polychoric(let p)): expected = p.variableCount == header.variables.count
        case ("corr", .pairwisePearson(let p)):
            expected = p.variableCount == header.variables.count && header.options["missing"] == "pairwise"
        case ("mrset", .table(let t)): expected = t.variableCount == 1 && !header.variables.isEmpty
        case ("freq", .groupedTable(let cells, let bases)):
            expected = cells.variableCount == header.variables.count && header.options["byCount"] == String(bases.variableCount)
        case ("freq", .frequencies(let list)):
            let byCount = Int(header.options["byCount"] ?? "0") ?? -1
            expected = byCount >= 0 && list.count >= 2 && header.options["variableCount"] == String(list.count)
                && header.variables.count == list.count + byCount
                && list.allSatisfy { entry in
                    switch entry {
                    case .table: return byCount == 0
                    case .groupedTable(let cells, _): return byCount >= 1 && cells.variableCount == byCount + 1
                    default: return false
                    }
                }
        case ("share", .share(let a)):
            let among = header.options["among"] != nil, by = header.options["by"] == "true"
            expected = !(among && by) && header.variables.count == 1 + (among || by ? 1 : 0) && a.seen.count == (among ? 2 : 1)
        case ("mean", .grouped(let list)), ("total", .grouped(let list)), ("share", .grouped(let list)):
            let byCount = Int(header.options["byCount"] ?? "") ?? 0
            expected = byCount >= 1 && list.count == header.variables.count - byCount
                && list.allSatisfy { $0.byCount == byCount && $0.kind == (header.statistic == "share" ? "proportion" : header.statistic) }
        case ("ratio", .grouped(let list)):
            let byCount = Int(header.options["byCount"] ?? "") ?? 0
            expected = byCount >= 1 && list.count == 1 && header.variables.count == 2 + byCount
                && list.allSatisfy { $0.byCount == byCount && $0.kind == "ratio" }
        case ("banner", .banner(let a)):
            expected = header.options["stubs"] != nil && a.bannerCategories.count >= 2
        default: expected = false
        }
        guard expected else { throw r.fail("payload does not match statistic '\(header.statistic)' of \(header.variables.count) variables") }
        return PartialResult(header: header, payload: payload)
    }
}

extension TableAccumulator {
    /// Categories (code, label, status) per variable, cells, base sums.
    func encode(_ w: inout ByteWriter) {
        let st = state
        w.int(st.categories.count)
        for cats in st.categories { w.categories(cats) }
        w.ints(st.counts); w.doubles(st.weighted); w.doubles(st.squares)
        w.int(st.base.0); w.double(st.base.1); w.double(st.base.2)
    }

    init(decoding r: inout ByteReader) throws(StateFileError) {
        let nv = try r.count(8)
        var cats: [[Category]] = []
        for _ in 0..<nv { cats.append(try r.categories()) }
        let counts = try r.ints(), weighted = try r.doubles(), squares = try r.doubles()
        let base = (try r.int(), try r.double(), try r.double())
        guard counts.allSatisfy({ $0 >= 0 }), base.0 >= 0 else { throw r.fail("negative count") }
        do { try self.init(categories: cats, counts: counts, weighted: weighted, squares: squares, base: base) } catch {
            throw r.fail(error.description)
        }
    }
}

extension DesignTotalsAccumulator {
    func encode(_ w: inout ByteWriter) {
        w.u8(kind == .independent ? 0 : kind == .clustered ? 1 : 2)
        w.int(k); w.bool(totals); w.bool(srsWanted)
        w.doubles(ty); w.doubles(tx)
        w.ints(respondents); w.doubles(sumW); w.doubles(meanY); w.doubles(ssY)
        // k × k sums (zeros outside the weights-only design, which keeps none in memory).
        func square(_ m: [Double]) -> [Double] { m.count == k * k ? m : [Double](repeating: 0, count: k * k) }
        w.int(rows); w.doubles(meanZ); w.doubles(square(comoment))
        w.bool(shift != nil); w.doubles(shift ?? []); w.doubles(square(s)); w.doubles(square(a)); w.doubles(square(b))
        designKeys.encode(&w)
        w.doubles(psuTotals)
        w.string(lonelyPSU.rawValue); w.bool(nest)
        w.matrix(replicateY); w.matrix(replicateX)
        w.double(scale); w.doubles(rscales); w.bool(mse)
        w.bool(givenDF != nil); w.int(givenDF ?? 0)
        // Format 2: which rows count for the degrees of freedom, and the flags.
        w.u8(flagMode.map { $0.rawValue + 1 } ?? 0)
        w.ints(flagRows)
        w.bools(psuFlags)
        w.matrix(rankRows)
        JackknifeStrata.encode(jackknife, &w)   // format 3
    }

    /// Reads the state written by ``encode(_:)``, checking every length against `k`.
    init(decoding r: inout ByteReader) throws(BarometerError) {
        do throws(StateFileError) {
            let kindByte = try r.u8()
            guard kindByte <= 2 else { throw r.fail("unknown design kind \(kindByte)") }
            let kind: Kind = kindByte == 0 ? .independent : kindByte == 1 ? .clustered : .replicate
            let k = try r.count(8)
            guard k <= 4096 else { throw r.fail("\(k) estimates") }   // 0: the cells of a replicate shard with none
            self.init(kind: kind, count: k, totals: try r.bool())
            srsWanted = try r.bool()
            ty = try r.doubles(expected: k, "totals"); tx = try r.doubles(expected: k, "denominator totals")
            respondents = try r.ints()
            guard respondents.count == k, respondents.allSatisfy({ $0 >= 0 }) else { throw r.fail("respondent counts") }
            sumW = try r.doubles(expected: k, "Σw"); meanY = try r.doubles(expected: k, "means")
            ssY = try r.doubles(expected: k, "sums of squares")
            rows = try r.int()
            guard rows >= 0 else { throw r.fail("negative row count") }
            meanZ = try r.doubles(expected: k, "influence means")
            comoment = try r.doubles(expected: k * k, "co-moments")
            let hasShift = try r.bool()
            let sh = try r.doubles()
            guard sh.count == (hasShift ? k : 0) else { throw r.fail("shifts") }
            shift = hasShift ? sh : nil
            s = try r.doubles(expected: k * k, "S"); a = try r.doubles(expected: k * k, "A"); b = try r.doubles(expected: k * k, "B")
            designKeys = try DesignKeys(decoding: &r, psuBytes: 10)
            let psus = designKeys.psus.count
            psuTotals = try r.doubles(expected: psus * 2 * k, "PSU totals")
            guard let rule = LonelyPSURule(rawValue: try r.string()) else { throw r.fail("unknown lonely-PSU rule") }
            lonelyPSU = rule; nest = try r.bool()
            replicateY = try r.matrix(); replicateX = try r.matrix()
            scale = try r.double(); rscales = try r.doubles(); mse = try r.bool()
            for m in [replicateY, replicateX].compactMap({ $0 }) {
                guard m.rows == rscales.count, m.columns == k || (m.columns == 1 && !totals) else {
                    throw r.fail("replicate totals of \(m.rows)×\(m.columns) for \(rscales.count) replicates and \(k) estimates")
                }
            }
            if kind == .replicate && (replicateY == nil || (!totals && replicateX == nil)) && rows > 0 {
                throw r.fail("replicate totals missing")
            }
            let hasDF = try r.bool(); let df = try r.int()
            givenDF = hasDF ? df : nil
            let mode = try r.u8()
            if mode > 0 {
                guard let m = FlagMode(rawValue: mode - 1) else { throw r.fail("unknown degrees-of-freedom rows \(mode)") }
                flagMode = m
            }
            let f = flagWidth ?? 0
            flagRows = try r.ints()
            guard flagRows.count == f, flagRows.allSatisfy({ $0 >= 0 }) else { throw r.fail("degrees-of-freedom row counts") }
            psuFlags = try r.bools()
            guard psuFlags.count == psus * f else { throw r.fail("\(psuFlags.count) PSU flags for \(psus) PSUs × \(f)") }
            rankRows = try r.matrix()
            if let m = rankRows {
                guard kind == .replicate, givenDF == nil, m.columns == rscales.count, m.rows <= m.columns,
                      m.storage.allSatisfy(\.isFinite) else {
                    throw r.fail("replicate rank rows of \(m.rows)×\(m.columns) for \(rscales.count) replicates")
                }
            }
            jackknife = try JackknifeStrata.decode(&r, replicates: rscales.count)
            guard jackknife == nil || (kind == .replicate && givenDF == nil) else { throw r.fail("JKn strata in a state without replicates") }
        } catch {
            throw .invalidArgument(error.description)
        }
    }
}

extension GroupedTotalsAccumulator {
    /// Kind, grouping-variable count, each group's values, then the design totals.
    func encode(_ w: inout ByteWriter) {
        w.string(kind); w.int(byCount); w.int(keys.count)
        for key in keys {
            for v in key {
                switch v {
                case .code(let c): w.u8(0); w.double(c)
                case .text(let t): w.u8(1); w.string(t)
                }
            }
        }
        w.bool(totals != nil)
        totals?.encode(&w)
    }

    /// Reads the state written by ``encode(_:)``: keys distinct, the totals' estimates one more than the groups.
    init(decoding r: inout ByteReader) throws(StateFileError) {
        let kind = try r.string()
        guard ["mean", "total", "ratio", "proportion"].contains(kind) else { throw r.fail("unknown grouped statistic '\(kind)'") }
        let byCount = try r.count(9)
        guard byCount >= 1, byCount <= 64 else { throw r.fail("\(byCount) grouping variables") }
        self.init(kind: kind, byCount: byCount)
        let groups = try r.count(9 * byCount)
        for _ in 0..<groups {
            var key: [Value] = []
            for _ in 0..<byCount {
                switch try r.u8() {
                case 0:
                    let c = try r.double()
                    guard c.isFinite else { throw r.fail("a group code that is not finite") }
                    key.append(.code(c))
                case 1: key.append(.text(try r.string()))
                default: throw r.fail("unknown group value kind")
                }
            }
            guard lookup[key] == nil else { throw r.fail("a group appears twice") }
            lookup[key] = keys.count
            keys.append(key)
        }
        if try r.bool() {
            let t: DesignTotalsAccumulator
            do { t = try DesignTotalsAccumulator(decoding: &r) } catch { throw r.fail(error.description) }
            guard t.k == groups + 1, t.totals == (kind == "total"), t.flagMode == .perEstimate || t.flagMode == nil else {
                throw r.fail("grouped totals of \(t.k) estimates for \(groups) groups")
            }
            totals = t
        } else if groups > 0 {
            throw r.fail("groups without totals")
        }
    }
}

extension DesignCellTotalsAccumulator {
    func encode(_ w: inout ByteWriter) {
        w.u8(kind.rawValue)
        w.int(keys.count)
        for k in keys {
            for c in [k.row, k.column] { w.u8(c.rank); w.double(c.code); w.string(c.text) }
        }
        w.ints(cellN); w.doubles(cellW); w.doubles(cellW2)
        w.int(rows); w.int(domainRows); w.int(validWeighted)
        designKeys.encode(&w) { w, q in w.bool(psuValid[q]) }
        let sorted = entries.keys.sorted()
        w.int(sorted.count)
        for e in sorted { w.u64(e); w.double(entries[e] ?? 0) }
        w.string(lonelyPSU.rawValue); w.bool(nest)
        // Payload kind 10: the per-replicate cell totals (R × cells), the replicate parameters and the rank state.
        replicate?.encodeReplicateTotals(&w)
    }

    /// Reads the state written by ``encode(_:)``, checking every index; `replicate`: a payload
    /// of kind 10 (replicate design), whose per-replicate cell totals follow.
    init(decoding r: inout ByteReader, replicate: Bool) throws(StateFileError) {
        let kindByte = try r.u8()
        guard let kind = Kind(rawValue: kindByte), (kind == .replicate) == replicate else {
            throw r.fail("unknown design kind \(kindByte)")
        }
        self.init(kind: kind)
        let cellCount = try r.count(18)
        for _ in 0..<cellCount {
            var pair: [CategoryKey] = []
            for _ in 0..<2 {
                let rank = try r.u8(), code = try r.double(), text = try r.string()
                guard rank <= 3 else { throw r.fail("unknown category rank \(rank)") }
                pair.append(CategoryKey(rank: rank, code: code, text: text))
            }
            let key = CellKey(row: pair[0], column: pair[1])
            guard lookup[key] == nil else { throw r.fail("a cell appears twice") }
            lookup[key] = keys.count
            keys.append(key)
        }
        cellN = try r.ints()
        guard cellN.count == cellCount, cellN.allSatisfy({ $0 >= 0 }) else { throw r.fail("cell counts") }
        cellW = try r.doubles(expected: cellCount, "cell Σw"); cellW2 = try r.doubles(expected: cellCount, "cell Σw²")
        rows = try r.int(); domainRows = try r.int(); validWeighted = try r.int()
        guard rows >= 0, domainRows >= 0, domainRows <= rows, validWeighted >= 0, validWeighted <= rows else {
            throw r.fail("row counts")
        }
        var valid: [Bool] = []
        designKeys = try DesignKeys(decoding: &r, psuBytes: 11) { (r) throws(StateFileError) in valid.append(try r.bool()) }
        psuValid = valid
        let psus = designKeys.psus.count, strata = designKeys.strata.count
        let entryCount = try r.count(16)
        for _ in 0..<entryCount {
            let e = try r.u64(), t = try r.double()
            guard Int(e >> 32) < psus, Int(e & 0xFFFF_FFFF) < cellCount, entries[e] == nil else {
                throw r.fail("PSU cell total outside the state's PSUs and cells")
            }
            entries[e] = t
        }
        guard let rule = LonelyPSURule(rawValue: try r.string()) else { throw r.fail("unknown lonely-PSU rule") }
        lonelyPSU = rule; nest = try r.bool()
        guard kind == .clustered || (psus == 0 && strata == 0) else { throw r.fail("PSUs in a weights-only state") }
        if replicate { self.replicate = try DesignTotalsAccumulator.decodeReplicateTotals(&r, count: cellCount) }
    }
}

extension DesignTotalsAccumulator {
    /// The replicate part of a state of `k` totals (cell-totals payload kind 10, banner
    /// payload kind 11 from format 4): the R × k replicate totals, scale, rscales, mse,
    /// the given df, the rank state of the replicate weights and the JKn strata counts.
    func encodeReplicateTotals(_ w: inout ByteWriter) {
        w.matrix(replicateY); w.double(scale); w.doubles(rscales); w.bool(mse)
        w.bool(givenDF != nil); w.int(givenDF ?? 0); w.matrix(rankRows)
        JackknifeStrata.encode(jackknife, &w)   // format 3
    }

    /// Reads what ``encodeReplicateTotals(_:)`` wrote for `count` totals, checking the
    /// parameters and every shape against the replicates.
    static func decodeReplicateTotals(_ r: inout ByteReader, count: Int) throws(StateFileError) -> DesignTotalsAccumulator {
        var t = DesignTotalsAccumulator(kind: .replicate, count: count, totals: true)
        t.replicateY = try r.matrix(); t.scale = try r.double(); t.rscales = try r.doubles(); t.mse = try r.bool()
        let hasDF = try r.bool(), df = try r.int()
        t.givenDF = hasDF ? df : nil
        t.rankRows = try r.matrix()
        let R = t.rscales.count
        t.jackknife = try JackknifeStrata.decode(&r, replicates: R)
        guard R >= 1, t.scale.isFinite, t.jackknife != nil || t.rscales.allSatisfy(\.isFinite), !hasDF || df >= 1,
              t.jackknife == nil || !hasDF else {
            throw r.fail("replicate parameters")
        }
        if let m = t.replicateY, m.rows != R || m.columns != count {
            throw r.fail("replicate cell totals of \(m.rows)×\(m.columns) for \(R) replicates and \(count) cells")
        }
        if let m = t.rankRows, hasDF || m.columns != R || m.rows > m.columns || !m.storage.allSatisfy(\.isFinite) {
            throw r.fail("replicate rank rows of \(m.rows)×\(m.columns) for \(R) replicates")
        }
        return t
    }

    /// A replicate design's degrees of freedom: the given df, else the rank of the stacked
    /// sketches of every part's replicate weights − 1 (``ReplicateWeights/rankDegreesOfFreedom(_:replicates:)``),
    /// else replicates − 1.
    var replicateDegreesOfFreedom: Int {
        if let df = givenDF { return df }
        if let m = rankRows { return ReplicateWeights.rankDegreesOfFreedom(m, replicates: rscales.count) }
        return max(rscales.count - 1, 1)
    }
}

extension PSUName {
    /// A PSU's name as the design-totals and design-cell states write it: tag 0 and a label, or tag 1
    /// and a row.
    init(decoding r: inout ByteReader) throws(StateFileError) {
        let tag = try r.u8()
        switch tag {
        case 0: self = .label(try r.string())
        case 1: self = .row(try r.int())
        default: throw r.fail("unknown PSU name kind \(tag)")
        }
    }
}

extension ByteWriter {
    /// Categories (code, label, status) preceded by their count: table, crosstab and banner states.
    mutating func categories(_ cats: [Category]) {
        int(cats.count)
        for c in cats { optionalDouble(c.code); string(c.label); string(c.status.rawValue) }
    }
}

extension ByteReader {
    /// Categories written by ``ByteWriter/categories(_:)``.
    mutating func categories() throws(StateFileError) -> [Category] {
        let count = try self.count(8)
        var list: [Category] = []
        for _ in 0..<count {
            let code = try optionalDouble(), label = try string()
            guard let status = ValueStatus(rawValue: try string()) else { throw fail("unknown category status") }
            list.append(Category(code: code, label: label, status: status))
        }
        return list
    }
}

extension JackknifeStrata {
    /// Format 3: whether JKn strata counts follow, then the labels, PSUs per stratum, each
    /// replicate's deleted stratum (−1: none) and, with an fpc, its value there.
    static func encode(_ j: JackknifeStrata?, _ w: inout ByteWriter) {
        w.bool(j != nil)
        guard let j else { return }
        w.int(j.labels.count)
        for l in j.labels { w.string(l) }
        w.ints(j.psus)
        w.ints(j.deleted.map { $0 ?? -1 })
        w.bool(j.fpc != nil)
        for v in j.fpc ?? [] { w.optionalDouble(v) }
    }

    /// Reads what ``encode(_:_:)`` wrote (nothing from a format-2 file), checking every index
    /// against the `replicates` and the strata.
    static func decode(_ r: inout ByteReader, replicates: Int) throws(StateFileError) -> JackknifeStrata? {
        guard r.version >= 3, try r.bool() else { return nil }
        let h = try r.count(8)
        var labels: [String] = []
        for _ in 0..<h { labels.append(try r.string()) }
        guard Set(labels).count == h else { throw r.fail("a JKn stratum label appears twice") }
        let psus = try r.ints()
        guard psus.count == h, psus.allSatisfy({ $0 >= 0 }) else { throw r.fail("JKn PSUs per stratum") }
        let deleted = try r.ints()
        guard deleted.count == replicates, deleted.allSatisfy({ $0 >= -1 && $0 < h }) else {
            throw r.fail("JKn deleted strata of \(deleted.count) replicates for \(replicates)")
        }
        var fpc: [Double?]? = nil
        if try r.bool() {
            var values: [Double?] = []
            for _ in 0..<replicates { values.append(try r.optionalDouble()) }
            guard values.allSatisfy({ $0.map { $0.isFinite && $0 > 0 } ?? true }) else { throw r.fail("JKn fpc values") }
            fpc = values
        }
        return JackknifeStrata(labels: labels, psus: psus, deleted: deleted.map { $0 < 0 ? nil : $0 }, fpc: fpc)
    }
}
