import Dispatch
import Foundation

extension CategoryCoding {
    /// A coding built by the caller (banner Total, multiple-response indicators).
    init(categories: [Category], index: [Int32]) {
        self.categories = categories
        self.index = index
    }
}

/// The rows of a chunk for a ``BannerAccumulator``: the stub codings (one per
/// single-choice question; per multiple-response set a base coding and one
/// named/not-named coding per code or net), the banner codings (Total first),
/// the mean stubs' values (NaN outside their base), the weights, the domain,
/// and under a clustered design each row's PSU.
struct BannerChunk {
    let stubs: [CategoryCoding]
    let banner: [CategoryCoding]
    let means: [[Double]]
    let weights: Weights
    let domain: Domain?
    /// Row → PSU index (0..<psuCount), clustered designs only.
    let psu: [Int32]?
    let psuCount: Int
}

/// Accumulator of a banner book's sufficient statistics, in one pass over the
/// rows: per (stub category, banner category) cell n, Σw and Σw² (the
/// all-pairs counting kernel of ``BannerTable``, ``CellTally/pairs(rows:columns:symmetric:weights:domain:chunkRows:workers:blockBytes:)``);
/// per (mean stub, banner category) n, Σw, Σwy and the shifted
/// `Σw², Σw²(y−c), Σw²(y−c)²` (c the stub's first value seen); and under
/// a clustered design per (PSU, cell) Σw (and Σwy for means). Memory
/// O(cells + PSUs × cells), nothing of size n × cells.
///
/// Nets and banner columns are unions of categories, so their sums are sums
/// of cells; ``BannerBook`` finalizes every column's estimate and the design
/// covariance of a banner variable's columns from these sums through
/// ``DesignTotalsAccumulator`` (its weights-only shifted-sum form and its
/// clustered per-PSU form), the design engine's streaming finalization.
///
/// Every cell is summed by one worker in row order, so the sums do not
/// depend on the number of threads. Merging adds states of the same layout
/// (same codings' categories, same PSUs) position by position and refuses
/// others; merging by category key across shards is not implemented.
struct BannerAccumulator: StatisticAccumulator {
    typealias Chunk = BannerChunk
    typealias Output = BannerAccumulator

    /// Categories per stub and banner coding (the layout).
    let stubCategories: [[Category]]
    let bannerCategories: [[Category]]
    let meanCount: Int
    let psuCount: Int
    /// Worker threads (nil: one per core, at most 8).
    var workers: Int? = nil

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

    struct MeanCell: Equatable {
        var count = 0, sumW = 0.0, sumWY = 0.0, sumW2 = 0.0, sumW2U = 0.0, sumW2U2 = 0.0
    }

    let stubOffset: [Int], bannerOffset: [Int]
    /// Σ_s k_s and Σ_b k_b.
    let stubCells: Int, bannerCells: Int

    init(stubs: [[Category]], banner: [[Category]], means: Int, psuCount: Int) {
        stubCategories = stubs
        bannerCategories = banner
        meanCount = means
        self.psuCount = psuCount
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
    }

    /// Doubles of the per-PSU state for this layout (for choosing the path).
    static func psuStateSize(stubCells: Int, bannerCells: Int, means: Int, psuCount: Int) -> Int {
        let (a, o1) = stubCells.multipliedReportingOverflow(by: bannerCells)
        let (b, o2) = (a + 2 * means * bannerCells).multipliedReportingOverflow(by: psuCount)
        return o1 || o2 ? Int.max : b
    }

    private var threads: Int {
        min(max(workers ?? ProcessInfo.processInfo.activeProcessorCount, 1), 8)
    }

    mutating func add(_ chunk: BannerChunk) throws(BarometerError) {
        guard chunk.stubs.map(\.categories) == stubCategories, chunk.banner.map(\.categories) == bannerCategories,
              chunk.means.count == meanCount, chunk.psuCount == psuCount, (chunk.psu != nil) == (psuCount > 0) else {
            throw .invalidArgument("a banner chunk of another layout added to the accumulator")
        }
        let n = chunk.weights.count
        for m in chunk.means where m.count != n { throw .lengthMismatch(variable: "mean stub", expected: n, actual: m.count) }
        if let p = chunk.psu, p.count != n { throw .lengthMismatch(variable: "PSU index", expected: n, actual: p.count) }
        let pairs = try CellTally.pairs(rows: chunk.stubs, columns: chunk.banner, symmetric: false, weights: chunk.weights,
                                        domain: chunk.domain, chunkRows: 4096, workers: workers)
        addTallies(pairs)
        if meanCount > 0 { try addMeans(chunk) }
        if let psu = chunk.psu, psuCount > 0 { addPSUCells(chunk, psu) }
    }

    private mutating func addTallies(_ other: [CellTally]) {
        for t in tallies.indices {
            let a = tallies[t], b = other[t]
            tallies[t] = CellTally(counts: zip(a.counts, b.counts).map { $0 + $1 },
                                   weighted: zip(a.weighted, b.weighted).map { $0 + $1 },
                                   weightedSquares: zip(a.weightedSquares, b.weightedSquares).map { $0 + $1 })
        }
    }

    /// Mean stubs, in parallel over stubs (each stub's cells summed by one worker in row order).
    private mutating func addMeans(_ chunk: BannerChunk) throws(BarometerError) {
        let n = chunk.weights.count, kb = bannerCells, nb = chunk.banner.count
        let mask = chunk.domain?.mask
        if let m = mask, m.count != n { throw .lengthMismatch(variable: "domain", expected: n, actual: m.count) }
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

    mutating func merge(_ other: BannerAccumulator) throws(BarometerError) {
        guard other.stubCategories == stubCategories, other.bannerCategories == bannerCategories,
              other.meanCount == meanCount, other.psuCount == psuCount else {
            throw .invalidArgument("cannot merge banner accumulators of different layouts")
        }
        addTallies(other.tallies)
        for m in 0..<meanCount {
            mergeMean(m, other.meanCells[m], other.shifts[m])
            for e in psuMeans[m].indices { psuMeans[m][e] += other.psuMeans[m][e] }
        }
        for e in psuCells.indices { psuCells[e] += other.psuCells[e] }
    }

    func finalize() throws(BarometerError) -> BannerAccumulator { self }
}

/// Per-index results written by concurrent workers (each index by one worker).
private final class CodingResults<T>: @unchecked Sendable {
    private var slots: [T?]
    private let lock = NSLock()
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ v: T) { lock.lock(); slots[i] = v; lock.unlock() }
    func values() -> [T?] { lock.lock(); defer { lock.unlock() }; return slots }
}
