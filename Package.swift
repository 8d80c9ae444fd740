// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Precert",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Precert", targets: ["Precert"]),
        .library(name: "PrecertWorkloads", targets: ["PrecertWorkloads"]),
        .executable(name: "precert", targets: ["PrecertCLI"]),
        .executable(name: "precert-bench", targets: ["PrecertBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]
        ),
        .target(
            name: "Precert",
            dependencies: ["CYAML", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .target(
            name: "PrecertWorkloads",
            dependencies: ["Precert"]
        ),
        .executableTarget(
            name: "PrecertCLI",
            dependencies: [
                "Precert",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "PrecertBench",
            dependencies: [
                "Precert",
                "PrecertWorkloads",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "PrecertTests",
            dependencies: ["Precert", "PrecertWorkloads"],
            exclude: ["Fixtures"]
        ),
        // Runs the built `precert` as a separate process; depending on the executable target makes
        // `swift test` build it first.
        .testTarget(
            name: "PrecertCLITests",
            dependencies: ["PrecertCLI"],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
