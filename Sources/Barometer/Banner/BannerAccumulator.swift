import Dispatch
import Foundation

extension CategoryCoding {
    /// A coding built by the caller (banner Total, multiple-response indicators).
    init(categories: [Category], index: [Int32]) {
        self.categories = categories
        self.index = index
    }
}

/// The identity of a stub coding of a ``BannerAccumulator`` across chunks and
/// shards, so that states merge by key: a single-choice question's
/// categories, a multiple-response set's cases, and per code (or net) of the
/// set the named / not-named coding. A shard that never saw a code of a set
/// has no coding for it; merging fills its "not named" cells from the set's
/// cases (every case of that shard named something else).
enum BannerStubCoding: Hashable, Sendable {
    /// A single-choice stub variable.
    case question(String)
    /// The cases of the multiple-response stub (respondents in its base).
    case responseBase(String)
    /// Whether a case of the set named the code.
    case named(String, Double)
    /// Whether a case of the set named a code of its net (by position in the stub's nets).
    case net(String, Int)

    /// The multiple-response stub this coding belongs to (nil for a question).
    var responseSet: String? {
        switch self {
        case .question: return nil
        case .responseBase(let s), .named(let s, _), .net(let s, _): return s
        }
    }
}

/// The rows of a chunk for a ``BannerAccumulator``: the stub codings (one per
/// single-choice question; per multiple-response set a base coding and one
/// named/not-named coding per code or net) with their identities, the banner
/// codings (Total first), the mean stubs' values (NaN outside their base),
/// the weights, the domain, and under a clustered design each row's PSU
/// (an index into the accumulator's ``BannerAccumulator/design`` key table).
struct BannerChunk {
    let ids: [BannerStubCoding]
    let stubs: [CategoryCoding]
    let banner: [CategoryCoding]
    let means: [[Double]]
    let weights: Weights
    let domain: Domain?
    /// Row → PSU index (0..<psuCount), clustered designs only.
    let psu: [Int32]?
    let psuCount: Int
    /// Replicate designs: the chunk's rows of the replicate weights (``DesignTotalsChunk/Sampling``).
    var replicates: DesignTotalsChunk.Sampling? = nil
}

/// Accumulator of a banner book's sufficient statistics, in one pass over the
/// rows: per (stub category, banner category) cell n, Σw and Σw² (the
/// all-pairs counting kernel of ``BannerTable``, ``CellTally/pairs(rows:columns:symmetric:weights:domain:chunkRows:workers:blockBytes:)``);
/// per (mean stub, banner category) n, Σw, Σwy and the shifted
/// `Σw², Σw²(y−c), Σw²(y−c)²` (c the stub's first value seen); under
/// a clustered design per (PSU, cell) Σw (and Σwy for means); the design's
/// rows; and per table base (stub coding or mean stub) the rows with non-zero
/// weight and, under a clustered design, which PSUs hold one (the base's
/// degrees of freedom, R `degf(subset(design, base))`). Memory
/// O(cells + PSUs × cells), nothing of size n × cells.
///
/// Nets and banner columns are unions of categories, so their sums are sums
/// of cells; ``BannerBook`` finalizes every column's estimate and the design
/// covariance of a banner variable's columns from these sums through
/// ``DesignTotalsAccumulator`` (its weights-only shifted-sum form and its
/// clustered per-PSU form), the design engine's streaming finalization.
///
/// Every cell is summed by one worker in row order, so the sums do not
/// depend on the number of threads. Merging is by key: stub codings by
/// ``BannerStubCoding``, categories by ``CategoryKey`` (code, user-missing
/// code, extended-missing tag, system-missing, text, as ``TableAccumulator``),
/// strata and PSUs by label through the key table of a
/// ``DesignTotalsAccumulator`` (its merge, fpc and lonely-PSU checks), so
/// shards that saw different categories, codes or PSUs merge; sums are added,
/// counts exactly. ``canonical(_:)`` lays a state out in table order.
struct BannerAccumulator: StatisticAccumulator {
    typealias Chunk = BannerChunk
    typealias Output = BannerAccumulator

    /// Identity and categories per stub coding, categories per banner coding (the layout).
    private(set) var stubIDs: [BannerStubCoding]
    private(set) var stubCategories: [[Category]]
    private(set) var bannerCategories: [[Category]]
    let meanCount: Int
    /// Clustered designs: the strata, PSUs (in this state's PSU order), fpc,
    /// lonely-PSU rule and nesting, as a design-totals state of one estimate
    /// whose totals stay zero; nil for a weights-only design.
    private(set) var design: DesignTotalsAccumulator?
    /// Replicate designs: per replicate r the totals Σwᵣ of every (stub category, banner
    /// category) cell and, per mean stub and banner category, Σwᵣy and Σwᵣ, as the estimates
    /// of a ``DesignTotalsAccumulator`` of totals (its replicate products, merge checks of
    /// scale, rscales and mse, rank state of the replicate weights for the df, and JKn strata
    /// counts); columns laid out as ``replicateColumn(stub:category:bannerCell:)`` and
    /// ``replicateMeanColumn(_:bannerCell:)``. Nil for linearization designs.
    private(set) var replicate: DesignTotalsAccumulator?
    /// Worker threads (nil: one per core, at most 8).
    var workers: Int? = nil

