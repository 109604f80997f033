import Barometer
import Foundation
import Testing

/// Polychoric/tetrachoric correlations and the bivariate normal CDF against
/// Fixtures/reference/correlation/make_polychoric.py (quadrature-based
/// bivariate normal, scipy optimiser at a verified maximum; R polycor recorded).
@Suite struct PolychoricTests {
    struct BVN: Decodable { let h: Double, k: Double, rho: Double, cdf: Double, pdf: Double }
    struct RPoly: Decodable { let twoStepRho: Double, twoStepSE: Double, mlRho: Double }
    struct Case: Decodable {
        let name: String, x: String?, y: String?, weighted: Bool
        let rho: Double, se: Double, logLik: Double, score: Double
        let rowThresholds: [Double], columnThresholds: [Double], table: [[Double]]
        let R: RPoly?
        let kish: Double?, rows: Int?
    }
    struct Ref: Decodable { let bivariateNormal: [BVN], cases: [Case], zeroCellTable: [[Double]] }
    let ref: Ref
    init() throws { ref = try Fixture.decode(Ref.self, "Fixtures/reference/correlation/polychoric.json") }

    /// Thresholds need Φ⁻¹ from the distributions (branch `dist`).
    static let quantileAvailable = !Normal.quantile(0.975).isNaN

    @Test func bivariateNormalMatchesQuadrature() {
        for p in ref.bivariateNormal {
            let got = BivariateNormal.cdf(p.h, p.k, rho: p.rho)
            #expect(abs(got - p.cdf) <= 1e-14 + 1e-12 * p.cdf, "Φ2(\(p.h), \(p.k); \(p.rho)) = \(got) vs \(p.cdf)")
            #expect(close(BivariateNormal.density(p.h, p.k, rho: p.rho), p.pdf, rel: 1e-12, abs: 1e-300))
        }
        #expect(BivariateNormal.cdf(-.infinity, 1, rho: 0.3) == 0)
        #expect(BivariateNormal.cdf(.infinity, 0, rho: 0.3) == 0.5)
    }

    @Test(.enabled(if: PolychoricTests.quantileAvailable, "needs Normal.quantile from branch dist"))
    func tablesMatchVerifiedMaximum() throws {
        for c in ref.cases {
            let e = try Polychoric.estimate(table: c.table)
            #expect(close(e.rho, c.rho, rel: 1e-6), "\(c.name): ρ \(e.rho) vs \(c.rho)")
            #expect(close(e.standardError, c.se, rel: 1e-5), "\(c.name): SE \(e.standardError) vs \(c.se)")
            #expect(close(e.logLikelihood, c.logLik, rel: 1e-10))
            for (a, b) in zip(e.rowThresholds, c.rowThresholds) { #expect(close(a, b, rel: 1e-10)) }
            #expect(e.bracket[0] < e.rho && e.rho < e.bracket[1])
            if let r = c.R {
                // R's optimize() stops within its tolerance (~1e-4) of the verified maximum
                #expect(abs(e.rho - r.twoStepRho) < 1e-4)
            }
        }
    }

    @Test(.enabled(if: PolychoricTests.quantileAvailable, "needs Normal.quantile from branch dist"))
    func designMatrixUsesCategoryTallies() throws {
        let corr = try Fixture.decode(CorrelationTests.Ref.self, CorrelationTests.path)
        let anes = SurveyDesign.unweighted(try CorrelationTests.dataset(corr.anes96.data))
        let m = try Correlation.matrix(anes, variables: ["selfLR", "ClinLR", "PID", "DoleLR"],
                                       options: CorrelationOptions(method: .polychoric))
        let c0 = try #require(ref.cases.first { $0.name == "anes selfLR x ClinLR" })
        let c1 = try #require(ref.cases.first { $0.name == "anes PID x DoleLR" })
        #expect(close(m.estimates[0][1] ?? .nan, c0.rho, rel: 1e-6))
        #expect(close(m.estimates[2][3] ?? .nan, c1.rho, rel: 1e-6))
        #expect(close(m.standardErrors[0][1] ?? .nan, c0.se, rel: 1e-5))
        #expect(m.counts[0][1] == 944)
        // weighted, Don't know / Refused excluded, table rescaled to Kish n_eff
        let syn = corr.synthetic
        let d = try SurveyDesign(data: try CorrelationTests.dataset(syn.data, missing: [8, 9], weight: syn.weight))
        let w = try Polychoric.estimate(d, x: "q1", y: "q4")
        let cw = try #require(ref.cases.first { $0.weighted })
        #expect(close(w.rho, cw.rho, rel: 1e-6))
        #expect(close(w.standardError, cw.se, rel: 1e-5))
        #expect(close(w.n, cw.kish ?? 0, rel: 1e-12))
    }

    @Test(.enabled(if: PolychoricTests.quantileAvailable, "needs Normal.quantile from branch dist"))
    func zeroCellHasNoInteriorMaximum() {
        #expect(throws: BarometerError.self) { try Polychoric.estimate(table: ref.zeroCellTable) }
        #expect(throws: BarometerError.constantVariable("row variable")) { try Polychoric.estimate(table: [[3, 4], [0, 0]]) }
    }
}
