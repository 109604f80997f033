// swift-tools-version:6.1
import PackageDescription

// A new user's package: depends on Barometer by path and uses only its public
// API to redo the memo analyses (`make test` builds and runs it).
let package = Package(
    name: "Adopter",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "Barometer", path: "../..")],
    targets: [
        .executableTarget(
            name: "Adopter",
            dependencies: [
                .product(name: "Barometer", package: "Barometer"),
                .product(name: "BarometerIO", package: "Barometer"),
            ],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