    /// Rows of the design seen (in or out of the domain).
    private(set) var rows = 0
    /// Stub × banner tallies, row-major (`s · banner + b`), cells `i_s + k_s · i_b`.
    private(set) var tallies: [CellTally]
    /// Per mean stub, per banner category (`bannerOffset[b] + i_b`): n, Σw, Σwy,
    /// Σw², Σw²(y−c), Σw²(y−c)² at the stub's shift c.
    private(set) var meanCells: [[MeanCell]]
    private(set) var shifts: [Double?]
    /// Clustered designs: per PSU, per (stub category, banner category) Σw;
    /// layout `q · M + (stubOffset[s] + i_s) · K_b + bannerOffset[b] + i_b`, M = K_s · K_b.
    private(set) var psuCells: [Double]
    /// Clustered designs: per mean stub, per PSU, per banner category (Σwy, Σw).
    private(set) var psuMeans: [[Double]]
    /// Per base (stub codings, then mean stubs): rows in the domain and the base with non-zero weight.
    private(set) var weightedRows: [Int]
    /// Clustered designs: per base, per PSU (`base · PSUs + q`), whether the PSU holds such a row.
    private(set) var psuFlags: [Bool]

    struct MeanCell: Equatable {
        var count = 0, sumW = 0.0, sumWY = 0.0, sumW2 = 0.0, sumW2U = 0.0, sumW2U2 = 0.0
    }

    let stubOffset: [Int], bannerOffset: [Int]
    /// Σ_s k_s and Σ_b k_b.
    let stubCells: Int, bannerCells: Int
    var psuCount: Int { design?.designKeys.psus.count ?? 0 }
    /// Bases: stub codings and mean stubs.
    var baseCount: Int { stubIDs.count + meanCount }

    /// An empty accumulator of this layout; `design` is the clustered design's
    /// key table (normalized to one estimate), nil for a weights-only design;
    /// `replicate` a replicate design's totals state whose parameters (scale,
    /// rscales, mse, df rule, JKn strata) the replicate cell totals take, nil for
    /// linearization designs.
    init(ids: [BannerStubCoding], stubs: [[Category]], banner: [[Category]], means: Int,
         design: DesignTotalsAccumulator?, replicate: DesignTotalsAccumulator? = nil) {
        stubIDs = ids
        stubCategories = stubs
        bannerCategories = banner
        meanCount = means
        var keys = design
        if var d = keys {
            d.designKeys.buildLookups()
            keys = d.k == 1 ? d : d.remapped(count: 1, from: [nil])
        }
        self.design = keys
        let psuCount = keys?.designKeys.psus.count ?? 0
        var so: [Int] = [], t = 0
        for c in stubs { so.append(t); t += c.count }
        stubOffset = so; stubCells = t
        var bo: [Int] = []; t = 0
        for c in banner { bo.append(t); t += c.count }
        bannerOffset = bo; bannerCells = t
        tallies = []
        for s in stubs { for b in banner {
            let k = s.count * b.count
            tallies.append(CellTally(counts: [Int](repeating: 0, count: k), weighted: [Double](repeating: 0, count: k),
                                     weightedSquares: [Double](repeating: 0, count: k)))
        } }
        meanCells = [[MeanCell]](repeating: [MeanCell](repeating: MeanCell(), count: bannerCells), count: means)
        shifts = [Double?](repeating: nil, count: means)
        psuCells = [Double](repeating: 0, count: psuCount * stubCells * bannerCells)
        psuMeans = [[Double]](repeating: [Double](repeating: 0, count: psuCount * bannerCells * 2), count: means)
        weightedRows = [Int](repeating: 0, count: ids.count + means)
        psuFlags = [Bool](repeating: false, count: (ids.count + means) * psuCount)
        let width = stubCells * bannerCells + 2 * means * bannerCells
        self.replicate = replicate.map { $0.remapped(count: width, from: [Int?](repeating: nil, count: width)) }
    }

    /// Columns of the replicate state: every (stub category, banner category) cell, then per mean stub and banner category (Σwᵣy, Σwᵣ).
    var replicateWidth: Int { stubCells * bannerCells + 2 * meanCount * bannerCells }

    /// The replicate column of stub coding `s`'s category `a` in banner cell `cell` (`bannerOffset[b] + j`).
    func replicateColumn(stub s: Int, category a: Int, bannerCell cell: Int) -> Int {
        (stubOffset[s] + a) * bannerCells + cell
    }

    /// The replicate column of mean stub `m`'s Σwᵣy in banner cell `cell` (its Σwᵣ is the next column).
    func replicateMeanColumn(_ m: Int, bannerCell cell: Int) -> Int {
        stubCells * bannerCells + (m * bannerCells + cell) * 2
    }

    /// Derives a JKn design's rscales from the merged strata counts (``DesignTotalsAccumulator/resolveJackknife()``).
    mutating func resolveJackknife() throws(BarometerError) {
        try replicate?.resolveJackknife()
    }

