import Barometer

/// Deterministic synthetic survey data for benchmarks (never committed:
/// generated in memory from a fixed seed).
enum SyntheticSurvey {
    /// SplitMix64: a fixed-seed generator, identical on every machine.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E3779B97F4A7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58476D1CE4E5B9
            z = (z ^ (z >> 27)) &* 0x94D049BB133111EB
            return z ^ (z >> 31)
        }
        mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    }

    /// `questions` five-code items (codes 1–5, 8 = Don't know) plus a weight
    /// `wt` in [0.3, 3], for `n` respondents; `region` (1–12) when asked.
    static func categorical(n: Int, questions: Int, seed: UInt64 = 42) throws -> SurveyDesign {
        var g = Generator(state: seed)
        var vars: [Variable] = []
        for q in 0..<questions {
            var values = [Double](repeating: 0, count: n)
            for i in 0..<n {
                let u = g.uniform()
                values[i] = u < 0.04 ? 8 : Double(1 + Int(u * 5) % 5)
            }
            vars.append(Variable(name: "q\(q + 1)", level: .ordinal, values: values,
                                 valueLabels: [8: "Don't know"], missing: MissingValues(codes: [8])))
        }
        var w = [Double](repeating: 1, count: n)
        for i in 0..<n { w[i] = 0.3 + 2.7 * g.uniform() }
        vars.append(Variable(name: "wt", level: .scale, values: w))
        return try SurveyDesign(data: Dataset(variables: vars, weightVariable: "wt"))
    }

    /// A banner-book survey: `questions` five-code items `q1…` (8 = Don't know),
    /// five four-code banner variables `g1…g5` (20 columns) and a weight `wt`;
    /// with `psus` > 0, a PSU variable `psu` (rows in blocks of n/psus) and 10 strata.
    static func banner(n: Int, questions: Int, psus: Int = 0, seed: UInt64 = 19) throws -> SurveyDesign {
        let base = try categorical(n: n, questions: questions, seed: seed)
        var g = Generator(state: seed &+ 1)
        var vars = try base.data.variableNames.map { try base.data.variable($0) }
        for b in 1...5 {
            vars.append(Variable(name: "g\(b)", level: .nominal, values: (0..<n).map { _ in Double(1 + Int(g.uniform() * 4) % 4) }))
        }
        guard psus > 0 else { return try SurveyDesign(data: Dataset(variables: vars, weightVariable: "wt")) }
        let per = max(n / psus, 1)
        vars.append(Variable(name: "psu", level: .nominal, values: (0..<n).map { Double($0 / per) }))
        vars.append(Variable(name: "stratum", level: .nominal, values: (0..<n).map { Double(($0 / per) % 10) }))
        return try SurveyDesign(data: Dataset(variables: vars), weight: "wt", strata: "stratum", clusters: "psu", nest: true)
    }

    /// `p` correlated continuous variables `x1…xp` as a dataset, with a
    /// fraction `missing` of cells set to NaN (system-missing).
    static func continuousDataset(n: Int, p: Int, missing: Double = 0, seed: UInt64 = 7) throws -> SurveyDesign {
        let m = continuous(n: n, p: p, seed: seed)
        var g = Generator(state: seed &+ 1)
        var vars: [Variable] = []
        for j in 0..<p {
            var col = Array(m.storage[(j * n)..<((j + 1) * n)])
            if missing > 0 { for i in 0..<n where g.uniform() < missing { col[i] = .nan } }
            vars.append(Variable(name: "x\(j + 1)", level: .scale, values: col))
        }
        return SurveyDesign.unweighted(try Dataset(variables: vars))
    }

    /// `questions` outcome variables plus `replicates` JK1-style replicate
    /// weights (each PSU of `replicates` deleted once) and a weight.
    static func replicateDesign(n: Int, questions: Int, replicates: Int, seed: UInt64 = 9) throws -> SurveyDesign {
        var g = Generator(state: seed)
        var vars: [Variable] = []
        for q in 0..<questions {
            vars.append(Variable(name: "y\(q + 1)", level: .scale, values: (0..<n).map { _ in g.uniform() + Double(q) }))
        }
        let w = (0..<n).map { _ in 0.5 + 1.5 * g.uniform() }
        let psu = (0..<n).map { _ in Int(g.next() % UInt64(replicates)) }
        vars.append(Variable(name: "wt", level: .scale, values: w))
        let f = Double(replicates) / Double(replicates - 1)
        for r in 0..<replicates {
            vars.append(Variable(name: "rw\(r + 1)", level: .scale, values: (0..<n).map { psu[$0] == r ? 0 : w[$0] * f }))
        }
        return try SurveyDesign(data: Dataset(variables: vars), weight: "wt",
                                replicateColumns: (1...replicates).map { "rw\($0)" }, method: .jk1)
    }

    /// A stratified cluster sample for grouped estimation (issue 17): `y`
    /// (continuous), `g` (1…groups), 20 strata `st` of 100 PSUs `psu` each,
    /// weight `wt`; every PSU holds respondents of many groups.
    static func groupedDesign(n: Int, groups: Int, seed: UInt64 = 17) throws -> SurveyDesign {
        var r = Generator(state: seed)
        let st = (0..<n).map { _ in Double(1 + Int(r.next() % 20)) }
        let psu = st.map { s in s * 1000 + Double(r.next() % 100) }
        let g = (0..<n).map { _ in Double(1 + Int(r.next() % UInt64(groups))) }
        let y = g.map { 50 + $0.truncatingRemainder(dividingBy: 7) + 10 * r.uniform() }
        let w = (0..<n).map { _ in 0.5 + 1.5 * r.uniform() }
        let data = try Dataset(variables: [
            Variable(name: "y", level: .scale, values: y), Variable(name: "g", values: g),
            Variable(name: "st", values: st), Variable(name: "psu", values: psu), Variable(name: "wt", level: .scale, values: w)])
        return try SurveyDesign(data: data, weight: "wt", strata: "st", clusters: "psu")
    }

    /// An n × p column-major matrix of correlated continuous values.
    static func continuous(n: Int, p: Int, seed: UInt64 = 7) -> Matrix {
        var g = Generator(state: seed)
        var m = Matrix(rows: n, columns: p)
        m.storage.withUnsafeMutableBufferPointer { s in
            for i in 0..<n {
                let common = g.uniform()
                for j in 0..<p { s[i + j * n] = common + g.uniform() + Double(j) }
            }
        }
        return m
    }
}
