/// Refuses a Swift plugin built by another Swift toolchain than the host's,
/// from the file's bytes, before `dlopen` runs any of its code.
///
/// Plugins without a toolchain record (C plugins, and Swift plugins that do not
/// use the SDK) are not checked: the record is the SDK's promise, and a C
/// plugin does not share the host's Swift runtime.
enum PluginToolchainCheck {
    /// The record in `bytes` (the content of `file`, already checked to be an
    /// ELF shared object of this machine), nil when there is none.
    ///
    /// - Throws: `PluginRefusal` (`toolchainMismatch`) when the record differs
    ///   from `host` or cannot be read.
    static func check(_ bytes: [UInt8], file: String,
                      host: SwiftToolchain = .host) throws(PluginRefusal) -> SwiftToolchain? {
        let reader = ELFReader(bytes: bytes, littleEndian: 1.littleEndian == 1)
        guard let section = reader.section(named: SwiftToolchain.sectionName) else { return nil }
        let plugin: SwiftToolchain
        do {
            plugin = try SwiftToolchain(record: section)
        } catch {
            throw PluginRefusal(file: file, reason: .toolchainMismatch,
                                detail: "unreadable Swift toolchain record (section \(SwiftToolchain.sectionName)): \(error.detail)")
        }
        guard plugin != host else { return plugin }
        // Same release but another build of it: name the compilers, which differ.
        let differs = plugin.swiftRelease == host.swiftRelease
            ? "built with \(plugin) (C compiler \(plugin.cCompiler)), this host with \(host) (C compiler \(host.cCompiler))"
            : "built with \(plugin), this host with \(host)"
        throw PluginRefusal(
            file: file, reason: .toolchainMismatch,
            detail: "\(differs): Swift has no stable ABI on Linux and a Swift plugin runs on the host's Swift runtime; rebuild the plugin with \(host)")
    }
}
