/// Accumulator of one design-based mean, total, ratio or share in every group
/// of crossed grouping variables (R `svyby(…, covmat = TRUE)`), keyed by the
/// groups' values so that shards that saw different groups merge.
///
/// The state is a ``DesignTotalsAccumulator`` whose estimates are the groups
/// — ``RatioOfTotals``' grouped columns `yᵢ·[gᵢ = j]`, added as
/// ``DesignTotalsChunk/Grouped`` chunks (each row its group's index, O(n) per
/// chunk) — so it keeps per (stratum, PSU) key the totals of every group (and hence
/// the covariance between groups that contrasts need), per replicate the
/// groups' totals, and per (PSU, group) whether it holds a weighted valid
/// row (each group's df, R `degf(subset(design, group))`). Its estimate 0 is
/// the `--where` domain itself, with zero values: only its degrees-of-freedom
/// flags are used (the df of contrasts, R `degf(subset(design, …))`). Groups
/// first seen in another shard enter by
/// ``DesignTotalsAccumulator/remapped(count:from:)`` (zero sums), so merging is
/// by key, never by position; at the end the groups are put in the in-memory
/// order (each grouping variable's valid categories ascending, the first
/// varying fastest) and finalized by ``GroupedEstimates/assemble(kind:y:x:by:listed:estimable:result:groupDF:srs:contrastDF:level:variance:domain:weight:hasCovariance:)``,
/// the assembly the in-memory grouped pass uses.
struct GroupedTotalsAccumulator: Sendable {
    /// One grouping variable's value of a group: a numeric code or a text.
    enum Value: Hashable, Comparable, Sendable {
        case code(Double)
        case text(String)
    }
    /// `mean`, `total`, `ratio` or `proportion`.
    let kind: String
    /// Number of grouping variables.
    let byCount: Int
    /// Each group's values (one per grouping variable), in first-seen order.
    var keys: [[Value]] = []
    var lookup: [[Value]: Int] = [:]
    /// Estimate 0: the domain; estimate g + 1: group `keys[g]`. Nil before any row.
    var totals: DesignTotalsAccumulator?

    init(kind: String, byCount: Int) {
        self.kind = kind
        self.byCount = byCount
    }

    /// A shard's rows: its groups and its accumulated totals (estimate 0 the domain).
    struct Chunk {
        let keys: [[Value]]
        let totals: DesignTotalsAccumulator
    }

    mutating func add(_ chunk: Chunk) throws(BarometerError) {
        var other = GroupedTotalsAccumulator(kind: kind, byCount: byCount)
        for key in chunk.keys {
            guard key.count == byCount, other.lookup[key] == nil else { throw .invalidArgument("malformed group keys") }
            other.lookup[key] = other.keys.count
            other.keys.append(key)
        }
        other.totals = chunk.totals
        try merge(other)
    }

    mutating func merge(_ other: GroupedTotalsAccumulator) throws(BarometerError) {
        guard other.kind == kind, other.byCount == byCount else {
            throw .invalidArgument("cannot merge grouped \(other.kind) by \(other.byCount) variables with \(kind) by \(byCount)")
        }
        guard let theirs = other.totals else { return }
        guard let mine = totals else { self = other; return }
        var map: [Int?] = [0]                      // new estimate position → theirs
        var position = [Int](repeating: 0, count: other.keys.count)
        for (g, key) in other.keys.enumerated() {
            if let q = lookup[key] { position[g] = q } else {
                position[g] = keys.count
                lookup[key] = keys.count
                keys.append(key)
            }
        }
        let count = keys.count + 1
        map = [Int?](repeating: nil, count: count)
        map[0] = 0
        for (g, q) in position.enumerated() { map[q + 1] = g + 1 }
        var widened = mine.k == count ? mine : mine.remapped(count: count, from: (0..<count).map { $0 < mine.k ? $0 : nil })
        try widened.merge(theirs.remapped(count: count, from: map))
        totals = widened
    }

    /// The groups in the in-memory order and, for each, its values.
    func orderedGroups() -> [Int] {
        keys.indices.sorted { a, b in
            for v in (0..<byCount).reversed() where keys[a][v] != keys[b][v] { return keys[a][v] < keys[b][v] }
            return false
        }
    }

    /// What ``finalize()`` needs beside the sums: names, labels and options.
    struct Context: Sendable {
        /// The estimated variable (and the denominator of a ratio).
        let y: String, x: String?
        /// The grouping variables (their value labels name the groups).
        let by: [Variable]
        /// The `--where` domain's description (nil: all respondents).
        let domain: String?
        let level: Double, variance: String, weight: String?
        let covariance: Bool
    }

