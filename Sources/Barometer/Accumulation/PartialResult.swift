import Foundation

/// What a partial result was computed for: everything two shards must share
/// to be merged. Serialized as JSON in the state file's header.
public struct PartialHeader: Sendable, Codable, Equatable {
    /// A tabulated or analysed variable, with what its codebook says.
    public struct VariableSpec: Sendable, Codable, Equatable {
        /// Variable name.
        public var name: String
        /// Variable label (nil when it has none).
        public var label: String?
        /// Value labels as (code, text), ascending by code.
        public var valueLabels: [LabelledCode]
        /// The user-missing codes declared for it.
        public var missing: MissingValues
        /// Whether it is a string variable (no numeric codes).
        public var isString: Bool
        /// Extended missing labels as (tag, text), ascending by tag.
        public var extendedMissingLabels: [[String]]

        init(_ v: Variable) {
            name = v.name
            label = v.label
            valueLabels = v.valueLabels.keys.sorted().map { LabelledCode(code: $0, label: v.valueLabels[$0] ?? "") }
            missing = v.missing
            isString = v.isString
            extendedMissingLabels = v.extendedMissingLabels.keys.sorted().map { [String($0), v.extendedMissingLabels[$0] ?? ""] }
        }

        /// The variable's metadata without values.
        var variable: Variable {
            var v = isString ? Variable(name: name, label: label, strings: [])
                : Variable(name: name, label: label, values: [], missing: missing)
            for lc in valueLabels { v.valueLabels[lc.code] = lc.label }
            for pair in extendedMissingLabels where pair.count == 2 {
                if let t = pair[0].first { v.extendedMissingLabels[t] = pair[1] }
            }
            return v
        }
    }
    /// A value label.
    public struct LabelledCode: Sendable, Codable, Equatable {
        /// The labelled code.
        public var code: Double
        /// Its value label.
        public var label: String
    }

    /// The statistic: `freq`, `crosstab`, `mean`, `total`, `ratio`, `corr` (Pearson or polychoric), `mrset` or `share`.
    public var statistic: String
    /// Its variables in order.
    public var variables: [VariableSpec]
    /// The design: weight, strata, PSUs, fpc, nesting, lonely-PSU rule.
    public var design: [String: String]
    /// The options that change the result (missing rule, level, percentages …).
    public var options: [String: String]
    /// CRC-32 of the canonical JSON of `statistic`, `design` and `options`, hex.
    public var optionsHash: String

    init(statistic: String, variables: [Variable], design: [String: String], options: [String: String]) {
        self.statistic = statistic
        self.variables = variables.map(VariableSpec.init)
        self.design = design
        self.options = options
        let enc = JSONEncoder()
        enc.outputFormatting = [.sortedKeys]
        let blob = (try? enc.encode([["statistic": statistic], design, options])) ?? Data()
        self.optionsHash = String(format: "%08x", CRC32.checksum(blob))
    }
}

