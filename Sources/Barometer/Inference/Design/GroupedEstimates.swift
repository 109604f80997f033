/// Design-based means, totals or ratios in each group of one or more
/// grouping variables (crossed), from one grouped pass of the design-totals
/// accumulator (per group, per (stratum, PSU) or per replicate totals; the
/// streamed and merged passes use the same one) — R `svyby(~y, ~g1 + g2, design, svymean | svytotal | svyratio,
/// covmat = TRUE)` — with the full k × k design covariance of the group
/// estimates, so that differences and other linear contrasts between groups
/// get SEs that include the covariance (groups sharing PSUs are not
/// independent): R `svycontrast`.
///
/// Each group is a domain: every row stays in the design. Groups are the
/// crossed valid categories (user- and system-missing group codes are left
/// out, as R drops `NA` groups) that hold at least one respondent of the
/// domain, in category order with the first variable varying fastest (R's
/// order). A group without a valid answer with positive weight is listed
/// with no estimate and a note. Per-group CIs use t on the group's degrees
/// of freedom (R `degf(subset(design, group))`; replicate designs: the
/// design's); a group with df < 1 (e.g. all in one PSU) uses the design's
/// df and says so. Contrasts use t on the design's (or the domain's) df,
/// as R `svyttest`/`degf(design)`.
public struct GroupedEstimates: Sendable, Encodable, Equatable, TableRepresentable {
    /// One group and its estimate.
    public struct Group: Sendable, Encodable, Equatable {
        /// The group's category of each grouping variable.
        public let categories: [Category]
        /// `stype = E, awards = Yes`.
        public let label: String
        /// Respondents with non-zero weight and valid answers in the group.
        public let count: Int
        /// Their Σw.
        public let weightedCount: Double
        /// The estimate, SE, CI and df; nil for a group with no valid answer.
        public let estimate: DesignEstimate?
        /// The group's degrees of freedom (R `degf` of the group's subset).
        public let groupDegreesOfFreedom: Int
        /// Why the estimate is missing, or how its CI was formed, when unusual.
        public let note: String?
    }

    /// `mean`, `total` or `ratio`.
    public let kind: String
    /// What is estimated, e.g. `mean(api00)` or `api_stu/enroll`.
    public let estimateName: String
    /// The grouping variables.
    public let by: [String]
    /// The groups, in order.
    public let groups: [Group]
    /// Degrees of freedom for contrasts between groups: the design's, or
    /// the domain's (R `degf(subset(design, …))`).
    public let degreesOfFreedom: Int
    /// How variances were computed.
    public let variance: String
    /// The base: domain and missing-data rule.
    public let base: String
    /// The weight variable (nil: unweighted).
    public let weight: String?
    /// Confidence level.
    public let level: Double
    /// Design covariance of the estimable groups' estimates (row-major,
    /// `estimable.count²`); not encoded (use contrasts).
    let covariance: [Double]
    /// Index into ``groups`` of each estimable group, in covariance order.
    let estimable: [Int]
    /// Covariance position of each group (−1: no estimate).
    let position: [Int]
    /// Whether the off-diagonal covariances were computed (``SurveyDesign/mean(_:by:domain:level:covariance:)``
    /// with `covariance: false` gives variances only).
    public let hasCovariance: Bool

    init(kind: String, estimateName: String, by: [String], groups: [Group], degreesOfFreedom: Int, variance: String,
         base: String, weight: String?, level: Double, covariance: [Double], estimable: [Int], hasCovariance: Bool) {
        self.hasCovariance = hasCovariance
        self.kind = kind; self.estimateName = estimateName; self.by = by; self.groups = groups
        self.degreesOfFreedom = degreesOfFreedom; self.variance = variance; self.base = base; self.weight = weight
        self.level = level; self.covariance = covariance; self.estimable = estimable
        var position = [Int](repeating: -1, count: groups.count)
        for (j, g) in estimable.enumerated() { position[g] = j }
        self.position = position
    }

    enum CodingKeys: String, CodingKey {
        case kind, estimateName, by, groups, degreesOfFreedom, variance, base, weight, level
    }

    /// The design covariance of the estimates of groups `a` and `b` (indices
    /// into ``groups``); nil when either has no estimate.
    public func covariance(_ a: Int, _ b: Int) -> Double? {
        guard groups.indices.contains(a), groups.indices.contains(b), position[a] >= 0, position[b] >= 0,
              a == b || hasCovariance else { return nil }
        return covariance[position[a] * estimable.count + position[b]]
    }

