import Foundation

/// The banner book from one ``BannerAccumulator`` pass (linearization designs).
///
/// For a row entry with indicator `y` (a category, a net, a named code) and a
/// banner column `a`, the column percentage is `p_a = Y_a / W_a` with `Y_a`,
/// `W_a` sums of cell Σw. Its linearized influence is
/// `zᵢ = wᵢ (yᵢ − p_a)·1{i ∈ a ∩ base} / W_a`, so
///
/// - weights-only (each respondent its own PSU, with replacement, R
///   `svydesign(ids = ~1, weights = ~w)`): `Σzᵢ = 0` at `p_a` and
///   `V_ab = n/(n−1) · Σᵢ zᵢₐ zᵢᵦ
///        = n/(n−1) · (S⁺_ab (1−p_a)(1−p_b) + S⁻_ab p_a p_b) / (W_a W_b)`,
///   with `S⁺_ab`, `S⁻_ab` the Σw² of the entry's yes and no cells in `a ∩ b`
///   and n every row of the design (domains keep all rows, as R `subset`).
///   Columns of one banner variable are disjoint, so `V_ab = 0` for a ≠ b
///   (each `Σzᵢ` is 0, so centring adds nothing). For a mean, the same with
///   the shifted sums `Σw²(y−c)ᵏ`, k = 0, 1, 2;
/// - strata and PSUs: per-PSU totals `Y_hi,a`, `X_hi,a` (sums of per-PSU
///   cells), `z_hi,a = (Y_hi,a − p_a X_hi,a) / W_a`, and the stratified
///   between-PSU formula with fpc, certainty and lonely-PSU rules.
///
/// Both are finalized by ``DesignTotalsAccumulator`` (its weights-only
/// shifted-sum state, shift `c = p_a`, and its per-PSU state), the design
/// engine's own finalization, so the result equals the grouped
/// ``RatioOfTotals`` evaluation (tested at 1e-12).
extension BannerBook {
    /// What one stub table reads from the accumulated sums.
    fileprivate struct StubPlan {
        enum Base { case coded(Int), mean(Int) }
        struct Entry {
            let label: String
            let kind: Row.Kind
            /// Stub coding (−1 for a mean), and its categories in and out of the entry.
            let coding: Int
            let yes: [Int]
            let no: [Int]
        }
        let variable: String
        let title: String
        let rule: String
        let scale: Double
        let base: Base
        let entries: [Entry]
    }

    /// Doubles of per-PSU state above which the grouped design engine is used instead.
    static let psuStateLimit = 1 << 25

