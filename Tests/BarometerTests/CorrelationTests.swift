import Barometer
import Foundation
import Testing

/// Correlation engine against scipy, pandas, pingouin, statsmodels and an
/// independent numpy weighted formula (Fixtures/reference/correlation/make_correlation.py).
@Suite struct CorrelationTests {
    // Decoded with JSONDecoder: Foundation's JSONSerialization on Linux misreads
    // some decimals by an ulp, which matters for the 1e9-offset column.
    struct Pair: Decodable {
        let i: Int, j: Int
        let pearson: Double, pearsonP: Double, pearsonLo: Double, pearsonHi: Double
        let spearman: Double, spearmanP: Double, kendall: Double, kendallP: Double
    }
    struct PC: Decodable { let r: Double, p: Double, n: Int, ciLo: Double, ciHi: Double }
    struct Anes: Decodable {
        let columns: [String], data: [String: [Double?]], pairs: [Pair], pearsonAdjusted: [String: [Double]]
        let pandasPearson: [[Double]], pandasSpearman: [[Double]], pandasKendall: [[Double]], pcorr: [[Double]]
        let partialClinDoleGivenSelfPID: PC, partialSpearmanClinDoleGivenSelfPID: Double
    }
    struct Case: Decodable {
        let kind: String, covar: [String], method: String, r: Double, p: Double, n: Int, published: Double?
    }
    struct Ping: Decodable { let data: [String: [Double?]], cases: [Case], pcorr: [[Double]], columns: [String] }
    struct Syn: Decodable {
        let columns: [String], weight: String, data: [String: [Double?]]
        let listwiseRows: Int, listwiseKish: Double, listwiseSumW: Double
        let weightedListwise: [[Double]], weightedPairwise: [[Double]], pairN: [[Double]], pairKish: [[Double]]
        let pairSumW: [[Double]], weightedSpearmanListwise: [[Double]], weightedSpearmanPairwise: [[Double]]
        let unweightedPairwise: [[Double]], exactUnweightedPairwise: [[Double]], exactUnweightedListwise: [[Double]], unweightedPairwiseSpearman: [[Double]], unweightedListwise: [[Double]]
        let unweightedListwiseKendall: [[Double]], weightedKendallListwise: [[Double]], weightedPcorrListwise: [[Double]], weightedPartialQ1Q2GivenQ3: Double
    }
    struct Ref: Decodable { let anes96: Anes, pingouinPartial: Ping, synthetic: Syn }

    static let path = "Fixtures/reference/correlation/correlation.json"
    let ref: Ref
    init() throws { ref = try Fixture.decode(Ref.self, Self.path) }

    /// Whether the distributions (branch `dist`) are implemented in this build.
    static let distributionsAvailable = !StudentT(degreesOfFreedom: 10).twoSidedP(1).isNaN
        && !Normal.quantile(0.975).isNaN

    static func dataset(_ data: [String: [Double?]], missing: [Double] = [], weight: String? = nil) throws -> Dataset {
        let vars = data.keys.sorted().map { name in
            Variable(name: name, level: .scale, values: (data[name] ?? []).map { $0 ?? .nan },
                     missing: name == weight ? .none : MissingValues(codes: missing))
        }
        return try Dataset(variables: vars, weightVariable: weight)
    }

    func expectMatrix(_ m: CorrelationMatrix, _ r: [[Double]], rel: Double = 1e-10, _ what: String) {
        for i in 0..<m.variables.count { for j in 0..<m.variables.count {
            let got = m.estimates[i][j] ?? .nan
            #expect(close(got, r[i][j], rel: rel, abs: 1e-14), "\(what) (\(i),\(j)): \(got) vs \(r[i][j])")
        } }
    }

    // MARK: ANES 1996 (real survey, statsmodels)
    var anesColumns: [String] { ref.anes96.columns }

    @Test func anesPearsonSpearmanKendallMatchPandas() throws {
        let sec = ref.anes96
        let d = SurveyDesign.unweighted(try Self.dataset(sec.data))
        for (method, want) in [(CorrelationMethod.pearson, sec.pandasPearson), (.spearman, sec.pandasSpearman), (.kendall, sec.pandasKendall)] {
            let m = try Correlation.matrix(d, variables: anesColumns, options: CorrelationOptions(method: method))
            expectMatrix(m, want, "\(method)")
            #expect(m.counts[0][1] == 944)
            #expect(m.rule.contains("listwise"))
        }
    }

    @Test func anesPairwiseEqualsListwiseWithoutMissing() throws {
        let d = SurveyDesign.unweighted(try Self.dataset(ref.anes96.data))
        let m = try Correlation.matrix(d, variables: anesColumns, options: CorrelationOptions(missing: .pairwise))
        expectMatrix(m, ref.anes96.pandasPearson, "pairwise pearson")
    }