/// The mergeable state of one command over part of the data: header plus
/// the statistic's accumulator. `barometer partial` writes it, `barometer
/// merge` merges states and finalizes them into the command's result.
///
/// File format (version ``formatVersion``), all integers little-endian:
///
///     "BRMSTATE"            8 bytes magic
///     format version        UInt32
///     header length         UInt32, then the header as UTF-8 JSON (``PartialHeader``)
///     payload kind          UInt8 (1 table, 2 design totals, 3 Pearson moments,
///                           4 polychoric pair tables: p, listwise flag, p(p−1)/2 tables, counts,
///                           5 grouped design totals: per analysed variable its groups' values
///                           and a design-totals payload whose estimates are the groups,
///                           6 pairwise Pearson moments: p, then per pair n, Σw, Σw², means,
///                           centred squares, tolerances, cross-products (p × p each), lows, highs,
///                           7 crosstab with design-based tests: the table (as kind 1), then the
///                           cell-totals state: design kind, cell keys and their n, Σw, Σw², rows,
///                           domain rows, weighted rows, strata (label, fpc), PSUs (stratum, name,
///                           has table rows), PSU cell totals (PSU, cell, total), lonely-PSU rule, nest,
///                           8 share: the X × answer table (as kind 1), the grouped totals of the
///                           0/1 answer (as one entry of kind 5), the distinct values seen of Y
///                           (and of the `--among` variable),
///                           9 `freq --by`: the answer × groups table and the groups' table (kind 1 each),
///                           11 banner book: stub codings (identity, categories), banner codings'
///                           categories, mean stubs, rows, cell tallies, mean cells and shifts, PSU
///                           cells and means, per-base weighted rows and PSU flags, the design's
///                           strata/PSU key table as a one-estimate design-totals payload, and from
///                           format 4 the replicate totals of every cell and mean column,
///                           12 layered crosstab with design-based tests: the n-way table (as kind 1),
///                           whether the design has replicate weights, the design-only cell-totals
///                           state (as in kind 7/10, no cells), the layer variables' count, then per
///                           layer its categories' keys and its cell-totals state (as in kind 7/10),
///                           13 `freq` of several variables (format 5): their count, whether grouped
///                           (`--by`), then per variable in order its table (as kind 1) or its
///                           answer × groups and groups' tables (as kind 9))
///     payload               the accumulator's arrays: Int64 and IEEE-754 binary64
///                           values, each array preceded by its Int64 length
///     CRC-32                UInt32 over every preceding byte
public struct PartialResult: Sendable {
    /// The state-file format version this Barometer writes and reads.
    /// Version 3 added the JKn strata counts of shards whose rscales are derived after merging;
    /// version 4 the per-replicate cell totals of banner states (payload kind 11) and the
    /// layered crosstab-statistics payload (kind 12); version 5 the frequency tables of several
    /// variables (kind 13). Version-4, version-3 and version-2 states are still read.
    public static let formatVersion: UInt32 = 5
    static let magic = Array("BRMSTATE".utf8)

    /// What was accumulated: statistic, variables with their codebook, design and options; states merge only when these agree.
    public let header: PartialHeader
    var payload: Payload

    enum Payload: Sendable {
        case table(TableAccumulator)
        case totals(DesignTotalsAccumulator)
        case pearson(PearsonAccumulator)
        case polychoric(PolychoricAccumulator)
        case pairwisePearson(PairwisePearsonAccumulator)
        case crosstabDesign(TableAccumulator, DesignCellTotalsAccumulator)
        /// `crosstab --stats` with layers (`--layer`, `--by`, payload kind 12): the n-way table and
        /// one cell-totals state per layer, keyed by the layer's categories.
        case crosstabLayers(TableAccumulator, LayeredCellTotalsAccumulator)
        /// One grouped accumulator per analysed variable (`mean`/`total`/`share` with `--by`).
        case grouped([GroupedTotalsAccumulator])
        /// `share` (payload kind 8): answer cells and grouped totals per base (``ShareAccumulator``).
        case share(ShareAccumulator)
        /// `freq --by` (payload kind 9): the variable × groups table and the groups' bases.
        case groupedTable(TableAccumulator, TableAccumulator)
        /// A banner book's sums (`banner`).
        case banner(BannerAccumulator)
        /// `freq` of several variables (payload kind 13): per variable, in order, its
        /// `.table` (or with `--by` its `.groupedTable`).
        case frequencies([Payload])
    }

    init(header: PartialHeader, payload: Payload) {
        self.header = header
        self.payload = payload
    }

    // MARK: merge and finalize

