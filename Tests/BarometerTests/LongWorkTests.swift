import Barometer
import BarometerIO
import Foundation
import Testing

/// Progress and cancellation of long work (issue 23, item 8): `LongWork.run(progress:)` around a
/// banner book, replicate-weight GLM fits and a streamed CSV pass.
@Suite struct LongWorkTests {
    final class Log: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [WorkProgress] = []
        func add(_ p: WorkProgress) { lock.lock(); items.append(p); lock.unlock() }
        var all: [WorkProgress] { lock.lock(); defer { lock.unlock() }; return items }
    }

    static func kz() throws -> SurveyDesign {
        try SurveyDesign(data: DatasetLoader.load(Fixture.path("Fixtures/surveys/kz2019-synthetic.csv"),
                                                  codebook: Fixture.path("Fixtures/surveys/kz2019-synthetic.codebook.json")),
                         weight: "wt")
    }
    static func spec() throws -> BannerSpecification {
        try BannerSpecification.decode(Data(contentsOf: Fixture.url("Fixtures/surveys/kz2019-banner.json")))
    }
    static func jk1() throws -> SurveyDesign {
        let data = try DatasetLoader.load(Fixture.path("Fixtures/reference/design/apiclus1.csv"))
        return try SurveyDesign(data: data, weight: "pw", replicateColumns: (1...15).map { "jk1_\($0)" }, method: .jk1)
    }

    /// Progress fractions never decrease within a stage and the last report is 1.
    static func monotoneToOne(_ log: [WorkProgress]) -> Bool {
        guard let last = log.last, last.fraction == 1 else { return false }
        return zip(log, log.dropFirst()).allSatisfy { $0.stage != $1.stage || $0.completed <= $1.completed }
    }

    @Test func bannerProgressIsMonotoneAndReachesOne() async throws {
        let design = try Self.kz(), spec = try Self.spec()
        let log = Log()
        let book = try await LongWork.run(progress: { log.add($0) }) { () throws(BarometerError) in
            try BannerBook(design, specification: spec)
        }
        #expect(Self.monotoneToOne(log.all))
        #expect(log.all.map(\.completed) == Array(0...spec.stubs.count))
        // Same result with and without a handler.
        let plain = try BannerBook(design, specification: spec)
        #expect(try OutputFormat.renderJSON(book) == OutputFormat.renderJSON(plain))
    }

    @Test func cancellingStopsABannerEarly() async throws {
        let design = try Self.kz(), spec = try Self.spec()
        #expect(spec.stubs.count >= 3)
        let log = Log()
        let task = Task { () throws(BarometerError) -> BannerBook in
            try await LongWork.run(progress: { p in
                log.add(p)
                if p.completed == 1 { withUnsafeCurrentTask { $0?.cancel() } }   // cancel after the first table
            }) { () throws(BarometerError) in try BannerBook(design, specification: spec) }
        }
        let result = await task.result
        guard case .failure(let error) = result, case .cancelled(let stage, let done, let total)? = error as? BarometerError else {
            Issue.record("expected a cancellation, got \(result)")
            return
        }
        #expect(stage == "banner tables" && done == 1 && total == spec.stubs.count)
        #expect(log.all.map(\.completed) == [0, 1])            // no table computed after the cancel
        #expect(BarometerError.cancelled(stage: stage, completed: done, total: total).localizedDescription
                == "cancelled: banner tables stopped after 1 of \(total)")
    }

    @Test func replicateFitsReportAndCancel() async throws {
        let design = try Self.jk1()
        let log = Log()
        let fit = try await LongWork.run(progress: { log.add($0) }) { () throws(BarometerError) in
            try design.glm("api00 ~ api99 + enroll")
        }
        #expect(log.all.count == 16 && Self.monotoneToOne(log.all))
        #expect(fit.coefficients.count == 3)
        let cancelled = Log()
        let task = Task { () throws(BarometerError) -> GLMResult in
            try await LongWork.run(progress: { p in
                cancelled.add(p)
                if p.completed == 3 { withUnsafeCurrentTask { $0?.cancel() } }
            }) { () throws(BarometerError) in try design.glm("api00 ~ api99 + enroll") }
        }
        guard case .failure(let error) = await task.result, case .cancelled(let stage, 3, 15)? = error as? BarometerError else {
            Issue.record("expected a cancellation after 3 of 15 replicate fits")
            return
        }
        #expect(stage == "replicate fits")
        #expect(cancelled.all.last?.completed == 3)
    }

    @Test func streamedCSVPassReportsBytes() async throws {
        let path = Fixture.path("Fixtures/surveys/kz2019-synthetic.csv")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        let log = Log()
        let rows = try await LongWork.run(progress: { log.add($0) }) { () throws(BarometerError) -> Int in
            var n = 0
            do { try CSVReader.forEachChunk(path: path, codebook: nil, chunkBytes: 16 << 10) { n += $0.rowCount } }
            catch let e as BarometerError { throw e } catch { throw .invalidArgument("\(error)") }
            return n
        }
        #expect(rows == 3600)
        #expect(log.all.count > 3 && Self.monotoneToOne(log.all) && log.all.last?.total == size)
    }
}