    @Test func anesKendallPValuesMatchScipy() throws {
        let sec = ref.anes96
        let d = SurveyDesign.unweighted(try Self.dataset(sec.data))
        let m = try Correlation.matrix(d, variables: anesColumns, options: CorrelationOptions(method: .kendall))
        for pr in sec.pairs {
            let i = pr.i, j = pr.j
            #expect(close(m.estimates[i][j] ?? .nan, pr.kendall, rel: 1e-10, abs: 1e-14))
            #expect(close(m.pValues[i][j] ?? .nan, pr.kendallP, rel: 1e-9, abs: 1e-300),
                    "kendall p (\(i),\(j)): \(m.pValues[i][j] ?? .nan) vs \(pr.kendallP)")
        }
    }

    @Test(.enabled(if: CorrelationTests.distributionsAvailable, "needs the distributions from branch dist"))
    func anesPValuesIntervalsAndAdjustmentMatchScipy() throws {
        let sec = ref.anes96
        let d = SurveyDesign.unweighted(try Self.dataset(sec.data))
        let m = try Correlation.matrix(d, variables: anesColumns, options: CorrelationOptions(adjustment: .holm))
        let s = try Correlation.matrix(d, variables: anesColumns, options: CorrelationOptions(method: .spearman))
        var holm: [Double] = []
        for pr in sec.pairs {
            let i = pr.i, j = pr.j
            #expect(close(m.pValues[i][j] ?? .nan, pr.pearsonP, rel: 1e-8, abs: 1e-300))
            #expect(close(s.pValues[i][j] ?? .nan, pr.spearmanP, rel: 1e-8, abs: 1e-300))
            #expect(close(m.lower[i][j] ?? .nan, pr.pearsonLo, rel: 1e-10, abs: 1e-14))
            #expect(close(m.upper[i][j] ?? .nan, pr.pearsonHi, rel: 1e-10, abs: 1e-14))
            holm.append(m.adjustedPValues[i][j] ?? .nan)
        }
        let refHolm = sec.pearsonAdjusted["holm"] ?? []
        for (a, b) in zip(holm, refHolm) { #expect(close(a, b, rel: 1e-8, abs: 1e-300)) }
    }

    @Test func pValueAdjustmentMatchesStatsmodels() {
        let sec = ref.anes96
        let raw = sec.pairs.map(\.pearsonP)
        let adj = sec.pearsonAdjusted
        for (method, key) in [(PValueAdjustment.bonferroni, "bonferroni"), (.holm, "holm"), (.benjaminiHochberg, "bh")] {
            let got = method.adjust(raw), want = adj[key] ?? []
            #expect(got.count == want.count)
            for (a, b) in zip(got, want) { #expect(close(a, b, rel: 1e-12), "\(key): \(a) vs \(b)") }
        }
        #expect(PValueAdjustment.holm.adjust([0.01, .nan, 0.04])[1].isNaN)
        #expect(PValueAdjustment.holm.adjust([0.01, .nan, 0.04])[2] == 0.04)
    }

    @Test func anesPartialCorrelationsMatchPingouin() throws {
        let sec = ref.anes96
        let d = SurveyDesign.unweighted(try Self.dataset(sec.data))
        let pc = sec.partialClinDoleGivenSelfPID
        let e = try Correlation.partial(d, x: "ClinLR", y: "DoleLR", controlling: ["selfLR", "PID"])
        #expect(close(e.r ?? .nan, pc.r))
        #expect(e.n == 944 && e.degreesOfFreedom == 940)
        if Self.distributionsAvailable {
            #expect(close(e.pValue ?? .nan, pc.p, rel: 1e-8, abs: 1e-300))
            #expect(close(e.lower ?? .nan, pc.ciLo))
            #expect(close(e.upper ?? .nan, pc.ciHi))
        }
        let sp = try Correlation.partial(d, x: "ClinLR", y: "DoleLR", controlling: ["selfLR", "PID"],
                                         options: CorrelationOptions(method: .spearman))
        #expect(close(sp.r ?? .nan, sec.partialSpearmanClinDoleGivenSelfPID))
        let all = try Correlation.partialMatrixGivenOthers(d, variables: anesColumns)
        expectMatrix(all, sec.pcorr, rel: 1e-9, "pcorr")
        #expect(all.degreesOfFreedom[0][1] == Double(944 - anesColumns.count))
    }

    // MARK: pingouin's own published partial-correlation cases
    @Test func pingouinPublishedPartialCases() throws {
        let sec = ref.pingouinPartial
        let d = SurveyDesign.unweighted(try Self.dataset(sec.data))
        for c in sec.cases {
            let cov = c.covar
            let method: CorrelationMethod = c.method == "spearman" ? .spearman : .pearson
            let o = CorrelationOptions(method: method)
            let e: CorrelationEstimate
            switch c.kind {
            case "semiX": e = try Correlation.semipartial(d, x: "x", y: "y", controlling: cov, removingFrom: .x, options: o)
            case "semiY": e = try Correlation.semipartial(d, x: "x", y: "y", controlling: cov, removingFrom: .y, options: o)
            default: e = try Correlation.partial(d, x: "x", y: "y", controlling: cov, options: o)
            }
            let r = e.r ?? .nan
            #expect(close(r, c.r), "\(c.kind) \(cov): \(r) vs \(c.r)")
            if let pub = c.published {
                #expect((r * 1000).rounded() / 1000 == pub, "published \(pub) vs \(r)")
            }
            if Self.distributionsAvailable {
                #expect(close(e.pValue ?? .nan, c.p, rel: 1e-8))
            }
        }
        let full = try Correlation.partialMatrixGivenOthers(d, variables: sec.columns)
        expectMatrix(full, sec.pcorr, rel: 1e-9, "pingouin pcorr")
    }

    // MARK: synthetic weighted survey with Don't know / Refused
    func synthetic() throws -> (SurveyDesign, [String], Syn) {
        let sec = ref.synthetic
        let d = try SurveyDesign(data: try Self.dataset(sec.data, missing: [8, 9], weight: sec.weight))
        return (d, sec.columns, sec)
    }

    @Test func weightedListwiseAndPairwiseMatchNumpy() throws {
        let (d, v, sec) = try synthetic()
        let l = try Correlation.matrix(d, variables: v)
        expectMatrix(l, sec.weightedListwise, "weighted listwise")
        #expect(l.counts[0][1] == sec.listwiseRows)
        #expect(close(l.testSizes[0][1], sec.listwiseKish, rel: 1e-12))
        #expect(l.rule.contains("user-missing") && l.rule.contains("wt") && l.rule.contains("Kish"))
        let p = try Correlation.matrix(d, variables: v, options: CorrelationOptions(missing: .pairwise))
        expectMatrix(p, sec.weightedPairwise, "weighted pairwise")
        let n = sec.pairN, kish = sec.pairKish, sw = sec.pairSumW
        let f = try Correlation.matrix(d, variables: v, options: CorrelationOptions(missing: .pairwise, weightSemantics: .frequency))
        for i in 0..<v.count { for j in 0..<v.count {
            #expect(p.counts[i][j] == Int(n[i][j]))
            #expect(close(p.testSizes[i][j], kish[i][j], rel: 1e-12))
            #expect(close(f.testSizes[i][j], sw[i][j], rel: 1e-12))
        } }
    }

    @Test func weightedSpearmanMatchesNumpyMidRanks() throws {
        let (d, v, sec) = try synthetic()
        let l = try Correlation.matrix(d, variables: v, options: CorrelationOptions(method: .spearman))
        expectMatrix(l, sec.weightedSpearmanListwise, "weighted spearman listwise")
        let p = try Correlation.matrix(d, variables: v, options: CorrelationOptions(method: .spearman, missing: .pairwise))
        expectMatrix(p, sec.weightedSpearmanPairwise, "weighted spearman pairwise")
    }

    @Test func unweightedWithDontKnowMatchesPandas() throws {
        let (d0, v, sec) = try synthetic()
        let d = SurveyDesign.unweighted(d0.data)
        let pw = try Correlation.matrix(d, variables: v, options: CorrelationOptions(missing: .pairwise))
        // exact rational arithmetic for every pair (q3 is offset by 1e9) ...
        expectMatrix(pw, sec.exactUnweightedPairwise, rel: 1e-12, "exact pairwise pearson")
        // ... and pandas for the pairs without the offset column (pandas loses ~1e-8 on q3)
        let q3 = v.firstIndex(of: "q3") ?? -1
        for i in 0..<v.count where i != q3 { for j in 0..<v.count where j != q3 {
            #expect(close(pw.estimates[i][j] ?? .nan, sec.unweightedPairwise[i][j], rel: 1e-10))
        } }
        let ps = try Correlation.matrix(d, variables: v, options: CorrelationOptions(method: .spearman, missing: .pairwise))
        expectMatrix(ps, sec.unweightedPairwiseSpearman, "pandas pairwise spearman")
        let lw = try Correlation.matrix(d, variables: v)
        expectMatrix(lw, sec.exactUnweightedListwise, rel: 1e-12, "exact listwise pearson")
        let kt = try Correlation.matrix(d, variables: v, options: CorrelationOptions(method: .kendall))
        expectMatrix(kt, sec.unweightedListwiseKendall, "pandas listwise kendall")
        // weighted τ_b (pair weight wᵢwⱼ) against the O(n²) definition; estimate only
        let wk = try Correlation.matrix(d0, variables: v, options: CorrelationOptions(method: .kendall))
        expectMatrix(wk, sec.weightedKendallListwise, "weighted kendall")
        #expect(wk.pValues[0][1] == nil && wk.notes.contains { $0.contains("Weighted Kendall") })
    }

    @Test func weightedPartialsMatchNumpy() throws {
        let (d, v, sec) = try synthetic()
        let full = try Correlation.partialMatrixGivenOthers(d, variables: v)
        expectMatrix(full, sec.weightedPcorrListwise, rel: 1e-9, "weighted pcorr")
        // listwise over all four variables, as the reference
        let dom = Domain(mask: (0..<d.rowCount).map { i in
            v.allSatisfy { name in d.data[name].map { $0.status(atRow: i) == .valid } ?? false }
        }, description: "valid on q1..q4")
        let e = try Correlation.partial(d, x: "q1", y: "q2", controlling: ["q3"], options: CorrelationOptions(domain: dom))
        #expect(close(e.r ?? .nan, sec.weightedPartialQ1Q2GivenQ3))
    }
}