    /// Adds another shard's state.
    /// - Throws: ``StateFileError/incompatible(_:reason:)`` when the headers
    ///   (statistic, variables and codebook, design, options) differ.
    public mutating func merge(_ other: PartialResult, file: String = "state") throws(StateFileError) {
        guard other.header == header else {
            let reason: String
            if other.header.statistic != header.statistic {
                reason = "statistic '\(other.header.statistic)' differs from '\(header.statistic)'"
            } else if other.header.variables.map(\.name) != header.variables.map(\.name) {
                reason = "variables \(other.header.variables.map(\.name)) differ from \(header.variables.map(\.name))"
            } else if other.header.variables != header.variables {
                reason = "the variables' codebook entries (labels, missing codes) differ"
            } else if other.header.design != header.design {
                reason = "design \(other.header.design.sorted { $0.key < $1.key }) differs from \(header.design.sorted { $0.key < $1.key })"
            } else if let key = Set(header.options.keys).union(other.header.options.keys).sorted()
                        .first(where: { header.options[$0] != other.header.options[$0] }), header.statistic == "banner" {
                reason = "option '\(key)' \(other.header.options[key] ?? "(none)") differs from \(header.options[key] ?? "(none)")"
            } else {
                reason = "options \(other.header.options.sorted { $0.key < $1.key }) differ from \(header.options.sorted { $0.key < $1.key }) (hash \(other.header.optionsHash) vs \(header.optionsHash))"
            }
            throw .incompatible(file, reason: reason)
        }
        do throws(BarometerError) {
            switch (payload, other.payload) {
            case (.table(var a), .table(let b)): try a.merge(b); payload = .table(a)
            case (.totals(var a), .totals(let b)): try a.merge(b); payload = .totals(a)
            case (.pearson(var a), .pearson(let b)): try a.merge(b); payload = .pearson(a)
            case (.polychoric(var a), .polychoric(let b)): try a.merge(b); payload = .polychoric(a)
            case (.pairwisePearson(var a), .pairwisePearson(let b)): try a.merge(b); payload = .pairwisePearson(a)
            case (.crosstabDesign(var a, var c), .crosstabDesign(let b, let d)):
                try a.merge(b); try c.merge(d); payload = .crosstabDesign(a, c)
            case (.crosstabLayers(var a, var c), .crosstabLayers(let b, let d)):
                try a.merge(b); try c.merge(d); payload = .crosstabLayers(a, c)
            case (.grouped(var a), .grouped(let b)):
                guard a.count == b.count else { throw .invalidArgument("grouped states of \(a.count) and \(b.count) variables") }
                for i in a.indices { try a[i].merge(b[i]) }
                payload = .grouped(a)
            case (.share(var a), .share(let b)): try a.merge(b); payload = .share(a)
            case (.groupedTable(var a, var c), .groupedTable(let b, let d)):
                try a.merge(b); try c.merge(d); payload = .groupedTable(a, c)
            case (.banner(var a), .banner(let b)): try a.merge(b); payload = .banner(a)
            case (.frequencies(var a), .frequencies(let b)):
                guard a.count == b.count else { throw .invalidArgument("frequency states of \(a.count) and \(b.count) variables") }
                for i in a.indices {
                    switch (a[i], b[i]) {
                    case (.table(var x), .table(let y)): try x.merge(y); a[i] = .table(x)
                    case (.groupedTable(var x, var c), .groupedTable(let y, let d)): try x.merge(y); try c.merge(d); a[i] = .groupedTable(x, c)
                    default: throw .invalidArgument("the payloads are of different kinds")
                    }
                }
                payload = .frequencies(a)
            default: throw .invalidArgument("the payloads are of different kinds")
            }
        } catch { throw .incompatible(file, reason: error.description) }
    }

