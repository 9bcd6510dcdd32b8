import CSluiceToolchain

/// The Swift release and C compiler that built an image, as the SDK records
/// them in every Swift plugin (the `sluice_toolchain` ELF section).
///
/// Swift has no stable ABI on Linux and a Swift plugin runs on the host's
/// Swift runtime, so the host loads a Swift plugin only when its record
/// equals the host's own. The C compiler's version names the toolchain's LLVM
/// build, which tells two toolchains apart even where the release does not.
public struct SwiftToolchain: Sendable, Equatable, CustomStringConvertible {
    /// The Swift release, e.g. `6.3.1`.
    public let swiftRelease: String
    /// The toolchain's C compiler version (its `__VERSION__`), e.g. `Clang 21.0.0 (https://github.com/swiftlang/llvm-project.git 1167…)`.
    public let cCompiler: String

    /// Creates a record from its two texts.
    public init(swiftRelease: String, cCompiler: String) {
        self.swiftRelease = swiftRelease
        self.cCompiler = cCompiler
    }

    /// The toolchain that built this host.
    public static let host: SwiftToolchain = withUnsafeBytes(of: sluice_swift_toolchain) { bytes in
        // The host's own record is compiled in, so it always parses.
        (try? SwiftToolchain(record: bytes[...])) ?? SwiftToolchain(swiftRelease: "unknown", cCompiler: "unknown")
    }

    /// `Swift 6.3.1`.
    public var description: String { "Swift \(swiftRelease)" }

    /// The record's size and layout, as `sluice_toolchain.h` declares them.
    static let recordSize = MemoryLayout<sluice_toolchain_record>.size
    static let magic = Array(SLUICE_TOOLCHAIN_MAGIC.utf8)
    static let sectionName = SLUICE_TOOLCHAIN_SECTION

    /// Reads a record from the section's bytes.
    ///
    /// - Throws: `RecordError` naming what is wrong (size, magic, text).
    init<Bytes: Collection<UInt8>>(record: Bytes) throws(RecordError) where Bytes.Index == Int {
        guard record.count == Self.recordSize else {
            throw RecordError("\(record.count) bytes where the record has \(Self.recordSize)")
        }
        let start = record.startIndex
        func text(_ offset: Int, _ length: Int) throws(RecordError) -> String {
            let field = record[(start + offset)..<(start + offset + length)]
            guard let end = field.firstIndex(of: 0), end > field.startIndex else {
                throw RecordError("a text field that is empty or not NUL-terminated at byte \(offset)")
            }
            return String(decoding: field[..<end], as: UTF8.self)
        }
        guard try text(0, 16).utf8.elementsEqual(Self.magic) else {
            throw RecordError("unknown record layout (expected \(SLUICE_TOOLCHAIN_MAGIC))")
        }
        swiftRelease = try text(16, 16)
        cCompiler = try text(32, Self.recordSize - 32)
    }

    /// Why a toolchain record could not be read.
    struct RecordError: Error {
        let detail: String
        init(_ detail: String) { self.detail = detail }
    }
}