    /// The tables through the banner accumulator, or nil when its per-PSU
    /// state would exceed ``psuStateLimit`` (the caller then uses the design engine).
    static func accumulatedTables(_ design: SurveyDesign, spec: BannerSpecification.Resolved, domain: Domain?,
                                  columns: [Column], groups: [BannerGroup], workers: Int?,
                                  progress: ((_ done: Int, _ total: Int) -> Void)?) throws(BarometerError) -> [Table]? {
        let n = design.rowCount
        // Banner codings: Total (always, for the bases and df), then each banner variable.
        let total = CategoryCoding(categories: [Category(code: nil, label: "Total", status: .valid)],
                                   index: [Int32](repeating: 0, count: n))
        let banner = [total] + groups.map(\.coding)
        // Design: weights-only, or per-PSU state.
        let sampling = design.sampling
        let weightsOnly = sampling.psuCount == n && sampling.strataCount == 1 && sampling.populationPSUs == nil
            && sampling.psuLabels == nil
        var template: DesignTotalsAccumulator? = nil
        var psu: [Int32]? = nil
        // Column → (banner coding, its categories).
        var place: [(b: Int, cats: [Int])] = []
        if spec.total { place.append((0, [0])) }
        for (g, group) in groups.enumerated() { for cats in group.categories { place.append((g + 1, cats)) } }
        var tables: [Table] = []
        // Stubs in batches of about `batch` codings (one pass over the rows per batch), so that
        // the codings in memory are O(batch · n), not O(stubs · n); results do not depend on it.
        let batch = 16
        var start = 0
        while start < spec.stubs.count {
            var end = start, codings = 0, meanCount = 0
            while end < spec.stubs.count && codings < batch && meanCount < batch {
                switch spec.stubs[end].kind ?? .categories {
                case .mean: meanCount += 1
                case .multipleResponse: codings += 2 + (spec.stubs[end].nets ?? []).count
                case .categories: codings += 1
                }
                end += 1
            }
            let slice = Array(spec.stubs[start..<end])
            start = end
            let (stubs, means, plans) = try plan(slice, spec: spec, design: design)
            if !weightsOnly {
                let size = BannerAccumulator.psuStateSize(stubCells: stubs.reduce(0) { $0 + $1.count },
                                                          bannerCells: banner.reduce(0) { $0 + $1.count },
                                                          means: means.count, psuCount: sampling.psuCount)
                guard size <= psuStateLimit else { return nil }
                if template == nil { (template, psu) = try psuTemplate(design) }
            }
            var acc = BannerAccumulator(stubs: stubs.map(\.categories), banner: banner.map(\.categories), means: means.count,
                                        psuCount: weightsOnly ? 0 : sampling.psuCount)
            acc.workers = workers
            try acc.add(BannerChunk(stubs: stubs, banner: banner, means: means, weights: design.weights, domain: domain,
                                    psu: psu, psuCount: weightsOnly ? 0 : sampling.psuCount))
            let sums = try acc.finalize()
            for plan in plans {
                let bases = place.map { sums.bases(plan.base, b: $0.b, cats: $0.cats) }
                // Degrees of freedom of the base: respondents − 1 under weights-only without zero
                // weights; otherwise R degf(subset(design, base)) over the base rows.
                let df: Double
                let totalBase = sums.bases(plan.base, b: 0, cats: [0])
                if weightsOnly && design.weights.zeroCount == 0 {
                    df = Double(max(totalBase.unweighted - 1, 0))
                } else {
                    var mask = [Bool](repeating: false, count: n)
                    switch plan.base {
                    case .coded(let s): let idx = stubs[s].index; for i in 0..<n where idx[i] >= 0 { mask[i] = domain?.mask[i] ?? true }
                    case .mean(let m): let y = means[m]; for i in 0..<n where !y[i].isNaN { mask[i] = domain?.mask[i] ?? true }
                    }
                    df = Double(design.degreesOfFreedom(in: Domain(mask: mask, description: "base")))
                }
                let table = try assemble(plan.variable, title: plan.title, entries: plan.entries.map { ($0.label, $0.kind) },
                                         bases: bases, df: df, rule: plan.rule, scale: plan.scale, spec: spec, domain: domain,
                                         columns: columns, groups: groups) { (r, g) throws(BarometerError) in
                    let cols: [(b: Int, cats: [Int])]
                    let colBases: [Bases]
                    if let g {
                        cols = groups[g].categories.map { (g + 1, $0) }
                        colBases = groups[g].columns.map { bases[$0] }
                    } else {
                        cols = [(0, [0])]
                        colBases = [totalBase]
                    }
                    return try sums.estimates(plan.entries[r], base: plan.base, columns: cols, bases: colBases, rows: n,
                                              template: template)
                }
                tables.append(table)
                progress?(tables.count, spec.stubs.count)
                try LongWork.step("banner tables", completed: tables.count, total: spec.stubs.count)
            }
        }
        return tables
    }