    /// The finalized result of a merged state.
    public enum Output: Sendable {
        /// A frequency table (`freq`).
        case frequency(FrequencyTable)
        /// A cross-tabulation (`crosstab`).
        case crosstab(ContingencyTable)
        /// A cross-tabulation with its statistics (`crosstab --stats`), and whether
        /// missing categories shown in the table were left out of the statistics.
        case crosstabStatistics(ContingencyTable, [CrosstabStatistics], excludedMissing: Bool)
        /// Design-based means, totals or ratios (`mean`, `total`, `ratio`).
        case estimates(DesignEstimates)
        /// A Pearson correlation matrix (`corr`).
        case correlation(CorrelationMatrix)
        /// A multiple-response set (`mrset`).
        case multipleResponse(MultipleResponseSet)
        /// Grouped means, totals or shares (`--by`), one per analysed variable, with
        /// whether `--compare` asked for the pairwise differences and their adjustment.
        case grouped([GroupedEstimates], compare: Bool, adjustment: PValueAdjustment)
        /// A share by the categories of a variable (`share --by`), with the pairwise
        /// differences `--compare` asked for.
        case shareTable(ShareTable, differences: GroupDifferences?)
        /// One share (`share` without `--by`).
        case share(ConditionalShare)
        /// A frequency table in every group (`freq --by`).
        case groupedFrequency(GroupedResults<FrequencyTable>)
        /// A banner book (`banner`).
        case banner(BannerBook)
        /// Frequency tables of several variables, in the order given (`freq q1 q2 …`).
        case frequencies([FrequencyTable])
        /// Frequency tables of several variables in every group (`freq q1 q2 … --by`).
        case groupedFrequencies([GroupedResults<FrequencyTable>])
    }

    /// The payload with the rscales of a JKn design derived from its merged strata
    /// counts (``DesignTotalsAccumulator/resolveJackknife()``) in every design-totals state it holds.
    static func resolvingJackknife(_ payload: Payload) throws(BarometerError) -> Payload {
        func resolve(_ t: inout DesignTotalsAccumulator?) throws(BarometerError) { try t?.resolveJackknife() }
        switch payload {
        case .totals(var a): try a.resolveJackknife(); return .totals(a)
        case .grouped(var list):
            for i in list.indices { try resolve(&list[i].totals) }
            return .grouped(list)
        case .share(var a): try resolve(&a.groups.totals); return .share(a)
        case .crosstabDesign(let t, var c): try resolve(&c.replicate); return .crosstabDesign(t, c)
        case .banner(var a): try a.resolveJackknife(); return .banner(a)
        case .crosstabLayers(let t, var c): try c.resolveJackknife(); return .crosstabLayers(t, c)
        default: return payload
        }
    }

