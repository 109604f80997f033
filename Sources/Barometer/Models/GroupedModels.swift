/// The groups of `by` (crossed) present among the rows of a domain, numbered
/// densely: each row's group (−1: a missing group code or outside the
/// domain), in R `svyby`'s order (the first variable varying fastest). The
/// crossing, its categories and labels are ``GroupPartition``'s.
struct ModelGroups: Sendable {
    /// The grouping variables.
    let by: [String]
    /// Row → position in ``labels`` (−1: none).
    let rowGroup: [Int32]
    /// Each group's categories and label (`stype = E, awards = 1`).
    let categories: [[Category]]
    let labels: [String]

    init(_ design: SurveyDesign, by: [String], domain: Domain?) throws(BarometerError) {
        if let d = domain, d.mask.count != design.rowCount {
            throw .lengthMismatch(variable: "domain \(d.description)", expected: design.rowCount, actual: d.mask.count)
        }
        let part = try GroupPartition(design, by: by)
        let cells = part.cells
        var position = [Int32](repeating: -1, count: part.cellCount)
        for i in 0..<design.rowCount where cells[i] >= 0 && (domain?.mask[i] ?? true) { position[Int(cells[i])] = 0 }
        var cats: [[Category]] = [], labels: [String] = []
        for c in position.indices where position[c] == 0 {
            position[c] = Int32(cats.count)
            let cs = part.categories(c)
            cats.append(cs)
            labels.append(part.label(cs))
        }
        guard !cats.isEmpty else {
            throw .emptyDomain("no respondent with a valid \(by.joined(separator: " × ")) code" + (domain.map { " in \($0.description)" } ?? ""))
        }
        var rowGroup = [Int32](repeating: -1, count: design.rowCount)
        for i in 0..<design.rowCount where cells[i] >= 0 && (domain?.mask[i] ?? true) { rowGroup[i] = position[Int(cells[i])] }
        self.by = by
        self.rowGroup = rowGroup
        self.categories = cats
        self.labels = labels
    }

    var count: Int { labels.count }

    /// Group `g` as a domain (within the `--where` domain the groups were made in).
    func domain(_ g: Int, within domain: Domain?) -> Domain {
        Domain(mask: rowGroup.map { $0 == Int32(g) },
               description: (domain.map { "\($0.description) and " } ?? "") + labels[g])
    }
}

/// One estimate or model fit per group of `by` (R `svyby`, or one fit per domain as R
/// `svyglm(…, design = subset(design, g == k))`); a group whose estimate
/// cannot be computed carries the reason instead (``Group/note``).
public struct GroupedFits<Result: Sendable & Codable & Equatable & TableRepresentable>: Sendable, Codable, Equatable,
    TableRepresentable {
    /// One group: its categories, label, and result or the reason there is none.
    public struct Group: Sendable, Codable, Equatable {
        /// The group's category of each `by` variable.
        public let categories: [Category]
        /// `stype = E, awards = Yes`.
        public let label: String
        /// The group's result (nil when it could not be computed).
        public let result: Result?
        /// Why there is no result (the error of this group's estimate).
        public let note: String?
    }

    /// Grouping variables.
    public let by: [String]
    /// What the groups are and how they were computed.
    public let method: String
    /// The groups present in the domain, in R `svyby`'s order (first variable fastest).
    public let groups: [Group]

    /// The group called `label`.
    public func group(_ label: String) -> Group? { groups.first { $0.label == label } }

    /// One grid: the groups' tables stacked under a "Group" column; notes
    /// shared by every group once, the others prefixed by their group.
    public var textTable: TextTable {
        let tables = groups.map { $0.result?.textTable }
        let template = tables.compactMap { $0 }.first
        let headers = ["Group"] + (template?.headers ?? ["Result"])
        var rows: [[String]] = []
        var notes: [String] = [method]
        var shared: Set<String>? = nil
        for t in tables.compactMap({ $0 }) { shared = shared.map { $0.intersection(t.notes) } ?? Set(t.notes) }
        let common = shared ?? []
        for (g, t) in zip(groups, tables) {
            guard let t else {
                rows.append([g.label] + Array(repeating: "", count: headers.count - 2) + ["(no estimate)"])
                notes.append("\(g.label): \(g.note ?? "no estimate")")
                continue
            }
            for r in t.rows { rows.append([g.label] + r) }
        }
        for n in template?.notes ?? [] where common.contains(n) { notes.append(n) }
        for (g, t) in zip(groups, tables) {
            for n in t?.notes ?? [] where !common.contains(n) { notes.append("\(g.label): \(n)") }
        }
        return TextTable(title: (template?.title ?? "Results") + " by " + by.joined(separator: " × "), headers: headers,
                         alignments: [.left] + (template?.alignments ?? [.right]), rows: rows, notes: notes)
    }
}

