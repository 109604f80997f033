/// A cell of a two-way table across chunks and shards: its row and column
/// categories (``CategoryKey``), so that shards which coded the categories
/// differently merge by key, never by position.
struct CellKey: Hashable, Sendable {
    let row: CategoryKey
    let column: CategoryKey
}

/// Accumulator of the design covariance of a two-way table's weighted cell
/// totals `T̂ₖ`: the state behind the design-based tests of a cross-tab
/// (``RaoScottTest``, ``AdjustedWaldTest``, R `svychisq`) under a
/// weights-only or a stratified/clustered design.
///
/// - weights-only (each respondent its own PSU, one stratum, with
///   replacement): per cell `Tₖ = Σw`, `Sₖ = Σw²` and the design's rows `N`
///   (rows outside the domain count, as R keeps them in a subset);
///   `V = N/(N−1)·(diag(S) − T Tᵀ/N)`, the closed form the linearization
///   kernel reduces to when every PSU is one row
///   (``SamplingStructure/linearizationCovariance(groups:groupCount:diagonalOnly:influence:)``);
/// - strata / PSUs: per (stratum, PSU) key the totals of the cells the PSU
///   holds (sparse: O(PSUs × cells) at most, never rows × cells), each
///   stratum's fpc, and whether the PSU has a weighted respondent in the
///   table (for the design degrees of freedom, R `degf(subset(design, …))`).
///   ``totalsCovariance(cellOf:cellCount:)`` lays the PSU cell totals out as
///   the rows of a structure with the same strata, PSUs, fpc and lonely-PSU
///   rule and hands them to the one grouped linearization kernel;
/// - replicate weights: per replicate the cell totals `Wᵣᵀ·[cellᵢ = k]`, kept
///   by a ``DesignTotalsAccumulator`` whose estimates are the cells (one
///   dgemv per replicate column per block of rows, its merge and parameter
///   checks, and in partial states its rank state of the replicate weights for
///   the df), finalized by ``replicateCovariances(cellOf:cellCount:totals:proportions:)``
///   into the replicate covariance of the cell totals and of the cell
///   proportions (``ReplicateWeights``' formula with the design's scale,
///   rscales and mse).
///
/// Keys (cells, strata, PSUs) merge by key. Strata are finalized in label
/// order and PSUs in name order within strata, whatever the merge order.
/// The in-memory tests of weights-only and replicate designs add the whole
/// table as one chunk (`DesignCellCovariance`). In memory under strata/PSUs
/// the design's rows go straight to the same grouped linearization kernel,
/// which sums each PSU's cell totals one stratum at a time (the rows are
/// already grouped by PSU), so no PSU × cell table of the whole design is
/// kept there; this accumulator keeps them for partial states and merges.
/// Calibrated weights without replicates (residuals of every row) are not
/// accumulated here.
struct DesignCellTotalsAccumulator: StatisticAccumulator {
    /// The rows of a chunk: each row's cell (−1: outside the table or the
    /// domain), the cells' keys, the weights and the chunk's sampling.
    struct Chunk {
        let cells: [Int32]
        let keys: [CellKey]
        let weights: [Double]
        /// Rows of the chunk in the domain (all rows without one).
        let domainRows: Int
        let sampling: DesignTotalsChunk.Sampling
    }

    enum Kind: UInt8, Equatable, Sendable { case independent = 0, clustered = 1, replicate = 2 }
    let kind: Kind
    // Cells.
    var keys: [CellKey] = []
    var lookup: [CellKey: Int] = [:]
    var cellN: [Int] = [], cellW: [Double] = [], cellW2: [Double] = []
    /// Rows of the design seen (N, the PSUs of the weights-only design) and rows in the domain.
    var rows = 0, domainRows = 0
    /// Rows in a cell with non-zero weight.
    var validWeighted = 0
    /// Strata and PSUs by key; ``psuValid`` and the PSU numbers of ``entries`` follow its PSUs.
    var designKeys = DesignKeys()
    /// Whether the PSU holds a row of the table with non-zero weight.
    var psuValid: [Bool] = []
    /// Cell totals per PSU, keyed `psu << 32 | cell`.
    var entries: [UInt64: Double] = [:]
    var lonelyPSU: LonelyPSURule = .fail
    var nest = true
    /// Replicate designs: the per-replicate cell totals, one estimate per cell of ``keys`` (same order).
    var replicate: DesignTotalsAccumulator? = nil

