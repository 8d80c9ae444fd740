// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "Precert",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Precert", targets: ["Precert"]),
        .library(name: "PrecertWorkloads", targets: ["PrecertWorkloads"]),
        // Da Vinci CRD over CDS Hooks as pure functions (no HTTP stack): FHIR to case, decisions to CRD.
        .library(name: "PrecertCRD", targets: ["PrecertCRD"]),
        .executable(name: "precert", targets: ["PrecertCLI"]),
        .executable(name: "precert-bench", targets: ["PrecertBench"]),
        // The decision service: its own library and executable, so that `swift run precert` never
        // builds the HTTP stack (SwiftNIO, Hummingbird), which takes minutes on a small machine.
        .library(name: "PrecertService", targets: ["PrecertService"]),
        .executable(name: "precert-server", targets: ["PrecertServer"]),
        // The floor `Scripts/serve-bench.sh` measures the service against; not shipped.
        .executable(name: "precert-serve-floor", targets: ["PrecertServeFloor"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        // The service's stack only; the `precert` CLI and the library depend on none of these.
        // Hummingbird's default traits (swift-configuration, full Foundation) are not needed.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // Verifies CDS Hooks clients' JWTs (CRD); the service's only, never the library's or the CLI's.
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.0.0"),
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
        .target(
            name: "PrecertCRD",
            dependencies: ["Precert"]
        ),
        .executableTarget(
            name: "PrecertCLI",
            dependencies: [
                "Precert",
                "PrecertCRD",
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
        .target(
            name: "PrecertService",
            dependencies: [
                "Precert",
                "PrecertCRD",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ]
        ),
        .executableTarget(
            name: "PrecertServer",
            dependencies: [
                "PrecertService",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "PrecertServeFloor",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")]
        ),
        .testTarget(
            name: "PrecertTests",
            dependencies: ["Precert", "PrecertWorkloads"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "PrecertCRDTests",
            dependencies: ["PrecertCRD", "Precert"],
            exclude: ["Fixtures"]
        ),
        // Runs the built `precert` as a separate process; depending on the executable target makes
        // `swift test` build it first.
        .testTarget(
            name: "PrecertCLITests",
            dependencies: ["PrecertCLI"],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "PrecertServiceTests",
            dependencies: [
                "PrecertService",
                // Runs the built `precert-server` for its exit statuses; depending on the executable
                // target makes `swift test` build it first.
                "PrecertServer",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                // Signs test tokens for the CDS Hooks JWT checks (RSA keys from CryptoExtras).
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
            ],
            exclude: ["Fixtures"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
