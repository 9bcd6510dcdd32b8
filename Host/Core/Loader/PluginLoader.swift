import CSluicePlugin
import Foundation
import Logging
import Synchronization

/// Loads plugin files: checks them before any plugin code runs, maps a
/// private content-addressed copy, calls the entry function and validates the
/// descriptor it returns. Images are never unloaded.
public final class PluginLoader: Sendable {
    /// The highest ABI major version whose entry symbol is looked for when
    /// `sluice_plugin_entry_v1` is missing, to say which ABI a file speaks.
    static let highestKnownMajor = 9

    let store: PluginImageStore
    let logger: Logger
    let mappedImages = PluginLoaderMappedImages()
    /// Who may own and write the plugins directory, the files and their sidecars.
    public let trust: PluginTrust

    /// imageDirectory: where private content-addressed copies go (created 0700 if missing);
    /// trust: whose files load (by default the host's user's and root's, writable by no one else).
    public init(imageDirectory: String, trust: PluginTrust = PluginTrust(), logger: Logger) {
        self.store = PluginImageStore(directory: imageDirectory)
        self.trust = trust
        self.logger = logger
    }

    /// How many images this process has mapped (each reload adds one: they are never unloaded).
    ///
    /// Counted per loader: one distinct content (one private copy) is one image.
    public var loadedImageCount: Int { mappedImages.count }

    /// Refuses a plugins directory that is missing, not a directory, owned by
    /// another user, or writable by a group or by others.
    public func checkDirectory(_ path: String) throws(PluginRefusal) {
        do throws(PluginRefusal) {
            _ = try trust.checkPluginsDirectory(path, file: path)
        } catch {
            throw logged(error)
        }
    }

    /// Loads and validates one file; no plugin code other than the entry function runs.
    ///
    /// Before reading, the file, every directory on its real path and its
    /// directory (the plugins directory) must pass `trust`. A file refused
    /// after its private copy was written keeps no copy.
    ///
    /// (The dynamic linker still runs the file's ELF constructors while mapping
    /// it; that cannot be avoided with `dlopen`, which is why every check on the
    /// bytes happens first.)
    public func load(file: String) throws(PluginRefusal) -> PluginImage {
        do throws(PluginRefusal) {
            let image = try loadUnlogged(file: file)
            logger.info("plugin loaded", metadata: [
                "plugin.file": "\(file)", "plugin.name": "\(image.name)", "plugin.version": "\(image.version)",
                "plugin.sha256": "\(image.sha256)", "plugin.abi_minor": "\(image.abiMinor)",
            ])
            if let ignored = image.checkedConfigSchema?.ignoredKeywords, !ignored.isEmpty {
                // Outside the subset the host checks: named once, so a plugin author sees what is not enforced.
                logger.warning("config_schema keywords not checked by the host", metadata: [
                    "plugin.file": "\(file)", "plugin.name": "\(image.name)",
                    "config_schema.ignored": "\(ignored.joined(separator: ", "))",
                ])
            }
            return image
        } catch {
            throw logged(error)
        }
    }

    /// Loads `file` (as `load(file:)`) and refuses it unless it declares the
    /// agent its file is named for: `NAME.so` runs agent `NAME`, so no file can
    /// take over another file's agent.
    public func loadAgent(file: String) throws(PluginRefusal) -> PluginImage {
        let image = try load(file: file)
        do throws(PluginRefusal) {
            try AgentNameRule.check(image, file: file)
        } catch {
            throw logged(error)
        }
        return image
    }