extension SurveyDesign {
    /// Design-based quantiles in every group of `by`, as R
    /// `svyby(~variable, ~by, design, svyquantile, quantiles, qrule, ci = TRUE)`:
    /// each group's quantiles, Woodruff interval (R `svyquantile` on
    /// `subset(design, by == k)`, whose interval `svyby` reduces to its SE) and
    /// SE, with the group's own design df (R `degf` of the subset's valid rows).
    ///
    /// One pass where the method allows: the valid answers are sorted once
    /// (stable in the row order, as R's `order()`), then split by group keeping
    /// that order, so each group's sorted column is a slice of one n-long array
    /// (memory: two n-long index arrays plus the groups' cumulative weights,
    /// O(n) in all, whatever the number of groups). The proportions below each
    /// group's quantiles, F̂_g(q̂_g), come from one grouped ``RatioOfTotals`` pass
    /// per probability (variances only), as the grouped means do.
    /// - Throws: the errors of ``quantiles(_:probabilities:rule:level:domain:)``;
    ///   a group without valid answers is listed with a note, not an error,
    ///   unless no group has any.
    public func quantiles(_ variable: String, probabilities: [Double], by: [String], rule: QuantileRule = .math,
                          level: Double = 0.95, domain: Domain? = nil) throws(BarometerError) -> GroupedFits<DesignQuantiles> {
        try Self.checkQuantileArguments(probabilities, level: level)
        let v = try self.variable(variable)
        try v.requireNumeric()
        let groups = try ModelGroups(self, by: by, domain: domain)
        let G = groups.count
        let ind = try validIndicator([v], domain: domain)
        // Valid answers of the grouped rows, sorted by value once (stable), then split by group.
        var validGroup = [Int32](repeating: -1, count: rowCount)
        var idx: [Int] = []
        for i in 0..<rowCount where ind[i] != 0 && groups.rowGroup[i] >= 0 {
            validGroup[i] = groups.rowGroup[i]
            if weights.values[i] > 0 { idx.append(i) }
        }
        let values = v.values
        idx.sort { values[$0] != values[$1] ? values[$0] < values[$1] : $0 < $1 }
        var start = [Int](repeating: 0, count: G + 1)
        for i in idx { start[Int(validGroup[i]) + 1] += 1 }
        for g in 0..<G { start[g + 1] += start[g] }
        var next = start, sorted = [Int](repeating: 0, count: idx.count)
        for i in idx { let g = Int(validGroup[i]); sorted[next[g]] = i; next[g] += 1 }
        idx = []
        // Each group's curve and quantiles.
        var curves: [WeightedQuantileCurve?] = [], estimates: [[Double]] = [], notes: [String?] = []
        let minimum = rule == .hf7 ? 2 : 1
        for g in 0..<G {
            let slice = sorted[start[g]..<start[g + 1]]
            guard slice.count >= minimum else {
                curves.append(nil); estimates.append([])
                notes.append("\(slice.count) valid answers to '\(variable)' with positive weight (the \(rule.rawValue) rule needs \(minimum))")
                continue
            }
            let curve = WeightedQuantileCurve(sorted: slice, in: slice.sorted(), values: values, weights: weights.values)
            curves.append(curve); estimates.append(probabilities.map { curve.quantile($0, rule: rule) }); notes.append(nil)
        }
        // Estimable groups → engine columns; F̂_g(q̂_gj) per probability in one grouped pass each.
        var column = [Int32](repeating: -1, count: G), estimable: [Int] = []
        for g in 0..<G where curves[g] != nil { column[g] = Int32(estimable.count); estimable.append(g) }
        guard !estimable.isEmpty else {
            throw .emptyDomain("no group of \(by.joined(separator: " × ")) has valid answers to '\(variable)' with positive weight")
        }
        let k = estimable.count
        let engineGroup = validGroup.map { $0 < 0 ? Int32(-1) : column[Int($0)] }
        let df = degreesOfFreedom(groups: engineGroup, groupCount: k)
        var proportions: [[(Double, Double)]] = Array(repeating: [], count: G)
        for j in probabilities.indices {
            var below = [Double](repeating: 0, count: rowCount)
            for i in 0..<rowCount where engineGroup[i] >= 0 {
                below[i] = values[i] <= estimates[Int(validGroup[i])][j] ? 1 : 0
            }
            var engine = try RatioOfTotals(meansOf: below, groups: engineGroup, groupCount: k)
            engine.variancesOnly = true
            let r = try engine.evaluate(self)
            for (c, g) in estimable.enumerated() {
                proportions[g].append((r.estimates[c], max(r.covariance[c, c], 0).squareRoot()))
            }
        }
        let rowsBase = "; valid answers only (Don't know, Refused and system-missing excluded, rows kept in the design)"
        var out: [GroupedFits<DesignQuantiles>.Group] = []
        for g in 0..<G {
            guard let curve = curves[g] else {
                out.append(.init(categories: groups.categories[g], label: groups.labels[g], result: nil, note: notes[g]))
                continue
            }
            let dfg = df[Int(column[g])]
            let t = StudentT(degreesOfFreedom: Double(max(dfg, 1))).quantile(0.5 + level / 2)
            var qs: [DesignQuantile] = []
            for (j, p) in probabilities.enumerated() {
                let (f, se) = proportions[g][j]
                qs.append(DesignQuantile(woodruff: curve, probability: p, estimate: estimates[g][j], proportion: f,
                                         standardError: se, t: t, rule: rule))
            }
            let base = groups.domain(g, within: domain).description + rowsBase
            out.append(.init(categories: groups.categories[g], label: groups.labels[g],
                             result: DesignQuantiles(variable: variable, label: v.label, rule: rule, quantiles: qs, level: level,
                                                     degreesOfFreedom: dfg, count: curve.x.count, weightedCount: curve.total,
                                                     base: base, variance: varianceDescription, weight: weights.name),
                             note: nil))
        }
        return GroupedFits(by: by, method: "Quantiles in each group (R svyby(…, svyquantile)): each group's sorted valid answers, Woodruff intervals with the group's design df (R svyquantile on subset(design, group)).",
                              groups: out)
    }

