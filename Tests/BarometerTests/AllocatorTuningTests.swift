import Foundation
import Testing

/// The `barometer` executable sets glibc's mmap and trim thresholds at start
/// (`AllocatorTuning`, README "Choosing the BLAS"), unless the user set glibc's own
/// variables. Allocator settings move memory around, never a result: a calibrated
/// stratified mean (chunked accumulation, LAPACK) and a Rao-Scott crosstab print the same
/// bytes under the executable's settings, under the user's, and under glibc's defaults.
@Suite struct AllocatorTuningTests {
    @Test func resultsDoNotDependOnTheAllocatorSettings() throws {
        let runs: [[String]] = [
            ["mean", "Fixtures/reference/weighting/apistrat_w.csv", "api00", "enroll", "yr_rnd", "--weight", "pw", "--strata", "stype",
             "--fpc", "fpc", "--targets", "Fixtures/reference/weighting/api-targets.json", "--calibration", "linear", "--format", "json"],
            ["crosstab", "Fixtures/reference/association/clustered_data.csv", "--rows", "x", "--cols", "y", "--weight", "w",
             "--strata", "stratum", "--psu", "psu", "--stats", "raoscott", "--format", "json"]]
        let settings: [[String: String]] = [[:], ["MALLOC_TRIM_THRESHOLD_": "131072"],
                                            ["GLIBC_TUNABLES": "glibc.malloc.mmap_threshold=131072"]]
        for args in runs {
            let outputs = try settings.map { env -> String in
                let r = try CLI.run(args, environment: env)
                #expect(r.status == 0, "\(args[0]) under \(env): \(r.stderr)")
                return r.stdout
            }
            #expect(outputs[0].count > 100)
            #expect(outputs.allSatisfy { $0 == outputs[0] }, "\(args[0]): output differs with the allocator settings")
        }
    }
}
