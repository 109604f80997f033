import Barometer
import Benchmark

// Every benchmark states its size; the BLAS in use is printed first
// (OpenBLAS via Debian alternatives by default).
let benchmarks: @Sendable () -> Void = {
    print("BLAS: \(BLASRuntime.implementation), threads: \(BLASRuntime.threadCount)")
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .peakMemoryResident],
                                           timeUnits: .milliseconds, maxDuration: .seconds(20), maxIterations: 10)

    Benchmark("Weighted frequency table, n = 10^6") { benchmark, design in
        for _ in benchmark.scaledIterations {
            blackHole(try FrequencyTable(design, variable: "q1"))
        }
    } setup: {
        try SyntheticSurvey.categorical(n: 1_000_000, questions: 1)
    }

    Benchmark("Bare dsyrk (X^T X), n = 10^6 x p = 200") { benchmark, x in
        var c = Matrix(rows: 200, columns: 200)
        for _ in benchmark.scaledIterations {
            try LinearAlgebra.syrk(x, into: &c)
            blackHole(c)
        }
    } setup: {
        SyntheticSurvey.continuous(n: 1_000_000, p: 200)
    }
}