    public var textTable: TextTable {
        let rows = groups.map { g -> [String] in
            let e = g.estimate
            return g.categories.map(\.label) + [String(g.count), NumberFormat.fixed(g.weightedCount, 1),
                    NumberFormat.fixed(e?.estimate, 4), NumberFormat.fixed(e?.standardError, 4),
                    NumberFormat.fixed(e?.lower, 4), NumberFormat.fixed(e?.upper, 4),
                    e.map { String($0.degreesOfFreedom) } ?? "", g.note ?? ""]
        }
        let pct = NumberFormat.fixed(level * 100, 0)
        return TextTable(title: "Design-based \(estimateName) by \(by.joined(separator: " × "))",
                         headers: by + ["n", "Weighted N", "Estimate", "SE", "\(pct)% CI low", "\(pct)% CI high", "df", "Note"],
                         alignments: by.map { _ in .left } + [.right, .right, .right, .right, .right, .right, .right, .left],
                         rows: rows,
                         notes: ["Base: \(base).", "Weight: \(weight ?? "none (unweighted)").", "Variance: \(variance).",
                                 "CI: estimate ± t(df)·SE with each group's df (R degf of the group's subset design)."])
    }
}

/// A linear contrast Σ c_g θ_g of group estimates (R `svycontrast`): the
/// estimate, its SE √(cᵀVc) from the full design covariance V of the group
/// estimates, t = estimate/SE on the design's df, the two-sided p-value and
/// the CI estimate ± t_{df, 1−α/2}·SE.
public struct GroupContrast: Sendable, Encodable, Equatable {
    /// `Kazakh − Russian`, or the weights written out.
    public let label: String
    /// One group's weight in the contrast.
    public struct Term: Sendable, Encodable, Equatable {
        /// Index into ``GroupedEstimates/groups``.
        public let group: Int
        /// The contrast coefficient c_g of that group.
        public let weight: Double
    }
    /// The groups with a non-zero weight (all others weigh 0).
    public let terms: [Term]
    /// The contrast Σ c_g θ̂_g.
    public let estimate: Double
    /// Its design standard error √(cᵀVc).
    public let standardError: Double
    /// t statistic; nil when the SE is 0.
    public let statistic: Double?
    /// Degrees of freedom of the t statistic and interval (the design's, or the domain's).
    public let degreesOfFreedom: Int
    /// Two-sided p-value; nil when the SE is 0.
    public let pValue: Double?
    /// The p-value after the family's multiplicity adjustment, when one was asked for.
    public var adjustedPValue: Double?
    /// Lower end of the interval estimate − t_{df, 1−α/2}·SE.
    public let lower: Double
    /// Upper end of the interval estimate + t_{df, 1−α/2}·SE.
    public let upper: Double
    /// Confidence level of the interval.
    public let level: Double
}

/// All pairwise differences of a grouped estimate, with their adjustment.
public struct GroupDifferences: Sendable, Encodable, Equatable, TableRepresentable {
    /// What is estimated, e.g. `mean(api00)`.
    public let estimateName: String
    /// Every pair of estimable groups, one contrast each (g − h for g before h).
    public let contrasts: [GroupContrast]
    /// Multiplicity adjustment over the family of pairs (R `p.adjust`).
    public let adjustment: PValueAdjustment
    /// Pairs left out because a group has no estimate.
    public let skipped: [String]

    public var textTable: TextTable {
        let rows = contrasts.map { c in
            [c.label, NumberFormat.fixed(c.estimate, 4), NumberFormat.fixed(c.standardError, 4),
             NumberFormat.fixed(c.statistic, 3), String(c.degreesOfFreedom), Self.formatP(c.pValue)]
                + (adjustment == .none ? [] : [Self.formatP(c.adjustedPValue)])
                + [NumberFormat.fixed(c.lower, 4), NumberFormat.fixed(c.upper, 4)]
        }
        let pct = contrasts.first.map { NumberFormat.fixed($0.level * 100, 0) } ?? "95"
        var notes = ["SE from the full design covariance of the group estimates (R svyby(covmat = TRUE) + svycontrast); t on the design's df."]
        if adjustment != .none { notes.append("p adjusted over the \(contrasts.count) pairs: \(adjustment.rawValue) (R p.adjust).") }
        if !skipped.isEmpty { notes.append("Not compared (a group has no estimate): \(skipped.joined(separator: "; ")).") }
        return TextTable(title: "Differences between groups: \(estimateName)",
                         headers: ["Difference", "Estimate", "SE", "t", "df", "p"] + (adjustment == .none ? [] : ["p adj."])
                            + ["\(pct)% CI low", "\(pct)% CI high"],
                         rows: rows, notes: notes)
    }

