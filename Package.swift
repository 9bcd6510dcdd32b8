// swift-tools-version: 6.0
//
// Sluice: a stream-processing host whose agents are plugins (shared objects
// built against the C ABI in PluginAPI/include/sluice_plugin.h).
//
// Layout (see README.md): Host/ is the runtime and CLI, PluginAPI/ the
// contract and the Swift SDK for plugin authors, Plugins/ the integrations and
// examples, Tests/ the test suites, tools/ the scripts around them.
import PackageDescription

let strictConcurrency: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "Sluice",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sluice", targets: ["SluiceCLI"]),
        .library(name: "SluiceHost", targets: ["SluiceHost"]),
        /// What plugin authors depend on: the C header plus the Swift SDK.
        .library(name: "SluiceSDK", targets: ["SluiceSDK"]),
        /// The Swift example plugin, built as a loadable shared object.
        .library(name: "SluiceExampleSwift", type: .dynamic, targets: ["SluiceExampleSwift"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
    ],
    targets: [
        // MARK: The contract
        .target(
            name: "CSluicePlugin",
            path: "PluginAPI/CSluicePlugin",
            publicHeadersPath: "include"
        ),
        .target(
            name: "SluiceSDK",
            dependencies: ["CSluicePlugin"],
            path: "PluginAPI/SDK",
            swiftSettings: strictConcurrency
        ),

        // MARK: System libraries (pkg-config names; tools/setup installs them)
        .systemLibrary(
            name: "CRdKafka",
            path: "Host/CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"])]
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

        // MARK: The host
        .target(
            name: "SluiceHost",
            dependencies: [
                "CSluicePlugin",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            path: "Host/Core",
            swiftSettings: strictConcurrency
        ),
        .executableTarget(
            name: "SluiceCLI",
            dependencies: [
                "SluiceHost",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Host/CLI",
            swiftSettings: strictConcurrency
        ),

        // MARK: Plugins
        .target(
            name: "SluiceExampleSwift",
            dependencies: ["SluiceSDK"],
            path: "Plugins/examples/swift-enricher",
            swiftSettings: strictConcurrency
        ),

        // MARK: Tests
        .testTarget(
            name: "SmokeTests",
            dependencies: ["CRdKafka", "CHiredis", "CCurl", "TestSupport"],
            path: "Tests/SmokeTests",
            swiftSettings: strictConcurrency
        ),
        /// Helpers shared by the test suites: compiling C plugins, temporary directories, service endpoints.
        .target(
            name: "TestSupport",
            path: "Tests/TestSupport",
            swiftSettings: strictConcurrency
        ),
        .testTarget(
            name: "LoaderTests",
            dependencies: ["SluiceHost", "CSluicePlugin", "TestSupport"],
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
            dependencies: ["SluiceSDK", "CSluicePlugin", "TestSupport"],
            path: "Tests/SDKTests",
            swiftSettings: strictConcurrency
        ),
        .testTarget(
            name: "HostTests",
            dependencies: ["SluiceHost", "CSluicePlugin", "TestSupport"],
            path: "Tests/HostTests",
            exclude: ["Fixtures"],
            swiftSettings: strictConcurrency
        ),
    ]
)