    /// Codings, mean columns and table plans of some stubs (categorical stubs coded in parallel).
    private static func plan(_ slice: [BannerSpecification.Stub], spec: BannerSpecification.Resolved,
                             design: SurveyDesign) throws(BarometerError) -> ([CategoryCoding], [[Double]], [StubPlan]) {
        let n = design.rowCount
        let validOnly = spec.base == .valid
        var toCode: [Variable] = []
        for stub in slice where (stub.kind ?? .categories) == .categories { toCode.append(try design.variable(stub.variable)) }
        var coded = CategoryCoding.coding(toCode, missing: validOnly ? .excludeMissing : .showMissing)[...]
        var stubs: [CategoryCoding] = [], means: [[Double]] = [], plans: [StubPlan] = []
        for stub in slice {
            let kind = stub.kind ?? .categories
            if kind == .multipleResponse {
                plans.append(try multipleResponsePlan(stub, spec: spec, design: design, stubs: &stubs))
                continue
            }
            let v = try design.variable(stub.variable)
            if kind == .mean {
                try v.requireNumeric()
                if spec.test == .spss {
                    throw .invalidArgument("the SPSS-style column test compares proportions; the mean of '\(stub.variable)' takes the design test")
                }
                means.append((0..<n).map { v.status(atRow: $0) == .valid ? v.values[$0] : .nan })
                plans.append(StubPlan(variable: stub.variable, title: v.label ?? v.name,
                                      rule: "valid answers to \(stub.variable) (Don't know, Refused and system-missing excluded)",
                                      scale: 1, base: .mean(means.count - 1),
                                      entries: [.init(label: "Mean", kind: .mean, coding: -1, yes: [], no: [])]))
                continue
            }
            guard let coding = coded.popFirst() else { throw .invalidArgument("banner: stub '\(stub.variable)' was not coded") }
            let s = stubs.count
            stubs.append(coding)
            let all = Array(coding.categories.indices)
            var entries: [StubPlan.Entry] = coding.categories.enumerated().map { k, cat in
                .init(label: cat.label, kind: cat.status == .valid ? .category : .missing, coding: s, yes: [k],
                      no: all.filter { $0 != k })
            }
            for net in stub.nets ?? [] {
                let set = Set(net.codes)
                let yes = all.filter { coding.categories[$0].status == .valid && (coding.categories[$0].code.map(set.contains) ?? false) }
                entries.append(.init(label: net.label, kind: .net, coding: s, yes: yes, no: all.filter { !yes.contains($0) }))
            }
            let rule = validOnly ? "valid answers to \(stub.variable) (Don't know, Refused and system-missing excluded)"
                                 : "all respondents (Don't know, Refused and system-missing shown, not tested)"
            plans.append(StubPlan(variable: stub.variable, title: v.label ?? v.name, rule: rule, scale: 100, base: .coded(s),
                                  entries: entries))
        }
        return (stubs, means, plans)
    }

    /// A multiple-response stub: a base coding (cases, or everyone under the
    /// `all` base) and per valid code and net a coding 1 = named in any member,
    /// 0 = in the base without naming it.
    fileprivate static func multipleResponsePlan(_ stub: BannerSpecification.Stub, spec: BannerSpecification.Resolved,
                                             design: SurveyDesign, stubs: inout [CategoryCoding]) throws(BarometerError) -> StubPlan {
        let n = design.rowCount
        let (members, codes, labels) = try multipleResponseCodes(stub, design: design)
        let sorted = codes.sorted()
        let nets = (stub.nets ?? []).map { Set($0.codes) }
        let position = Dictionary(uniqueKeysWithValues: sorted.enumerated().map { ($1, $0) })
        // Per row: in the base, and which codes / nets it names.
        var inBase = [Bool](repeating: false, count: n)
        var named = [[Int32]](repeating: [Int32](repeating: -1, count: n), count: sorted.count + nets.count)
        for i in 0..<n {
            var any = false
            for v in members where v.status(atRow: i) == .valid { any = true }
            let base = spec.base == .all || any
            inBase[i] = base
            guard base else { continue }
            for e in named.indices { named[e][i] = 0 }
            for v in members where v.status(atRow: i) == .valid {
                let x = v.values[i]
                if let p = position[x] { named[p][i] = 1 }
                for (k, set) in nets.enumerated() where set.contains(x) { named[sorted.count + k][i] = 1 }
            }
        }
        let baseCoding = stubs.count
        stubs.append(CategoryCoding(categories: [Category(code: nil, label: "Base", status: .valid)],
                                    index: inBase.map { $0 ? 0 : -1 }))
        let binary = [Category(code: 0, label: "Not named", status: .valid), Category(code: 1, label: "Named", status: .valid)]
        var entries: [StubPlan.Entry] = []
        for (e, index) in named.enumerated() {
            let label = e < sorted.count ? (labels[sorted[e]] ?? Variable.formatCode(sorted[e])) : (stub.nets ?? [])[e - sorted.count].label
            entries.append(.init(label: label, kind: e < sorted.count ? .category : .net, coding: stubs.count, yes: [1], no: [0]))
            stubs.append(CategoryCoding(categories: binary, index: index))
        }
        let rule = spec.base == .valid
            ? "cases: respondents with at least one valid answer in \(stub.variables?.joined(separator: ", ") ?? "")"
            : "all respondents"
        return StubPlan(variable: stub.variable, title: members.first?.label ?? stub.variable,
                        rule: rule + "; percentages of cases (a respondent may name several codes)", scale: 100,
                        base: .coded(baseCoding), entries: entries)
    }