    /// Doubles of the per-PSU state for this layout (for choosing the path).
    static func psuStateSize(stubCells: Int, bannerCells: Int, means: Int, psuCount: Int) -> Int {
        let (a, o1) = stubCells.multipliedReportingOverflow(by: bannerCells)
        let (b, o2) = (a + 2 * means * bannerCells).multipliedReportingOverflow(by: psuCount)
        return o1 || o2 ? Int.max : b
    }

    private var threads: Int {
        KernelThreads.workers(workers)
    }

    mutating func add(_ chunk: BannerChunk) throws(BarometerError) {
        guard chunk.ids == stubIDs, chunk.stubs.map(\.categories) == stubCategories,
              chunk.banner.map(\.categories) == bannerCategories,
              chunk.means.count == meanCount, chunk.psuCount == psuCount, (chunk.psu != nil) == (design != nil),
              (chunk.replicates != nil) == (replicate != nil) else {
            throw .invalidArgument("a banner chunk of another layout added to the accumulator")
        }
        let n = chunk.weights.count
        for m in chunk.means where m.count != n { throw .lengthMismatch(variable: "mean stub", expected: n, actual: m.count) }
        for s in chunk.stubs where s.index.count != n { throw .lengthMismatch(variable: "stub coding", expected: n, actual: s.index.count) }
        if let p = chunk.psu {
            guard p.count == n else { throw .lengthMismatch(variable: "PSU index", expected: n, actual: p.count) }
            for q in p where q < 0 || Int(q) >= psuCount { throw .invalidArgument("PSU index \(q) outside the \(psuCount) PSUs") }
        }
        if let d = chunk.domain, d.mask.count != n { throw .lengthMismatch(variable: "domain", expected: n, actual: d.mask.count) }
        let pairs = try CellTally.pairs(rows: chunk.stubs, columns: chunk.banner, symmetric: false, weights: chunk.weights,
                                        domain: chunk.domain, chunkRows: 4096, workers: workers)
        addTallies(pairs)
        if meanCount > 0 { try addMeans(chunk) }
        if let psu = chunk.psu, psuCount > 0 { addPSUCells(chunk, psu) }
        if let sampling = chunk.replicates { try addReplicateCells(chunk, sampling) }
        // Weights-only without zero weights, the first banner coding taking every row (Total):
        // a stub coding's weighted base rows are its Total cells' counts, no pass over the rows.
        let total = chunk.banner.first.map { $0.categories.count == 1 && !$0.index.contains { $0 != 0 } } ?? false
        addBaseRows(chunk, totals: chunk.psu == nil && chunk.weights.zeroCount == 0 && total ? pairs : nil)
        rows += n
    }

    private mutating func addTallies(_ other: [CellTally]) {
        for t in tallies.indices {
            let a = tallies[t], b = other[t]
            tallies[t] = CellTally(counts: zip(a.counts, b.counts).map { $0 + $1 },
                                   weighted: zip(a.weighted, b.weighted).map { $0 + $1 },
                                   weightedSquares: zip(a.weightedSquares, b.weightedSquares).map { $0 + $1 })
        }
    }

    /// Per base, the rows in the domain and the base with non-zero weight and the PSUs holding
    /// them (in parallel over bases; each base counted by one worker). With `totals` (the chunk's
    /// tallies when every row has a non-zero weight and the first banner coding is Total), the
    /// stub codings' counts are read from their Total cells.
    private mutating func addBaseRows(_ chunk: BannerChunk, totals: [CellTally]?) {
        let n = chunk.weights.count, q = psuCount, stubs = chunk.stubs.count
        let mask = chunk.domain?.mask, w = chunk.weights.values, psu = chunk.psu
        let nb = bannerCategories.count
        if let totals { for s in 0..<stubs { weightedRows[s] += totals[s * nb].counts.reduce(0, +) } }
        let first = totals == nil ? 0 : stubs
        let results = CodingResults<(Int, [Int32])>(count: baseCount)
        DispatchQueue.concurrentPerform(iterations: baseCount - first) { k in
            let b = first + k
            var count = 0
            var seen: [Int32] = []
            var marked = [Bool](repeating: false, count: psu == nil ? 0 : q)
            let index = b < stubs ? chunk.stubs[b].index : [], y = b < stubs ? [] : chunk.means[b - stubs]
            for i in 0..<n where w[i] != 0 && (mask?[i] ?? true) {
                guard b < stubs ? index[i] >= 0 : !y[i].isNaN else { continue }
                count += 1
                if let psu, !marked[Int(psu[i])] { marked[Int(psu[i])] = true; seen.append(psu[i]) }
            }
            results.set(b, (count, seen))
        }
        for (b, r) in results.values().enumerated() {
            guard let (count, seen) = r else { continue }
            weightedRows[b] += count
            for p in seen { psuFlags[b * q + Int(p)] = true }
        }
    }

