// swift-tools-version:6.1
// The benchmarks live in a package of their own so that the main build and `swift test` never
// build package-benchmark and its dependencies.
import PackageDescription

let package = Package(
    name: "PrecertBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "Precert", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "PrecertBenchmarks",
            dependencies: [
                .product(name: "Precert", package: "Precert"),
                .product(name: "PrecertWorkloads", package: "Precert"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/PrecertBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
