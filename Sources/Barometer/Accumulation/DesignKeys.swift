/// The strata and PSUs of a stratified/clustered design across chunks and
/// shards, keyed by value: each stratum by its label (with the fpc its parts
/// gave), each PSU by (stratum, name), numbered in first-seen order. The one
/// key table of the per-PSU accumulators (``DesignTotalsAccumulator``,
/// ``DesignCellTotalsAccumulator``, and the grouped one through the first):
/// they keep their sums per PSU number and grow them when ``psu(stratum:_:)``
/// or ``merge(_:)`` adds PSUs. Merging is by key, never by position, and the
/// finalizing layout (``layout(nest:)``) is strata in label order and PSUs in
/// name order within them, whatever the order of chunks and merges.
struct DesignKeys: Sendable {
    /// A PSU's key: its stratum's number and its name.
    struct PSUKey: Hashable, Sendable { let stratum: Int; let psu: PSUName }

    /// Stratum labels in first-seen order, and the raw fpc each stratum's parts gave (nil: none).
    var strata: [String] = []
    var stratumFPC: [Double?] = []
    var stratumLookup: [String: Int] = [:]
    /// The fpc values are population PSUs (true) or sampling fractions, resolved after merging.
    var populationGiven = true
    /// PSUs (stratum number, name) in first-seen order.
    var psus: [(stratum: Int, name: PSUName)] = []
    var psuLookup: [PSUKey: Int] = [:]
    /// Seeded (``seed(labels:fpc:populationGiven:psuStratum:names:)``): the lookups are not built yet.
    var lookupsPending = false

    /// No strata and no PSUs.
    init() {}

    /// The number of stratum `label`, appended when new; an fpc given by this part must equal the one
    /// given before (`chunk`: the message names a variation within the data, else between merged parts).
    mutating func stratum(_ label: String, fpc: Double?, chunk: Bool = false) throws(BarometerError) -> Int {
        buildLookups()
        if let g = stratumLookup[label] {
            if let f = fpc {
                if let mine = stratumFPC[g], mine != f {
                    throw .invalidArgument(chunk ? "fpc varies within stratum '\(label)' (\(mine) and \(f))"
                                                 : "fpc of stratum '\(label)' differs between the parts (\(mine) and \(f))")
                }
                stratumFPC[g] = f
            }
            return g
        }
        stratumLookup[label] = strata.count
        strata.append(label); stratumFPC.append(fpc)
        return strata.count - 1
    }

    /// The number of PSU `name` of stratum `h`, appended when new.
    mutating func psu(stratum h: Int, _ name: PSUName) -> Int {
        buildLookups()
        let key = PSUKey(stratum: h, psu: name)
        if let q = psuLookup[key] { return q }
        psuLookup[key] = psus.count
        psus.append((h, name))
        return psus.count - 1
    }

    /// Room for `count` PSUs (the first chunk of a design).
    mutating func reserve(_ count: Int) {
        guard psuLookup.isEmpty else { return }
        psuLookup.reserveCapacity(count); psus.reserveCapacity(count)
    }

    /// Takes a whole design's strata and PSUs in the design's order (`psuStratum`: each PSU's
    /// stratum), so that its chunks can add by number; the lookups are built only when needed.
    mutating func seed(labels: [String], fpc: [Double]?, populationGiven given: Bool, psuStratum: [Int32], names: [PSUName]) {
        strata = labels
        stratumFPC = (0..<labels.count).map { h in fpc?[h] }
        populationGiven = given
        psus = (0..<names.count).map { (Int(psuStratum[$0]), names[$0]) }
        lookupsPending = true
    }

    /// Builds the label lookups of a seeded table (first needed by a merge or a chunk by label).
    mutating func buildLookups() {
        guard lookupsPending else { return }
        lookupsPending = false
        stratumLookup = Dictionary(uniqueKeysWithValues: strata.enumerated().map { ($1, $0) })
        psuLookup = Dictionary(uniqueKeysWithValues: psus.enumerated().map { (PSUKey(stratum: $1.stratum, psu: $1.name), $0) })
    }