    /// The grouped estimates (as ``SurveyDesign/mean(_:by:domain:level:covariance:)`` and the other grouped estimators).
    func finalize(_ c: Context) throws(BarometerError) -> GroupedEstimates {
        guard let full = totals, !keys.isEmpty else {
            throw .emptyDomain("no group of \(c.by.map(\.name).joined(separator: " × ")) has a respondent"
                               + (c.domain.map { " in \($0)" } ?? ""))
        }
        let flagged = full.flaggedDegreesOfFreedom()
        var listed: [GroupedEstimates.Listed] = [], estimable: [Int] = [], from: [Int?] = []
        for g in orderedGroups() {
            let j = g + 1
            let cats = zip(keys[g], c.by).map { value, v -> Category in
                switch value {
                case .code(let code): return Category(code: code, label: v.displayText(for: code), status: .valid)
                case .text(let t): return Category(code: nil, label: t, status: .valid)
                }
            }
            let count = full.respondents[j], sumW = full.sumW[j]
            var note: String? = nil
            if count == 0 || sumW <= 0 {
                note = "no valid answer to \(c.x.map { "\(c.y) and \($0)" } ?? c.y) with positive weight"
            } else if kind == "ratio" && full.tx[j] == 0 {
                note = "the denominator \(c.x ?? "") has zero weighted total"
            }
            var column = -1
            if note == nil { column = estimable.count; estimable.append(listed.count); from.append(j) }
            listed.append(.init(categories: cats, count: count, weightedCount: sumW, column: column, note: note))
        }
        guard !estimable.isEmpty else {
            throw .emptyDomain("no group of \(c.by.map(\.name).joined(separator: " × ")) has a valid answer to \(c.y) with positive weight"
                               + (c.domain.map { " in \($0)" } ?? ""))
        }
        let out = try full.remapped(count: from.count, from: from).finalize(variancesOnly: !c.covariance)
        let replicate = full.kind == .replicate
        let groupDF = replicate ? [Int](repeating: out.degreesOfFreedom, count: from.count)
            : from.map { flagged[$0 ?? 0] }
        // Contrasts: the design's df, or within --where the domain's (no floor, as degreesOfFreedom(in:)).
        let contrastDF = c.domain == nil || replicate ? out.degreesOfFreedom : flagged[0]
        let srs: [(Double, Double)?] = kind == "ratio" ? [(Double, Double)?](repeating: nil, count: from.count) : out.srsVariances
        return GroupedEstimates.assemble(kind: kind, y: c.y, x: c.x, by: c.by.map(\.name), listed: listed,
                                         estimable: estimable, result: out.result, groupDF: groupDF, srs: srs,
                                         contrastDF: contrastDF, level: c.level, variance: c.variance, domain: c.domain,
                                         weight: c.weight, hasCovariance: c.covariance || replicate)
    }
}

extension SurveyDesign {
    /// Doubles of grouped design-totals state above which the in-memory grouped
    /// estimators and shares take the sparse grouped row kernel (``RatioOfTotals``)
    /// instead of the accumulator (as ``BannerBook`` does beyond its PSU state limit).
    static var groupedStateLimit: Int { groupedStateLimitOverride ?? 1 << 25 }
    /// A smaller ``groupedStateLimit`` (tests: the sparse path on a few groups; nil: 2²⁵).
    @TaskLocal static var groupedStateLimitOverride: Int? = nil

    /// Whether the grouped accumulator of up to `groups` groups stays within
    /// ``groupedStateLimit``: weights-only ratios keep three k × k sums (S, A, B),
    /// strata/PSU designs 2k totals per PSU, replicate designs 2k per replicate; the
    /// finalization copies the state once more.
    func groupedStateFits(groups: Int) -> Bool {
        let k = Double(groups) + 1
        let size: Double
        if let r = replicates { size = 2 * k * Double(r.count) }
        else if DesignTotalsChunk.Sampling.isIndependent(self) { size = 3 * k * k }
        else { size = 2 * k * Double(sampling.psuCount) }
        return 2 * size <= Double(Self.groupedStateLimit)
    }

    /// Combinations of the grouping variables' categories up to which a row's
    /// group is found through a flat table (beyond: a dictionary of integer codes).
    static let groupTableLimit = 1 << 16

