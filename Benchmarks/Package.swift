// swift-tools-version: 6.1
//
// Sluice micro-benchmarks (package-benchmark), kept out of the main package so
// `swift build` and `make test` never build the benchmark tooling.
//
//   swift package --package-path Benchmarks benchmark                 # everything
//   swift package --package-path Benchmarks benchmark --filter 'S0.*'  # one group
//
// The results and what limits them: BENCHMARKS.md at the repository root.
import PackageDescription

let package = Package(
    name: "SluiceBenchmarks",
    platforms: [.macOS(.v14)],
    products: [
        /// S11's typed Swift SDK agent, loadable by `sluice run` (tools/bench/s11-typed-sdk).
        .library(name: "S11TypedAgent", type: .dynamic, targets: ["S11TypedAgent"]),
        /// S11's producing typed agent (decodes, produces an `Encodable` per record), loadable by `sluice run`.
        .library(name: "S11TypedProducer", type: .dynamic, targets: ["S11TypedProducer"]),
    ],
    dependencies: [
        // The main package, by path: the benchmarks measure this checkout.
        .package(name: "Sluice", path: ".."),
        // The plugin SDK package (the contract, the Swift SDK and the toolkit), also by path.
        .package(path: "../PluginAPI"),
        // MallocInterposer counts allocations (mallocCountTotal); the runtime
        // interposer (the other default trait) is left out.
        .package(url: "https://github.com/ordo-one/package-benchmark.git", from: "1.29.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "HostBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "package-benchmark"),
                .product(name: "SluiceHost", package: "Sluice"),
                .product(name: "SluiceSDK", package: "PluginAPI"),
                .product(name: "SluicePluginKit", package: "PluginAPI"),
                .product(name: "SluiceInfluxDB", package: "Sluice"),
                .product(name: "SluiceRedis", package: "Sluice"),
                .product(name: "SluiceElasticsearch", package: "Sluice"),
                "KafkaMockCluster",
            ],
            path: "Benchmarks/HostBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "package-benchmark")]
        ),
        // S11's typed path driven in-process through the C surface, for
        // callgrind's instruction counts (tools/bench/s11-instructions).
        .executableTarget(
            name: "TypedPathProbe",
            dependencies: [.product(name: "CSluicePlugin", package: "PluginAPI"),
                           .product(name: "SluiceSDK", package: "PluginAPI"), "S11TypedAgent"],
            path: "Benchmarks/TypedPathProbe",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // librdkafka's in-process mock cluster and the batch-queue anchor, for
        // the S1mock benchmarks (C, so the benchmarks need not import librdkafka).
        .target(
            name: "KafkaMockCluster",
            path: "Benchmarks/KafkaMockCluster",
            linkerSettings: [.linkedLibrary("rdkafka")]
        ),
        .target(
            name: "S11TypedAgent",
            dependencies: [.product(name: "SluiceSDK", package: "PluginAPI")],
            path: "Agents/S11TypedAgent",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .target(
            name: "S11TypedProducer",
            dependencies: [.product(name: "SluiceSDK", package: "PluginAPI")],
            path: "Agents/S11TypedProducer",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
