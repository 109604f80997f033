/// What the stratified jackknife's (JKn) per-replicate scales are derived from when they are
/// not given: R `as.svrepdesign(type = "JKn")` / `jknweights` set replicate r's
/// `rscale_r = (n_h − 1)/n_h`, times `(1 − f_h)` with an fpc, h the stratum whose PSU
/// replicate r deletes and n_h its sampled PSUs (here, as in the in-memory design, the
/// respondents of the stratum: a replicate design's rows are its PSUs).
///
/// Kept as counts so that parts of the sample merge: per stratum label its PSUs, per
/// replicate the stratum of the rows it zeroes and the fpc there. A shard does not hold
/// every PSU of a stratum, nor the PSU every replicate deletes, so `partial` carries this
/// state and ``rscales(names:fpcName:)`` runs after merging (``merge(_:)`` adds PSUs by
/// label). The in-memory design derives its rscales through the same function.
struct JackknifeStrata: Sendable, Equatable {
    /// Stratum labels (in first-seen order within a state).
    var labels: [String]
    /// PSUs (rows) per stratum.
    var psus: [Int]
    /// Per replicate: the stratum (index into ``labels``) of the first row it zeroes; nil when
    /// this part holds none.
    var deleted: [Int?]
    /// Per replicate: the fpc value on that row (population PSUs, or the sampling fraction);
    /// nil without an fpc.
    var fpc: [Double?]?
    /// Per replicate: that row within the data (nil after merging parts): for messages only.
    var rows: [Int?]

    /// Merged or decoded counts (no rows).
    init(labels: [String], psus: [Int], deleted: [Int?], fpc: [Double?]?) {
        self.labels = labels
        self.psus = psus
        self.deleted = deleted
        self.fpc = fpc
        rows = [Int?](repeating: nil, count: deleted.count)
    }

    /// The strata of `strata`'s rows and, per replicate column of `weights`, the first row it
    /// zeroes (its stratum and its `fpc` value).
    init(weights: [[Double]], strata s: SamplingStructure, fpc: [Double]?) {
        labels = s.stratumLabels
        psus = s.psusPerStratum
        var deleted: [Int?] = [], values: [Double?] = [], rows: [Int?] = []
        for column in weights {
            let i = column.firstIndex(of: 0)
            rows.append(i)
            deleted.append(i.map { Int(s.strata[$0]) })
            values.append(i.flatMap { fpc?[$0] })
        }
        self.deleted = deleted
        self.fpc = fpc == nil ? nil : values
        self.rows = rows
    }

    /// `rscale_r = (n_h − 1)/n_h`, times `1 − f_h` with an fpc (`f_h = n_h/N_h` from a
    /// population size N_h > 1, else the sampling fraction itself), as R `jknweights`.
    /// - Throws: ``BarometerError/invalidArgument(_:)`` for a replicate that deletes no row
    ///   (naming it by `names`, else by number) and for an fpc below the stratum's sampled PSUs.
    func rscales(names: [String]? = nil, fpcName: String = "fpc") throws(BarometerError) -> [Double] {
        var out: [Double] = []
        for (j, h) in deleted.enumerated() {
            let name = names.map { $0.indices.contains(j) ? "'\($0[j])'" : "\(j + 1)" } ?? "\(j + 1)"
            guard let h, psus.indices.contains(h) else {
                throw .invalidArgument("JKn replicate \(name) deletes no PSU\(names == nil ? " in any merged state" : ""); give rscales")
            }
            let nh = Double(psus[h])
            var r = (nh - 1) / nh
            if let x = fpc?[j] {
                guard x <= 1 || x >= nh else {
                    let at = rows[j].map { "at row \($0 + 1)" } ?? "in stratum '\(labels[h])'"
                    throw .invalidArgument("fpc '\(fpcName)' = \(Variable.formatCode(x)) \(at) is below the \(Variable.formatCode(nh)) sampled PSUs")
                }
                r *= 1 - (x <= 1 ? x : nh / x)
            }
            out.append(r)
        }
        return out
    }

    /// Adds another part's counts: PSUs by stratum label; a replicate's deleted stratum
    /// (and fpc) from whichever part holds its zeroed rows.
    /// - Throws: when the parts have different replicates or fpc use, or a replicate zeroes
    ///   rows of two strata (or with two fpc values), where "the first row" has no meaning
    ///   across shards (give rscales).
    mutating func merge(_ other: JackknifeStrata) throws(BarometerError) {
        guard other.deleted.count == deleted.count, (other.fpc == nil) == (fpc == nil) else {
            throw .invalidArgument("cannot merge JKn states of \(other.deleted.count) and \(deleted.count) replicates (or with and without an fpc)")
        }
        var position: [String: Int] = [:]
        for (h, l) in labels.enumerated() where position[l] == nil { position[l] = h }
        var mapped: [Int] = []
        for (h, l) in other.labels.enumerated() {
            if let q = position[l] {
                mapped.append(q)
            } else {
                position[l] = labels.count; mapped.append(labels.count)
                labels.append(l); psus.append(0)
            }
            if other.psus.indices.contains(h) {
                let (sum, overflow) = psus[mapped[h]].addingReportingOverflow(other.psus[h])
                guard !overflow else { throw .invalidArgument("JKn PSU counts of stratum '\(l)' overflow") }
                psus[mapped[h]] = sum
            }
        }
        for j in deleted.indices {
            guard let theirs = other.deleted[j].flatMap({ mapped.indices.contains($0) ? mapped[$0] : nil }) else { continue }
            let value = other.fpc?[j]
            if let mine = deleted[j] {
                guard mine == theirs else {
                    throw .invalidArgument("JKn replicate \(j + 1) zeroes rows of strata '\(labels[mine])' and '\(labels[theirs])'; give rscales")
                }
                if let f = fpc?[j], let g = value, f != g {
                    throw .invalidArgument("JKn replicate \(j + 1) zeroes rows with fpc \(Variable.formatCode(f)) and \(Variable.formatCode(g)); give rscales")
                }
            } else {
                deleted[j] = theirs
                if fpc != nil { fpc?[j] = value }
            }
        }
        rows = [Int?](repeating: nil, count: deleted.count)
    }
}