    /// Mean stubs, in parallel over stubs (each stub's cells summed by one worker in row order).
    private mutating func addMeans(_ chunk: BannerChunk) throws(BarometerError) {
        let n = chunk.weights.count, kb = bannerCells, nb = chunk.banner.count
        let mask = chunk.domain?.mask
        let w = chunk.weights.values
        let bannerIndex = chunk.banner.map(\.index), bo = bannerOffset
        let psu = chunk.psu, q = psuCount
        let results = CodingResults<([MeanCell], Double?, [Double])>(count: meanCount)
        let priorShifts = shifts
        DispatchQueue.concurrentPerform(iterations: meanCount) { m in
            let y = chunk.means[m]
            var cells = [MeanCell](repeating: MeanCell(), count: kb)
            var perPSU = [Double](repeating: 0, count: psu == nil ? 0 : q * kb * 2)
            var shift = priorShifts[m]
            for i in 0..<n {
                let v = y[i]
                guard !v.isNaN, mask?[i] ?? true else { continue }
                let c: Double
                if let s = shift { c = s } else { c = v; shift = v }
                let wi = w[i], u = v - c, w2 = wi * wi
                for b in 0..<nb {
                    let j = bannerIndex[b][i]
                    guard j >= 0 else { continue }
                    let cell = bo[b] + Int(j)
                    cells[cell].count += 1
                    cells[cell].sumW += wi
                    cells[cell].sumWY += wi * v
                    cells[cell].sumW2 += w2
                    cells[cell].sumW2U += w2 * u
                    cells[cell].sumW2U2 += w2 * u * u
                    if let psu { let o = (Int(psu[i]) * kb + cell) * 2; perPSU[o] += wi * v; perPSU[o + 1] += wi }
                }
            }
            results.set(m, (cells, shift, perPSU))
        }
        let done = results.values()
        for m in 0..<meanCount {
            guard let (cells, shift, perPSU) = done[m] else { continue }
            mergeMean(m, cells, shift)
            if !perPSU.isEmpty { for e in perPSU.indices { psuMeans[m][e] += perPSU[e] } }
        }
    }

    /// Folds one mean stub's cells taken at `shift` into this accumulator's shift.
    private mutating func mergeMean(_ m: Int, _ cells: [MeanCell], _ shift: Double?) {
        guard let c2 = shift else { return }
        guard let c = shifts[m] else { shifts[m] = c2; meanCells[m] = cells; return }
        // u = y − c = (y − c₂) − δ, δ = c − c₂.
        let d = c - c2
        for e in cells.indices {
            let o = cells[e]
            meanCells[m][e].count += o.count
            meanCells[m][e].sumW += o.sumW
            meanCells[m][e].sumWY += o.sumWY
            meanCells[m][e].sumW2 += o.sumW2
            meanCells[m][e].sumW2U += o.sumW2U - d * o.sumW2
            meanCells[m][e].sumW2U2 += o.sumW2U2 - 2 * d * o.sumW2U + d * d * o.sumW2
        }
    }