    /// A p-value as printed: four decimals, `<0.0001` below that, empty for nil.
    public static func formatP(_ p: Double?) -> String {
        guard let p else { return "" }
        return p < 0.0001 ? "<0.0001" : NumberFormat.fixed(p, 4)
    }
}

extension GroupedEstimates {
    /// The contrast Σ weights[g]·θ_g (R `svycontrast(svyby(…, covmat = TRUE), weights)`).
    /// - Throws: ``BarometerError/invalidArgument(_:)`` when the weights do not
    ///   match the groups; ``BarometerError/emptyDomain(_:)`` naming a group
    ///   with a non-zero weight and no estimate;
    ///   ``BarometerError/insufficientData(_:)`` when the design has no degrees of freedom.
    public func contrast(_ weights: [Double], label: String? = nil) throws(BarometerError) -> GroupContrast {
        guard weights.count == groups.count else {
            throw .invalidArgument("\(weights.count) contrast weights for \(groups.count) groups")
        }
        guard weights.allSatisfy(\.isFinite) else { throw .invalidArgument("contrast weights must be finite") }
        // only the groups with a non-zero weight enter: O(m²) for m of them, not O(k²)
        var terms: [GroupContrast.Term] = []
        for (g, w) in weights.enumerated() where w != 0 { terms.append(.init(group: g, weight: w)) }
        let text = label ?? terms.map { "\(NumberFormat.fixed($0.weight, 3))·[\(groups[$0.group].label)]" }.joined(separator: " + ")
        return try contrast(terms, label: text)
    }

    private func contrast(_ terms: [GroupContrast.Term], label: String) throws(BarometerError) -> GroupContrast {
        guard hasCovariance else {
            throw .invalidArgument("the group estimates were computed without their covariance (covariance: false); contrasts need it")
        }
        var used: [(position: Int, weight: Double, estimate: Double)] = []
        for t in terms {
            guard position[t.group] >= 0, let e = groups[t.group].estimate else {
                throw .emptyDomain("group \(groups[t.group].label) has no estimate (\(groups[t.group].note ?? "no valid answers")) and cannot enter a contrast")
            }
            used.append((position[t.group], t.weight, e.estimate))
        }
        guard degreesOfFreedom >= 1 else {
            throw .insufficientData("the design has \(degreesOfFreedom) degrees of freedom; no t test or interval")
        }
        var est = 0.0, v = 0.0
        let k = estimable.count
        for a in used {
            est += a.weight * a.estimate
            for b in used { v += a.weight * covariance[a.position * k + b.position] * b.weight }
        }
        let se = max(v, 0).squareRoot()
        let dist = StudentT(degreesOfFreedom: Double(degreesOfFreedom))
        let q = dist.quantile(0.5 + level / 2)
        let t: Double? = se > 0 ? est / se : nil
        return GroupContrast(label: label, terms: terms, estimate: est, standardError: se, statistic: t,
                             degreesOfFreedom: degreesOfFreedom, pValue: t.map { dist.twoSidedP($0) },
                             adjustedPValue: nil, lower: est - q * se, upper: est + q * se, level: level)
    }

    /// Every difference θ_a − θ_b (a before b), with p-values adjusted over
    /// the family of pairs by `adjustment` (R `p.adjust`: Holm, Bonferroni, BH).
    /// Pairs with a group that has no estimate are listed in ``GroupDifferences/skipped``.
    public func pairwiseDifferences(adjustment: PValueAdjustment = .none) throws(BarometerError) -> GroupDifferences {
        var out: [GroupContrast] = [], skipped: [String] = []
        for a in groups.indices { for b in groups.indices where b > a {
            let label = "\(groups[a].label) − \(groups[b].label)"
            guard groups[a].estimate != nil, groups[b].estimate != nil else { skipped.append(label); continue }
            out.append(try contrast([.init(group: a, weight: 1), .init(group: b, weight: -1)], label: label))
        } }
        if adjustment != .none {
            let adjusted = adjustment.adjust(out.map { $0.pValue ?? .nan })
            for i in out.indices where !adjusted[i].isNaN { out[i].adjustedPValue = adjusted[i] }
        }
        return GroupDifferences(estimateName: estimateName, contrasts: out, adjustment: adjustment, skipped: skipped)
    }
}

