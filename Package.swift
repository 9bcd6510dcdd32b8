// swift-tools-version: 6.1
//
// Sluice: a stream-processing host whose agents are plugins (shared objects
// built against the C ABI in PluginAPI/include/sluice_plugin.h).
//
// Layout (see README.md): Host/ is the runtime and CLI, PluginAPI/ the
// contract, the Swift SDK and the toolkit for plugin authors, Plugins/ the
// integrations and examples, Tests/ the test suites, tools/ the scripts around
// them and the demo's stand-in services.
import PackageDescription

let strictConcurrency: [SwiftSetting] = [.swiftLanguageMode(.v6)]

// The products of the plugin SDK package (PluginAPI/Package.swift).
let contractModule = Target.Dependency.product(name: "CSluicePlugin", package: "PluginAPI")
let swiftSDK = Target.Dependency.product(name: "SluiceSDK", package: "PluginAPI")
let pluginKit = Target.Dependency.product(name: "SluicePluginKit", package: "PluginAPI")
let toolchainRecord = Target.Dependency.product(name: "CSluiceToolchain", package: "PluginAPI")

let package = Package(
    name: "Sluice",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sluice", targets: ["SluiceCLI"]),
        /// Runs one isolated agent's plugin in a process of its own (`isolation: process`);
        /// installed beside `sluice`, which starts it.
        .executable(name: "sluice-plugin-runner", targets: ["SluicePluginRunner"]),
        /// The demo's stand-in services (not shipped with `sluice`): `make demo` runs it.
        .executable(name: "sluice-demo-services", targets: ["SluiceDemoServicesCommand"]),
        .library(name: "SluiceHost", targets: ["SluiceHost"]),
        /// The Swift example plugin, built as a loadable shared object.
        .library(name: "SluiceExampleSwift", type: .dynamic, targets: ["SluiceExampleSwift"]),
        /// The stateful Swift example plugin (page views per user per minute), a loadable shared object.
        .library(name: "SluiceExamplePageViews", type: .dynamic, targets: ["SluiceExamplePageViews"]),
        /// The quick start's order statistics per symbol per minute (a windowed table), a loadable shared object.
        .library(name: "SluiceOrderStats", type: .dynamic, targets: ["SluiceOrderStatsPlugin"]),
        /// The integrations, each a loadable shared object (lib<Name>.so).
        .library(name: "SluiceRedis", type: .dynamic, targets: ["SluiceRedisEntry"]),
        .library(name: "SluiceHTTP", type: .dynamic, targets: ["SluiceHTTPPlugin"]),
        .library(name: "SluiceInfluxDB", type: .dynamic, targets: ["SluiceInfluxDBEntry"]),
        .library(name: "SluiceElasticsearch", type: .dynamic, targets: ["SluiceElasticsearchEntry"]),
    ],
    dependencies: [
        // The plugin contract, the Swift SDK and the toolkit, a package of their own.
        .package(path: "PluginAPI"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        // Named here because the admin API's connection limits and request-head deadline
        // work on its NIO channels directly (they come with Hummingbird anyway).
        .package(url: "https://github.com/apple/swift-nio", from: "2.81.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.24.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        // Tracing: the host's spans go through the swift-distributed-tracing API; swift-otel
        // exports them over OTLP/HTTP (the gRPC trait is left off to keep the build small).
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.1.0"),
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.0.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // MARK: The contract, the SDK and the toolkit: the package in PluginAPI/
        // (CSluicePlugin, SluiceSDK, SluicePluginKit, CSluiceToolchain), which
        // plugin authors depend on without the host's dependencies.

        // MARK: System libraries (pkg-config names; tools/setup installs them)
        .systemLibrary(
            name: "CRdKafka",
            path: "Host/CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
        ),
        /// RocksDB's C API: the local state store of stateful agents.
        .systemLibrary(
            name: "CRocksDB",
            path: "Host/CRocksDB",
            pkgConfig: "rocksdb",
            providers: [.apt(["librocksdb-dev"])]
        ),
        .systemLibrary(
            name: "CHiredis",
            path: "Plugins/Shared/CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            path: "Plugins/Shared/CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),

        // MARK: Isolation: the runner process and what it shares with the host
        /// memfd_create and posix_spawn's close-from, which Swift cannot call directly.
        .target(name: "CIsolation", path: "Host/CIsolation"),
        /// The frames, shared region and batch layout between the host and a plugin runner.
        .target(
            name: "SluiceIsolationWire",
            dependencies: [contractModule, "CIsolation"],
            path: "Host/IsolationWire",
            swiftSettings: strictConcurrency
        ),
        /// `sluice-plugin-runner`: loads one plugin and serves its calls for the host.
        .executableTarget(
            name: "SluicePluginRunner",
            dependencies: [contractModule, "SluiceIsolationWire"],
            path: "Host/PluginRunner",
            swiftSettings: strictConcurrency
        ),

        // MARK: The host
        .target(
            name: "SluiceHost",
            dependencies: [
                contractModule,
                "SluiceIsolationWire",
                toolchainRecord,
                "CRdKafka",
                "CRocksDB",
                pluginKit,
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            path: "Host/Core",
            swiftSettings: strictConcurrency
        ),
        /// The admin HTTP API (Hummingbird) and Prometheus metrics.
        .target(
            name: "SluiceAdmin",
            dependencies: [
                "SluiceHost",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            path: "Host/Admin",
            // The status page (served at /), compiled into the binary: it works without any file next to it.
            resources: [
                .embedInCode("StatusPage/status.html"),
                .embedInCode("StatusPage/status.js"),
                .embedInCode("StatusPage/status.css"),
            ],
            swiftSettings: strictConcurrency
        ),
        /// The OTLP exporter behind the host's tracing (swift-otel): only `sluice` and the
        /// tests link it, never a plugin or the SDK.
        .target(
            name: "SluiceOTel",
            dependencies: [
                "SluiceHost",
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Host/OTel",
            swiftSettings: strictConcurrency
        ),
        .executableTarget(
            name: "SluiceCLI",
            dependencies: [
                "SluiceHost",
                "SluiceAdmin",
                "SluiceOTel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // `sluice top`: SIGWINCH, SIGINT and SIGTERM as an async sequence.
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            path: "Host/CLI",
            swiftSettings: strictConcurrency
        ),

        // MARK: Plugins
        .target(
            name: "SluiceExampleSwift",
            dependencies: [swiftSDK],
            path: "Plugins/examples/swift-enricher",
            swiftSettings: strictConcurrency
        ),
        .target(
            name: "SluiceExamplePageViews",
            dependencies: [swiftSDK],
            path: "Plugins/examples/swift-page-views",
            exclude: ["README.md"],
            swiftSettings: strictConcurrency
        ),
        /// The quick start's fifth agent: per-symbol order statistics per window, produced when each window closes.
        .target(
            name: "SluiceOrderStatsPlugin",
            dependencies: [swiftSDK],
            path: "Plugins/order-stats",
            exclude: ["README.md"],
            swiftSettings: strictConcurrency
        ),

        /// The shared HTTP client over libcurl's multi interface, used by the
        /// http, influxdb and elasticsearch plugins (linked into each).
        .target(
            name: "SluiceHTTPClient",
            dependencies: ["CCurl"],
            path: "Plugins/Shared/HTTPClient",
            swiftSettings: strictConcurrency
        ),
        .target(
            name: "SluiceRedisPlugin",
            dependencies: [swiftSDK, pluginKit, "CHiredis"],
            path: "Plugins/redis",
            exclude: ["README.md", "Entry"],
            swiftSettings: strictConcurrency
        ),
        /// The exported entry symbol only, so tests and benchmarks can link the plugin's module.
        .target(
            name: "SluiceRedisEntry",
            dependencies: ["SluiceRedisPlugin"],
            path: "Plugins/redis/Entry",
            swiftSettings: strictConcurrency
        ),
        .target(
            name: "SluiceHTTPPlugin",
            dependencies: [swiftSDK, pluginKit, "SluiceHTTPClient"],
            path: "Plugins/http",
            exclude: ["README.md"],
            swiftSettings: strictConcurrency
        ),
        .target(
            name: "SluiceInfluxDBPlugin",
            dependencies: [swiftSDK, pluginKit, "SluiceHTTPClient"],
            path: "Plugins/influxdb",
            exclude: ["README.md", "Entry"],
            swiftSettings: strictConcurrency
        ),
        /// The exported entry symbol only, so tests can link the plugin's module.
        .target(
            name: "SluiceInfluxDBEntry",
            dependencies: ["SluiceInfluxDBPlugin"],
            path: "Plugins/influxdb/Entry",
            swiftSettings: strictConcurrency
        ),
        .target(
            name: "SluiceElasticsearchPlugin",
            dependencies: [swiftSDK, pluginKit, "SluiceHTTPClient"],
            path: "Plugins/elasticsearch",
            exclude: ["README.md", "Entry"],
            swiftSettings: strictConcurrency
        ),
        /// The exported entry symbol only, so tests can link the plugin's module.
        .target(
            name: "SluiceElasticsearchEntry",
            dependencies: ["SluiceElasticsearchPlugin"],
            path: "Plugins/elasticsearch/Entry",
            swiftSettings: strictConcurrency
        ),

        // MARK: The demo's stand-in services (tools/demo-services; not part of `sluice`)
        /// The Elasticsearch stand-in and the recording HTTP service, on one small
        /// loopback HTTP server; the tests run them in process (through TestSupport).
        .target(
            name: "SluiceDemoServices",
            path: "tools/demo-services/Servers",
            swiftSettings: strictConcurrency
        ),
        /// `sluice-demo-services`: both services in the foreground, for `make demo`.
        .executableTarget(
            name: "SluiceDemoServicesCommand",
            dependencies: [
                "SluiceDemoServices",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "tools/demo-services/Command",
            swiftSettings: strictConcurrency
        ),

        // MARK: Tests
        .testTarget(
            name: "SmokeTests",
            dependencies: ["CRdKafka", "CHiredis", "CCurl", "TestSupport"],
            path: "Tests/SmokeTests",
            swiftSettings: strictConcurrency
        ),
        /// Helpers shared by the test suites: compiling C plugins, temporary directories, service endpoints,
        /// Kafka fixtures, private brokers and `sluice run` child processes.
        .target(
            name: "TestSupport",
            dependencies: ["SluiceHost", "SluiceDemoServices", "CRdKafka", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport",
            swiftSettings: strictConcurrency
        ),
        .testTarget(
            name: "LoaderTests",
            dependencies: ["SluiceHost", contractModule, "TestSupport"],
            path: "Tests/LoaderTests",
            exclude: ["Fixtures"],
            swiftSettings: strictConcurrency
        ),
        .testTarget(
            name: "ConfigurationTests",
            dependencies: ["SluiceHost", "TestSupport"],
            path: "Tests/ConfigurationTests",
            swiftSettings: strictConcurrency
        ),
        .testTarget(
            name: "SDKTests",
            dependencies: [swiftSDK, pluginKit, contractModule, "TestSupport"],
            path: "Tests/SDKTests",
            swiftSettings: strictConcurrency
        ),
        .testTarget(
            name: "HostTests",
            dependencies: ["SluiceHost", "SluiceIsolationWire", contractModule, "TestSupport"],
            path: "Tests/HostTests",
            swiftSettings: strictConcurrency
        ),
        .testTarget(
            name: "KafkaTests",
            dependencies: ["SluiceHost", "CRdKafka", "TestSupport"],
            path: "Tests/KafkaTests",
            swiftSettings: strictConcurrency
        ),
        .testTarget(
            name: "AdminTests",
            // SluiceCLI: `sluice top`'s screen model and renderer are tested as functions too.
            dependencies: ["SluiceAdmin", "SluiceHost", "SluiceCLI", "TestSupport"],
            path: "Tests/AdminTests",
            swiftSettings: strictConcurrency
        ),
        .testTarget(
            name: "HTTPClientTests",
            dependencies: ["SluiceHTTPClient", "TestSupport"],
            path: "Tests/HTTPClientTests",
            swiftSettings: strictConcurrency
        ),
        .testTarget(
            name: "PluginKitTests",
            dependencies: [pluginKit],
            path: "Tests/PluginKitTests",
            swiftSettings: strictConcurrency
        ),
        .testTarget(
            name: "RedisPluginTests",
            dependencies: ["SluiceHost", pluginKit, "CHiredis", "TestSupport"],
            path: "Tests/RedisPluginTests",
            swiftSettings: strictConcurrency
        ),
        .testTarget(
            name: "HTTPPluginTests",
            dependencies: ["SluiceHost", "TestSupport"],
            path: "Tests/HTTPPluginTests",
            swiftSettings: strictConcurrency
        ),
        .testTarget(
            name: "InfluxDBPluginTests",
            dependencies: ["SluiceHost", "SluiceInfluxDBPlugin", pluginKit, "SluiceHTTPClient", "TestSupport"],
            path: "Tests/InfluxDBPluginTests",
            swiftSettings: strictConcurrency
        ),
        .testTarget(
            name: "ElasticsearchPluginTests",
            dependencies: ["SluiceHost", "SluiceElasticsearchPlugin", "TestSupport"],
            path: "Tests/ElasticsearchPluginTests",
            swiftSettings: strictConcurrency
        ),
        /// The order-stats plugin in a real host: closed windows' statistics, its declared configuration.
        .testTarget(
            name: "OrderStatsPluginTests",
            dependencies: ["SluiceHost", "TestSupport"],
            path: "Tests/OrderStatsPluginTests",
            swiftSettings: strictConcurrency
        ),
        /// `make demo` end to end, and the commands the docs show.
        .testTarget(
            name: "DemoTests",
            dependencies: ["TestSupport"],
            path: "Tests/DemoTests",
            swiftSettings: strictConcurrency
        ),
        /// W3C trace context: parsing, the batch span, plugins' requests, produced records, OTLP export.
        .testTarget(
            name: "TracingTests",
            dependencies: [
                "SluiceHost", "SluiceOTel", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Tests/TracingTests",
            swiftSettings: strictConcurrency
        ),
        /// Crashes, outages, bad input and bad plugins, proven by counting.
        .testTarget(
            name: "ReliabilityTests",
            dependencies: ["TestSupport", "SluiceHost"],
            path: "Tests/ReliabilityTests",
            swiftSettings: strictConcurrency
        ),
        /// The local state store of stateful agents: both back ends (memory, RocksDB) behind one protocol.
        .testTarget(
            name: "StateTests",
            dependencies: ["SluiceHost", "TestSupport"],
            path: "Tests/StateTests",
            swiftSettings: strictConcurrency
        ),
        /// Property-based tests (swift-property-based): the configuration parser and the plugins' encoders.
        .testTarget(
            name: "PropertyTests",
            dependencies: [
                "SluiceHost", "SluiceInfluxDBPlugin", "SluiceElasticsearchPlugin", "SluiceHTTPPlugin", "SluiceHTTPClient",
                pluginKit, "SluiceRedisPlugin", swiftSDK, "TestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            path: "Tests/PropertyTests",
            swiftSettings: strictConcurrency
        ),
    ]
)