    /// The design's strata, PSUs and fpc registered in an empty per-PSU
    /// accumulator, and each row's PSU in that accumulator's order.
    private static func psuTemplate(_ design: SurveyDesign) throws(BarometerError) -> (DesignTotalsAccumulator, [Int32]) {
        let n = design.rowCount
        var template = DesignTotalsAccumulator(design: design, count: 0, totals: false)
        guard template.kind == .clustered else { throw .invalidArgument("banner: per-PSU state asked for a design without PSUs") }
        let empty = Matrix(rows: n, columns: 0)
        try template.add(DesignTotalsChunk(design, numerators: empty, denominators: empty, indicators: empty, srs: false))
        let s = design.sampling
        var map = [Int32](repeating: -1, count: s.psuCount)
        for p in 0..<s.psuCount {
            let label = s.stratumLabels[Int(s.psuStratum[p])]
            let name: PSUName = s.psuLabels.map { .label($0[p]) } ?? .row(p)
            guard let h = template.designKeys.stratumLookup[label],
                  let q = template.designKeys.psuLookup[DesignKeys.PSUKey(stratum: h, psu: name)] else { continue }
            map[p] = Int32(q)
        }
        var psu = [Int32](repeating: 0, count: n)
        for i in 0..<n {
            let q = map[Int(s.clusters[i])]
            guard q >= 0 else { throw .invalidArgument("banner: row \(i + 1) has a PSU outside the design's PSUs") }
            psu[i] = q
        }
        return (template, psu)
    }
}

extension BannerAccumulator {

    /// Bases of one column (banner coding `b`, categories `cats`) for a table's base.
    fileprivate func bases(_ base: BannerBook.StubPlan.Base, b: Int, cats: [Int]) -> BannerBook.Bases {
        var count = 0, sw = 0.0, sw2 = 0.0
        switch base {
        case .coded(let s):
            let t = tallies[s * bannerCategories.count + b], ks = stubCategories[s].count
            for j in cats { for a in 0..<ks {
                let c = a + ks * j
                count += t.counts[c]; sw += t.weighted[c]; sw2 += t.weightedSquares[c]
            } }
        case .mean(let m):
            for j in cats { let c = meanCells[m][bannerOffset[b] + j]; count += c.count; sw += c.sumW; sw2 += c.sumW2 }
        }
        return BannerBook.Bases(unweighted: count, weighted: sw, effective: sw2 > 0 ? sw * sw / sw2 : 0)
    }

