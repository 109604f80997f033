import Barometer
import Foundation
import Testing

/// The correlation engine against R (psych corr.test / partial.r, stats cov.wt,
/// polycor hetcor): Fixtures/reference/correlation/make_correlation_r.R.
@Suite struct CorrelationRTests {
    struct CorrTest: Decodable {
        let r: [[Double]], p: [[Double]], ciLower: [Double], ciUpper: [Double], spearman: [[Double]], spearmanP: [[Double]]
    }
    struct Het: Decodable { let variables: [String], r: [[Double]], se: [[Double]] }
    struct ListR: Decodable { let variables: [String], r: [[Double]] }
    struct Ref: Decodable {
        let variables: [String], corrTest: CorrTest, partialClinDoleGivenSelfPID: Double
        let partialFull: [[Double]], partialListGivenSelfPID: ListR, covWtListwise: [[Double]], hetcor: Het
    }
    let r: Ref
    let py: CorrelationTests.Ref
    init() throws {
        r = try Fixture.decode(Ref.self, "Fixtures/reference/correlation/correlation_r.json")
        py = try Fixture.decode(CorrelationTests.Ref.self, CorrelationTests.path)
    }

    @Test func psychCorrTestValuesPValuesHolmAndIntervals() throws {
        let d = SurveyDesign.unweighted(try CorrelationTests.dataset(py.anes96.data))
        let m = try Correlation.matrix(d, variables: r.variables, options: CorrelationOptions(adjustment: .holm))
        let s = try Correlation.matrix(d, variables: r.variables, options: CorrelationOptions(method: .spearman))
        var k = 0
        for i in 0..<4 { for j in 0..<4 where i != j {
            #expect(close(m.estimates[i][j] ?? .nan, r.corrTest.r[i][j], rel: 1e-10))
            #expect(close(s.estimates[i][j] ?? .nan, r.corrTest.spearman[i][j], rel: 1e-10))
            #expect(close(s.pValues[i][j] ?? .nan, r.corrTest.spearmanP[i][j], rel: 1e-8))
            // psych: above the diagonal Holm-adjusted, below raw
            if i < j {
                #expect(close(m.adjustedPValues[i][j] ?? .nan, r.corrTest.p[i][j], rel: 1e-8))
                #expect(close(m.lower[i][j] ?? .nan, r.corrTest.ciLower[k], rel: 1e-10))
                #expect(close(m.upper[i][j] ?? .nan, r.corrTest.ciUpper[k], rel: 1e-10))
                k += 1
            } else {
                #expect(close(m.pValues[i][j] ?? .nan, r.corrTest.p[i][j], rel: 1e-8))
            }
        } }
    }

    @Test func psychPartialR() throws {
        let d = SurveyDesign.unweighted(try CorrelationTests.dataset(py.anes96.data))
        let e = try Correlation.partial(d, x: "ClinLR", y: "DoleLR", controlling: ["selfLR", "PID"])
        #expect(close(e.r ?? .nan, r.partialClinDoleGivenSelfPID, rel: 1e-10))
        // every pair of a list, each given the same controls
        let list = try Correlation.partialMatrix(d, variables: r.partialListGivenSelfPID.variables, controlling: ["selfLR", "PID"])
        for i in 0..<4 { for j in 0..<4 {
            #expect(close(list.estimates[i][j] ?? .nan, r.partialListGivenSelfPID.r[i][j], rel: 1e-10))
        } }
        #expect(list.degreesOfFreedom[0][1] == 940)
        let full = try Correlation.partialMatrixGivenOthers(d, variables: r.variables)
        for i in 0..<4 { for j in 0..<4 { #expect(close(full.estimates[i][j] ?? .nan, r.partialFull[i][j], rel: 1e-9)) } }
    }

    @Test func covWtWeightedListwise() throws {
        let syn = py.synthetic
        let d = try SurveyDesign(data: try CorrelationTests.dataset(syn.data, missing: [8, 9], weight: syn.weight))
        let m = try Correlation.matrix(d, variables: syn.columns)
        for i in 0..<4 { for j in 0..<4 { #expect(close(m.estimates[i][j] ?? .nan, r.covWtListwise[i][j], rel: 1e-10)) } }
    }

    /// hetcor's two-step estimate stops within optimize()'s tolerance (~1e-4) of
    /// the maximum; the 1e-6 comparison is against the verified maximum (PolychoricTests).
    @Test func polycorHetcorWithinItsOptimizerTolerance() throws {
        let d = SurveyDesign.unweighted(try CorrelationTests.dataset(py.anes96.data))
        let m = try Correlation.matrix(d, variables: r.hetcor.variables, options: CorrelationOptions(method: .polychoric))
        for i in 0..<3 { for j in 0..<3 where i != j {
            #expect(abs((m.estimates[i][j] ?? .nan) - r.hetcor.r[i][j]) < 1e-4)
            #expect(close(m.standardErrors[i][j] ?? .nan, r.hetcor.se[i][j], rel: 1e-3))
        } }
    }
}
