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
    /// `wt` in [0.3, 3], for `n` respondents.
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