extension SurveyDesign {
    /// Design-based means of `variable` in every group of `by` (crossed):
    /// R `svyby(~variable, ~by1 + by2, design, svymean, covmat = TRUE)`.
    /// - Throws: ``BarometerError/emptyDomain(_:)`` when no group has a valid
    ///   answer; lookup and type errors.
    public func mean(_ variable: String, by: [String], domain: Domain? = nil,
                     level: Double = 0.95, covariance: Bool = true) throws(BarometerError) -> GroupedEstimates {
        try grouped(kind: "mean", y: variable, x: nil, by: by, domain: domain, level: level, covariance: covariance)
    }

    /// Design-based totals in every group (R `svyby(…, svytotal)`).
    public func total(_ variable: String, by: [String], domain: Domain? = nil,
                      level: Double = 0.95, covariance: Bool = true) throws(BarometerError) -> GroupedEstimates {
        try grouped(kind: "total", y: variable, x: nil, by: by, domain: domain, level: level, covariance: covariance)
    }

    /// Design-based ratios of totals in every group (R `svyby(~y, ~g, design,
    /// svyratio, denominator = ~x)`), over rows valid on both.
    public func ratio(numerator: String, denominator: String, by: [String], domain: Domain? = nil,
                      level: Double = 0.95, covariance: Bool = true) throws(BarometerError) -> GroupedEstimates {
        try grouped(kind: "ratio", y: numerator, x: denominator, by: by, domain: domain, level: level, covariance: covariance)
    }

    /// Shares of `variable ∈ codes` in every group of `by`, as the
    /// ``ShareTable`` rows with `denominator` (valid answers to the variable, or
    /// everyone in the group) — the group means of the 0/1 answer, R
    /// `svyby(~I(y %in% codes), ~by, subset(design, valid), svymean, covmat = TRUE)`
    /// — so that differences between groups can be tested with
    /// ``GroupedEstimates/pairwiseDifferences(adjustment:)``.
    public func share(of variable: String, in codes: Set<Double>, by: [String], domain: Domain? = nil,
                      denominator: ConditionalShare.Denominator = .validAnswers,
                      level: Double = 0.95, covariance: Bool = true) throws(BarometerError) -> GroupedEstimates {
        let byVariables = try by.map { (n: String) throws(BarometerError) -> Variable in try self.variable(n) }
        return try share(of: variable, in: codes, byVariables: byVariables, domain: domain, denominator: denominator,
                         level: level, covariance: covariance)
    }

    /// ``share(of:in:by:domain:denominator:level:covariance:)`` grouped by
    /// variables that need not be in the data (one value per row, e.g. the
    /// two groups of a claim: 1, 2, system-missing elsewhere).
    /// - Throws: ``BarometerError/lengthMismatch(variable:expected:actual:)``
    ///   for a grouping variable of another length, and the errors of the
    ///   named form.
    public func share(of variable: String, in codes: Set<Double>, byVariables: [Variable], domain: Domain? = nil,
                      denominator: ConditionalShare.Denominator = .validAnswers, level: Double = 0.95,
                      covariance: Bool = true) throws(BarometerError) -> GroupedEstimates {
        let y = try self.variable(variable)
        try y.requireNumeric()
        guard !codes.isEmpty else { throw .invalidArgument("empty code set for \(variable)") }
        let answer = y.values.map { v -> Double in
            if denominator == .validAnswers && y.status(of: v) != .valid { return .nan }
            return codes.contains(v) ? 1 : 0
        }
        let list = codes.sorted().map(Variable.formatCode).joined(separator: ",")
        let indicator = Variable(name: "\(variable) in {\(list)}", values: answer)
        return try grouped(kind: "proportion", yv: indicator, x: nil, byVariables: byVariables, domain: domain, level: level,
                           covariance: covariance)
    }

    private func grouped(kind: String, y: String, x: String?, by: [String], domain: Domain?,
                         level: Double, covariance: Bool) throws(BarometerError) -> GroupedEstimates {
        let yv = try variable(y)
        try yv.requireNumeric()
        let byVariables = try by.map { (n: String) throws(BarometerError) -> Variable in try variable(n) }
        return try grouped(kind: kind, yv: yv, x: x, byVariables: byVariables, domain: domain, level: level, covariance: covariance)
    }