    init(kind: Kind) { self.kind = kind }

    /// An empty accumulator for `design`'s kind; nil for designs it does not
    /// serve (calibrated weights without replicate weights). With `shard`, a
    /// replicate design's df is accumulated with the rows (the rank state of
    /// ``DesignTotalsAccumulator/rankRows``) instead of taken from this part's
    /// replicate weights.
    init?(design: SurveyDesign, shard: Bool = false) {
        if design.replicates != nil {
            self.init(kind: .replicate)
            var totals = DesignTotalsAccumulator(design: design, count: 0, totals: true)
            if shard { totals.givenDF = nil }
            replicate = totals
            return
        }
        guard design.sampling.calibration == nil else { return nil }
        // The kind of DesignTotalsChunk.Sampling(design), without building it (PSU names).
        if DesignTotalsChunk.Sampling.isIndependent(design) {
            self.init(kind: .independent)
        } else {
            self.init(kind: .clustered)
            lonelyPSU = design.sampling.lonelyPSU
        }
    }

    private mutating func cellIndex(_ key: CellKey) -> Int {
        if let c = lookup[key] { return c }
        let c = keys.count
        keys.append(key); lookup[key] = c
        cellN.append(0); cellW.append(0); cellW2.append(0)
        return c
    }

    mutating func add(_ chunk: Chunk) throws(BarometerError) {
        let n = chunk.cells.count
        guard chunk.weights.count == n else { throw .lengthMismatch(variable: "weights", expected: n, actual: chunk.weights.count) }
        let local = chunk.keys.map { cellIndex($0) }
        for c in chunk.cells where c >= Int32(local.count) {
            throw .invalidArgument("cell \(c) outside the \(local.count) cells of the chunk")
        }
        let w = chunk.weights
        for i in 0..<n where chunk.cells[i] >= 0 {
            let c = local[Int(chunk.cells[i])]
            cellN[c] += 1; cellW[c] += w[i]; cellW2[c] += w[i] * w[i]
            if w[i] != 0 { validWeighted += 1 }
        }
        rows += n
        domainRows += chunk.domainRows
        switch (kind, chunk.sampling) {
        case (.independent, .independent):
            break
        case (.replicate, .replicate), (.replicate, .replicateWeights), (.replicate, .replicateRows):
            try addReplicateRows(chunk, local)
        case (.clustered, .clustered(let strata, let psus, let labels, let names, let fpc, let given)):
            guard strata.count == n, psus.count == n else {
                throw .lengthMismatch(variable: "design rows", expected: n, actual: strata.count)
            }
            designKeys.populationGiven = given
            var localStratum: [Int] = []
            for (h, label) in labels.enumerated() { localStratum.append(try designKeys.stratum(label, fpc: fpc?[h])) }
            // Every PSU of the chunk is a PSU of the design, with or without table rows.
            var psuStratum = [Int](repeating: -1, count: names.count)
            for i in 0..<n { psuStratum[Int(psus[i])] = Int(strata[i]) }
            var global = [Int](repeating: -1, count: names.count)
            for (p, name) in names.enumerated() where psuStratum[p] >= 0 {
                global[p] = psuIndex(stratum: localStratum[psuStratum[p]], name)
            }
            let (dense, o) = names.count.multipliedReportingOverflow(by: local.count)
            if !o && dense <= Swift.max(4 * n, 1 << 16) {
                // The chunk's PSU × cell totals in an array (row order within each), then one
                // map update per (PSU, cell) present instead of one per row.
                let width = local.count
                var totals = [Double](repeating: 0, count: dense), present = [Bool](repeating: false, count: dense)
                for i in 0..<n where chunk.cells[i] >= 0 {
                    let p = Int(psus[i]), e = p * width + Int(chunk.cells[i])
                    totals[e] += w[i]; present[e] = true
                    if w[i] != 0 { psuValid[global[p]] = true }
                }
                var count = 0
                for e in 0..<dense where present[e] { count += 1 }
                entries.reserveCapacity(entries.count + count)
                for p in 0..<names.count where global[p] >= 0 {
                    for c in 0..<width where present[p * width + c] {
                        entries[UInt64(global[p]) << 32 | UInt64(local[c]), default: 0] += totals[p * width + c]
                    }
                }
            } else {
                for i in 0..<n where chunk.cells[i] >= 0 {
                    let q = global[Int(psus[i])]
                    entries[UInt64(q) << 32 | UInt64(local[Int(chunk.cells[i])]), default: 0] += w[i]
                    if w[i] != 0 { psuValid[q] = true }
                }
            }
        default:
            throw .invalidArgument("a chunk of another design kind added to a \(kind) cell-totals accumulator")
        }
    }

