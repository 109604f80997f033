@testable import Barometer
import Foundation
import Testing

/// The grouped (sparse) layout of ``DesignTotalsChunk`` against the dense n × k
/// estimating columns it stands for (`yᵢ·[eᵢ = j]`, `xᵢ·[eᵢ = j]`, `[eᵢ = j]`, plus
/// the indicator-only estimate 0 of a grouped estimate's domain), added in three
/// chunks to a ``DesignTotalsAccumulator`` of every design kind (weights-only,
/// strata/PSUs/fpc seeded and by label, clusters, JK1 replicates with the df from
/// the rank sketch): estimates, covariances, respondents, Σw, SRS variances and
/// each estimate's df agree (1e-12 relative; counts and df exactly). The dense
/// layout is the one checked against R through the grouped and share tests.
@Suite struct GroupedChunkTests {
    static func compare(_ a: DesignTotalsAccumulator.Output, _ b: DesignTotalsAccumulator.Output, _ what: String) {
        #expect(a.counts == b.counts, "\(what): counts")
        #expect(a.degreesOfFreedom == b.degreesOfFreedom, "\(what): df")
        #expect(a.estimateDegreesOfFreedom == b.estimateDegreesOfFreedom, "\(what): per-estimate df")
        for j in a.result.estimates.indices {
            #expect(close(a.result.estimates[j], b.result.estimates[j], rel: 1e-12), "\(what): estimate \(j)")
            #expect(close(a.weightedCounts[j], b.weightedCounts[j], rel: 1e-12), "\(what): Σw \(j)")
            #expect((a.srsVariances[j] == nil) == (b.srsVariances[j] == nil), "\(what): SRS \(j)")
            if let s = a.srsVariances[j], let t = b.srsVariances[j] {
                #expect(close(s.0, t.0, rel: 1e-12) && close(s.1, t.1, rel: 1e-12), "\(what): SRS \(j)")
            }
        }
        let scale = a.result.covariance.storage.map(abs).max() ?? 0
        for (u, v) in zip(a.result.covariance.storage, b.result.covariance.storage) {
            #expect(abs(u - v) <= 1e-12 * scale, "\(what): covariance \(u) vs \(v)")
        }
    }

    @Test(arguments: ["mean", "total", "ratio"])
    func groupedLayoutEqualsDenseColumns(kind: String) throws {
        let A = AccumulationTests.self
        let kz = try A.kz(), strat = try A.api("apistrat.csv"), clus = try A.api("apiclus1.csv")
        let designs: [(String, SurveyDesign, String, String, String, String?)] = [
            ("weights only", try SurveyDesign(data: kz), "q_eeu_benefit", "agegroup", "wt", "sex == 2"),
            ("strata, PSUs, fpc", try SurveyDesign(data: strat, weight: "pw", strata: "stype", clusters: "snum", fpc: "fpc"),
             "api00", "awards", "api99", "api99 > 600"),
            ("clusters", try SurveyDesign(data: clus, weight: "pw", clusters: "dnum", fpc: "fpc"), "api00", "stype", "enroll", nil),
            ("JK1", try SurveyDesign(data: clus, weight: "pw", replicateColumns: (1...15).map { "jk1_\($0)" }, method: .jk1),
             "enroll", "stype", "api99", nil),
        ]
        for (name, design, yName, byName, xName, whereText) in designs {
            let y = try design.variable(yName), by = try design.variable(byName), xv = try design.variable(xName)
            let domain = try whereText.map { try design.domain(where: $0) }
            let coding = CategoryCoding(by, missing: .excludeMissing)
            let k = coding.categories.count + 1, n = design.rowCount
            let ratio = kind != "total"
            var estimate = [Int32](repeating: -1, count: n)
            for i in 0..<n where (domain?.mask[i] ?? true) && coding.index[i] >= 0 && y.status(of: y.values[i]) == .valid
                && (kind != "ratio" || xv.status(of: xv.values[i]) == .valid) {
                estimate[i] = coding.index[i] + 1
            }
            let x: [Double]? = kind == "ratio" ? xv.values : nil
            let marked = domain?.mask ?? [Bool](repeating: true, count: n)
            for seed in [false, true] {
                var dense = DesignTotalsAccumulator(design: design, count: k, totals: !ratio)
                var grouped = dense
                dense.givenDF = nil; grouped.givenDF = nil
                let sampling = DesignTotalsChunk.Sampling(design)
                let seeded = seed && dense.seed(sampling, psuStratum: design.sampling.psuStratum)
                if seeded { _ = grouped.seed(sampling, psuStratum: design.sampling.psuStratum) }
                guard !seed || seeded else { continue }
                let cuts = [0, n / 3, 2 * n / 3 + 1, n]
                for c in 0..<3 {
                    let rows = cuts[c]..<cuts[c + 1]
                    var num = Matrix(rows: rows.count, columns: k), den = num, ind = num
                    for i in rows {
                        let r = i - rows.lowerBound
                        if marked[i] { ind[r, 0] = 1 }
                        let j = Int(estimate[i])
                        guard j >= 0 else { continue }
                        num[r, j] = y.values[i]; den[r, j] = x?[i] ?? 1; ind[r, j] = 1
                    }
                    var d = try DesignTotalsChunk(design, rows: rows, sampling: sampling, numerators: num,
                                                  denominators: ratio ? den : nil, indicators: ind, srs: kind != "ratio",
                                                  degreesOfFreedomRows: .indicators)
                    d.seeded = seeded
                    try dense.add(d)
                    let layout = DesignTotalsChunk.Grouped(estimate: Array(estimate[rows]), y: Array(y.values[rows]),
                                                           x: x.map { Array($0[rows]) }, marked: 0, markedRows: Array(marked[rows]))
                    var g = try DesignTotalsChunk(design, rows: rows, sampling: sampling, grouped: layout, count: k, ratio: ratio,
                                                  srs: kind != "ratio", degreesOfFreedomRows: .indicators)
                    g.seeded = seeded
                    try grouped.add(g)
                }
                // Estimate 0 (the domain, zero values) and empty groups have no estimate: finalized without them.
                let from: [Int?] = (1..<k).filter { dense.respondents[$0] > 0 && (!ratio || dense.tx[$0] != 0) }
                #expect(from.count >= 2, "\(name): groups with answers")
                Self.compare(try grouped.remapped(count: from.count, from: from).finalize(),
                             try dense.remapped(count: from.count, from: from).finalize(), "\(kind), \(name)\(seeded ? ", seeded" : "")")
                #expect(grouped.respondents == dense.respondents && grouped.tx == dense.tx)
                #expect(grouped.flaggedDegreesOfFreedom() == dense.flaggedDegreesOfFreedom())
            }
        }
    }
}