    private func grouped(kind: String, yv: Variable, x: String?, byVariables: [Variable], domain: Domain?,
                         level: Double, covariance wantCovariance: Bool) throws(BarometerError) -> GroupedEstimates {
        let by = byVariables.map(\.name)
        guard !by.isEmpty else { throw .invalidArgument("no grouping variable given") }
        guard level > 0, level < 1 else { throw .invalidArgument("confidence level \(level) outside (0, 1)") }
        guard Set(by).count == by.count else { throw .invalidArgument("a grouping variable is listed twice") }
        for v in byVariables where v.count != rowCount {
            throw .lengthMismatch(variable: v.name, expected: rowCount, actual: v.count)
        }
        let y = yv.name
        let xv: Variable? = try x.map { (name: String) throws(BarometerError) -> Variable in
            let v = try variable(name); try v.requireNumeric(); return v
        }
        if let d = domain, d.mask.count != rowCount {
            throw .lengthMismatch(variable: "domain \(d.description)", expected: rowCount, actual: d.mask.count)
        }
        let codings = byVariables.map { CategoryCoding($0, missing: .excludeMissing) }
        let combinations = codings.reduce(1.0) { $0 * Double(max($1.count, 1)) }
        if (sampling.calibration == nil || replicates != nil) && groupedStateFits(groups: Int(min(combinations, 1e9))) {
            // The one accumulator of grouped estimates (the streamed and merged passes use it too).
            let acc = try groupedAccumulator(kind: kind, y: yv, x: xv, by: byVariables, domain: domain, shard: false,
                                             codings: codings)
            return try acc.finalize(.init(y: y, x: x, by: byVariables, domain: domain?.description, level: level,
                                          variance: varianceDescription, weight: weights.name, covariance: wantCovariance))
        }
        // Calibrated weights (linearization): the calibration residuals of the influence values need the rows.
        // So many groups that the accumulator's dense state would be too large: the sparse grouped row kernel.
        let cells = try CategoryCoding.combinedIndex(codings)
        let cellCount = CategoryCoding.cellCount(codings)
        let n = rowCount, w = weights.values
        // One pass: which cells hold a respondent of the domain, and each valid row's cell.
        var present = [Bool](repeating: false, count: cellCount)
        var validCell = [Int32](repeating: -1, count: n)
        var count = [Int](repeating: 0, count: cellCount)
        var sumW = [Double](repeating: 0, count: cellCount), sumWX = [Double](repeating: 0, count: cellCount)
        for i in 0..<n {
            let c = Int(cells[i])
            guard c >= 0, domain?.mask[i] ?? true else { continue }
            present[c] = true
            guard yv.status(of: yv.values[i]) == .valid, xv.map({ $0.status(of: $0.values[i]) == .valid }) ?? true else { continue }
            validCell[i] = Int32(c)
            if w[i] != 0 { count[c] += 1; sumW[c] += w[i]; sumWX[c] += w[i] * (xv?.values[i] ?? 1) }
        }
        // Listed groups (present cells) and the estimable ones among them.
        var listed: [Int] = [], column = [Int32](repeating: -1, count: cellCount), estimable: [Int] = []
        var notes: [Int: String] = [:]
        for c in 0..<cellCount where present[c] {
            let g = listed.count
            listed.append(c)
            if count[c] == 0 || sumW[c] <= 0 {
                notes[g] = "no valid answer to \(x.map { "\(y) and \($0)" } ?? y) with positive weight"
            } else if kind == "ratio" && sumWX[c] == 0 {
                notes[g] = "the denominator \(x ?? "") has zero weighted total"
            } else {
                column[c] = Int32(estimable.count); estimable.append(g)
            }
        }
        func categories(_ c: Int) -> [Category] {
            var rest = c
            return codings.map { coding in defer { rest /= coding.count }; return coding.categories[rest % coding.count] }
        }
        guard !estimable.isEmpty else {
            throw .emptyDomain("no group of \(by.joined(separator: " × ")) has a valid answer to \(y) with positive weight"
                               + (domain.map { " in \($0.description)" } ?? ""))
        }
        let k = estimable.count
        let groupOf = validCell.map { $0 < 0 ? Int32(-1) : column[Int($0)] }
        var engine: RatioOfTotals
        switch kind {
        case "mean", "proportion": engine = try RatioOfTotals(meansOf: yv.values, groups: groupOf, groupCount: k)
        case "total": engine = try RatioOfTotals(numerator: yv.values, groups: groupOf, groupCount: k)
        default: engine = try RatioOfTotals(numerator: yv.values, denominator: xv?.values, groups: groupOf, groupCount: k)
        }
        engine.variancesOnly = !wantCovariance
        let result = try engine.evaluate(self)
        let groupDF = degreesOfFreedom(groups: groupOf, groupCount: k)
        let srs: [(Double, Double)?] = kind == "ratio" ? [(Double, Double)?](repeating: nil, count: k)
            : srsVariances(yv.values, groups: groupOf, groupCount: k, total: kind == "total")
        let contrastDF = degreesOfFreedom(in: domain)
        let listedGroups = listed.enumerated().map { g, c in
            GroupedEstimates.Listed(categories: categories(c), count: count[c], weightedCount: sumW[c],
                                    column: Int(column[c]), note: notes[g])
        }
        return GroupedEstimates.assemble(kind: kind, y: y, x: x, by: by, listed: listedGroups, estimable: estimable,
                                         result: result, groupDF: groupDF, srs: srs, contrastDF: contrastDF, level: level,
                                         variance: varianceDescription, domain: domain?.description, weight: weights.name,
                                         hasCovariance: wantCovariance || replicates != nil)
    }
}