    /// The result the command prints on the whole data.
    public func finalize() throws(BarometerError) -> Output {
        let payload = try Self.resolvingJackknife(self.payload)
        let vars = header.variables.map(\.variable)
        let o = header.options
        let missing = MissingInclusion(rawValue: o["missing"] ?? "") ?? .showMissing
        let weight = header.design["weight"].flatMap { $0.isEmpty ? nil : $0 }
        let domain = o["where"]     // the `--where` domain's description (nil: all respondents)
        switch (header.statistic, payload) {
        case ("freq", .table(let t)):
            guard let v = vars.first else { throw .invalidArgument("frequency state without a variable") }
            return .frequency(try FrequencyTable(accumulated: t.finalize(), variable: v, weight: weight, domain: domain,
                                                 missing: missing))
        case ("crosstab", .table(let t)):
            let display = o["display"].flatMap { ContingencyTable.Percentages(rawValue: $0) }
            return .crosstab(try ContingencyTable(accumulated: t.finalize(), variables: vars, weight: weight, domain: domain,
                                                  missing: missing, display: display, rowIndex: [], columnIndex: [],
                                                  layerIndex: vars.count > 2 ? [] : nil))
        case ("crosstab", .crosstabDesign(let t, let cellTotals)):
            let display = o["display"].flatMap { ContingencyTable.Percentages(rawValue: $0) }
            let table = try ContingencyTable(accumulated: t.finalize(), variables: vars, weight: weight, domain: domain,
                                             missing: missing, display: display, rowIndex: [], columnIndex: [], layerIndex: nil)
            let (stats, excluded) = try Self.statistics(table, cellTotals, options: o, weight: weight, domain: domain,
                                                        variance: header.design["variance"] ?? "")
            return .crosstabStatistics(table, stats, excludedMissing: excluded)
        case ("crosstab", .crosstabLayers(let t, let layered)):
            // As `crosstab --stats` in memory: layer k (first layer variable fastest) is the domain
            // `layer k+1`, within the `--where` domain.
            let display = o["display"].flatMap { ContingencyTable.Percentages(rawValue: $0) }
            let table = try ContingencyTable(accumulated: t.finalize(), variables: vars, weight: weight, domain: domain,
                                             missing: missing, display: display, rowIndex: [], columnIndex: [], layerIndex: [])
            let count = max(table.layerCategories.reduce(1) { $0 * $1.count }, 1)
            var stats: [CrosstabStatistics] = [], excluded = false
            for k in 0..<count {
                var rest = k, key: [CategoryKey] = []
                for list in table.layerCategories { key.append(CategoryKey(list[rest % list.count])); rest /= list.count }
                let layer = Domain(mask: [], description: "layer \(k + 1)")
                let described = try domain.map { (w) throws(BarometerError) in try layer && Domain(mask: [], description: w) } ?? layer
                let (s, e) = try Self.statistics(table, layered.layer(key), layer: k, options: o, weight: weight,
                                                 domain: described.description, variance: header.design["variance"] ?? "")
                stats += s
                excluded = e
            }
            return .crosstabStatistics(table, stats, excludedMissing: excluded)
        case ("mean", .totals(let a)), ("total", .totals(let a)), ("ratio", .totals(let a)):
            let level = Double(o["level"] ?? "") ?? 0.95
            let kind = header.statistic
            let names: [String]
            switch kind {
            case "ratio": names = ["\(vars.first?.name ?? "")/\(vars.last?.name ?? "")"]
            default: names = vars.map { "\(kind)(\($0.name))" }
            }
            guard a.k == names.count, kind != "ratio" || vars.count == 2 else {
                throw .invalidArgument("a \(kind) state of \(a.k) estimates for \(vars.count) variables")
            }
            let est = try SurveyDesign.finish(kind: kind, names: names, totals: a.finalize(), level: level,
                                              variance: header.design["variance"] ?? "", weight: weight,
                                              hasPopulationSize: header.design["populationSize"] == "true")
            return .estimates(est.withBase(SurveyDesign.baseDescription(domain)))
        case ("corr", .pearson(let p)):
            let options = Self.pearsonOptions(o, missing: .listwise, domain: domain)
            let names = vars.map(\.name)
            let cols = CorrelationColumns(names: names, weightName: weight)
            let mom = try p.finalize()
            guard mom.count >= 3 else {
                throw .insufficientData("listwise deletion leaves \(mom.count) rows; at least 3 are needed")
            }
            var acc = CorrelationAccumulator(p: names.count)
            try Correlation.listwise(&acc, moments: mom, variables: names, cols: cols, options: options)
            return .correlation(acc.finish(variables: names, method: .pearson, kind: .zeroOrder, controls: [],
                                           options: options, cols: cols,
                                           rule: cols.ruleDescription(.listwise, options: options)))
        case ("corr", .pairwisePearson(let p)):
            let options = Self.pearsonOptions(o, missing: .pairwise, domain: domain)
            let names = vars.map(\.name)
            let cols = CorrelationColumns(names: names, weightName: weight)
            var acc = CorrelationAccumulator(p: names.count)
            try Correlation.pairwise(&acc, moments: p.finalize(), variables: names, cols: cols, options: options)
            return .correlation(acc.finish(variables: names, method: .pearson, kind: .zeroOrder, controls: [],
                                           options: options, cols: cols,
                                           rule: cols.ruleDescription(.pairwise, options: options)))
        case ("corr", .polychoric(let p)):
            let options = CorrelationOptions(method: .polychoric, missing: o["missing"] == "listwise" ? .listwise : .pairwise,
                                             excludeUserMissing: o["userMissing"] != "include",
                                             weightSemantics: WeightSemantics(rawValue: o["weights"] ?? "") ?? .probability,
                                             confidenceLevel: Double(o["level"] ?? "") ?? 0.95,
                                             adjustment: PValueAdjustment(rawValue: o["adjust"] ?? "") ?? .none,
                                             domain: domain.map { Domain(mask: [], description: $0) },   // described, not applied
                                             polychoricEstimator: PolychoricEstimator(rawValue: o["estimator"] ?? "") ?? .twoStep)
            let names = vars.map(\.name)
            let cols = CorrelationColumns(names: names, weightName: weight)
            var acc = CorrelationAccumulator(p: names.count)
            try Polychoric.fill(&acc, state: p, cols: cols, options: options)
            return .correlation(acc.finish(variables: names, method: .polychoric, kind: .zeroOrder, controls: [],
                                           options: options, cols: cols,
                                           rule: cols.ruleDescription(options.missing, options: options)))
        case ("mrset", .table(let t)):
            let excluded = Set((o["exclude"] ?? "").split(separator: ",").compactMap { Double($0) })
            let names = vars.map(\.name)
            return .multipleResponse(try MultipleResponseSet(accumulated: t.finalize(), name: names.joined(separator: "+"),
                                                             variables: names, excluding: excluded, weight: weight,
                                                             domain: domain))
        case ("freq", .groupedTable(let cells, let bases)):
            let byCount = Int(o["byCount"] ?? "") ?? 0
            guard byCount >= 1, vars.count == byCount + 1 else { throw .invalidArgument("grouped frequency state without its groups") }
            return .groupedFrequency(try FrequencyTable.grouped(cells: cells.finalize(), bases: bases.finalize(), variable: vars[0],
                                                                by: vars.dropFirst().map(\.name), weight: weight, domain: domain,
                                                                missing: missing))
        case ("freq", .frequencies(let list)):
            let byCount = Int(o["byCount"] ?? "0") ?? 0
            guard list.count >= 2, vars.count == list.count + byCount else { throw .invalidArgument("frequency state without its variables") }
            let by = vars.suffix(byCount).map(\.name)
            var tables: [FrequencyTable] = [], grouped: [GroupedResults<FrequencyTable>] = []
            for (entry, v) in zip(list, vars) {
                switch entry {
                case .table(let t):
                    tables.append(try FrequencyTable(accumulated: t.finalize(), variable: v, weight: weight, domain: domain, missing: missing))
                case .groupedTable(let cells, let bases):
                    grouped.append(try FrequencyTable.grouped(cells: cells.finalize(), bases: bases.finalize(), variable: v, by: by,
                                                              weight: weight, domain: domain, missing: missing))
                default: throw .invalidArgument("a frequency state holds a payload of another kind")
                }
            }
            guard tables.isEmpty || grouped.isEmpty else { throw .invalidArgument("a frequency state mixes grouped and plain tables") }
            return byCount == 0 ? .frequencies(tables) : .groupedFrequencies(grouped)
        case ("share", .share(let acc)):
            return try Self.finalizeShare(acc, vars: vars, options: o, design: header.design, weight: weight)
        case (_, .grouped(let list)):
            let byCount = Int(o["byCount"] ?? "") ?? 0
            guard byCount >= 1, byCount < vars.count else {
                throw .invalidArgument("grouped state without its grouping variables")
            }
            let by = Array(vars.suffix(byCount))
            // A ratio's variables are its numerator and denominator: one grouped accumulator.
            let ratio = header.statistic == "ratio"
            let analysed = vars.prefix(vars.count - byCount - (ratio ? 1 : 0))
            guard list.count == analysed.count else { throw .invalidArgument("grouped state without its grouping variables") }
            let x = ratio ? vars[1].name : nil
            let results = try zip(analysed, list).map { (v, acc) throws(BarometerError) -> GroupedEstimates in
                // A share's estimated variable is its 0/1 answer, named by the code set.
                let y = header.statistic == "share" ? "\(v.name) in {\(o["codes"] ?? "")}" : v.name
                return try acc.finalize(.init(y: y, x: x, by: by, domain: domain, level: Double(o["level"] ?? "") ?? 0.95,
                                              variance: header.design["variance"] ?? "", weight: weight,
                                              covariance: o["compare"] == "true"))
            }
            return .grouped(results, compare: o["compare"] == "true",
                            adjustment: PValueAdjustment(rawValue: o["adjust"] ?? "") ?? .none)
        case ("banner", .banner(let acc)):
            return .banner(try BannerBook(accumulated: acc, specification: try Self.bannerSpecification(o), variables: vars,
                                          weight: weight, variance: header.design["variance"] ?? "", domain: domain))
        default:
            throw .invalidArgument("state of statistic '\(header.statistic)' has a payload of another kind")
        }
    }
}

