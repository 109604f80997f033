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
///   rule and hands them to the one grouped linearization kernel.
///
/// Keys (cells, strata, PSUs) merge by key. Strata are finalized in label
/// order and PSUs in name order within strata, whatever the merge order.
/// The in-memory tests add the whole table as one chunk
/// (`DesignCellCovariance`), so the streamed, merged and in-memory paths
/// share this one implementation. Calibrated weights (residuals of every
/// row) and replicate designs are not accumulated here.
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

    enum Kind: UInt8, Equatable, Sendable { case independent = 0, clustered = 1 }
    let kind: Kind
    // Cells.
    var keys: [CellKey] = []
    var lookup: [CellKey: Int] = [:]
    var cellN: [Int] = [], cellW: [Double] = [], cellW2: [Double] = []
    /// Rows of the design seen (N, the PSUs of the weights-only design) and rows in the domain.
    var rows = 0, domainRows = 0
    /// Rows in a cell with non-zero weight.
    var validWeighted = 0
    // Strata and PSUs.
    var stratumKeys: [String] = [], stratumLookup: [String: Int] = [:]
    var stratumFPC: [Double?] = []
    var populationGiven = true
    var psuKeys: [(Int, PSUName)] = [], psuLookup: [DesignTotalsAccumulator.PSUKey: Int] = [:]
    /// Whether the PSU holds a row of the table with non-zero weight.
    var psuValid: [Bool] = []
    /// Cell totals per PSU, keyed `psu << 32 | cell`.
    var entries: [UInt64: Double] = [:]
    var lonelyPSU: LonelyPSURule = .fail
    var nest = true

    init(kind: Kind) { self.kind = kind }

    /// An empty accumulator for `design`'s kind; nil for designs it does not
    /// serve (replicate weights, calibrated weights).
    init?(design: SurveyDesign) {
        guard design.replicates == nil, design.sampling.calibration == nil else { return nil }
        switch DesignTotalsChunk.Sampling(design) {
        case .independent: self.init(kind: .independent)
        case .clustered:
            self.init(kind: .clustered)
            lonelyPSU = design.sampling.lonelyPSU
        default: return nil
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
        case (.clustered, .clustered(let strata, let psus, let labels, let names, let fpc, let given)):
            guard strata.count == n, psus.count == n else {
                throw .lengthMismatch(variable: "design rows", expected: n, actual: strata.count)
            }
            populationGiven = given
            var localStratum: [Int] = []
            for (h, label) in labels.enumerated() { localStratum.append(try stratumIndex(label, fpc: fpc?[h])) }
            // Every PSU of the chunk is a PSU of the design, with or without table rows.
            var psuStratum = [Int](repeating: -1, count: names.count)
            for i in 0..<n { psuStratum[Int(psus[i])] = Int(strata[i]) }
            var global = [Int](repeating: -1, count: names.count)
            for (p, name) in names.enumerated() where psuStratum[p] >= 0 {
                global[p] = try psuIndex(stratum: localStratum[psuStratum[p]], name)
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

    private mutating func stratumIndex(_ label: String, fpc: Double?) throws(BarometerError) -> Int {
        if let g = stratumLookup[label] {
            if let f = fpc {
                if let mine = stratumFPC[g], mine != f {
                    throw .invalidArgument("fpc of stratum '\(label)' differs between the parts (\(mine) and \(f))")
                }
                stratumFPC[g] = f
            }
            return g
        }
        stratumLookup[label] = stratumKeys.count
        stratumKeys.append(label); stratumFPC.append(fpc)
        return stratumKeys.count - 1
    }

    private mutating func psuIndex(stratum h: Int, _ name: PSUName) throws(BarometerError) -> Int {
        let key = DesignTotalsAccumulator.PSUKey(stratum: h, psu: name)
        if let q = psuLookup[key] { return q }
        psuLookup[key] = psuKeys.count
        psuKeys.append((h, name)); psuValid.append(false)
        return psuKeys.count - 1
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
        guard kind == .clustered else { return }
        populationGiven = other.populationGiven
        var strata: [Int] = []
        for (h, label) in other.stratumKeys.enumerated() { strata.append(try stratumIndex(label, fpc: other.stratumFPC[h])) }
        var psus: [Int] = []
        for (p, key) in other.psuKeys.enumerated() {
            let q = try psuIndex(stratum: strata[key.0], key.1)
            psus.append(q)
            if other.psuValid[p] { psuValid[q] = true }
        }
        for key in other.entries.keys.sorted() {
            let p = Int(key >> 32), c = Int(key & 0xFFFF_FFFF)
            guard p < psus.count, c < cells.count, let t = other.entries[key] else {
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
        guard kind == .clustered else { return validWeighted - 1 }
        var strata = Set<Int>(), psus = 0
        for (q, key) in psuKeys.enumerated() where psuValid[q] { psus += 1; strata.insert(key.0) }
        return psus - strata.count
    }

    /// The K × K design covariance of the kept cells' totals; `cellOf` maps
    /// an accumulated cell to its kept cell (nil: not in the kept table).
    /// - Throws: the lonely-PSU and fpc errors of the linearization kernel;
    ///   ``BarometerError/insufficientData(_:)`` for fewer than 2 PSUs.
    func totalsCovariance(cellOf: (CellKey) -> Int?, cellCount k: Int) throws(BarometerError) -> Matrix {
        let kept = keys.map(cellOf)
        switch kind {
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
            let strataOrder = stratumKeys.indices.sorted { stratumKeys[$0] < stratumKeys[$1] }
            var position = [Int](repeating: 0, count: stratumKeys.count)
            for (pos, h) in strataOrder.enumerated() { position[h] = pos }
            func name(_ n: PSUName) -> (Int, String) {
                switch n { case .row(let r): return (r, ""); case .label(let s): return (-1, s) }
            }
            var members = [[Int]](repeating: [], count: stratumKeys.count)
            for (q, key) in psuKeys.enumerated() { members[key.0].append(q) }
            if !nest {
                var seen: [PSUName: Int] = [:]
                for key in psuKeys {
                    if let h = seen[key.1], h != key.0 {
                        throw .invalidArgument("PSU '\(name(key.1).1)' appears in strata '\(stratumKeys[h])' and '\(stratumKeys[key.0])'; use nest if PSU ids restart within strata")
                    }
                    seen[key.1] = key.0
                }
            }
            // Each PSU's totals by kept cell, then by accumulated cell (the order of the sums
            // whatever the map's order): no sort of all the keys and no second lookup per key.
            var byPSU = [[(g: Int32, c: Int32, t: Double)]](repeating: [], count: psuKeys.count)
            for (key, t) in entries {
                let c = Int(key & 0xFFFF_FFFF)
                guard let g = kept[c] else { continue }
                byPSU[Int(key >> 32)].append((Int32(g), Int32(c), t))
            }
            var strata: [Int32] = [], clusters: [Int32] = [], groups: [Int32] = [], totals: [Double] = []
            var psuStratum: [Int32] = [], perStratum: [Int] = []
            for h in strataOrder {
                let ps = members[h].sorted { name(psuKeys[$0].1) < name(psuKeys[$1].1) }
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
            let labels = strataOrder.map { stratumKeys[$0] }
            let population = try SamplingStructure.populationPSUs(stratumFPC: stratumFPC, keys: stratumKeys, order: strataOrder,
                                                                         given: populationGiven, psusPerStratum: perStratum, labels: labels)
            let structure = SamplingStructure(strata: strata, stratumLabels: labels, clusters: clusters, psuStratum: psuStratum,
                                              psusPerStratum: perStratum, populationPSUs: population, lonelyPSU: lonelyPSU,
                                              description: "PSU cell totals")
            return try totals.withUnsafeBufferPointer { (tp) throws(BarometerError) -> Matrix in
                try structure.linearizationCovariance(groups: groups, groupCount: k) { tp[$0] }
            }
        }
    }
}
