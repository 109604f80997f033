#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The weighted moments behind a design-based (partial) correlation within
/// one domain: the columns of ``RatioOfTotals`` (first moments, then the
/// products a ≤ b of the variables centred at their weighted means over the
/// rows used, zero outside them) and the map from their estimates to ρ and
/// its gradient (``SurveyDesign/correlation(_:_:controlling:domain:level:)``).
struct CorrelationMoments {
    let names: [String]
    let pairs: [(Int, Int)]
    /// n × (s + q) moment columns.
    let columns: Matrix
    /// n × 1: 1 on the rows used.
    let indicator: Matrix
    let weightedCount: Double

    var width: Int { names.count + pairs.count }

    /// ρ = −P_xy/√(P_xx P_yy), P = Σ⁻¹, from the moment estimates `m(j)`
    /// (j over the columns), and ∂ρ/∂m_j: zero for the first moments (the
    /// derivative vanishes at the centre), and for the products
    /// `∂ρ/∂Σ_ab = −∂P_xy/k − ρ(∂P_xx/2P_xx + ∂P_yy/2P_yy)`,
    /// `∂P_ij/∂Σ_ab = −(P_ia P_bj + P_ib P_aj)` (a ≠ b; one term for a = b).
    func rhoAndGradient(_ m: (Int) -> Double) throws(BarometerError) -> (rho: Double, gradient: [Double]) {
        let s = names.count
        var sigma = Matrix(rows: s, columns: s)
        for (k, (a, b)) in pairs.enumerated() {
            let v = m(s + k) - m(a) * m(b)
            sigma[a, b] = v; sigma[b, a] = v
        }
        for a in 0..<s where !(sigma[a, a] > 0) { throw .constantVariable(names[a]) }
        let (rho, p) = try SurveyDesign.partialFromCovariance(sigma, names: names)
        let k = (p[0, 0] * p[1, 1]).squareRoot()
        func dP(_ i: Int, _ j: Int, _ a: Int, _ b: Int) -> Double {
            a == b ? -p[i, a] * p[a, j] : -(p[i, a] * p[b, j] + p[i, b] * p[a, j])
        }
        var g = [Double](repeating: 0, count: width)
        for (kk, (a, b)) in pairs.enumerated() {
            g[s + kk] = -dP(0, 1, a, b) / k - rho * (dP(0, 0, a, b) / (2 * p[0, 0]) + dP(1, 1, a, b) / (2 * p[1, 1]))
        }
        return (rho, g)
    }
}

extension SurveyDesign {
    /// The moment columns of the correlation of `x` and `y` given `z` over
    /// the rows of `domain` valid on every variable (listwise).
    func correlationMoments(_ x: String, _ y: String, controlling z: [String], domain: Domain?) throws(BarometerError) -> CorrelationMoments {
        let names = [x, y] + z
        guard Set(names).count == names.count else {
            throw .singularMatrix(variables: names.filter { n in names.filter { $0 == n }.count > 1 }, conditionNumber: .infinity)
        }
        let vars = try names.map { (n: String) throws(BarometerError) -> Variable in
            let v = try variable(n); try v.requireNumeric(); return v
        }
        let ind = try validIndicator(vars, domain: domain)
        let used = ind.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        guard used >= names.count + 1 else {
            throw .insufficientData("\(used) complete rows for a correlation among \(names.count) variables"
                                    + (domain.map { " in \($0.description)" } ?? ""))
        }
        let s = names.count, n = rowCount, w = weights.values
        var sw = 0.0
        for i in 0..<n where ind[i] != 0 { sw += w[i] }
        guard sw > 0 else {
            throw .emptyDomain("no weighted respondents with valid answers to \(names.joined(separator: ", "))"
                               + (domain.map { " in \($0.description)" } ?? ""))
        }
        var means = [Double](repeating: 0, count: s)
        for a in 0..<s {
            var m = 0.0
            for i in 0..<n where ind[i] != 0 { m += w[i] * vars[a].values[i] }
            means[a] = m / sw
        }
        var pairs: [(Int, Int)] = []
        for b in 0..<s { for a in 0...b { pairs.append((a, b)) } }
        var cols = Matrix(rows: n, columns: s + pairs.count)
        var denom = Matrix(rows: n, columns: 1)
        var centred = [Double](repeating: 0, count: s)
        for i in 0..<n where ind[i] != 0 {
            denom[i, 0] = 1
            for a in 0..<s { centred[a] = vars[a].values[i] - means[a]; cols[i, a] = centred[a] }
            for (k, (a, b)) in pairs.enumerated() { cols[i, s + k] = centred[a] * centred[b] }
        }
        return CorrelationMoments(names: names, pairs: pairs, columns: cols, indicator: denom, weightedCount: sw)
    }

