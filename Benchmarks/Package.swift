// swift-tools-version:6.1
import PackageDescription

// Benchmarks live in their own package so that users of the Barometer
// library never resolve the benchmark harness. Run: `make bench`
// (= `swift package --disable-sandbox benchmark` in this folder).
let package = Package(
    name: "BarometerBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "Barometer", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        // Barometer's side of the peer comparison (Benchmarks/peers/run.sh).
        .executableTarget(
            name: "PeerRunner",
            dependencies: [
                .product(name: "Barometer", package: "Barometer"),
                .product(name: "BarometerIO", package: "Barometer"),
            ],
            path: "peers/PeerRunner",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "BarometerBenchmarks",
            dependencies: [
                .product(name: "Barometer", package: "Barometer"),
                .product(name: "BarometerIO", package: "Barometer"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/BarometerBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