    /// Every `*.so` in the directory that loads and declares the agent its file is
    /// named for (`NAME.so` runs agent `NAME`), in name order; the others are refused.
    ///
    /// - Throws: the directory's refusal when `checkDirectory` refuses it or it cannot be listed.
    /// `skipping` names plugins (file base names) not to map: those only
    /// isolated agents run, which runners load instead.
    public func scan(directory: String, skipping: Set<String> = []) throws(PluginRefusal) -> (images: [PluginImage], refusals: [PluginRefusal]) {
        try checkDirectory(directory)
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw logged(PluginRefusal(file: directory, reason: .unreadable,
                                       detail: "plugins directory cannot be listed: \(error.localizedDescription)"))
        }
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        var images: [PluginImage] = []
        var refusals: [PluginRefusal] = []
        for name in names.filter({ $0.hasSuffix(".so") && !skipping.contains(String($0.dropLast(3))) }).sorted() {
            let file = prefix + name
            do throws(PluginRefusal) {
                let image = try loadAgent(file: file)
                images.append(image)
            } catch {
                refusals.append(error)  // already logged; the other files keep loading
            }
        }
        return (images, refusals)
    }

    private func loadUnlogged(file: String) throws(PluginRefusal) -> PluginImage {
        try withCheckedCopy(of: file) { privatePath, sha256 throws(PluginRefusal) in
            try map(file: file, privatePath: privatePath, sha256: sha256)
        }
    }

    /// Checks `file`'s bytes (trust, ELF, toolchain), keeps its private
    /// content-addressed copy and hands that to `open`, which makes the image
    /// (by mapping it, or through a runner). A refused file keeps no copy.
    func withCheckedCopy(of file: String,
                         _ open: (_ privatePath: String, _ sha256: String) throws(PluginRefusal) -> PluginImage) throws(PluginRefusal) -> PluginImage {
        let bytes = try PluginFileReader.contents(of: file, trust: trust)
        try PluginELFCheck.check(bytes, file: file)
        let toolchain = try PluginToolchainCheck.check(bytes, file: file)
        let sha256 = PluginImageStore.digest(of: bytes)
        let privatePath = try store.store(bytes, sha256: sha256, for: file)
        do throws(PluginRefusal) {
            var image = try open(privatePath, sha256)
            image.swiftToolchain = toolchain
            mappedImages.accept(privatePath)
            return image
        } catch {
            // Only loaded plugins keep a private copy; one that loaded before (the
            // same content under another name, or earlier) keeps its copy.
            if !mappedImages.isAccepted(privatePath) { store.remove(privatePath) }
            throw error
        }
    }

    private func map(file: String, privatePath: String, sha256: String) throws(PluginRefusal) -> PluginImage {
        // RTLD_NODELETE: Swift images must never be unloaded (the runtime keeps
        // pointers into them); the handle is deliberately never closed.
        guard let handle = dlopen(privatePath, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            let error = dlerror().map { String(cString: $0) } ?? "unknown error"
            throw PluginRefusal(file: file, reason: .loadFailed, detail: "dlopen failed: \(error)")
        }
        mappedImages.insert(privatePath)

        guard let symbol = dlsym(handle, SLUICE_PLUGIN_ENTRY_V1) else {
            let others = (2...Self.highestKnownMajor).filter { dlsym(handle, "sluice_plugin_entry_v\($0)") != nil }
            if let major = others.first {
                throw PluginRefusal(
                    file: file, reason: .missingEntry,
                    detail: "missing entry symbol \(SLUICE_PLUGIN_ENTRY_V1); it exports sluice_plugin_entry_v\(major), so it speaks Sluice ABI \(major) and this host speaks ABI \(SLUICE_ABI_MAJOR)")
            }
            throw PluginRefusal(
                file: file, reason: .missingEntry,
                detail: "missing entry symbol \(SLUICE_PLUGIN_ENTRY_V1): not a Sluice plugin (expected an exported C function \(SLUICE_PLUGIN_ENTRY_V1))")
        }
        let entry = unsafeBitCast(symbol, to: sluice_plugin_entry_v1_fn.self)
        guard let descriptor = entry(UInt16(SLUICE_ABI_MAJOR), UInt16(SLUICE_ABI_MINOR)) else {
            throw PluginRefusal(
                file: file, reason: .declinedHost,
                detail: "\(SLUICE_PLUGIN_ENTRY_V1)(\(SLUICE_ABI_MAJOR), \(SLUICE_ABI_MINOR)) returned NULL: the plugin declined this host (ABI \(SLUICE_ABI_MAJOR).\(SLUICE_ABI_MINOR))")
        }
        return try PluginDescriptorValidation.validate(descriptor, file: file, privatePath: privatePath, sha256: sha256)
    }

    /// Reads the sidecar of plugin `file` (`NAME.yaml` beside `NAME.so`) over
    /// `defaults`; no sidecar: `defaults`. The sidecar is trusted the way the
    /// plugin is, read without blocking and within `PluginSidecarReader.sizeLimit`,
    /// and its environment references must be allowed by `allowedEnvironment`.
    ///
    /// - Throws: `PluginRefusal` (about `file`, naming the sidecar) for its
    ///   kind, owner, permissions or size; `ConfigurationError` for its content.
    public func readSidecar(forPlugin file: String, defaults: AgentSettings,
                            allowedEnvironment: [String]) throws -> AgentSettings {
        do {
            return try PluginSidecarReader.read(forPlugin: file, trust: trust, defaults: defaults,
                                                allowedEnvironment: allowedEnvironment)
        } catch let refusal as PluginRefusal {
            throw logged(refusal)
        }
    }

    /// Reads the sidecar `sidecar` of an agent (over `defaults`), as
    /// ``readSidecar(forPlugin:defaults:allowedEnvironment:)`` does; a refusal
    /// (kind, owner, permissions, size) is about `file`.
    public func readSidecar(at sidecar: String, refusing file: String, defaults: AgentSettings,
                            allowedEnvironment: [String]) throws -> AgentSettings {
        do {
            return try PluginSidecarReader.read(sidecar: sidecar, refusing: file, trust: trust, defaults: defaults,
                                                allowedEnvironment: allowedEnvironment)
        } catch let refusal as PluginRefusal {
            throw logged(refusal)
        }
    }

    /// Deletes every private copy but those in `keeping` (paths of images in
    /// use), and leftovers of interrupted copies; returns the deleted paths.
    ///
    /// Call it once the start-up scan has decided what runs, with the
    /// private paths of every image an agent runs from.
    @discardableResult
    public func pruneImages(keeping: Set<String>) -> [String] {
        let removed = store.prune(keeping: keeping)
        if !removed.isEmpty {
            logger.info("unused plugin images removed", metadata: [
                "images.directory": "\(store.directory)", "images.removed": "\(removed.count)"])
        }
        return removed
    }

    func logged(_ refusal: PluginRefusal) -> PluginRefusal {
        logger.error("\(refusal.description)", metadata: [
            "plugin.file": "\(refusal.file)", "plugin.reason": "\(refusal.reason.rawValue)",
        ])
        return refusal
    }
}