    /// The design-based difference ρ_A − ρ_B of the (partial) correlation of
    /// `x` and `y` given `z` between two domains `first` and `second` (two
    /// groups), whose SE includes their covariance (groups that share PSUs
    /// are not independent):
    /// - linearization: the moments of both domains are columns of one
    ///   ``RatioOfTotals``, whose covariance V gives `gᵀVg` with the stacked
    ///   gradient `g = (∇ρ_A, −∇ρ_B)` (R: `svyby(~x + y + I(x^2) + …, ~g,
    ///   design, svymean, covmat = TRUE)` and `svycontrast` of the nonlinear
    ///   contrast of the correlations, i.e. its delta method);
    /// - replicates: the difference recomputed under every replicate weight
    ///   and combined with the method's scale factors.
    ///
    /// t = difference/SE on `degreesOfFreedom` (the caller passes the
    /// design's or the domain's, as ``GroupedEstimates`` contrasts do), the
    /// two-sided p and the CI difference ± t·SE.
    /// - Throws: the errors of ``correlation(_:_:controlling:domain:level:)``
    ///   for either domain.
    public func correlationDifference(_ x: String, _ y: String, controlling z: [String] = [], first: Domain, second: Domain,
                                      degreesOfFreedom df: Int? = nil, level: Double = 0.95,
                                      label: String? = nil) throws(BarometerError) -> GroupContrast {
        guard level > 0, level < 1 else { throw .invalidArgument("confidence level \(level) outside (0, 1)") }
        let a = try correlationMoments(x, y, controlling: z, domain: first)
        let b = try correlationMoments(x, y, controlling: z, domain: second)
        let c = a.width, n = rowCount
        var num = Matrix(rows: n, columns: 2 * c), den = Matrix(rows: n, columns: 2 * c)
        for i in 0..<n {
            if a.indicator[i, 0] != 0 { for j in 0..<c { num[i, j] = a.columns[i, j]; den[i, j] = 1 } }
            if b.indicator[i, 0] != 0 { for j in 0..<c { num[i, c + j] = b.columns[i, j]; den[i, c + j] = 1 } }
        }
        let result = try RatioOfTotals(numerators: num, denominators: den).evaluate(self)
        let (ra, ga) = try a.rhoAndGradient { result.estimates[$0] }
        let (rb, gb) = try b.rhoAndGradient { result.estimates[c + $0] }
        let difference = ra - rb
        var variance = 0.0
        if let theta = result.replicateEstimates, let reps = replicates {
            var rr = Matrix(rows: theta.rows, columns: 1)
            for r in 0..<theta.rows {
                rr[r, 0] = try a.rhoAndGradient { theta[r, $0] }.rho - (try b.rhoAndGradient { theta[r, c + $0] }.rho)
            }
            variance = try reps.covariance(replicates: rr, full: [difference])[0, 0]
        } else {
            let g = ga + gb.map { -$0 }, v = result.covariance
            for i in 0..<g.count where g[i] != 0 { for j in 0..<g.count where g[j] != 0 { variance += g[i] * v[i, j] * g[j] } }
        }
        let union = try first || second
        let dfUsed = df ?? degreesOfFreedom(in: union)
        guard dfUsed >= 1 else { throw .insufficientData("the design has \(dfUsed) degrees of freedom; no t test or interval") }
        let se = max(variance, 0).squareRoot()
        let dist = StudentT(degreesOfFreedom: Double(dfUsed))
        let q = dist.quantile(0.5 + level / 2)
        let t: Double? = se > 0 ? difference / se : nil
        return GroupContrast(label: label ?? "\(first.description) − \(second.description)",
                             terms: [.init(group: 0, weight: 1), .init(group: 1, weight: -1)],
                             estimate: difference, standardError: se, statistic: t, degreesOfFreedom: dfUsed,
                             pValue: t.map { dist.twoSidedP($0) }, adjustedPValue: nil,
                             lower: difference - q * se, upper: difference + q * se, level: level)
    }
}

