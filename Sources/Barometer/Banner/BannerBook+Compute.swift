extension BannerBook {
    /// The columns of one banner variable: its coding and the categories each column takes.
    struct BannerGroup {
        /// Indices into the book's columns.
        let columns: [Int]
        /// The banner variable coded over its valid answers.
        let coding: CategoryCoding
        /// Per local column, the coding's category indices it takes (one, or a net's).
        let categories: [[Int]]
        /// Whether the group has nets (columns may overlap).
        let hasNets: Bool
        /// Whether two columns (local indices) share no code.
        let disjoint: [[Bool]]

        /// Column (0..<columns.count) of each row when the columns are disjoint, −1 for none.
        var index: [Int32]? { hasNets ? nil : coding.index }

        /// Membership of each row in each local column.
        var members: [[Bool]] {
            categories.map { cats in
                var take = [Bool](repeating: false, count: coding.count)
                for c in cats { take[c] = true }
                return coding.index.map { $0 >= 0 && take[Int($0)] }
            }
        }
    }

    /// How a banner book is computed.
    enum Engine: Sendable {
        /// The banner accumulator (one pass over the rows; the state `partial banner`
        /// keeps), except under calibrated weights without replicate weights and when
        /// the per-PSU state would be too large: then the grouped design engine.
        case automatic
        /// One grouped ``RatioOfTotals`` evaluation per row entry and banner
        /// variable (calibrated weights, whose variances need the calibration
        /// residuals of every row; the tests' independent second path).
        case designEngine
    }

    /// Computes the banner book of `specification` over `design`, within `domain`.
    ///
    /// `progress`, when given, is called after each stub table with the number of
    /// tables done and the total (from the calling thread; results do not depend on it).
    /// Under ``LongWork/run(progress:_:)`` each table is a step: progress is reported there too
    /// and a cancelled task stops after the table in progress
    /// (``BarometerError/cancelled(stage:completed:total:)``).
    /// - Throws: ``BarometerError/unknownVariable(_:suggestions:)``,
    ///   ``BarometerError/notNumeric(variable:)`` for a string banner or mean
    ///   variable, ``BarometerError/invalidArgument(_:)`` for a bad specification
    ///   or the SPSS test on a mean, ``BarometerError/emptyDomain(_:)`` when no
    ///   respondent is in a table's base, and the design's variance errors.
    public init(_ design: SurveyDesign, specification: BannerSpecification, domain: Domain? = nil,
                progress: ((_ done: Int, _ total: Int) -> Void)? = nil) throws(BarometerError) {
        try self.init(design, specification: specification, domain: domain, engine: .automatic, workers: nil, progress: progress)
    }

    /// The same with the computation path and worker count chosen (tests).
    init(_ design: SurveyDesign, specification: BannerSpecification, domain: Domain?, engine: Engine, workers: Int?,
         progress: ((_ done: Int, _ total: Int) -> Void)?) throws(BarometerError) {
        let spec = try specification.resolved()
        let n = design.rowCount
        if let d = domain, d.mask.count != n {
            throw .lengthMismatch(variable: "domain \(d.description)", expected: n, actual: d.mask.count)
        }
        let bannerVariables = try spec.banner.map { (b) throws(BarometerError) -> Variable in
            let v = try design.variable(b.variable); try v.requireNumeric(); return v
        }
        let (columns, groups) = try Self.columns(spec, variables: bannerVariables,
                                                 codings: bannerVariables.map { CategoryCoding($0, missing: .excludeMissing) })
        // Tables: the banner accumulator (replicate weights, or linearization without calibration,
        // unless its per-PSU state would be too large), the grouped design engine otherwise.
        // Same cell limit as crosstab (ContingencyTable.maximumCells), checked for every
        // categorical stub before either path allocates anything per cell.
        for stub in spec.stubs where (stub.kind ?? .categories) == .categories {
            let coding = CategoryCoding(try design.variable(stub.variable),
                                        missing: spec.base == .valid ? .excludeMissing : .showMissing)
            try Self.checkCells(stub.variable, categories: coding.categories.count, columns: columns.count)
        }
        let accumulate = engine == .automatic && (design.replicates != nil || design.sampling.calibration == nil)
        var tables: [Table]
        try LongWork.step("banner tables", completed: 0, total: spec.stubs.count)
        if accumulate, let t = try Self.accumulatedTables(design, spec: spec, domain: domain, columns: columns, groups: groups,
                                                           workers: workers, progress: progress) {
            tables = t
        } else {
            tables = []
            let members = groups.map(\.members)
            for stub in spec.stubs {
                tables.append(try Self.table(stub, spec: spec, design: design, domain: domain, columns: columns, groups: groups,
                                             members: members))
                progress?(tables.count, spec.stubs.count)
                try LongWork.step("banner tables", completed: tables.count, total: spec.stubs.count)
            }
        }
        self.columns = columns
        self.tables = tables
        self.test = spec.test
        self.levels = spec.levels
        self.adjust = spec.adjust
        self.weight = design.weights.name
        self.variance = design.varianceDescription
        self.domain = domain?.description ?? "all respondents"
    }

    /// The book of a merged ``BannerAccumulator`` state (`barometer merge` of
    /// `partial banner` states): the columns from the banner variables'
    /// categories over all shards, each table from the merged sums, as
    /// ``init(_:specification:domain:progress:)`` computes them on the whole
    /// data. `variables` give the stub, member and banner variables' metadata
    /// (labels, value labels, missing codes); `weight`, `variance` and `domain`
    /// describe the design and the `--where` domain as the shards recorded them.
    init(accumulated acc: BannerAccumulator, specification: BannerSpecification, variables: [Variable], weight: String?,
         variance: String, domain: String?) throws(BarometerError) {
        let spec = try specification.resolved()
        let byName = Dictionary(variables.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let lookup: VariableLookup = { (name) throws(BarometerError) in
            guard let v = byName[name] else { throw .unknownVariable(name, suggestions: []) }
            return v
        }
        let bannerVariables = try spec.banner.map { (b) throws(BarometerError) in try lookup(b.variable) }
        guard acc.bannerCategories.count == spec.banner.count + 1 else {
            throw .invalidArgument("banner state of \(acc.bannerCategories.count - 1) banner variables for \(spec.banner.count)")
        }
        let codings = acc.bannerCategories.dropFirst().map {
            CategoryCoding(categories: $0.sorted { CategoryKey($0) < CategoryKey($1) }, index: [])
        }
        let (columns, groups) = try Self.columns(spec, variables: bannerVariables, codings: codings)
        for (s, id) in acc.stubIDs.enumerated() {
            if case .question(let name) = id { try Self.checkCells(name, categories: acc.stubCategories[s].count, columns: columns.count) }
        }
        let d = domain.map { Domain(mask: [], description: $0) }   // described, not applied
        self.columns = columns
        self.tables = try Self.tables(acc, stubs: spec.stubs, spec: spec, domain: d, columns: columns, groups: groups,
                                      variable: lookup, done: 0, progress: nil)
        self.test = spec.test
        self.levels = spec.levels
        self.adjust = spec.adjust
        self.weight = weight
        self.variance = variance
        self.domain = domain ?? "all respondents"
    }

    /// Total, then each banner variable's valid categories (`codings`, in table order) and nets,
    /// lettered across the banner; the nets' codes are checked against `variables`' missing codes.
    static func columns(_ spec: BannerSpecification.Resolved, variables: [Variable],
                        codings: [CategoryCoding]) throws(BarometerError) -> ([Column], [BannerGroup]) {
        try checkNets(spec, variables: variables)
        var columns: [Column] = []
        if spec.total { columns.append(Column(variable: nil, label: "Total", codes: [], letter: "", group: nil)) }
        var groups: [BannerGroup] = []
        for (g, b) in spec.banner.enumerated() {
            let coding = codings[g]
            var local: [Column] = []
            for c in coding.categories { if let code = c.code {
                local.append(Column(variable: b.variable, label: c.label, codes: [code], letter: "", group: g))
            } }
            for net in b.nets ?? [] {
                local.append(Column(variable: b.variable, label: net.label, codes: net.codes.sorted(), letter: "", group: g))
            }
            guard !local.isEmpty else { throw .emptyDomain("banner variable '\(b.variable)' has no valid answers") }
            let first = columns.count
            for c in local {
                let k = columns.count - (spec.total ? 1 : 0)
                columns.append(Column(variable: c.variable, label: c.label, codes: c.codes, letter: ColumnLetters.name(k), group: g))
            }
            let sets = local.map { Set($0.codes) }
            let categories = sets.map { set in coding.categories.indices.filter { coding.categories[$0].code.map(set.contains) ?? false } }
            let disjoint = sets.map { a in sets.map { a.isDisjoint(with: $0) } }
            groups.append(BannerGroup(columns: Array(first..<columns.count), coding: coding, categories: categories,
                                      hasNets: !(b.nets ?? []).isEmpty, disjoint: disjoint))
        }
        return (columns, groups)
    }

    /// A banner net may not name a user-missing code of its variable.
    static func checkNets(_ spec: BannerSpecification.Resolved, variables: [Variable]) throws(BarometerError) {
        for (b, v) in zip(spec.banner, variables) { for net in b.nets ?? [] { for c in net.codes where v.missing.contains(c) {
            throw .invalidArgument("net '\(net.label)' of banner variable '\(b.variable)' names the user-missing code \(Variable.formatCode(c))")
        } } }
    }

    /// Crosstab's cell limit (``ContingencyTable/maximumCells``) for one categorical stub's table.
    static func checkCells(_ variable: String, categories: Int, columns: Int) throws(BarometerError) {
        let (cells, overflow) = categories.multipliedReportingOverflow(by: max(columns, 1))
        if overflow || cells > ContingencyTable.maximumCells {
            throw .sizeLimitExceeded(what: "the cells of the banner table of '\(variable)' (\(categories) categories) × \(columns) columns (recode into fewer categories)",
                                     size: overflow ? Int.max : cells, limit: ContingencyTable.maximumCells)
        }
    }

    /// A multiple-response code's row label: the first member's value label for it, else the code.
    static func multipleResponseLabel(_ code: Double, members: [Variable]) -> String {
        members.lazy.compactMap { $0.valueLabels[code] }.first ?? Variable.formatCode(code)
    }

    // MARK: - One table

    /// A multiple-response stub's member variables (numeric) and the valid
    /// codes any of them uses, each with the first label found for it.
    static func multipleResponseCodes(_ stub: BannerSpecification.Stub, design: SurveyDesign)
        throws(BarometerError) -> (members: [Variable], codes: Set<Double>, labels: [Double: String]) {
        let members = try (stub.variables ?? []).map { (name) throws(BarometerError) -> Variable in
            let v = try design.variable(name); try v.requireNumeric(); return v
        }
        var codes = Set<Double>()
        for v in members {
            for c in CategoryCoding(v, missing: .excludeMissing).categories { if let code = c.code { codes.insert(code) } }
        }
        // Labels from the metadata alone (the same on every shard of the data).
        return (members, codes, Dictionary(uniqueKeysWithValues: codes.map { ($0, multipleResponseLabel($0, members: members)) }))
    }

    private static func table(_ stub: BannerSpecification.Stub, spec: BannerSpecification.Resolved, design: SurveyDesign,
                              domain: Domain?, columns: [Column], groups: [BannerGroup], members: [[[Bool]]]) throws(BarometerError) -> Table {
        let n = design.rowCount
        let kind = stub.kind ?? .categories
        if kind == .multipleResponse {
            return try multipleResponseTable(stub, spec: spec, design: design, domain: domain, columns: columns, groups: groups,
                                             members: members)
        }
        let v = try design.variable(stub.variable)
        if kind == .mean {
            try v.requireNumeric()
            if spec.test == .spss {
                throw .invalidArgument("the SPSS-style column test compares proportions; the mean of '\(stub.variable)' takes the design test")
            }
        }
        // Base rows: in the domain, and (valid base, or a mean) with a valid answer.
        let validOnly = spec.base == .valid || kind == .mean
        var base = [Bool](repeating: false, count: n)
        for i in 0..<n where domain?.mask[i] ?? true {
            base[i] = !validOnly || v.status(atRow: i) == .valid
        }
        // Row entries: (label, kind, indicator or values).
        var entries: [(String, Row.Kind, [Double])] = []
        switch kind {
        case .mean:
            entries.append(("Mean", .mean, v.values.enumerated().map { base[$0.offset] ? $0.element : 0 }))
        case .categories, .multipleResponse:
            let coding = CategoryCoding(v, missing: validOnly ? .excludeMissing : .showMissing)
            for (k, cat) in coding.categories.enumerated() {
                let y = coding.index.map { $0 == Int32(k) ? 1.0 : 0.0 }
                entries.append((cat.label, cat.status == .valid ? .category : .missing, y))
            }
            for net in stub.nets ?? [] {
                let set = Set(net.codes)
                let y = (0..<n).map { i -> Double in set.contains(v.values[i]) && v.status(atRow: i) == .valid ? 1 : 0 }
                entries.append((net.label, .net, y))
            }
        }
        let rule = validOnly ? "valid answers to \(stub.variable) (Don't know, Refused and system-missing excluded)"
                             : "all respondents (Don't know, Refused and system-missing shown, not tested)"
        return try table(stub.variable, title: v.label ?? v.name, entries: entries, base: base, rule: rule,
                         scale: kind == .mean ? 1 : 100, spec: spec, design: design, domain: domain, columns: columns, groups: groups,
                         members: members)
    }

    /// A multiple-response stub: per valid code of the set, the share of cases
    /// (respondents in the column with at least one valid answer in the set, or
    /// everyone under the `all` base) who named it in any member column.
    private static func multipleResponseTable(_ stub: BannerSpecification.Stub, spec: BannerSpecification.Resolved,
                                              design: SurveyDesign, domain: Domain?, columns: [Column],
                                              groups: [BannerGroup], members columnMembers: [[[Bool]]]) throws(BarometerError) -> Table {
        let n = design.rowCount
        let (members, codes, labels) = try multipleResponseCodes(stub, design: design)
        var base = [Bool](repeating: false, count: n)
        for i in 0..<n where domain?.mask[i] ?? true {
            base[i] = spec.base == .all || members.contains { $0.status(atRow: i) == .valid }
        }
        var entries: [(String, Row.Kind, [Double])] = codes.sorted().map { code in
            let y = (0..<n).map { i -> Double in members.contains { $0.values[i] == code && $0.status(atRow: i) == .valid } ? 1 : 0 }
            return (labels[code] ?? Variable.formatCode(code), .category, y)
        }
        for net in stub.nets ?? [] {
            let set = Set(net.codes)
            let y = (0..<n).map { i -> Double in members.contains { set.contains($0.values[i]) && $0.status(atRow: i) == .valid } ? 1 : 0 }
            entries.append((net.label, .net, y))
        }
        let rule = spec.base == .valid
            ? "cases: respondents with at least one valid answer in \(stub.variables?.joined(separator: ", ") ?? "")"
            : "all respondents"
        return try table(stub.variable, title: members.first?.label ?? stub.variable, entries: entries, base: base,
                         rule: rule + "; percentages of cases (a respondent may name several codes)", scale: 100,
                         spec: spec, design: design, domain: domain, columns: columns, groups: groups, members: columnMembers)
    }

    /// The table of `entries` (label, kind, per-row indicator or value) over
    /// the `base` rows, through the grouped design engine.
    private static func table(_ variable: String, title: String, entries: [(String, Row.Kind, [Double])], base: [Bool],
                              rule: String, scale: Double, spec: BannerSpecification.Resolved, design: SurveyDesign,
                              domain: Domain?, columns: [Column], groups: [BannerGroup],
                              members: [[[Bool]]]) throws(BarometerError) -> Table {
        let n = design.rowCount, w = design.weights.values
        let df = Double(design.degreesOfFreedom(in: Domain(mask: base, description: "base")))
        // Bases per column.
        var bases: [Bases] = []
        for (c, col) in columns.enumerated() {
            var count = 0, sw = 0.0, sw2 = 0.0
            let member = Self.membership(c, col, groups, members)
            for i in 0..<n where base[i] && member(i) { count += 1; sw += w[i]; sw2 += w[i] * w[i] }
            bases.append(Bases(unweighted: count, weighted: sw, effective: sw2 > 0 ? sw * sw / sw2 : 0))
        }
        return try assemble(variable, title: title, entries: entries.map { ($0.0, $0.1) }, bases: bases, df: df, rule: rule,
                            scale: scale, spec: spec, domain: domain, columns: columns, groups: groups) { (r, g) throws(BarometerError) in
            let y = entries[r].2
            guard let g else {
                return try Self.domainEstimates(design, y: y, groupOf: { base[$0] ? 0 : -1 }, k: 1, bases: [bases[0]])
            }
            let group = groups[g]
            let groupBases = group.columns.map { bases[$0] }
            if let index = group.index {
                return try Self.domainEstimates(design, y: y, groupOf: { base[$0] ? index[$0] : -1 }, k: group.columns.count,
                                                bases: groupBases)
            }
            return try Self.overlappingEstimates(design, y: y, base: base, members: members[g], bases: groupBases)
        }
    }

    /// The table from its bases and, per row entry and banner variable (nil:
    /// Total), the columns' estimates and design covariance: cells, tests,
    /// multiplicity adjustment and letters.
    static func assemble(_ variable: String, title: String, entries: [(String, Row.Kind)], bases: [Bases], df: Double,
                         rule: String, scale: Double, spec: BannerSpecification.Resolved, domain: Domain?,
                         columns: [Column], groups: [BannerGroup],
                         estimates: (_ entry: Int, _ group: Int?) throws(BarometerError) -> ([Double?], Matrix?))
        throws(BarometerError) -> Table {
        guard bases.contains(where: { $0.weighted > 0 }) else {
            throw .emptyDomain("no respondent with positive weight in the base of '\(variable)'")
        }
        var rows: [Row] = []
        var comparisons: [Comparison] = []
        for (r, entry) in entries.enumerated() {
            var value = [Double?](repeating: nil, count: columns.count)
            var se = [Double?](repeating: nil, count: columns.count)
            // Total.
            if spec.total {
                let (est, cov) = try estimates(r, nil)
                value[0] = est[0].map { $0 * scale }
                se[0] = cov.map { (max($0[0, 0], 0)).squareRoot() * scale }
            }
            var letters = [String](repeating: "", count: columns.count)
            for (g, group) in groups.enumerated() {
                let k = group.columns.count
                let groupBases = group.columns.map { bases[$0] }
                let (est, cov) = try estimates(r, g)
                for (j, c) in group.columns.enumerated() {
                    value[c] = est[j].map { $0 * scale }
                    se[c] = cov.flatMap { m in est[j].map { _ in max(m[j, j], 0).squareRoot() * scale } }
                }
                guard spec.test != .none, entry.1 != .missing else { continue }
                // Every pair of the group.
                var family: [Comparison] = []
                for a in 0..<k { for b in (a + 1)..<k {
                    family.append(Self.compare(a, b, group: group, est: est, cov: cov, bases: groupBases, df: df,
                                               test: spec.test, scale: scale, row: r))
                } }
                let adjusted = spec.adjust.adjust(family.map { $0.pValue ?? .nan })
                for (f, cmp) in family.enumerated() {
                    let p = adjusted[f].isNaN ? nil : adjusted[f]
                    let full = Comparison(row: cmp.row, columnA: cmp.columnA, columnB: cmp.columnB, difference: cmp.difference,
                                          standardError: cmp.standardError, statistic: cmp.statistic,
                                          degreesOfFreedom: cmp.degreesOfFreedom, pValue: cmp.pValue, adjustedPValue: p,
                                          untested: cmp.untested)
                    comparisons.append(full)
                    guard let p else { continue }
                    let strict = spec.levels[0], loose = spec.levels[spec.levels.count - 1]
                    guard p <= loose else { continue }
                    let (hi, lo) = cmp.difference > 0 ? (cmp.columnA, cmp.columnB) : (cmp.columnB, cmp.columnA)
                    guard cmp.difference != 0 else { continue }
                    let letter = columns[lo].letter
                    letters[hi] += p <= strict ? letter : letter.lowercased()
                }
            }
            rows.append(Row(label: entry.0, kind: entry.1, cells: (0..<columns.count).map {
                Cell(value: value[$0], standardError: se[$0], letters: letters[$0])
            }))
        }
        return Table(variable: variable, title: title, rows: rows, bases: bases, comparisons: comparisons,
                     degreesOfFreedom: df, base: (domain.map { "\(rule) within \($0.description)" } ?? rule))
    }

    /// Whether row i is in column c.
    private static func membership(_ c: Int, _ col: Column, _ groups: [BannerGroup], _ all: [[[Bool]]]) -> (Int) -> Bool {
        guard let g = col.group, let j = groups[g].columns.firstIndex(of: c) else { return { _ in true } }
        let members = all[g][j]
        return { members[$0] }
    }

    /// Domain means of `y` in k disjoint columns (row i in column `groupOf(i)`,
    /// −1 none) and their k × k design covariance; empty columns give nil.
    private static func domainEstimates(_ design: SurveyDesign, y: [Double], groupOf: (Int) -> Int32, k: Int,
                                        bases: [Bases]) throws(BarometerError) -> ([Double?], Matrix?) {
        // Only columns with positive weight enter the engine.
        var local = [Int32](repeating: -1, count: k), kept: [Int] = []
        for j in 0..<k where bases[j].weighted > 0 { local[j] = Int32(kept.count); kept.append(j) }
        guard !kept.isEmpty else { return ([Double?](repeating: nil, count: k), nil) }
        let groups = (0..<design.rowCount).map { i -> Int32 in let g = groupOf(i); return g < 0 ? -1 : local[Int(g)] }
        let r = try RatioOfTotals(meansOf: y, groups: groups, groupCount: kept.count).evaluate(design)
        return Self.expand(r, kept: kept, k: k)
    }

    /// The same for overlapping columns (nets): dense numerator and denominator columns.
    private static func overlappingEstimates(_ design: SurveyDesign, y: [Double], base: [Bool], members: [[Bool]],
                                             bases: [Bases]) throws(BarometerError) -> ([Double?], Matrix?) {
        let k = members.count, n = design.rowCount
        let kept = (0..<k).filter { bases[$0].weighted > 0 }
        guard !kept.isEmpty else { return ([Double?](repeating: nil, count: k), nil) }
        var num = Matrix(rows: n, columns: kept.count), den = Matrix(rows: n, columns: kept.count)
        for (c, j) in kept.enumerated() {
            for i in 0..<n where base[i] && members[j][i] { num[i, c] = y[i]; den[i, c] = 1 }
        }
        let r = try RatioOfTotals(numerators: num, denominators: den).evaluate(design)
        return Self.expand(r, kept: kept, k: k)
    }

    static func expand(_ r: RatioOfTotals.Result, kept: [Int], k: Int) -> ([Double?], Matrix?) {
        var est = [Double?](repeating: nil, count: k)
        var cov = Matrix(rows: k, columns: k)
        for (a, ja) in kept.enumerated() {
            est[ja] = r.estimates[a]
            for (b, jb) in kept.enumerated() { cov[ja, jb] = r.covariance[a, b] }
        }
        return (est, cov)
    }

    /// One pair's test (before multiplicity adjustment).
    private static func compare(_ a: Int, _ b: Int, group: BannerGroup, est: [Double?], cov: Matrix?, bases: [Bases],
                                df: Double, test: BannerSpecification.Test, scale: Double, row: Int) -> Comparison {
        let ca = group.columns[a], cb = group.columns[b]
        func untested(_ why: String, _ d: Double = .nan) -> Comparison {
            Comparison(row: row, columnA: ca, columnB: cb, difference: d.isNaN ? 0 : d, standardError: nil, statistic: nil,
                       degreesOfFreedom: nil, pValue: nil, adjustedPValue: nil, untested: why)
        }
        guard let pa = est[a], let pb = est[b], let cov else { return untested("an empty column") }
        let d = pa - pb
        guard group.disjoint[a][b] else { return untested("the columns overlap", d * scale) }
        switch test {
        case .design, .none:
            let v = cov[a, a] + cov[b, b] - 2 * cov[a, b]
            guard v > 0, v.isFinite else { return untested("zero standard error", d * scale) }
            let se = v.squareRoot(), t = d / se
            return Comparison(row: row, columnA: ca, columnB: cb, difference: d * scale, standardError: se * scale,
                              statistic: t, degreesOfFreedom: df, pValue: StudentT(degreesOfFreedom: df).twoSidedP(t),
                              adjustedPValue: nil, untested: nil)
        case .spss:
            let na = bases[a].effective, nb = bases[b].effective
            let pooled = (na * pa + nb * pb) / (na + nb)
            let v = pooled * (1 - pooled) * (1 / na + 1 / nb)
            guard v > 0, v.isFinite else { return untested("pooled proportion 0 or 1", d * scale) }
            let se = v.squareRoot(), z = d / se
            return Comparison(row: row, columnA: ca, columnB: cb, difference: d * scale, standardError: se * scale,
                              statistic: z, degreesOfFreedom: nil, pValue: 2 * Normal.sf(abs(z)),
                              adjustedPValue: nil, untested: nil)
        }
    }
}

extension BannerBook {
    /// One labelled grid per stub question: cells `value letters`, then the
    /// unweighted, weighted and effective bases; notes state base, test,
    /// levels, adjustment, df, weight and variance method.
    public var textTables: [TextTable] {
        let headers = [""] + columns.map { $0.letter.isEmpty ? $0.label : "\($0.label) (\($0.letter))" }
        let testNote: String
        switch test {
        case .design: testNote = "Letters: the column is significantly higher than the lettered column of the same banner variable (design-based difference of domain estimates, SE from their design covariance, t on the design df)"
        case .spss: testNote = "Letters: the column is significantly higher than the lettered column of the same banner variable (SPSS column proportions z-test on effective bases)"
        case .none: testNote = "No column tests."
        }
        let levelText = levels.count > 1
            ? "upper case at p ≤ \(levels[0]), lower case at p ≤ \(levels[levels.count - 1])"
            : "p ≤ \(levels[0])"
        return tables.map { t in
            let decimals = t.rows.first?.kind == .mean ? 2 : 1
            var body = t.rows.map { row in
                [row.label] + row.cells.map { c in
                    guard let v = c.value else { return "–" }
                    return NumberFormat.fixed(v, decimals) + (c.letters.isEmpty ? "" : " " + c.letters)
                }
            }
            body.append(["Unweighted base"] + t.bases.map { String($0.unweighted) })
            body.append(["Weighted base"] + t.bases.map { NumberFormat.fixed($0.weighted, 1) })
            body.append(["Effective base"] + t.bases.map { NumberFormat.fixed($0.effective, 1) })
            var notes = ["Base: \(t.base).", test == .none ? testNote : "\(testNote); \(levelText); adjustment: \(adjust.rawValue) within each row's banner variable; df \(NumberFormat.fixed(t.degreesOfFreedom, 0))."]
            notes.append("Cells: \(t.rows.first?.kind == .mean ? "means" : "column percentages").")
            notes.append(weight.map { "Weight: \($0)." } ?? "Unweighted.")
            notes.append("Variance: \(variance).")
            if domain != "all respondents" { notes.append("Domain: \(domain).") }
            return TextTable(title: "\(t.title) (\(t.variable))", headers: headers, rows: body, notes: notes)
        }
    }
}