    /// Estimates and design covariance of `entry` in `columns` (one banner
    /// coding's columns; empty columns nil), finalized by ``DesignTotalsAccumulator``.
    fileprivate func estimates(_ entry: BannerBook.StubPlan.Entry, base: BannerBook.StubPlan.Base,
                               columns: [(b: Int, cats: [Int])], bases: [BannerBook.Bases], rows n: Int,
                               template: DesignTotalsAccumulator?) throws(BarometerError) -> ([Double?], Matrix?) {
        let k = columns.count
        let kept = (0..<k).filter { bases[$0].weighted > 0 }
        guard !kept.isEmpty, let b = columns.first?.b else { return ([Double?](repeating: nil, count: k), nil) }
        let kk = kept.count
        let cats = kept.map { columns[$0].cats }
        var ty = [Double](repeating: 0, count: kk), tx = ty
        var mean: Int? = nil
        if case .mean(let m) = base { mean = m }
        let s = entry.coding
        let kb = bannerCells, bo = bannerOffset[b]
        if let m = mean {
            for j in 0..<kk { for c in cats[j] { let cell = meanCells[m][bo + c]; ty[j] += cell.sumWY; tx[j] += cell.sumW } }
        } else {
            let t = tallies[s * bannerCategories.count + b], ks = stubCategories[s].count
            for j in 0..<kk {
                var y = 0.0, x = 0.0
                for c in cats[j] {
                    for a in entry.yes { y += t.weighted[a + ks * c] }
                    for a in entry.no { x += t.weighted[a + ks * c] }
                }
                ty[j] = y; tx[j] = y + x
            }
        }
        var acc: DesignTotalsAccumulator
        if let template {
            // Per-PSU totals Y_q, X_q per column (Y then X, as the per-PSU state lays them out).
            acc = DesignTotalsAccumulator(kind: .clustered, count: kk, totals: false)
            acc.designKeys = template.designKeys
            acc.lonelyPSU = template.lonelyPSU; acc.nest = template.nest
            var totals = [Double](repeating: 0, count: psuCount * 2 * kk)
            let M = stubCells * kb
            for q in 0..<psuCount {
                for j in 0..<kk {
                    var y = 0.0, x = 0.0
                    if let m = mean {
                        for c in cats[j] { let o = (q * kb + bo + c) * 2; y += psuMeans[m][o]; x += psuMeans[m][o + 1] }
                    } else {
                        let row = q * M + bo
                        for c in cats[j] {
                            for a in entry.yes { y += psuCells[row + (stubOffset[s] + a) * kb + c] }
                            for a in entry.no { x += psuCells[row + (stubOffset[s] + a) * kb + c] }
                        }
                        x += y
                    }
                    totals[q * 2 * kk + j] = y; totals[q * 2 * kk + kk + j] = x
                }
            }
            acc.psuTotals = totals
        } else {
            // Weights-only: shifted sums over each pair's common cells.
            acc = DesignTotalsAccumulator(kind: .independent, count: kk, totals: false)
            acc.rows = n
            var ss = [Double](repeating: 0, count: kk * kk), aa = ss, bb = ss
            if let m = mean {
                let c0 = shifts[m] ?? 0
                acc.shift = [Double](repeating: c0, count: kk)
                for j in 0..<kk { for l in 0..<kk {
                    var t0 = 0.0, t1 = 0.0, t2 = 0.0
                    for c in cats[j] where cats[l].contains(c) {
                        let cell = meanCells[m][bo + c]; t0 += cell.sumW2; t1 += cell.sumW2U; t2 += cell.sumW2U2
                    }
                    ss[j + kk * l] = t2; aa[j + kk * l] = t1; bb[j + kk * l] = t0
                } }
            } else {
                let t = tallies[s * bannerCategories.count + b], ks = stubCategories[s].count
                let p = (0..<kk).map { ty[$0] / tx[$0] }
                acc.shift = p
                for j in 0..<kk { for l in 0..<kk {
                    var yes = 0.0, no = 0.0
                    for c in cats[j] where cats[l].contains(c) {
                        for a in entry.yes { yes += t.weightedSquares[a + ks * c] }
                        for a in entry.no { no += t.weightedSquares[a + ks * c] }
                    }
                    ss[j + kk * l] = yes * (1 - p[j]) * (1 - p[l]) + no * p[j] * p[l]
                    aa[j + kk * l] = yes * (1 - p[j]) - no * p[j]
                    bb[j + kk * l] = yes + no
                } }
            }
            acc.s = ss; acc.a = aa; acc.b = bb
        }
        acc.ty = ty; acc.tx = tx
        acc.srsWanted = false
        let out = try acc.finalize()
        return BannerBook.expand(out.result, kept: kept, k: k)
    }
}