extension PartialResult {
    /// `share` of a merged state: the sums laid out as a ``ShareComputation`` and
    /// finalized as the in-memory ``ShareTable`` / ``ConditionalShare``.
    static func finalizeShare(_ acc: ShareAccumulator, vars: [Variable], options o: [String: String], design: [String: String],
                              weight: String?) throws(BarometerError) -> Output {
        guard let y = vars.first, acc.seen.count == vars.count - (o["by"] == "true" ? 1 : 0) else {
            throw .invalidArgument("share state without its variables")
        }
        let codes = Set((o["codeValues"] ?? "").split(separator: ",").compactMap { Double($0) })
        guard !codes.isEmpty else { throw .invalidArgument("share state without its code set") }
        let denominator = ConditionalShare.Denominator(rawValue: o["denominator"] ?? "") ?? .validAnswers
        let method = ProportionIntervalMethod(rawValue: o["method"] ?? "") ?? .standard
        let level = Double(o["level"] ?? "") ?? 0.95
        let facts = ConditionalShare.DesignFacts(weight: weight, variance: design["variance"] ?? "",
                                                 hasPopulationSize: design["populationSize"] == "true",
                                                 replicate: design["replicate"] == "true")
        /// The variable's metadata with the distinct values the shards saw (for the warnings).
        func seen(_ v: Variable, _ values: [Double]) -> Variable {
            var out = Variable(name: v.name, label: v.label, values: values, missing: v.missing)
            out.valueLabels = v.valueLabels
            return out
        }
        var warnings: [String] = []
        if let w = ShareComputation.unmatchedCodesWarning(seen(y, acc.seen[0]), codes) { warnings.append(w) }
        let domain = o["where"]
        if o["by"] == "true" {
            let x = vars[1]
            let categories = try acc.cells.finalize().categories[0].filter { $0.code != nil }
            let table = try ShareTable(facts, of: y.name, in: codes, by: x.name, labels: x, categories: categories,
                                       domain: domain, denominator: denominator, computed: try acc.computation(bases: categories),
                                       method: method, level: level, warnings: warnings)
            var differences: GroupDifferences? = nil
            if o["compare"] == "true" {
                let list = codes.sorted().map(Variable.formatCode).joined(separator: ",")
                let groups = try acc.groups.finalize(.init(y: "\(y.name) in {\(list)}", x: nil, by: [x], domain: domain,
                                                           level: level, variance: facts.variance, weight: weight,
                                                           covariance: true))
                differences = try groups.pairwiseDifferences(adjustment: PValueAdjustment(rawValue: o["adjust"] ?? "") ?? .none)
            }
            return .shareTable(table, differences: differences)
        }
        var among: String? = nil, amongCodes: [Double]? = nil
        if let name = o["among"], vars.count == 2 {
            among = name
            let list = (o["amongCodes"] ?? "").split(separator: ",").compactMap { Double($0) }
            amongCodes = list
            if let w = ShareComputation.unmatchedCodesWarning(seen(vars[1], acc.seen[1]), Set(list)) { warnings.append(w) }
        }
        let all = Category(code: 0, label: "all", status: .valid)
        return .share(try ConditionalShare(facts, of: y.name, in: codes, among: among, in: amongCodes, domain: domain,
                                           denominator: denominator, computed: try acc.computation(bases: [all]), base: 0,
                                           method: method, level: level, warnings: warnings))
    }