    /// Adds `other`'s strata and PSUs: our number of each of their strata and PSUs (new ones appended
    /// in their order, so the caller grows its per-PSU sums to ``psus``' count).
    mutating func merge(_ other: DesignKeys) throws(BarometerError) -> (strata: [Int], psus: [Int]) {
        var strata: [Int] = []
        for (h, label) in other.strata.enumerated() { strata.append(try stratum(label, fpc: other.stratumFPC[h])) }
        return (strata, other.psus.map { psu(stratum: strata[$0.stratum], $0.name) })
    }

    /// Strata in label order and, per stratum number, its PSUs in name order.
    /// - Throws: without `nest`, when one PSU name appears in two strata.
    func layout(nest: Bool) throws(BarometerError) -> (order: [Int], members: [[Int]]) {
        let order = strata.indices.sorted { strata[$0] < strata[$1] }
        func name(_ n: PSUName) -> (Int, String) {
            switch n { case .row(let r): return (r, ""); case .label(let s): return (-1, s) }
        }
        var members = [[Int]](repeating: [], count: strata.count)
        for (q, key) in psus.enumerated() { members[key.stratum].append(q) }
        for h in members.indices { members[h].sort { name(psus[$0].name) < name(psus[$1].name) } }
        if !nest {
            var seen: [PSUName: Int] = [:]
            for key in psus {
                if let h = seen[key.name], h != key.stratum {
                    throw .invalidArgument("PSU '\(name(key.name).1)' appears in strata '\(strata[h])' and '\(strata[key.stratum])'; use nest if PSU ids restart within strata")
                }
                seen[key.name] = key.stratum
            }
        }
        return (order, members)
    }

    /// The population PSUs of the strata in `order` (``SamplingStructure/populationPSUs(stratumFPC:keys:order:given:psusPerStratum:labels:)``).
    func populationPSUs(order: [Int], psusPerStratum: [Int]) throws(BarometerError) -> [Double]? {
        try SamplingStructure.populationPSUs(stratumFPC: stratumFPC, keys: strata, order: order, given: populationGiven,
                                             psusPerStratum: psusPerStratum, labels: order.map { strata[$0] })
    }

    // MARK: state file

    /// Strata (label, fpc), whether the fpc are population PSUs, PSUs (stratum, name and what
    /// `perPSU` writes after each).
    func encode(_ w: inout ByteWriter, perPSU: (inout ByteWriter, Int) -> Void = { _, _ in }) {
        w.int(strata.count)
        for (h, key) in strata.enumerated() { w.string(key); w.optionalDouble(stratumFPC[h]) }
        w.bool(populationGiven)
        w.int(psus.count)
        for (q, key) in psus.enumerated() {
            w.int(key.stratum)
            switch key.name {
            case .label(let s): w.u8(0); w.string(s)
            case .row(let r): w.u8(1); w.int(r)
            }
            perPSU(&w, q)
        }
    }

    /// Reads what ``encode(_:perPSU:)`` wrote, checking every index; `psuBytes` is the least
    /// number of bytes a PSU takes (the bound on the PSU count).
    init(decoding r: inout ByteReader, psuBytes: Int,
         perPSU: (inout ByteReader) throws(StateFileError) -> Void = { _ throws(StateFileError) in }) throws(StateFileError) {
        let count = try r.count(9)
        for _ in 0..<count {
            let key = try r.string()
            guard stratumLookup[key] == nil else { throw r.fail("stratum '\(key)' appears twice") }
            stratumLookup[key] = strata.count
            strata.append(key); stratumFPC.append(try r.optionalDouble())
        }
        populationGiven = try r.bool()
        let psuCount = try r.count(psuBytes)
        for _ in 0..<psuCount {
            let h = try r.int()
            guard h >= 0, h < count else { throw r.fail("PSU of stratum \(h) outside 0..<\(count)") }
            let name = try PSUName(decoding: &r)
            let key = PSUKey(stratum: h, psu: name)
            guard psuLookup[key] == nil else { throw r.fail("a PSU appears twice") }
            psuLookup[key] = psus.count
            psus.append((h, name))
            try perPSU(&r)
        }
    }
}