    /// Per-PSU cell totals, in parallel over stub codings.
    private mutating func addPSUCells(_ chunk: BannerChunk, _ psu: [Int32]) {
        let n = chunk.weights.count, ks = stubCells, kb = bannerCells, M = ks * kb
        let workers = min(threads, max(chunk.stubs.count, 1))
        let stubIndex = chunk.stubs.map(\.index), bannerIndex = chunk.banner.map(\.index)
        let so = stubOffset, bo = bannerOffset, nb = chunk.banner.count, ns = chunk.stubs.count
        let mask = chunk.domain?.mask
        let w = chunk.weights.values
        psuCells.withUnsafeMutableBufferPointer { cells in
            let out = UnsafeSendablePointer(cells.baseAddress)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                guard let base = out.pointer else { return }
                let lo = ns * worker / workers, hi = ns * (worker + 1) / workers
                guard lo < hi else { return }
                for i in 0..<n {
                    guard mask?[i] ?? true else { continue }
                    let wi = w[i], rowBase = Int(psu[i]) * M
                    for s in lo..<hi {
                        let a = stubIndex[s][i]
                        guard a >= 0 else { continue }
                        let o = rowBase + (so[s] + Int(a)) * kb
                        for b in 0..<nb {
                            let j = bannerIndex[b][i]
                            if j >= 0 { base[o + bo[b] + Int(j)] += wi }
                        }
                    }
                }
            }
        }
    }

    /// Replicate designs: the chunk's rows in blocks; each block's estimating columns (1 for
    /// every stub cell × banner cell a row is in, y and 1 for every mean stub × banner cell)
    /// are totals of ``replicate``, which sums them per replicate (`Wᵣᵀ·Y`, in a fixed order
    /// whatever the thread count) and keeps the rank state of the replicate weights.
    private mutating func addReplicateCells(_ chunk: BannerChunk, _ sampling: DesignTotalsChunk.Sampling) throws(BarometerError) {
        guard var rep = replicate else { throw .invalidArgument("a replicate banner chunk added to a linearization state") }
        let n = chunk.weights.count, width = replicateWidth
        guard n > 0, width > 0 else { return }
        let block = DesignCellTotalsAccumulator.replicateBlockRows(cells: width)
        let stubIndex = chunk.stubs.map(\.index), bannerIndex = chunk.banner.map(\.index), bo = bannerOffset
        let mask = chunk.domain?.mask, w = chunk.weights.values
        var lo = 0
        repeat {
            let range = lo..<min(lo + block, n)
            var columns = Matrix(rows: range.count, columns: width)
            for i in range where mask?[i] ?? true {
                let r = i - lo
                for s in stubIndex.indices {
                    let a = stubIndex[s][i]
                    guard a >= 0 else { continue }
                    for b in bannerIndex.indices {
                        let j = bannerIndex[b][i]
                        if j >= 0 { columns[r, replicateColumn(stub: s, category: Int(a), bannerCell: bo[b] + Int(j))] = 1 }
                    }
                }
                for m in 0..<meanCount {
                    let y = chunk.means[m][i]
                    guard !y.isNaN else { continue }
                    for b in bannerIndex.indices {
                        let j = bannerIndex[b][i]
                        guard j >= 0 else { continue }
                        let c = replicateMeanColumn(m, bannerCell: bo[b] + Int(j))
                        columns[r, c] = y; columns[r, c + 1] = 1
                    }
                }
            }
            try rep.add(DesignTotalsChunk(weights: Array(w[range]), indicators: columns, sampling: sampling.rows(range)))
            lo = range.upperBound
        } while lo < n
        replicate = rep
    }

    // MARK: merging by key

    /// Adds another state by key: stub codings by identity, categories by
    /// ``CategoryKey``, strata and PSUs by label; codings, categories and PSUs
    /// new to this state are appended (first-seen order; ``canonical(_:)``
    /// sorts them).
    /// - Throws: for states of another shape (banner variables, mean stubs,
    ///   design kind) and the design key table's merge errors (fpc, lonely-PSU rule).
    mutating func merge(_ other: BannerAccumulator) throws(BarometerError) {
        guard other.meanCount == meanCount, other.bannerCategories.count == bannerCategories.count,
              (other.design == nil) == (design == nil), (other.replicate == nil) == (replicate == nil) else {
            throw .invalidArgument("cannot merge banner states of different banner variables, mean stubs or design kinds")
        }
        var ids = stubIDs, stubs = stubCategories, banner = bannerCategories
        var position = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        for (s, id) in other.stubIDs.enumerated() {
            if let t = position[id] {
                stubs[t] = Self.union(stubs[t], other.stubCategories[s])
            } else {
                position[id] = ids.count
                ids.append(id); stubs.append(other.stubCategories[s])
            }
        }
        for b in banner.indices { banner[b] = Self.union(banner[b], other.bannerCategories[b]) }
        var keys = design
        if var d = keys, let o = other.design { try d.merge(o); keys = d }
        let grew = ids.count != stubIDs.count || zip(stubs, stubCategories).contains { $0.count != $1.count }
            || zip(banner, bannerCategories).contains { $0.count != $1.count } || (keys?.designKeys.psus.count ?? 0) != psuCount
        var target: BannerAccumulator
        if grew {
            target = BannerAccumulator(ids: ids, stubs: stubs, banner: banner, means: meanCount, design: keys, replicate: replicate)
            target.workers = workers
            try target.addMapped(self, replacingReplicate: true)
        } else {
            target = self
            target.design = keys
        }
        try target.addMapped(other)
        self = target
    }

    /// This state laid out in table order: stub codings in `order` (each
    /// present in the state), each coding's and banner variable's categories
    /// sorted by ``CategoryKey`` (the order of ``CategoryCoding``).
    func canonical(_ order: [BannerStubCoding]) throws(BarometerError) -> BannerAccumulator {
        let position = Dictionary(uniqueKeysWithValues: stubIDs.enumerated().map { ($1, $0) })
        var stubs: [[Category]] = []
        for id in order {
            guard let s = position[id] else { throw .invalidArgument("banner state without the stub coding \(id)") }
            stubs.append(Self.sorted(stubCategories[s]))
        }
        let banner = bannerCategories.map(Self.sorted)
        if order == stubIDs && stubs == stubCategories && banner == bannerCategories { return self }
        var target = BannerAccumulator(ids: order, stubs: stubs, banner: banner, means: meanCount, design: design,
                                       replicate: replicate)
        target.workers = workers
        try target.addMapped(self, replacingReplicate: true)
        return target
    }

    private static func sorted(_ c: [Category]) -> [Category] {
        c.sorted { CategoryKey($0) < CategoryKey($1) }
    }

    private static func union(_ a: [Category], _ b: [Category]) -> [Category] {
        var keys = Set(a.map(CategoryKey.init)), out = a
        for c in b where keys.insert(CategoryKey(c)).inserted { out.append(c) }
        return out
    }

    /// Adds `src`'s sums into this state, whose layout holds every key of
    /// `src` (stub codings, categories, banner categories, PSUs). A named or
    /// net coding of a multiple-response set that `src` lacks takes `src`'s
    /// cases of the set as "not named". `replacingReplicate`: this state's replicate
    /// totals become `src`'s laid out here (`src` is this state's own content before a
    /// relayout), instead of merging them (which would count its JKn strata twice).
    private mutating func addMapped(_ src: BannerAccumulator, replacingReplicate: Bool = false) throws(BarometerError) {
        let position = Dictionary(uniqueKeysWithValues: stubIDs.enumerated().map { ($1, $0) })
        func categoryMap(_ from: [Category], _ to: [Category]) throws(BarometerError) -> [Int] {
            let lookup = Dictionary(uniqueKeysWithValues: to.enumerated().map { (CategoryKey($1), $0) })
            var out: [Int] = []
            for c in from {
                guard let p = lookup[CategoryKey(c)] else { throw .invalidArgument("banner state: category '\(c.label)' outside the layout") }
                out.append(p)
            }
            return out
        }
        // Stub codings (src s → dst t and categories), and fills: (dst t, src base coding, dst "not named" category).
        var stubMap: [Int] = [], catMap: [[Int]] = []
        for (s, id) in src.stubIDs.enumerated() {
            guard let t = position[id] else { throw .invalidArgument("banner state: stub coding \(id) outside the layout") }
            stubMap.append(t); catMap.append(try categoryMap(src.stubCategories[s], stubCategories[t]))
        }
        let srcPosition = Set(src.stubIDs)
        var fills: [(t: Int, s: Int, cat: Int)] = []
        for (t, id) in stubIDs.enumerated() where !srcPosition.contains(id) {
            guard let set = id.responseSet, let s = src.stubIDs.firstIndex(of: .responseBase(set)) else { continue }
            let notNamed = CategoryKey(Category(code: 0, label: "Not named", status: .valid))
            guard let cat = stubCategories[t].firstIndex(where: { CategoryKey($0) == notNamed }),
                  src.stubCategories[s].count == 1 else {
                throw .invalidArgument("banner state: coding \(id) has no 'not named' category")
            }
            fills.append((t, s, cat))
        }
        var bannerMap: [[Int]] = []
        for b in bannerCategories.indices { bannerMap.append(try categoryMap(src.bannerCategories[b], bannerCategories[b])) }
        // PSUs by (stratum label, PSU name).
        var psuMap: [Int] = []
        if let mine = design, let theirs = src.design {
            var keys = mine
            keys.designKeys.buildLookups()
            for key in theirs.designKeys.psus {
                guard let h = keys.designKeys.stratumLookup[theirs.designKeys.strata[key.0]],
                      let q = keys.designKeys.psuLookup[DesignKeys.PSUKey(stratum: h, psu: key.1)] else {
                    throw .invalidArgument("banner state: a PSU outside the layout")
                }
                psuMap.append(q)
            }
        }
        let nb = bannerCategories.count, kb = bannerCells, M = stubCells * kb
        let srcKb = src.bannerCells, srcM = src.stubCells * srcKb
        // Tallies.
        var counts = tallies.map(\.counts), weighted = tallies.map(\.weighted), squares = tallies.map(\.weightedSquares)
        func fold(_ t: Int, _ tcat: (Int) -> Int, _ s: Int) {
            let ks = src.stubCategories[s].count, kt = stubCategories[t].count
            for b in 0..<nb {
                let from = src.tallies[s * nb + b], to = t * nb + b
                for j in 0..<src.bannerCategories[b].count { for a in 0..<ks {
                    let c = a + ks * j, d = tcat(a) + kt * bannerMap[b][j]
                    counts[to][d] += from.counts[c]; weighted[to][d] += from.weighted[c]; squares[to][d] += from.weightedSquares[c]
                } }
            }
        }
        for (s, t) in stubMap.enumerated() { fold(t, { catMap[s][$0] }, s) }
        for f in fills { fold(f.t, { _ in f.cat }, f.s) }
        tallies = (0..<tallies.count).map { CellTally(counts: counts[$0], weighted: weighted[$0], weightedSquares: squares[$0]) }
        // Mean cells (re-laid out, then folded at this state's shift).
        let srcBannerCell: [(Int, Int)] = (0..<nb).flatMap { b in (0..<src.bannerCategories[b].count).map { (b, $0) } }
        let cellMap = srcBannerCell.map { bannerOffset[$0.0] + bannerMap[$0.0][$0.1] }
        for m in 0..<meanCount {
            var cells = [MeanCell](repeating: MeanCell(), count: kb)
            for (e, d) in cellMap.enumerated() { cells[d] = src.meanCells[m][e] }
            mergeMean(m, cells, src.shifts[m])
            for (p, q) in psuMap.enumerated() { for (e, d) in cellMap.enumerated() {
                psuMeans[m][(q * kb + d) * 2] += src.psuMeans[m][(p * srcKb + e) * 2]
                psuMeans[m][(q * kb + d) * 2 + 1] += src.psuMeans[m][(p * srcKb + e) * 2 + 1]
            } }
        }
        // PSU cells.
        if !psuMap.isEmpty {
            func foldPSU(_ t: Int, _ tcat: (Int) -> Int, _ s: Int) {
                for (p, q) in psuMap.enumerated() {
                    for a in 0..<src.stubCategories[s].count {
                        let from = p * srcM + (src.stubOffset[s] + a) * srcKb, to = q * M + (stubOffset[t] + tcat(a)) * kb
                        for (e, d) in cellMap.enumerated() { psuCells[to + d] += src.psuCells[from + e] }
                    }
                }
            }
            for (s, t) in stubMap.enumerated() { foldPSU(t, { catMap[s][$0] }, s) }
            for f in fills { foldPSU(f.t, { _ in f.cat }, f.s) }
        }
        // Bases: rows and PSU flags (a filled coding's base is its set's cases).
        let q = psuCount, srcQ = src.psuCount
        func foldBase(_ to: Int, _ from: Int) {
            weightedRows[to] += src.weightedRows[from]
            for (p, dq) in psuMap.enumerated() where src.psuFlags[from * srcQ + p] { psuFlags[to * q + dq] = true }
        }
        for (s, t) in stubMap.enumerated() { foldBase(t, s) }
        for f in fills { foldBase(f.t, f.s) }
        for m in 0..<meanCount { foldBase(stubIDs.count + m, src.stubIDs.count + m) }
        rows += src.rows
        // Replicate totals: each column of this layout from at most one column of `src`.
        if let theirs = src.replicate {
            var from = [Int?](repeating: nil, count: replicateWidth)
            func mapCells(_ t: Int, _ tcat: (Int) -> Int, _ s: Int) {
                for a in 0..<src.stubCategories[s].count { for (e, d) in cellMap.enumerated() {
                    from[replicateColumn(stub: t, category: tcat(a), bannerCell: d)] = src.replicateColumn(stub: s, category: a, bannerCell: e)
                } }
            }
            for (s, t) in stubMap.enumerated() { mapCells(t, { catMap[s][$0] }, s) }
            for f in fills { mapCells(f.t, { _ in f.cat }, f.s) }
            for m in 0..<meanCount { for (e, d) in cellMap.enumerated() {
                let c = replicateMeanColumn(m, bannerCell: d), o = src.replicateMeanColumn(m, bannerCell: e)
                from[c] = o; from[c + 1] = o + 1
            } }
            let mapped = theirs.remapped(count: replicateWidth, from: from)
            if replacingReplicate || replicate == nil { replicate = mapped } else { try replicate?.merge(mapped) }
        }
    }

    func finalize() throws(BarometerError) -> BannerAccumulator { self }

    /// Degrees of freedom of a base (stub coding `s`, or mean stub `m` as `stubIDs.count + m`):
    /// PSUs holding a weighted row of the base minus their strata (weights-only: such
    /// rows − 1), R `degf(subset(design, base))`, by the design-totals state's own rule.
    func degreesOfFreedom(base: Int) -> Int {
        if let rep = replicate { return rep.replicateDegreesOfFreedom }
        var flags = DesignTotalsAccumulator(kind: design == nil ? .independent : .clustered, count: 1, totals: true)
        flags.flagMode = .perEstimate
        flags.flagRows = [weightedRows[base]]
        if let d = design {
            flags.designKeys = d.designKeys
            flags.psuFlags = Array(psuFlags[(base * psuCount)..<((base + 1) * psuCount)])
        }
        return max(flags.flaggedDegreesOfFreedom().first ?? 0, 0)
    }
}