/// The difference between two groups' correlations of one pair of variables.
///
/// Fisher's z test for independent samples:
/// `z = (atanh r₁ − atanh r₂) / √(1/(n₁ − 3 − k) + 1/(n₂ − 3 − k))`, k the
/// number of controls, two-sided normal p; `nᵢ` is the size the group's
/// correlation test uses (``CorrelationMatrix/testSizes``): the row count
/// unweighted, Kish's effective size `(Σw)²/Σw²` under probability weights
/// (the project's effective n), Σw under frequency weights. It assumes
/// independent simple random samples; under a design, ``designBased`` is
/// the difference with the design SE that includes the groups' covariance.
public struct CorrelationDifference: Sendable, Encodable, Equatable {
    /// The correlated pair.
    public let variables: [String]
    /// Controls of a partial correlation.
    public let controls: [String]
    /// The first group's label.
    public let first: String
    /// The second group's label.
    public let second: String
    /// r₁, the correlation in the first group.
    public let firstEstimate: Double
    /// r₂, the correlation in the second group.
    public let secondEstimate: Double
    /// n₁, the first group's (Kish effective) size entering Fisher's z (see above).
    public let firstSize: Double
    /// n₂, the second group's (Kish effective) size entering Fisher's z.
    public let secondSize: Double
    /// r₁ − r₂.
    public let difference: Double
    /// Fisher's z; nil when a group has n − 3 − k ≤ 0 or |r| = 1.
    public let z: Double?
    /// The two-sided normal p-value of Fisher's z, 2·(1 − Φ(|z|)); nil with ``z``.
    public let pValue: Double?
    /// The p-value after the family's multiplicity adjustment, when asked for.
    public var adjustedPValue: Double?
    /// The design-based difference (t on the design's df), when a design is given.
    public var designBased: GroupContrast?

    /// Fisher's z test of r₁ = r₂ from two independent groups.
    public static func fisher(variables: [String], controls: [String], first: String, r1: Double, n1: Double,
                              second: String, r2: Double, n2: Double) -> CorrelationDifference {
        let k = Double(controls.count)
        var z: Double? = nil, p: Double? = nil
        if n1 - 3 - k > 0, n2 - 3 - k > 0, abs(r1) < 1, abs(r2) < 1 {
            let zz = (atanh(r1) - atanh(r2)) / (1 / (n1 - 3 - k) + 1 / (n2 - 3 - k)).squareRoot()
            z = zz; p = 2 * Normal.sf(abs(zz))
        }
        return CorrelationDifference(variables: variables, controls: controls, first: first, second: second,
                                     firstEstimate: r1, secondEstimate: r2, firstSize: n1, secondSize: n2,
                                     difference: r1 - r2, z: z, pValue: p, adjustedPValue: nil, designBased: nil)
    }
}

/// Every difference of correlations between pairs of groups.
public struct CorrelationDifferences: Sendable, Encodable, Equatable, TableRepresentable {
    /// One difference per pair of groups and correlated pair, in group order.
    public let differences: [CorrelationDifference]
    /// Multiplicity adjustment over the family (R `p.adjust`), applied to
    /// Fisher's p and, separately, to the design-based p.
    public let adjustment: PValueAdjustment

    public var textTable: TextTable {
        let design = differences.contains { $0.designBased != nil }
        let adjust = adjustment != .none
        let rows = differences.map { d -> [String] in
            var row = ["\(d.variables.joined(separator: " × "))\(d.controls.isEmpty ? "" : " | " + d.controls.joined(separator: ", "))",
                       "\(d.first) − \(d.second)", NumberFormat.fixed(d.firstEstimate, 4), NumberFormat.fixed(d.secondEstimate, 4),
                       NumberFormat.fixed(d.difference, 4), NumberFormat.fixed(d.z, 3), GroupDifferences.formatP(d.pValue)]
            if adjust { row.append(GroupDifferences.formatP(d.adjustedPValue)) }
            if design {
                let c = d.designBased
                row += [NumberFormat.fixed(c?.standardError, 4), NumberFormat.fixed(c?.statistic, 3), c.map { String($0.degreesOfFreedom) } ?? "",
                        GroupDifferences.formatP(c?.pValue)]
                if adjust { row.append(GroupDifferences.formatP(c?.adjustedPValue)) }
                row += [NumberFormat.fixed(c?.lower, 4), NumberFormat.fixed(c?.upper, 4)]
            }
            return row
        }
        var headers = ["Pair", "Groups", "r₁", "r₂", "r₁ − r₂", "Fisher z", "p"] + (adjust ? ["p adj."] : [])
        if design { headers += ["Design SE", "t", "df", "p (design)"] + (adjust ? ["p adj. (design)"] : []) + ["CI low", "CI high"] }
        var notes = ["Fisher z = (atanh r₁ − atanh r₂)/√(1/(n₁−3−k) + 1/(n₂−3−k)), k controls, n the test size (Kish effective n under probability weights); assumes independent samples."]
        if design { notes.append("Design-based: SE of r₁ − r₂ from the joint design covariance of both groups' moments (linearization) or from replicates; t on the design's df.") }
        if adjust { notes.append("p adjusted over the \(differences.count) differences: \(adjustment.rawValue) (R p.adjust).") }
        return TextTable(title: "Differences of correlations between groups", headers: headers, rows: rows, notes: notes)
    }
}