    /// The number of PSU `name` of stratum `h`, appended (not yet valid) when new.
    private mutating func psuIndex(stratum h: Int, _ name: PSUName) -> Int {
        let q = designKeys.psu(stratum: h, name)
        if q == psuValid.count { psuValid.append(false) }
        return q
    }

    mutating func merge(_ other: DesignCellTotalsAccumulator) throws(BarometerError) {
        guard other.kind == kind else { throw .invalidArgument("cannot merge cell totals of different design kinds") }
        guard kind == .independent || other.lonelyPSU == lonelyPSU else {
            throw .invalidArgument("cannot merge designs with lonely-PSU rules \(lonelyPSU.rawValue) and \(other.lonelyPSU.rawValue)")
        }
        let cells = other.keys.map { cellIndex($0) }
        for (c, t) in cells.enumerated() {
            cellN[t] += other.cellN[c]; cellW[t] += other.cellW[c]; cellW2[t] += other.cellW2[c]
        }
        rows += other.rows; domainRows += other.domainRows; validWeighted += other.validWeighted
        if kind == .replicate {
            // Their cells laid out as ours (cells they did not see: zero totals), then the replicate merge.
            guard let theirs = other.replicate, theirs.k == other.keys.count else {
                throw .invalidArgument("replicate cell totals missing from a state")
            }
            widenReplicate()
            var position = [Int?](repeating: nil, count: keys.count)
            for (c, t) in cells.enumerated() { position[t] = c }
            try replicate?.merge(theirs.remapped(count: keys.count, from: position))
        }
        guard kind == .clustered else { return }
        designKeys.populationGiven = other.designKeys.populationGiven
        let (_, psus) = try designKeys.merge(other.designKeys)
        psuValid.append(contentsOf: repeatElement(false, count: designKeys.psus.count - psuValid.count))
        for (p, q) in psus.enumerated() where other.psuValid[p] { psuValid[q] = true }
        // Each of their (PSU, cell) totals goes to its own (PSU, cell) here (both maps are
        // one-to-one): one addition per key, so the map's order changes no bit.
        for (key, t) in other.entries {
            let p = Int(key >> 32), c = Int(key & 0xFFFF_FFFF)
            guard p < psus.count, c < cells.count else {
                throw .invalidArgument("a PSU cell total outside the state's PSUs or cells")
            }
            entries[UInt64(psus[p]) << 32 | UInt64(cells[c]), default: 0] += t
        }
    }

    func finalize() throws(BarometerError) -> DesignCellTotalsAccumulator { self }

    /// Design degrees of freedom of the table's respondents, R
    /// `degf(subset(design, domain & valid answers))`: PSUs with a weighted
    /// respondent in the table minus their strata (respondents − 1 when every
    /// respondent is its own PSU).
    var degreesOfFreedom: Int {
        if kind == .replicate, let rep = replicate { return rep.replicateDegreesOfFreedom }
        guard kind == .clustered else { return validWeighted - 1 }
        var strata = Set<Int>(), psus = 0
        for (q, key) in designKeys.psus.enumerated() where psuValid[q] { psus += 1; strata.insert(key.stratum) }
        return psus - strata.count
    }