    /// The Pearson options a `corr` state header records (the domain described, not applied).
    static func pearsonOptions(_ o: [String: String], missing: MissingDataRule, domain: String?) -> CorrelationOptions {
        CorrelationOptions(method: .pearson, missing: missing, excludeUserMissing: o["userMissing"] != "include",
                           weightSemantics: WeightSemantics(rawValue: o["weights"] ?? "") ?? .probability,
                           confidenceLevel: Double(o["level"] ?? "") ?? 0.95,
                           adjustment: PValueAdjustment(rawValue: o["adjust"] ?? "") ?? .none,
                           domain: domain.map { Domain(mask: [], description: $0) })
    }

    /// `crosstab --stats` of a merged table (layer `k` of a layered one, whose
    /// `domain` describes the layer within the `--where` domain): the measures from the
    /// table, the design-based tests from the accumulated cell totals, as the command
    /// computes them from the rows.
    static func statistics(_ table: ContingencyTable, _ acc: DesignCellTotalsAccumulator, layer k: Int = 0,
                           options o: [String: String], weight: String?, domain: String?,
                           variance: String) throws(BarometerError) -> ([CrosstabStatistics], Bool) {
        let requested = try CrosstabStatistic.parse(o["stats"] ?? "")
        let includeMissing = o["statsIncludeMissing"] == "true"
        let input = table.statisticsInput(layer: k, includeMissing: includeMissing)
        func keep(_ cats: [Category]) -> [Int] {
            includeMissing ? Array(cats.indices) : cats.indices.filter { cats[$0].status == .valid }
        }
        let rows = keep(table.rowCategories), cols = keep(table.columnCategories)
        let dom = domain.map { Domain(mask: [], description: $0) }   // described, not applied
        var accumulated: (cells: DesignCells, parts: DesignParts, designBased: Bool)? = nil
        if let t = try? TwoWayCounts(input.counts) {
            guard acc.domainRows >= 2 else {
                throw .insufficientData("the design needs at least 2 PSUs (respondents); it has \(acc.domainRows)")
            }
            var keptCell: [CellKey: Int] = [:]
            var squares = [Double](repeating: 0, count: t.rowCount * t.columnCount)
            var m = 0
            let layer = table.layers[k]
            for (j, jj) in t.columnsKept.enumerated() {
                for (i, ii) in t.rowsKept.enumerated() {
                    let r = rows[ii], c = cols[jj], k = i + t.rowCount * j
                    keptCell[CellKey(row: CategoryKey(table.rowCategories[r]), column: CategoryKey(table.columnCategories[c]))] = k
                    squares[k] = layer.weightedSquares[r][c]
                    m += layer.counts[r][c]
                }
            }
            let cells = DesignCells(table: t, weightedSquares: squares, respondents: m, domainPSUs: acc.domainRows,
                                    designPSUs: acc.rows, validWeightedRespondents: acc.validWeighted,
                                    keptCell: keptCell)
            var parts = DesignParts(weights: try Weights(validating: [], name: weight ?? "weight"),
                                    sampling: .independent(rows: 0), replicates: nil, design: nil,
                                    note: "design: \(variance)")
            parts.accumulated = acc
            accumulated = (cells, parts, weight != nil || acc.kind != .independent)
        }
        let s = try CrosstabStatistics(
            counts: input.counts, rowLabels: input.rowLabels, columnLabels: input.columnLabels,
            title: "\(table.rowVariable) × \(table.columnVariable)" + (domain.map { " (\($0))" } ?? ""),
            statistics: requested, rowIndex: nil, columnIndex: nil, weights: nil, domain: dom, design: nil,
            weightsAsFrequencies: o["weightsAsFrequencies"] == "true", accumulated: accumulated)
        return ([s], input.excludedMissing)
    }
}
