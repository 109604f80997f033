import Barometer
import BarometerIO
import Benchmark

// Every benchmark states its size; the BLAS in use is printed first
// (OpenBLAS via Debian alternatives by default). Peer comparisons on the same
// data live in Benchmarks/peers (make bench-peers).
let benchmarks: @Sendable () -> Void = {
    print("BLAS: \(BLASRuntime.implementation), threads: \(BLASRuntime.threadCount)")
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .peakMemoryResident],
                                           timeUnits: .milliseconds, maxDuration: .seconds(20), maxIterations: 10)
    let qs = (1...50).map { "q\($0)" }

    // Cross-tab engine (issue 3)
    Benchmark("Weighted frequency table, n = 10^6") { benchmark, design in
        for _ in benchmark.scaledIterations { blackHole(try FrequencyTable(design, variable: "q1")) }
    } setup: { try SyntheticSurvey.categorical(n: 1_000_000, questions: 2) }

    Benchmark("Weighted two-way table, n = 10^6") { benchmark, design in
        for _ in benchmark.scaledIterations { blackHole(try ContingencyTable(design, rows: "q1", columns: "q2")) }
    } setup: { try SyntheticSurvey.categorical(n: 1_000_000, questions: 2) }

    Benchmark("All 1,225 weighted tables of 50 five-code questions, n = 10^5") { benchmark, design in
        for _ in benchmark.scaledIterations { blackHole(try BannerTable(design, rows: qs, columns: qs)) }
    } setup: { try SyntheticSurvey.categorical(n: 100_000, questions: 50) }

    Benchmark("All 1,225 weighted tables of 50 five-code questions, n = 10^6") { benchmark, design in
        for _ in benchmark.scaledIterations { blackHole(try BannerTable(design, rows: qs, columns: qs)) }
    } setup: { try SyntheticSurvey.categorical(n: 1_000_000, questions: 50) }

    // Banner books (issue 19): 100 questions × Total + 20 banner columns, design-based column tests.
    let bannerSpec = BannerSpecification(stubs: (1...100).map { .init(variable: "q\($0)") },
                                         banner: (1...5).map { .init(variable: "g\($0)") }, levels: [0.05, 0.01])
    Benchmark("Banner book, 100 questions x 20 columns with tests, weights-only, n = 10^6") { benchmark, design in
        for _ in benchmark.scaledIterations { blackHole(try BannerBook(design, specification: bannerSpec)) }
    } setup: { try SyntheticSurvey.banner(n: 1_000_000, questions: 100) }

    Benchmark("Banner book, 100 questions x 20 columns with tests, 1,000 PSUs in 10 strata, n = 10^6") { benchmark, design in
        for _ in benchmark.scaledIterations { blackHole(try BannerBook(design, specification: bannerSpec)) }
    } setup: { try SyntheticSurvey.banner(n: 1_000_000, questions: 100, psus: 1_000) }

    Benchmark("Weighted shares with logit CIs by 5 groups, n = 10^5") { benchmark, design in
        for _ in benchmark.scaledIterations {
            blackHole(try ShareTable(design, of: "q1", in: [1, 2], by: "q2", method: .logit))
        }
    } setup: { try SyntheticSurvey.categorical(n: 100_000, questions: 2) }

    // Correlation engine (issues 4, 7)
    Benchmark("Bare dsyrk (X^T X), n = 10^6 x p = 200") { benchmark, x in
        var c = Matrix(rows: 200, columns: 200)
        for _ in benchmark.scaledIterations { try LinearAlgebra.syrk(x, into: &c); blackHole(c) }
    } setup: { SyntheticSurvey.continuous(n: 1_000_000, p: 200) }

    for (n, p) in [(100_000, 50), (100_000, 200), (1_000_000, 50), (1_000_000, 200)] {
        Benchmark("Pearson matrix, n = \(n) x p = \(p), complete") { benchmark, design in
            let names = (1...p).map { "x\($0)" }
            for _ in benchmark.scaledIterations { blackHole(try Correlation.matrix(design, variables: names)) }
        } setup: { try SyntheticSurvey.continuousDataset(n: n, p: p) }
    }

    Benchmark("Pairwise-complete Pearson matrix, 10% missing, n = 10^6 x p = 50") { benchmark, design in
        let names = (1...50).map { "x\($0)" }
        for _ in benchmark.scaledIterations {
            blackHole(try Correlation.matrix(design, variables: names, options: .init(missing: .pairwise)))
        }
    } setup: { try SyntheticSurvey.continuousDataset(n: 1_000_000, p: 50, missing: 0.10) }

    Benchmark("Spearman matrix, n = 10^5 x p = 50") { benchmark, design in
        let names = (1...50).map { "x\($0)" }
        for _ in benchmark.scaledIterations {
            blackHole(try Correlation.matrix(design, variables: names, options: .init(method: .spearman)))
        }
    } setup: { try SyntheticSurvey.continuousDataset(n: 100_000, p: 50) }

    Benchmark("Full partial matrix (each pair given all others), n = 10^5 x p = 200") { benchmark, design in
        let names = (1...200).map { "x\($0)" }
        for _ in benchmark.scaledIterations { blackHole(try Correlation.partialMatrixGivenOthers(design, variables: names)) }
    } setup: { try SyntheticSurvey.continuousDataset(n: 100_000, p: 200) }

    Benchmark("Partial correlations of all pairs of 50 given one covariate, n = 10^5") { benchmark, design in
        let names = (1...50).map { "x\($0)" }
        for _ in benchmark.scaledIterations {
            blackHole(try Correlation.partialMatrix(design, variables: names, controlling: ["x51"]))
        }
    } setup: { try SyntheticSurvey.continuousDataset(n: 100_000, p: 51) }

    // CSV ingest (issue 7): a ~1 GB numeric file written once on the fly
    // (Benchmarks/.data/bench, git-ignored); throughput reported in MB/s.
    Benchmark("Numeric CSV ingest, 4.6 M rows x 20 columns (~1 GB)",
              configuration: .init(metrics: [.wallClock, .peakMemoryResident,
                                             .custom("throughput MB/s", polarity: .prefersLarger, useScalingFactor: false)],
                                   timeUnits: .milliseconds, maxDuration: .seconds(30), maxIterations: 5)) { benchmark, path in
        let megabytes = Double(SyntheticCSV.size(path)) / 1e6
        for _ in benchmark.scaledIterations {
            let t0 = BLASRuntime.monotonicSeconds()
            blackHole(try CSVReader.read(path: path))
            benchmark.measurement(.custom("throughput MB/s", polarity: .prefersLarger, useScalingFactor: false),
                                  Int((megabytes / (BLASRuntime.monotonicSeconds() - t0)).rounded()))
        }
    } setup: { try SyntheticCSV.file(rows: 4_600_000) }

    // Design-based inference (issue 8)
    Benchmark("Replicate-weight means: 10^6 respondents x 200 JK1 replicates x 50 estimates") { benchmark, design in
        let ys = (1...50).map { "y\($0)" }
        for _ in benchmark.scaledIterations { blackHole(try design.mean(ys)) }
    } setup: { try SyntheticSurvey.replicateDesign(n: 1_000_000, questions: 50, replicates: 200) }

    // Domains, groups and differences (issue 17)
    Benchmark("Grouped means with SEs: 10^6 respondents x 1,000 groups, 20 strata x 100 PSUs") { benchmark, design in
        for _ in benchmark.scaledIterations { blackHole(try design.mean("y", by: ["g"], covariance: false)) }
    } setup: { try SyntheticSurvey.groupedDesign(n: 1_000_000, groups: 1_000) }

    Benchmark("All 66 pairwise differences of 12 group means (full covariance), 10^6 respondents, 20 strata x 100 PSUs") { benchmark, design in
        for _ in benchmark.scaledIterations {
            blackHole(try design.mean("y", by: ["g"]).pairwiseDifferences(adjustment: .holm))
        }
    } setup: { try SyntheticSurvey.groupedDesign(n: 1_000_000, groups: 12) }

    Benchmark("Domain expression evaluated over 10^6 respondents") { benchmark, design in
        for _ in benchmark.scaledIterations {
            blackHole(try design.domain(where: "g in 1-300, 500 and (y > 55 or not st == 3) and psu is not missing"))
        }
    } setup: { try SyntheticSurvey.groupedDesign(n: 1_000_000, groups: 1_000) }
}