extension GroupedResults where Result == CorrelationMatrix {
    /// Fisher's z test of every pair of variables between every two groups
    /// with a matrix (group a before b), and, given `design`, the
    /// design-based difference (``SurveyDesign/correlationDifference(_:_:controlling:first:second:degreesOfFreedom:level:label:)``)
    /// within `domain` with t on the domain's df (R `degf(subset(design, …))`).
    /// `adjustment` applies over the whole family.
    public func differences(design: SurveyDesign? = nil, domain: Domain? = nil, level: Double = 0.95,
                            adjustment: PValueAdjustment = .none) throws(BarometerError) -> CorrelationDifferences {
        var out: [CorrelationDifference] = []
        let part: GroupPartition? = try design.map { (d: SurveyDesign) throws(BarometerError) -> GroupPartition in try GroupPartition(d, by: by) }
        let df = design?.degreesOfFreedom(in: domain)
        func mask(_ g: Group) throws(BarometerError) -> Domain? {
            guard let part, let design else { return nil }
            var m = [Bool](repeating: false, count: design.rowCount)
            for i in 0..<design.rowCount where part.cells[i] == Int32(g.cell) && (domain?.mask[i] ?? true) { m[i] = true }
            return Domain(mask: m, description: g.label)
        }
        let withResult = groups.filter { $0.result != nil }
        for (ia, ga) in withResult.enumerated() {
            for gb in withResult.dropFirst(ia + 1) {
                guard let ma = ga.result, let mb = gb.result else { continue }
                let p = ma.variables.count
                let da = try mask(ga), db = try mask(gb)
                for i in 0..<p { for j in (i + 1)..<p {
                    guard let r1 = ma.estimates[i][j], let r2 = mb.estimates[i][j] else { continue }
                    let controls = ma.kind == .partialGivenOthers
                        ? ma.variables.enumerated().filter { $0.offset != i && $0.offset != j }.map(\.element) : ma.controls
                    var d = CorrelationDifference.fisher(variables: [ma.variables[i], ma.variables[j]], controls: controls,
                                                         first: ga.label, r1: r1, n1: ma.testSizes[i][j],
                                                         second: gb.label, r2: r2, n2: mb.testSizes[i][j])
                    if let design, let da, let db {
                        d.designBased = try design.correlationDifference(ma.variables[i], ma.variables[j], controlling: controls,
                                                                         first: da, second: db, degreesOfFreedom: df, level: level,
                                                                         label: "\(ga.label) − \(gb.label)")
                    }
                    out.append(d)
                } }
            }
        }
        if adjustment != .none {
            let fisher = adjustment.adjust(out.map { $0.pValue ?? .nan })
            let designP = adjustment.adjust(out.map { $0.designBased?.pValue ?? .nan })
            for i in out.indices {
                if !fisher[i].isNaN { out[i].adjustedPValue = fisher[i] }
                if !designP[i].isNaN { out[i].designBased?.adjustedPValue = designP[i] }
            }
        }
        return CorrelationDifferences(differences: out, adjustment: adjustment)
    }
}

extension GroupedResults where Result == CorrelationMatrix {
    /// The design-based correlations (``SurveyDesign/correlations(_:controlling:givenOthers:domain:level:)``)
    /// of every group that has a matrix, each on the domain `domain ∧ group`
    /// of the full design (rows stay in the design, R `subset(design, …)`);
    /// the group's label leads each base.
    public func designCorrelations(design: SurveyDesign, controlling z: [String] = [], givenOthers: Bool = false,
                                   domain: Domain? = nil, level: Double = 0.95) throws(BarometerError) -> [DesignEstimates] {
        let part = try GroupPartition(design, by: by)
        var out: [DesignEstimates] = []
        for g in groups {
            guard let m = g.result else { continue }
            var mask = [Bool](repeating: false, count: design.rowCount)
            for i in 0..<design.rowCount where part.cells[i] == Int32(g.cell) && (domain?.mask[i] ?? true) { mask[i] = true }
            let d = Domain(mask: mask, description: (domain.map { "\($0.description) and " } ?? "") + g.label)
            let e = try design.correlations(m.variables, controlling: z, givenOthers: givenOthers, domain: d, level: level)
            out.append(e)
        }
        return out
    }
}