    /// The grouped accumulator of `y` (a mean or total; a ratio with `x`) over
    /// this design's rows by the crossed valid categories of `by`, within
    /// `domain`: each row in the domain with valid group values adds to its
    /// group's estimate (its value when valid on `y` and `x`, else as a row of
    /// the group without an answer). With `shard`, a replicate design's df is
    /// accumulated with the rows (``DesignTotalsAccumulator/rankRows``). With
    /// `missing` ``MissingInclusion/showMissing`` the user-missing categories of `by`
    /// are groups too (system-missing and extended missing values never are).
    /// `codings`, when given, are the grouping variables' codings under `missing` (computed once by the caller).
    func groupedAccumulator(kind: String, y yv: Variable, x xv: Variable?, by byVariables: [Variable], domain: Domain?,
                            shard: Bool, missing: MissingInclusion = .excludeMissing,
                            codings given: [CategoryCoding]? = nil) throws(BarometerError) -> GroupedTotalsAccumulator {
        guard !byVariables.isEmpty else { throw .invalidArgument("no grouping variable given") }
        try yv.requireNumeric()
        if let xv { try xv.requireNumeric() }
        for v in byVariables + [yv] + (xv.map { [$0] } ?? []) where v.count != rowCount {
            throw .lengthMismatch(variable: v.name, expected: rowCount, actual: v.count)
        }
        if let d = domain, d.mask.count != rowCount {
            throw .lengthMismatch(variable: "domain \(d.description)", expected: rowCount, actual: d.mask.count)
        }
        let codings = given ?? byVariables.map { CategoryCoding($0, missing: missing) }
        guard codings.count == byVariables.count else { throw .invalidArgument("\(codings.count) codings for \(byVariables.count) grouping variables") }
        // The categories that are groups: valid ones and user-missing codes (not system-missing, nor a tag).
        let grouping: [[Bool]] = codings.map { coding in
            coding.categories.map { $0.status == .valid || ($0.status == .userMissing && $0.code != nil) }
        }
        // Each category's value (once per category), then each row's group through an integer
        // code: the categories' mixed-radix combination, mapped to a group by a small table
        // (a dictionary of integers beyond it). Groups are numbered in first-seen row order.
        let values: [[GroupedTotalsAccumulator.Value]] = zip(byVariables, codings).map { v, coding in
            coding.categories.map { c in
                if v.strings != nil { return .text(c.label) }
                let code = c.code ?? .nan
                return .code(code == 0 ? 0 : code)
            }
        }
        var radix: [Int] = [], combinations = 1
        for coding in codings {
            radix.append(combinations)
            combinations = combinations.multipliedReportingOverflow(by: max(coding.categories.count, 1)).partialValue
            if combinations > Self.groupTableLimit || combinations <= 0 { combinations = Int.max }
        }
        var table = [Int32](repeating: -1, count: combinations <= Self.groupTableLimit ? combinations : 0)
        var other: [Int: Int32] = [:]
        var keys: [[GroupedTotalsAccumulator.Value]] = []
        var combined: [Int] = []
        // Each row's estimate: 1 + its group when it has a valid answer, −1 otherwise.
        var estimate = [Int32](repeating: -1, count: rowCount)
        let mask = domain?.mask
        let indices = codings.map(\.index)
        let yValues = yv.values, yMissing = yv.missing, xValues = xv?.values, xMissing = xv?.missing ?? MissingValues()
        rows: for i in 0..<rowCount where mask?[i] ?? true {
            var code = 0
            for v in indices.indices {
                let c = indices[v][i]
                guard c >= 0, missing == .excludeMissing || grouping[v][Int(c)] else { continue rows }
                code += Int(c) * radix[v]
            }
            var g: Int32
            if table.isEmpty { g = other[code] ?? -1 } else { g = table[code] }
            if g < 0 {
                g = Int32(keys.count)
                if table.isEmpty { other[code] = g } else { table[code] = g }
                combined.append(code)
                var key: [GroupedTotalsAccumulator.Value] = []
                var rest = code
                for v in indices.indices.reversed() { key.append(values[v][rest / radix[v]]); rest %= radix[v] }
                keys.append(key.reversed())
            }
            let yi = yValues[i]
            guard !yi.isNaN, yMissing.isEmpty || !yMissing.contains(yi) else { continue }
            if let xValues {
                let xi = xValues[i]
                guard !xi.isNaN, xMissing.isEmpty || !xMissing.contains(xi) else { continue }
            }
            estimate[i] = g + 1
        }
        let k = keys.count + 1, total = kind == "total"
        var acc = DesignTotalsAccumulator(design: self, count: k, totals: total)
        if shard { acc.givenDF = nil }
        let sampling = DesignTotalsChunk.Sampling(self)
        let seeded = acc.seed(sampling, psuStratum: self.sampling.psuStratum)
        var lo = 0
        repeat {
            let rows = lo..<min(lo + Self.designChunkRows, rowCount)
            let grouped = DesignTotalsChunk.Grouped(estimate: Array(estimate[rows]), y: Array(yValues[rows]),
                                                    x: xValues.map { Array($0[rows]) }, marked: 0,
                                                    markedRows: mask.map { Array($0[rows]) } ?? [Bool](repeating: true, count: rows.count))
            var chunk = try DesignTotalsChunk(self, rows: rows, sampling: sampling, grouped: grouped, count: k, ratio: !total,
                                              srs: kind != "ratio", degreesOfFreedomRows: .indicators)
            chunk.seeded = seeded
            try acc.add(chunk)
            lo = rows.upperBound
        } while lo < rowCount
        var out = GroupedTotalsAccumulator(kind: kind, byCount: byVariables.count)
        try out.add(.init(keys: keys, totals: acc))
        return out
    }
}
