// swift-tools-version: 6.0
//
// The Sluice plugin SDK, a package of its own: the C contract
// (include/sluice_plugin.h), the Swift SDK and the plugin toolkit. A plugin
// author's package depends on this one only; it resolves none of the host's
// dependencies. The host's package (the repository root) uses it by path.
import PackageDescription

/// The Swift release compiling this package. Swift has no stable ABI on
/// Linux and a Swift plugin shares the host's Swift runtime, so the SDK
/// records the release in every Swift plugin (see `Toolchain/`) and the host
/// refuses a plugin built by another release. The manifest is compiled by the
/// toolchain that builds the package, so `#if compiler` here is that
/// toolchain. Releases newer than the list record as "<newest>+", and the C
/// compiler's version (which names the toolchain's LLVM build) is recorded
/// beside it, so two toolchains never compare equal; a test compares this
/// list's answer with `swift --version`, so a toolchain update that needs a
/// new line here fails the tests instead of going unnoticed.
let swiftRelease: String = {
    #if compiler(>=6.4)
    return "6.4+"
    #elseif compiler(>=6.3.1)
    return "6.3.1"
    #elseif compiler(>=6.3)
    return "6.3.0"
    #elseif compiler(>=6.2.3)
    return "6.2.3"
    #elseif compiler(>=6.2.2)
    return "6.2.2"
    #elseif compiler(>=6.2.1)
    return "6.2.1"
    #elseif compiler(>=6.2)
    return "6.2.0"
    #elseif compiler(>=6.1.3)
    return "6.1.3"
    #elseif compiler(>=6.1.2)
    return "6.1.2"
    #elseif compiler(>=6.1.1)
    return "6.1.1"
    #elseif compiler(>=6.1)
    return "6.1.0"
    #elseif compiler(>=6.0.3)
    return "6.0.3"
    #elseif compiler(>=6.0.2)
    return "6.0.2"
    #elseif compiler(>=6.0.1)
    return "6.0.1"
    #else
    return "6.0.0"
    #endif
}()

let strictConcurrency: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "SluiceSDK",
    platforms: [.macOS(.v14)],
    products: [
        /// What a Swift plugin depends on: the SDK (it brings the header and the toolkit).
        .library(name: "SluiceSDK", targets: ["SluiceSDK"]),
        /// The toolkit alone: JSON that keeps numbers as written, quoting, ISO-8601, secret redaction.
        .library(name: "SluicePluginKit", targets: ["SluicePluginKit"]),
        /// The C contract as a module, for Swift code that speaks the ABI directly (the host).
        .library(name: "CSluicePlugin", targets: ["CSluicePlugin"]),
        /// The toolchain record, for the host that compares plugins' records with its own.
        .library(name: "CSluiceToolchain", targets: ["CSluiceToolchain"]),
    ],
    targets: [
        .target(
            name: "CSluicePlugin",
            path: "CSluicePlugin",
            publicHeadersPath: "include"
        ),
        /// The Swift release and C compiler that built this image, in an ELF
        /// section the host reads without running the plugin's code.
        .target(
            name: "CSluiceToolchain",
            path: "Toolchain",
            publicHeadersPath: "include",
            cSettings: [.define("SLUICE_SWIFT_RELEASE", to: "\"\(swiftRelease)\"")]
        ),
        .target(
            name: "SluiceSDK",
            dependencies: ["CSluicePlugin", "CSluiceToolchain", "SluicePluginKit"],
            path: "SDK",
            swiftSettings: strictConcurrency
        ),
        /// The toolkit for plugin authors beside the SDK (the host uses it too).
        /// No dependencies beyond its own C scan, so every plugin can link it.
        .target(
            name: "SluicePluginKit",
            dependencies: ["CSluiceJSONScan"],
            path: "Kit",
            swiftSettings: strictConcurrency
        ),
        /// The JSON parser's vector scan of string text (a header, inlined into the toolkit).
        .target(
            name: "CSluiceJSONScan",
            path: "CJSONScan",
            publicHeadersPath: "include"
        ),
    ]
)