/// Per-index results written by concurrent workers (each index by one worker).
private final class CodingResults<T>: @unchecked Sendable {
    private var slots: [T?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ v: T) { lock.lock(); slots[i] = v; lock.unlock() }
    func values() -> [T?] { lock.lock(); defer { lock.unlock() }; return slots }
}

// MARK: - State file (payload kind 11)

extension BannerAccumulator {
    /// The payload of a `partial banner` state: stub codings (identity and
    /// categories), banner codings' categories, mean stubs, rows, the tallies,
    /// mean cells and shifts, per-PSU cells and means, per-base weighted rows
    /// and PSU flags, the clustered design's key table (a design-totals
    /// payload of one estimate) when there is one, and (format 4) a replicate
    /// design's per-replicate totals of every cell and mean column with the
    /// replicate parameters, rank state and JKn strata counts.
    func encode(_ w: inout ByteWriter) {
        w.int(stubIDs.count)
        for (s, id) in stubIDs.enumerated() {
            switch id {
            case .question(let v): w.u8(0); w.string(v)
            case .responseBase(let v): w.u8(1); w.string(v)
            case .named(let v, let c): w.u8(2); w.string(v); w.double(c)
            case .net(let v, let k): w.u8(3); w.string(v); w.int(k)
            }
            w.categories(stubCategories[s])
        }
        w.int(bannerCategories.count)
        for c in bannerCategories { w.categories(c) }
        w.int(meanCount); w.int(rows)
        for t in tallies { w.ints(t.counts); w.doubles(t.weighted); w.doubles(t.weightedSquares) }
        for m in 0..<meanCount {
            let cells = meanCells[m]
            w.ints(cells.map(\.count)); w.doubles(cells.map(\.sumW)); w.doubles(cells.map(\.sumWY))
            w.doubles(cells.map(\.sumW2)); w.doubles(cells.map(\.sumW2U)); w.doubles(cells.map(\.sumW2U2))
            w.optionalDouble(shifts[m])
            w.doubles(psuMeans[m])
        }
        w.doubles(psuCells)
        w.ints(weightedRows); w.bools(psuFlags)
        w.bool(design != nil)
        design?.encode(&w)
        // Format 4: replicate designs' per-replicate cell and mean totals.
        w.bool(replicate != nil)
        replicate?.encodeReplicateTotals(&w)
    }

