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

    /// A stub variable's metadata (label, value labels, missing codes) by name.
    typealias VariableLookup = (String) throws(BarometerError) -> Variable

    /// The tables through the banner accumulator, or nil when its per-PSU
    /// state would exceed ``psuStateLimit`` (the caller then uses the design engine).
    static func accumulatedTables(_ design: SurveyDesign, spec: BannerSpecification.Resolved, domain: Domain?,
                                  columns: [Column], groups: [BannerGroup], workers: Int?,
                                  progress: ((_ done: Int, _ total: Int) -> Void)?) throws(BarometerError) -> [Table]? {
        let sampling = design.sampling
        // Replicate designs: per replicate the cell totals (the state `partial banner` keeps), the df the design's.
        let replicate: DesignTotalsAccumulator? = design.replicates == nil ? nil
            : DesignTotalsAccumulator(design: design, count: 0, totals: true)
        let noPSUState = replicate != nil || DesignTotalsAccumulator(design: design, count: 0, totals: false).kind == .independent
        var template: DesignTotalsAccumulator? = nil
        var psu: [Int32]? = nil
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
            let chunk = try stubCodings(slice, spec: spec, design: design)
            if !noPSUState {
                let size = BannerAccumulator.psuStateSize(stubCells: chunk.stubs.reduce(0) { $0 + $1.count },
                                                          bannerCells: 1 + groups.reduce(0) { $0 + $1.coding.count },
                                                          means: chunk.means.count, psuCount: sampling.psuCount)
                guard size <= psuStateLimit else { return nil }
                if template == nil { (template, psu) = try psuTemplate(design) }
            }
            let acc = try accumulate(chunk, banner: groups.map(\.coding), design: design, domain: domain, keys: template, psu: psu,
                                     workers: workers, replicate: replicate)
            tables += try Self.tables(acc, stubs: slice, spec: spec, domain: domain, columns: columns, groups: groups,
                                      variable: { (name) throws(BarometerError) in try design.variable(name) },
                                      done: tables.count, progress: progress)
        }
        return tables
    }

    /// The stub codings of a chunk: identities, codings, mean values.
    struct StubCodings {
        let ids: [BannerStubCoding]
        let stubs: [CategoryCoding]
        let means: [[Double]]
    }

    /// One chunk's rows (`design`, within `domain`) added to an empty accumulator of the chunk's
    /// layout: `banner` the banner variables' codings (Total is put first), `keys` the clustered
    /// design's key table and `psu` each row's PSU in it (nil for weights-only designs),
    /// `replicate` a replicate design's (empty) totals state (nil for linearization designs).
    static func accumulate(_ chunk: StubCodings, banner: [CategoryCoding], design: SurveyDesign, domain: Domain?,
                           keys: DesignTotalsAccumulator?, psu: [Int32]?, workers: Int?,
                           replicate: DesignTotalsAccumulator? = nil) throws(BarometerError) -> BannerAccumulator {
        let n = design.rowCount
        let total = CategoryCoding(categories: [Category(code: nil, label: "Total", status: .valid)],
                                   index: [Int32](repeating: 0, count: n))
        let codings = [total] + banner
        var acc = BannerAccumulator(ids: chunk.ids, stubs: chunk.stubs.map(\.categories), banner: codings.map(\.categories),
                                    means: chunk.means.count, design: keys, replicate: replicate)
        acc.workers = workers
        try acc.add(BannerChunk(ids: chunk.ids, stubs: chunk.stubs, banner: codings, means: chunk.means, weights: design.weights,
                                domain: domain, psu: psu, psuCount: acc.psuCount,
                                replicates: replicate == nil ? nil : DesignTotalsChunk.Sampling(design)))
        return acc
    }

    /// The tables of `stubs` from an accumulated state (in memory: one batch of stubs over all
    /// rows; merged: every stub over all shards): the state laid out in table order, each table's
    /// plan from its categories, bases, df and the columns' estimates and design covariance.
    static func tables(_ acc: BannerAccumulator, stubs slice: [BannerSpecification.Stub], spec: BannerSpecification.Resolved,
                       domain: Domain?, columns: [Column], groups: [BannerGroup], variable: VariableLookup, done: Int,
                       progress: ((_ done: Int, _ total: Int) -> Void)?) throws(BarometerError) -> [Table] {
        // Table order: per stub its coding, or its set's cases, codes (ascending) and nets.
        var order: [BannerStubCoding] = []
        for stub in slice {
            switch stub.kind ?? .categories {
            case .categories: order.append(.question(stub.variable))
            case .mean: break
            case .multipleResponse:
                order.append(.responseBase(stub.variable))
                var codes: [Double] = []
                for id in acc.stubIDs { if case .named(stub.variable, let c) = id { codes.append(c) } }
                order += codes.sorted().map { .named(stub.variable, $0) }
                order += (stub.nets ?? []).indices.map { .net(stub.variable, $0) }
            }
        }
        let sums = try acc.canonical(order)
        let plans = try plan(slice, spec: spec, ids: sums.stubIDs, categories: sums.stubCategories, variable: variable)
        // Column → (banner coding, its categories).
        var place: [(b: Int, cats: [Int])] = []
        if spec.total { place.append((0, [0])) }
        for (g, group) in groups.enumerated() { for cats in group.categories { place.append((g + 1, cats)) } }
        let n = sums.rows
        var tables: [Table] = []
        for plan in plans {
            let bases = place.map { sums.bases(plan.base, b: $0.b, cats: $0.cats) }
            let totalBase = sums.bases(plan.base, b: 0, cats: [0])
            let df: Double
            switch plan.base {
            case .coded(let s): df = Double(sums.degreesOfFreedom(base: s))
            case .mean(let m): df = Double(sums.degreesOfFreedom(base: sums.stubIDs.count + m))
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
                                          template: sums.design)
            }
            tables.append(table)
            progress?(done + tables.count, spec.stubs.count)
            try LongWork.step("banner tables", completed: done + tables.count, total: spec.stubs.count)
        }
        return tables
    }

    /// Identities, codings and mean columns of some stubs over `design`'s rows (categorical
    /// stubs coded in parallel); a multiple-response set's codes are those its rows use.
    static func stubCodings(_ slice: [BannerSpecification.Stub], spec: BannerSpecification.Resolved,
                            design: SurveyDesign) throws(BarometerError) -> StubCodings {
        let n = design.rowCount
        let validOnly = spec.base == .valid
        var toCode: [Variable] = []
        for stub in slice where (stub.kind ?? .categories) == .categories { toCode.append(try design.variable(stub.variable)) }
        var coded = CategoryCoding.coding(toCode, missing: validOnly ? .excludeMissing : .showMissing)[...]
        var ids: [BannerStubCoding] = [], stubs: [CategoryCoding] = [], means: [[Double]] = []
        for stub in slice {
            switch stub.kind ?? .categories {
            case .multipleResponse:
                let (members, codes, _) = try multipleResponseCodes(stub, design: design)
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
                ids.append(.responseBase(stub.variable))
                stubs.append(CategoryCoding(categories: [Category(code: nil, label: "Base", status: .valid)],
                                            index: inBase.map { $0 ? 0 : -1 }))
                for (e, index) in named.enumerated() {
                    ids.append(e < sorted.count ? .named(stub.variable, sorted[e]) : .net(stub.variable, e - sorted.count))
                    stubs.append(CategoryCoding(categories: namedCategories, index: index))
                }
            case .mean:
                let v = try design.variable(stub.variable)
                try v.requireNumeric()
                if spec.test == .spss {
                    throw .invalidArgument("the SPSS-style column test compares proportions; the mean of '\(stub.variable)' takes the design test")
                }
                means.append((0..<n).map { v.status(atRow: $0) == .valid ? v.values[$0] : .nan })
            case .categories:
                guard let coding = coded.popFirst() else { throw .invalidArgument("banner: stub '\(stub.variable)' was not coded") }
                ids.append(.question(stub.variable))
                stubs.append(coding)
            }
        }
        return StubCodings(ids: ids, stubs: stubs, means: means)
    }

    /// The categories of a multiple-response set's named / not-named coding.
    static let namedCategories = [Category(code: 0, label: "Not named", status: .valid), Category(code: 1, label: "Named", status: .valid)]

    /// Table plans of some stubs from the state's stub codings (`ids`, in table order) and their categories.
    private static func plan(_ slice: [BannerSpecification.Stub], spec: BannerSpecification.Resolved, ids: [BannerStubCoding],
                             categories: [[Category]], variable: VariableLookup) throws(BarometerError) -> [StubPlan] {
        let validOnly = spec.base == .valid
        let position = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        var plans: [StubPlan] = [], meanCount = 0
        for stub in slice {
            switch stub.kind ?? .categories {
            case .multipleResponse:
                let members = try (stub.variables ?? []).map { (name) throws(BarometerError) in try variable(name) }
                guard let base = position[.responseBase(stub.variable)] else {
                    throw .invalidArgument("banner: multiple-response stub '\(stub.variable)' was not coded")
                }
                var entries: [StubPlan.Entry] = []
                for (s, id) in ids.enumerated() {
                    switch id {
                    case .named(stub.variable, let code):
                        entries.append(.init(label: multipleResponseLabel(code, members: members), kind: .category, coding: s,
                                             yes: [1], no: [0]))
                    case .net(stub.variable, let k):
                        entries.append(.init(label: (stub.nets ?? [])[k].label, kind: .net, coding: s, yes: [1], no: [0]))
                    default: continue
                    }
                }
                let rule = spec.base == .valid
                    ? "cases: respondents with at least one valid answer in \(stub.variables?.joined(separator: ", ") ?? "")"
                    : "all respondents"
                plans.append(StubPlan(variable: stub.variable, title: members.first?.label ?? stub.variable,
                                      rule: rule + "; percentages of cases (a respondent may name several codes)", scale: 100,
                                      base: .coded(base), entries: entries))
            case .mean:
                let v = try variable(stub.variable)
                plans.append(StubPlan(variable: stub.variable, title: v.label ?? v.name,
                                      rule: "valid answers to \(stub.variable) (Don't know, Refused and system-missing excluded)",
                                      scale: 1, base: .mean(meanCount),
                                      entries: [.init(label: "Mean", kind: .mean, coding: -1, yes: [], no: [])]))
                meanCount += 1
            case .categories:
                let v = try variable(stub.variable)
                guard let s = position[.question(stub.variable)] else { throw .invalidArgument("banner: stub '\(stub.variable)' was not coded") }
                let cats = categories[s]
                let all = Array(cats.indices)
                var entries: [StubPlan.Entry] = cats.enumerated().map { k, cat in
                    .init(label: cat.label, kind: cat.status == .valid ? .category : .missing, coding: s, yes: [k],
                          no: all.filter { $0 != k })
                }
                for net in stub.nets ?? [] {
                    let set = Set(net.codes)
                    let yes = all.filter { cats[$0].status == .valid && (cats[$0].code.map(set.contains) ?? false) }
                    entries.append(.init(label: net.label, kind: .net, coding: s, yes: yes, no: all.filter { !yes.contains($0) }))
                }
                let rule = validOnly ? "valid answers to \(stub.variable) (Don't know, Refused and system-missing excluded)"
                                     : "all respondents (Don't know, Refused and system-missing shown, not tested)"
                plans.append(StubPlan(variable: stub.variable, title: v.label ?? v.name, rule: rule, scale: 100, base: .coded(s),
                                      entries: entries))
            }
        }
        return plans
    }

    /// The design's strata, PSUs and fpc registered in an empty per-PSU
    /// accumulator, and each row's PSU in that accumulator's order.
    static func psuTemplate(_ design: SurveyDesign) throws(BarometerError) -> (DesignTotalsAccumulator, [Int32]) {
        let n = design.rowCount
        var template = DesignTotalsAccumulator(design: design, count: 0, totals: false)
        guard template.kind == .clustered else { throw .invalidArgument("banner: per-PSU state asked for a design without PSUs") }
        let empty = Matrix(rows: n, columns: 0)
        try template.add(DesignTotalsChunk(design, numerators: empty, denominators: empty, indicators: empty, srs: false))
        let s = design.sampling
        var map = [Int32](repeating: -1, count: s.psuCount)
        let psuLabels = s.psuLabels                      // formatted once (a computed property)
        for p in 0..<s.psuCount {
            let label = s.stratumLabels[Int(s.psuStratum[p])]
            let name: PSUName = psuLabels.map { .label($0[p]) } ?? .row(p)
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
        if let rep = replicate {
            // Replicate designs: per replicate the columns' Σwᵣy and Σwᵣx from the replicate cell totals;
            // the design engine's replicate finalization (θᵣ = Yᵣ/Xᵣ, ``ReplicateWeights``' covariance).
            guard let totals = rep.replicateY else { throw .insufficientData("no rows were accumulated") }
            let R = totals.rows
            var ry = Matrix(rows: R, columns: kk), rx = Matrix(rows: R, columns: kk)
            for j in 0..<kk {
                var cy: [Int] = [], cx: [Int] = []
                for c in cats[j] {
                    if let m = mean {
                        let col = replicateMeanColumn(m, bannerCell: bo + c)
                        cy.append(col); cx.append(col + 1)
                    } else {
                        for a in entry.yes { cy.append(replicateColumn(stub: s, category: a, bannerCell: bo + c)) }
                        for a in entry.no { cx.append(replicateColumn(stub: s, category: a, bannerCell: bo + c)) }
                    }
                }
                for r in 0..<R {
                    var y = 0.0, x = 0.0
                    for col in cy { y += totals[r, col] }
                    for col in cx { x += totals[r, col] }
                    ry[r, j] = y; rx[r, j] = mean == nil ? x + y : x
                }
            }
            acc = DesignTotalsAccumulator(kind: .replicate, count: kk, totals: false)
            acc.replicateY = ry; acc.replicateX = rx
            acc.scale = rep.scale; acc.rscales = rep.rscales; acc.mse = rep.mse; acc.givenDF = 0
        } else if let template {
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