/// The private copies a loader has mapped (and those whose plugin passed
/// every check), behind locks (loads may run concurrently).
final class PluginLoaderMappedImages: Sendable {
    private let paths = Mutex<Set<String>>([])

    private let accepted = Mutex<Set<String>>([])

    /// Records a mapped private copy (mapping the same copy again maps no new image).
    func insert(_ path: String) {
        _ = paths.withLock { $0.insert(path) }
    }

    /// Records a private copy whose plugin passed every check.
    func accept(_ path: String) {
        _ = accepted.withLock { $0.insert(path) }
    }

    /// Whether a private copy's plugin passed every check in this process.
    func isAccepted(_ path: String) -> Bool {
        accepted.withLock { $0.contains(path) }
    }

    /// How many distinct images were mapped.
    var count: Int {
        paths.withLock { $0.count }
    }
}

extension PluginLoader {
    /// Checks `file` as ``loadAgent(file:)`` does, but never maps it: a
    /// `sluice-plugin-runner` loads its private copy and describes it, and
    /// agent `agent` will run it in runners of its own (`isolation: process`).
    public func loadIsolated(file: String, agent: String, settings: AgentSettings) throws(PluginRefusal) -> PluginImage {
        do throws(PluginRefusal) {
            let image = try withCheckedCopy(of: file) { privatePath, sha256 throws(PluginRefusal) in
                let pluginName = URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent
                let image = try IsolatedPlugin.describe(file: file, privatePath: privatePath, sha256: sha256, agent: agent,
                                                        pluginName: pluginName, settings: settings, trust: trust, logger: logger)
                try AgentNameRule.check(image, file: file)
                return image
            }
            logger.info("plugin loaded for a runner process", metadata: [
                "plugin.file": "\(file)", "plugin.name": "\(image.name)", "plugin.version": "\(image.version)",
                "plugin.sha256": "\(image.sha256)", "agent": "\(agent)", "isolation": "process",
            ])
            return image
        } catch {
            throw logged(error)
        }
    }
}