    /// Reads the payload written by ``encode(_:)``, checking every length
    /// against the layout it declares (identities and categories distinct).
    init(decoding r: inout ByteReader) throws(StateFileError) {
        func categories() throws(StateFileError) -> [Category] {
            let list = try r.categories()
            guard Set(list.map(CategoryKey.init)).count == list.count else { throw r.fail("a category appears twice") }
            return list
        }
        let stubCount = try r.count(26)
        var ids: [BannerStubCoding] = [], stubs: [[Category]] = []
        for _ in 0..<stubCount {
            let tag = try r.u8(), v = try r.string()
            switch tag {
            case 0: ids.append(.question(v))
            case 1: ids.append(.responseBase(v))
            case 2:
                let c = try r.double()
                guard c.isFinite else { throw r.fail("a multiple-response code that is not finite") }
                ids.append(.named(v, c))
            case 3:
                let k = try r.int()
                guard k >= 0, k < 1 << 20 else { throw r.fail("net \(k) of a multiple-response stub") }
                ids.append(.net(v, k))
            default: throw r.fail("unknown stub coding kind \(tag)")
            }
            stubs.append(try categories())
        }
        guard Set(ids).count == ids.count else { throw r.fail("a stub coding appears twice") }
        let bannerCount = try r.count(8)
        guard bannerCount >= 1 else { throw r.fail("a banner state without its Total coding") }
        var banner: [[Category]] = []
        for _ in 0..<bannerCount { banner.append(try categories()) }
        let means = try r.count(64)
        let rowCount = try r.int()
        guard rowCount >= 0 else { throw r.fail("negative row count") }
        // The key table comes last; read the sums first, then check them against it.
        var tallies: [CellTally] = []
        for s in stubs { for b in banner {
            let k = s.count * b.count
            let counts = try r.ints()
            guard counts.count == k, counts.allSatisfy({ $0 >= 0 }) else { throw r.fail("banner cell counts") }
            tallies.append(CellTally(counts: counts, weighted: try r.doubles(expected: k, "cell Σw"),
                                     weightedSquares: try r.doubles(expected: k, "cell Σw²")))
        } }
        let kb = banner.reduce(0) { $0 + $1.count }, ks = stubs.reduce(0) { $0 + $1.count }
        var meanCells: [[MeanCell]] = [], shifts: [Double?] = [], psuMeans: [[Double]] = []
        for _ in 0..<means {
            let counts = try r.ints()
            guard counts.count == kb, counts.allSatisfy({ $0 >= 0 }) else { throw r.fail("mean cell counts") }
            let sw = try r.doubles(expected: kb, "mean Σw"), swy = try r.doubles(expected: kb, "mean Σwy")
            let sw2 = try r.doubles(expected: kb, "mean Σw²"), sw2u = try r.doubles(expected: kb, "mean Σw²u")
            let sw2u2 = try r.doubles(expected: kb, "mean Σw²u²")
            meanCells.append((0..<kb).map { MeanCell(count: counts[$0], sumW: sw[$0], sumWY: swy[$0], sumW2: sw2[$0],
                                                      sumW2U: sw2u[$0], sumW2U2: sw2u2[$0]) })
            shifts.append(try r.optionalDouble())
            psuMeans.append(try r.doubles())
        }
        let psuCells = try r.doubles()
        let weighted = try r.ints(), flags = try r.bools()
        var keys: DesignTotalsAccumulator? = nil
        if try r.bool() {
            let d: DesignTotalsAccumulator
            do { d = try DesignTotalsAccumulator(decoding: &r) } catch { throw r.fail(error.description) }
            guard d.kind == .clustered, d.k == 1 else { throw r.fail("a banner design key table of another kind") }
            keys = d
        }
        var rep: DesignTotalsAccumulator? = nil
        if r.version >= 4, try r.bool() {
            guard keys == nil else { throw r.fail("a banner state with both PSUs and replicate weights") }
            let width = ks * kb + 2 * means * kb
            rep = try DesignTotalsAccumulator.decodeReplicateTotals(&r, count: width)
            guard rep?.replicateY != nil || rowCount == 0 else { throw r.fail("replicate totals missing") }
        }
        self.init(ids: ids, stubs: stubs, banner: banner, means: means, design: keys)
        self.replicate = rep
        let q = psuCount
        let (cells, o1) = q.multipliedReportingOverflow(by: ks * kb)
        guard !o1, psuCells.count == cells else { throw r.fail("\(psuCells.count) PSU cells for \(q) PSUs × \(ks * kb) cells") }
        guard psuMeans.allSatisfy({ $0.count == q * kb * 2 }) else { throw r.fail("PSU mean totals") }
        guard weighted.count == ids.count + means, weighted.allSatisfy({ $0 >= 0 }),
              flags.count == (ids.count + means) * q else { throw r.fail("base rows and PSU flags") }
        self.rows = rowCount
        self.tallies = tallies
        self.meanCells = meanCells; self.shifts = shifts; self.psuMeans = psuMeans
        self.psuCells = psuCells
        self.weightedRows = weighted; self.psuFlags = flags
    }
}
