import Foundation
import Testing
@testable import Barometer

/// Correlation matrices over several streaming chunks (CentredMoments splits
/// 4,096-row chunks into two fixed partitions, even and odd chunks, each with
/// its own worker and single-threaded dsyrk) against exact rational
/// references (Fixtures/reference/correlation/make_chunked.py).
@Suite struct CorrelationChunkedTests {
    struct Ref: Decodable {
        let n: Int, A: [Int], B: [Int], M: [Int], S: [Double], offset: [Double]
        let unweighted: [[Double]], weighted: [[Double]]
    }

    static func data() throws -> (Ref, Dataset) {
        let ref = try Fixture.decode(Ref.self, "Fixtures/reference/correlation/chunked.json")
        var vars: [Variable] = []
        for j in 0..<4 {
            let x = (0..<ref.n).map { i in
                Double((i * ref.A[j] + ref.B[j]) % ref.M[j]) / Double(ref.M[j])
                    + ref.S[j] * (Double((i * 7 + 3) % 53) / 53) + ref.offset[j]
            }
            vars.append(Variable(name: "x\(j + 1)", level: .scale, values: x))
        }
        vars.append(Variable(name: "w", level: .scale, values: (0..<ref.n).map { 0.5 + Double($0 % 7) / 4 }))
        return (ref, try Dataset(variables: vars))
    }

    @Test func unweightedAndWeightedMatchExactReference() throws {
        let (ref, data) = try Self.data()
        #expect(ref.n > 4 * CentredMoments.chunkRows)
        let names = ["x1", "x2", "x3", "x4"]
        let u = try Correlation.matrix(SurveyDesign.unweighted(data), variables: names)
        let w = try Correlation.matrix(try SurveyDesign(data: data, weight: "w"), variables: names)
        for j in 0..<4 {
            for k in 0..<4 {
                #expect(close(u.estimates[j][k] ?? .nan, ref.unweighted[j][k], rel: 1e-10))
                #expect(close(w.estimates[j][k] ?? .nan, ref.weighted[j][k], rel: 1e-10))
            }
        }
        #expect(u.counts[0][1] == ref.n)
    }

    /// An infinite value in any chunk (either partition) stops the pass with a
    /// typed error (the other partition's worker stops too), for the
    /// complete-data and pairwise paths alike; repeated to shake out timing races.
    @Test func infinityInAnyChunkIsATypedErrorEveryTime() throws {
        let (ref, data) = try Self.data()
        for round in 0..<10 {
            for row in [5, 4_100, 9_000, 13_000, ref.n - 1] {
                var x = data.variables[2].values
                x[row] = round % 2 == 0 ? .infinity : -.infinity
                let vars = [data.variables[0], data.variables[1], Variable(name: "x3", level: .scale, values: x)]
                let d = SurveyDesign.unweighted(try Dataset(variables: vars))
                for missing in [MissingDataRule.listwise, .pairwise] {
                    #expect(throws: BarometerError.self) {
                        try Correlation.matrix(d, variables: ["x1", "x2", "x3"], options: CorrelationOptions(missing: missing))
                    }
                }
            }
        }
    }

    /// Pairwise moments run two row partitions on single-threaded BLAS inside
    /// a process-wide section: concurrent calls give the serial result bit for
    /// bit. (The restored thread count is not asserted here: other suites set
    /// the BLAS thread count while tests run in parallel.)
    @Test func concurrentPairwiseCallsAgree() throws {
        let (_, data) = try Self.data()
        var x = data.variables[1].values
        for i in stride(from: 3, to: x.count, by: 7) { x[i] = .nan }
        let vars = [data.variables[0], Variable(name: "x2", level: .scale, values: x), data.variables[2], data.variables[4]]
        let design = try SurveyDesign(data: try Dataset(variables: vars), weight: "w")
        let options = CorrelationOptions(missing: .pairwise)
        let serial = try Correlation.matrix(design, variables: ["x1", "x2", "x3"], options: options).estimates
        let results = ResultSlots(count: 6)
        DispatchQueue.concurrentPerform(iterations: 6) { i in
            results.set(i, try? Correlation.matrix(design, variables: ["x1", "x2", "x3"], options: options).estimates)
        }
        for r in results.values { #expect(r == serial) }
    }
}

/// Results written by concurrent test workers.
private final class ResultSlots: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [[[Double?]]?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ v: [[Double?]]?) { lock.lock(); slots[i] = v; lock.unlock() }
    var values: [[[Double?]]?] { lock.lock(); defer { lock.unlock() }; return slots }
}