extension GroupedEstimates {
    /// A listed group (one with respondents of the domain) before assembly.
    struct Listed {
        let categories: [Category]
        /// Respondents with valid answers and non-zero weight, and their Σw.
        let count: Int, weightedCount: Double
        /// Its estimate's position in `result` (−1: no estimate).
        let column: Int
        /// Why it has no estimate.
        let note: String?
    }

    /// The grouped result from the groups' estimates and covariance, each group's
    /// df and SRS variances: the one assembly of the in-memory grouped pass and of
    /// merged grouped states (``GroupedTotalsAccumulator``).
    static func assemble(kind: String, y: String, x: String?, by: [String], listed: [Listed], estimable: [Int],
                         result: RatioOfTotals.Result, groupDF: [Int], srs: [(Double, Double)?], contrastDF: Int,
                         level: Double, variance: String, domain: String?, weight: String?,
                         hasCovariance: Bool) -> GroupedEstimates {
        let k = estimable.count
        func label(_ cats: [Category]) -> String {
            zip(by, cats).map { "\($0) = \($1.label)" }.joined(separator: ", ")
        }
        let name = kind == "ratio" ? "\(y)/\(x ?? "")" : (kind == "proportion" ? "share of \(y)" : "\(kind)(\(y))")
        var groups: [GroupedEstimates.Group] = []
        for l in listed {
            let cats = l.categories
            let j = l.column
            guard j >= 0 else {
                groups.append(.init(categories: cats, label: label(cats), count: l.count, weightedCount: l.weightedCount,
                                    estimate: nil, groupDegreesOfFreedom: 0, note: l.note))
                continue
            }
            let v = result.covariance[j, j], se = max(v, 0).squareRoot(), est = result.estimates[j]
            var df = groupDF[j], note: String? = nil
            if df < 1 {
                note = "the group has \(df) degrees of freedom (all its respondents in one PSU per stratum); CI on the design's \(contrastDF)"
                df = contrastDF
            }
            let t = StudentT(degreesOfFreedom: Double(max(df, 1))).quantile(0.5 + level / 2)
            let e = DesignEstimate(name: name, estimate: est, standardError: se, lower: est - t * se, upper: est + t * se,
                                   level: level, degreesOfFreedom: df,
                                   designEffect: srs[j].map { v / $0.0 }, designEffectReplace: srs[j].map { v / $0.1 },
                                   count: l.count, weightedCount: l.weightedCount)
            groups.append(.init(categories: cats, label: label(cats), count: l.count, weightedCount: l.weightedCount,
                                estimate: e, groupDegreesOfFreedom: groupDF[j], note: note))
        }
        var cov = [Double](repeating: 0, count: k * k)
        for a in 0..<k { for b in 0..<k { cov[a * k + b] = result.covariance[a, b] } }
        let rule = x == nil ? "valid answers to \(y)" : "rows valid on \(y) and \(x ?? "")"
        return GroupedEstimates(kind: kind, estimateName: name, by: by, groups: groups, degreesOfFreedom: contrastDF,
                                variance: variance,
                                base: (domain ?? "all respondents")
                                    + "; \(rule) (Don't know, Refused and system-missing excluded, rows kept in the design); groups: valid categories",
                                weight: weight, level: level, covariance: cov, estimable: estimable,
                                hasCovariance: hasCovariance)
    }
}