    /// The K × K design covariance of the kept cells' totals; `cellOf` maps
    /// an accumulated cell to its kept cell (nil: not in the kept table).
    /// - Throws: the lonely-PSU and fpc errors of the linearization kernel;
    ///   ``BarometerError/insufficientData(_:)`` for fewer than 2 PSUs.
    func totalsCovariance(cellOf: (CellKey) -> Int?, cellCount k: Int) throws(BarometerError) -> Matrix {
        let kept = keys.map(cellOf)
        switch kind {
        case .replicate:
            var t = [Double](repeating: 0, count: k)
            for (c, g) in kept.enumerated() { if let g { t[g] += cellW[c] } }
            let total = t.reduce(0, +)
            return try replicateCovariances(cellOf: cellOf, cellCount: k, totals: t, proportions: t.map { $0 / total }).totals
        case .independent:
            guard rows >= 2 else { throw .insufficientData("the design needs at least 2 PSUs (respondents); it has \(rows)") }
            var t = [Double](repeating: 0, count: k), s = t
            for (c, g) in kept.enumerated() {
                guard let g else { continue }
                t[g] += cellW[c]; s[g] += cellW2[c]
            }
            let nn = Double(rows), f = nn / (nn - 1)
            var v = Matrix(rows: k, columns: k)
            for l in 0..<k { for j in 0..<k { v[j, l] = f * ((j == l ? s[j] : 0) - t[j] * t[l] / nn) } }
            return v
        case .clustered:
            // Strata in label order, PSUs in name order within them: the same layout whatever the merge order.
            let (strataOrder, members) = try designKeys.layout(nest: nest)
            var position = [Int](repeating: 0, count: designKeys.strata.count)
            for (pos, h) in strataOrder.enumerated() { position[h] = pos }
            // Each PSU's totals by kept cell, then by accumulated cell (the order of the sums
            // whatever the map's order): no sort of all the keys and no second lookup per key.
            var byPSU = [[(g: Int32, c: Int32, t: Double)]](repeating: [], count: designKeys.psus.count)
            for (key, t) in entries {
                let c = Int(key & 0xFFFF_FFFF)
                guard let g = kept[c] else { continue }
                byPSU[Int(key >> 32)].append((Int32(g), Int32(c), t))
            }
            var strata: [Int32] = [], clusters: [Int32] = [], groups: [Int32] = [], totals: [Double] = []
            var psuStratum: [Int32] = [], perStratum: [Int] = []
            for h in strataOrder {
                let ps = members[h]
                perStratum.append(ps.count)
                for q in ps {
                    let p = Int32(psuStratum.count)
                    psuStratum.append(Int32(position[h]))
                    let cells = byPSU[q].sorted { ($0.g, $0.c) < ($1.g, $1.c) }.map { ($0.g, $0.t) }
                    // A PSU without table cells is still a PSU of the design (one row of no cell).
                    for (g, t) in cells.isEmpty ? [(Int32(-1), 0.0)] : cells {
                        strata.append(Int32(position[h])); clusters.append(p); groups.append(g); totals.append(t)
                    }
                }
            }
            let labels = strataOrder.map { designKeys.strata[$0] }
            let population = try designKeys.populationPSUs(order: strataOrder, psusPerStratum: perStratum)
            let structure = SamplingStructure(strata: strata, stratumLabels: labels, clusters: clusters, psuStratum: psuStratum,
                                              psusPerStratum: perStratum, populationPSUs: population, lonelyPSU: lonelyPSU,
                                              description: "PSU cell totals")
            return try totals.withUnsafeBufferPointer { (tp) throws(BarometerError) -> Matrix in
                try structure.linearizationCovariance(groups: groups, groupCount: k) { tp[$0] }
            }
        }
    }
}

