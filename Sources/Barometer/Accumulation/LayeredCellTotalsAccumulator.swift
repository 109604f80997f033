/// The design-based tests of every layer of a layered cross-tab (`crosstab --stats` with
/// `--layer` or `--by`) across shards: one ``DesignCellTotalsAccumulator`` per layer, keyed by
/// the layer's categories (one ``CategoryKey`` per layer variable), plus the design's own
/// state without table cells (its rows, strata and PSUs, and under replicate weights the rank
/// state and JKn strata counts of the replicate weights).
///
/// In memory each layer is a domain of the whole design (`crosstab` tests layer k within
/// `--where ∧ layer k`, keeping every row in the design, as R `svychisq` on
/// `subset(design, layer == k)`), so a layer's state must hold every row and PSU of every
/// shard. A shard builds a state for each layer its domain rows touch, over all its rows (the
/// rows outside the layer in no cell); a layer a shard never saw merges that shard's
/// design-only state, which is exactly that layer's state over the shard (no cell, the same
/// rows, PSUs and replicate weights). So every layer's merged state equals the state of the
/// whole data, whatever the shard count and merge order; a layer no shard saw takes the
/// design-only state.
struct LayeredCellTotalsAccumulator: Sendable {
    /// The design without table cells: rows, PSUs, replicate rank state.
    var design: DesignCellTotalsAccumulator
    /// Layer keys (one category key per layer variable) and their states, in first-seen order.
    private(set) var keys: [[CategoryKey]] = []
    private(set) var layers: [DesignCellTotalsAccumulator] = []
    private var lookup: [[CategoryKey]: Int] = [:]

    init(design: DesignCellTotalsAccumulator) { self.design = design }

    /// The state of the layer `key` (the design-only state when no shard saw it).
    func layer(_ key: [CategoryKey]) -> DesignCellTotalsAccumulator {
        lookup[key].map { layers[$0] } ?? design
    }

    /// Adds a layer's state built over the same rows as ``design``.
    /// - Throws: for a layer given twice or of another width.
    mutating func insert(_ key: [CategoryKey], _ state: DesignCellTotalsAccumulator) throws(BarometerError) {
        guard lookup[key] == nil, keys.first.map({ $0.count == key.count }) ?? true else {
            throw .invalidArgument("a crosstab layer state given twice or of another number of layer variables")
        }
        guard state.kind == design.kind else { throw .invalidArgument("a crosstab layer state of another design kind") }
        lookup[key] = keys.count
        keys.append(key)
        layers.append(state)
    }

    /// Merges another shard's layers by key: a layer both saw merges its two states; a layer
    /// one of them never saw takes that one's design-only state; then the design-only states merge.
    mutating func merge(_ other: LayeredCellTotalsAccumulator) throws(BarometerError) {
        guard other.design.kind == design.kind else { throw .invalidArgument("cannot merge cell totals of different design kinds") }
        if let a = keys.first, let b = other.keys.first, a.count != b.count {
            throw .invalidArgument("crosstab layer states of \(a.count) and \(b.count) layer variables")
        }
        let mine = design
        for (k, key) in keys.enumerated() where other.lookup[key] == nil { try layers[k].merge(other.design) }
        for (k, key) in other.keys.enumerated() {
            if let t = lookup[key] {
                try layers[t].merge(other.layers[k])
            } else {
                var fresh = mine
                try fresh.merge(other.layers[k])
                lookup[key] = keys.count
                keys.append(key)
                layers.append(fresh)
            }
        }
        try design.merge(other.design)
    }

    /// Derives JKn rscales from the merged strata counts in every state.
    mutating func resolveJackknife() throws(BarometerError) {
        try design.replicate?.resolveJackknife()
        for k in layers.indices { try layers[k].replicate?.resolveJackknife() }
    }

    // MARK: state file (payload kind 12, format 4)

    /// Whether the states are of a replicate design, the design-only state, the number of
    /// layer variables and of layers, then per layer its keys (rank, code, text per layer
    /// variable) and its cell-totals state (as payload kind 7 / 10).
    func encode(_ w: inout ByteWriter) {
        w.bool(design.kind == .replicate)
        design.encode(&w)
        w.int(keys.first?.count ?? 0)
        w.int(keys.count)
        for (key, state) in zip(keys, layers) {
            for c in key { w.u8(c.rank); w.double(c.code); w.string(c.text) }
            state.encode(&w)
        }
    }

    /// Reads what ``encode(_:)`` wrote, checking kinds, widths and distinct keys.
    init(decoding r: inout ByteReader) throws(StateFileError) {
        let replicate = try r.bool()
        self.init(design: try DesignCellTotalsAccumulator(decoding: &r, replicate: replicate))
        guard design.keys.isEmpty else { throw r.fail("a design-only state with table cells") }
        let width = try r.count(9)
        guard width >= 1, width <= 64 else { throw r.fail("\(width) layer variables") }
        let count = try r.count(17 * width)
        for _ in 0..<count {
            var key: [CategoryKey] = []
            for _ in 0..<width {
                let rank = try r.u8(), code = try r.double(), text = try r.string()
                guard rank <= 3 else { throw r.fail("unknown category rank \(rank)") }
                key.append(CategoryKey(rank: rank, code: code, text: text))
            }
            let state = try DesignCellTotalsAccumulator(decoding: &r, replicate: replicate)
            guard state.rows == design.rows else { throw r.fail("a layer of other rows than the design") }
            do { try insert(key, state) } catch { throw r.fail(error.description) }
        }
    }
}
