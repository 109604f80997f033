import Foundation
import Testing
@testable import BarometerIO
@testable import BarometerFuzz

/// Replays every input under `Fixtures/fuzz/<harness>/` (seeds and inputs
/// that once crashed a fuzzer, `make fuzz`) through its harness: each must
/// return normally with its invariants intact.
@Suite struct FuzzRegressionTests {
    @Test(arguments: FuzzTargets.all.map(\.name))
    func replay(harness: String) throws {
        let target = try #require(FuzzTargets.target(harness))
        let dir = Fixture.url("Fixtures/fuzz/\(harness)")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasPrefix(".") }.sorted()
        #expect(!files.isEmpty, "Fixtures/fuzz/\(harness) holds no seed or regression input")
        for f in files {
            let broken = target.run(try Data(contentsOf: dir.appendingPathComponent(f)))
            #expect(broken == nil, "Fixtures/fuzz/\(harness)/\(f): \(broken ?? "")")
        }
    }

    /// The CSV harness's oracle is live: it sees a difference between two
    /// readings when there is one (two different datasets compare unequal).
    @Test func csvOracleDetectsDifferences() throws {
        let a = try CSVReader.read(path: Fixture.path("Fixtures/fuzz/csv/seed-quoted.csv"))
        let b = try CSVReader.read(path: Fixture.path("Fixtures/fuzz/csv/seed-missing.csv"))
        #expect(FuzzTargets.sameData(a, a) && !FuzzTargets.sameData(a, b))
    }
}