    /// A design-based GLM in every group of `by`, as R
    /// `svyglm(formula, design = subset(design, g == k))` for each group k:
    /// every group is a domain of the full design (rows kept, so variances and
    /// df are those of the domain). One IRLS fit per group (the fits are
    /// iterative, so not one pass); a group that cannot be fitted (too few
    /// rows, separation, rank deficiency) carries the error as its note.
    /// - Throws: formula and grouping errors, and the first group's error when
    ///   no group can be fitted.
    public func glm(_ formula: ModelFormula, options: GLMOptions = GLMOptions(), by: [String],
                    domain: Domain? = nil) throws(BarometerError) -> GroupedFits<GLMResult> {
        let groups = try ModelGroups(self, by: by, domain: domain)
        return try Self.perGroup(groups, method: "One design-based GLM per group (R svyglm(…, design = subset(design, group))), each group a domain of the full design.") {
            (d: Domain) throws(BarometerError) -> GLMResult in try self.glm(formula, options: options, domain: d)
        } within: { g in groups.domain(g, within: domain) }
    }

    /// A proportional-odds model in every group of `by` (R `svyolr(formula,
    /// subset(design, g == k))`), each group a domain of the full design.
    public func olr(_ formula: ModelFormula, link: OrdinalLink = .logistic, level: Double = 0.95, by: [String],
                    domain: Domain? = nil) throws(BarometerError) -> GroupedFits<OLRResult> {
        let groups = try ModelGroups(self, by: by, domain: domain)
        return try Self.perGroup(groups, method: "One design-based proportional-odds model per group (R svyolr(…, subset(design, group))), each group a domain of the full design.") {
            (d: Domain) throws(BarometerError) -> OLRResult in try self.olr(formula, link: link, level: level, domain: d)
        } within: { g in groups.domain(g, within: domain) }
    }

    private static func perGroup<R>(_ groups: ModelGroups, method: String,
                                    _ fit: (Domain) throws(BarometerError) -> R,
                                    within: (Int) -> Domain) throws(BarometerError) -> GroupedFits<R> {
        var out: [GroupedFits<R>.Group] = []
        var firstError: BarometerError?
        for g in 0..<groups.count {
            do {
                out.append(.init(categories: groups.categories[g], label: groups.labels[g], result: try fit(within(g)), note: nil))
            } catch {
                firstError = firstError ?? error
                out.append(.init(categories: groups.categories[g], label: groups.labels[g], result: nil, note: error.description))
            }
        }
        if let firstError, !out.contains(where: { $0.result != nil }) { throw firstError }
        return GroupedFits(by: groups.by, method: method, groups: out)
    }
}

extension DesignQuantile {
    /// The Woodruff interval of one quantile from F̂(q̂) and its SE: the rule's
    /// quantiles at F̂ ± t·SE (an end outside [0, 1] is absent, R: NaN);
    /// SE(q̂) = width / 2t.
    init(woodruff curve: WeightedQuantileCurve, probability: Double, estimate: Double, proportion p: Double,
         standardError se: Double, t: Double, rule: QuantileRule) {
        let pl = p - t * se, pu = p + t * se
        let lo: Double? = pl < 0 || pl.isNaN ? nil : curve.quantile(pl, rule: rule)
        let hi: Double? = pu > 1 || pu.isNaN ? nil : curve.quantile(pu, rule: rule)
        var sq: Double? = nil
        if let lo, let hi { sq = (hi - lo) / (2 * t) }
        self.init(probability: probability, estimate: estimate, lower: lo, upper: hi, standardError: sq,
                  proportionBelow: p, proportionStandardError: se, proportionLower: pl, proportionUpper: pu)
    }
}
