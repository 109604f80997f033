// swift-tools-version:6.1
import PackageDescription

// Modules, from the bottom up:
//   Barometer         the engine (computes, and prints itself); system BLAS/LAPACK only
//   BarometerIO       file formats: CSV, SPSS/Stata/SAS (ReadStat), codebooks, targets files
//   BarometerClaims   memo claims: the claim-file format, consistency checks, evaluation
//   BarometerReports  reports: Markdown/HTML replication report, charts, banner HTML, .xlsx
//   barometer         the command-line tool (a thin layer over the four)
// `BarometerFuzz` (not a product) holds the fuzz harnesses over all of them.
// Benchmarks are a separate package in `Benchmarks/` so that users of the
// library never resolve the benchmark harness.
let package = Package(
    name: "Barometer",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Barometer", targets: ["Barometer"]),
        .library(name: "BarometerIO", targets: ["BarometerIO"]),
        .library(name: "BarometerClaims", targets: ["BarometerClaims"]),
        .library(name: "BarometerReports", targets: ["BarometerReports"]),
        .executable(name: "barometer", targets: ["BarometerCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Zip container of .xlsx workbooks (reports).
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.19"),
        // `make docs`: swift package generate-documentation (DocC catalogs in Sources/*/*.docc).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // Debian: libblas-dev + liblapack-dev; the alternatives system picks
        // OpenBLAS (libopenblas0-pthread) or the reference libraries at run time.
        .systemLibrary(
            name: "CLAPACK",
            path: "Sources/CLAPACK",
            providers: [.apt(["libblas-dev", "liblapack-dev", "libopenblas0-pthread"])]
        ),
        .target(
            name: "Barometer",
            dependencies: [
                .target(name: "CLAPACK", condition: .when(platforms: [.linux])),
            ],
            path: "Sources/Barometer",
            swiftSettings: [.swiftLanguageMode(.v6)],
            linkerSettings: [.linkedFramework("Accelerate", .when(platforms: [.macOS]))]
        ),
        // Debian: libreadstat-dev (SPSS/Stata/SAS files); no .pc file, so the
        // module map links "readstat" by name.
        .systemLibrary(
            name: "CReadStat",
            path: "Sources/CReadStat",
            providers: [.apt(["libreadstat-dev"])]
        ),
        .target(
            name: "BarometerIO",
            dependencies: ["Barometer", "CReadStat"],
            path: "Sources/BarometerIO",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .target(
            name: "BarometerClaims",
            dependencies: ["Barometer", "BarometerIO"],
            path: "Sources/BarometerClaims",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .target(
            name: "BarometerReports",
            dependencies: [
                "Barometer", "BarometerIO", "BarometerClaims",
                .product(name: "ZIPFoundation", package: "ZIPFoundation"),
            ],
            path: "Sources/BarometerReports",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Fuzz harnesses (`make fuzz`, replayed by the tests); not a product.
        .target(
            name: "BarometerFuzz",
            dependencies: ["Barometer", "BarometerIO", "BarometerClaims", "BarometerReports"],
            path: "Sources/BarometerFuzz",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "BarometerCLI",
            dependencies: [
                "Barometer", "BarometerIO", "BarometerClaims", "BarometerReports",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/barometer",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "BarometerTests",
            dependencies: ["Barometer", "BarometerIO", "BarometerClaims", "BarometerReports", "BarometerFuzz"],
            path: "Tests/BarometerTests",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