extension DesignCellTotalsAccumulator {
    /// Rows of a block of a replicate chunk: the block's cell indicators (rows × cells) stay near 8 MB.
    static func replicateBlockRows(cells: Int) -> Int {
        max(256, min(SurveyDesign.designChunkRows, (1 << 20) / max(cells, 1)))
    }

    /// Widens the replicate cell totals to every cell of ``keys`` (new cells: zero totals).
    mutating func widenReplicate() {
        guard let r = replicate, r.k < keys.count else { return }
        replicate = r.remapped(count: keys.count, from: (0..<keys.count).map { $0 < r.k ? $0 : nil })
    }

    /// A replicate chunk's rows in blocks: each block's 0/1 cell indicators are the estimating
    /// columns of a ``DesignTotalsChunk`` (totals, no denominators), so the per-replicate cell
    /// totals, their merge and the rank state are ``DesignTotalsAccumulator``'s own.
    private mutating func addReplicateRows(_ chunk: Chunk, _ local: [Int]) throws(BarometerError) {
        guard replicate != nil else { throw .invalidArgument("a replicate cell-totals accumulator without its replicate state") }
        widenReplicate()
        guard var rep = replicate else { return }
        let n = chunk.cells.count, width = keys.count
        let block = Self.replicateBlockRows(cells: width)
        var lo = 0
        repeat {
            let range = lo..<min(lo + block, n)
            var indicators = Matrix(rows: range.count, columns: width)
            for i in range where chunk.cells[i] >= 0 { indicators[i - lo, local[Int(chunk.cells[i])]] = 1 }
            try rep.add(DesignTotalsChunk(weights: Array(chunk.weights[range]), indicators: indicators,
                                          sampling: chunk.sampling.rows(range)))
            lo = range.upperBound
        } while lo < n
        replicate = rep
    }

    /// Replicate designs: the K × K replicate covariance of the kept cells' totals
    /// (`totals`, the full-sample totals, column-major over the kept table) and of
    /// their proportions (`proportions`, `p̂ₖ = T̂ₖ/ΣT̂`), each replicate's proportions from its own
    /// totals over the kept cells (R `svymean` on a replicate design, the input of
    /// `svychisq`); ``ReplicateWeights``' formula with the design's scale, rscales and mse.
    /// - Throws: ``BarometerError/emptyDomain(_:)`` when a replicate has zero total in the table.
    func replicateCovariances(cellOf: (CellKey) -> Int?, cellCount k: Int,
                              totals: [Double], proportions p: [Double]) throws(BarometerError) -> (totals: Matrix, proportions: Matrix) {
        guard let rep = replicate else { throw .invalidArgument("no replicate cell totals") }
        let R = rep.rscales.count
        var theta = Matrix(rows: R, columns: k)
        if let ry = rep.replicateY {
            for (c, key) in keys.enumerated() {
                guard let g = cellOf(key), c < ry.columns else { continue }
                for r in 0..<R { theta[r, g] += ry[r, c] }
            }
        }
        let cov = try ReplicateWeights.covariance(replicates: theta, full: totals, scale: rep.scale, rscales: rep.rscales,
                                                  mse: rep.mse)
        var props = theta
        for r in 0..<R {
            var s = 0.0
            for c in 0..<k { s += theta[r, c] }
            guard s != 0 else { throw .emptyDomain("replicate \(r + 1) has zero weighted total in the table") }
            for c in 0..<k { props[r, c] = theta[r, c] / s }
        }
        return (cov, try ReplicateWeights.covariance(replicates: props, full: p, scale: rep.scale, rscales: rep.rscales,
                                                     mse: rep.mse))
    }
}

extension DesignTotalsChunk {
    /// A chunk of 0/1 indicator columns as totals (no denominators, no SRS variance, the design's df).
    init(weights: [Double], indicators: Matrix, sampling: Sampling) {
        self.weights = weights
        self.numerators = indicators
        self.denominators = nil
        self.indicators = indicators
        self.srs = false
        self.sampling = sampling
    }
}
