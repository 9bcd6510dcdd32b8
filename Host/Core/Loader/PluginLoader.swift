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

    private let store: PluginImageStore
    private let logger: Logger
    private let mapped = PluginLoaderMappedImages()

    /// imageDirectory: where private content-addressed copies go (created 0700 if missing).
    public init(imageDirectory: String, logger: Logger) {
        self.store = PluginImageStore(directory: imageDirectory)
        self.logger = logger
    }

    /// How many images this process has mapped (each reload adds one: they are never unloaded).
    ///
    /// Counted per loader: one distinct content (one private copy) is one image.
    public var loadedImageCount: Int { mapped.count }

    /// Refuses a plugins directory that is world-writable (or missing / not a directory).
    public func checkDirectory(_ path: String) throws(PluginRefusal) {
        do throws(PluginRefusal) {
            var status = stat()
            guard stat(path, &status) == 0 else {
                throw PluginRefusal(file: path, reason: .unreadable,
                                    detail: "plugins directory cannot be read: \(PluginFileReader.errorText(errno))")
            }
            guard status.st_mode & S_IFMT == S_IFDIR else {
                throw PluginRefusal(file: path, reason: .unreadable,
                                    detail: "not a directory (\(PluginFileReader.kindText(status.st_mode))); expected the plugins directory")
            }
            if status.st_mode & S_IWOTH != 0 {
                throw PluginRefusal(file: path, reason: .unsafePermissions,
                                    detail: "plugins directory is world-writable (mode \(PluginFileReader.modeText(status.st_mode))); expected no write permission for others (chmod o-w)")
            }
        } catch {
            throw logged(error)
        }
    }

    /// Loads and validates one file; no plugin code other than the entry function runs.
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
            return image
        } catch {
            throw logged(error)
        }
    }

    /// Every `*.so` in the directory, in name order; a second file declaring an agent name already seen is refused as duplicateName.
    ///
    /// - Throws: the directory's refusal when `checkDirectory` refuses it or it cannot be listed.
    public func scan(directory: String) throws(PluginRefusal) -> (images: [PluginImage], refusals: [PluginRefusal]) {
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
        var owners: [String: String] = [:]
        for name in names.filter({ $0.hasSuffix(".so") }).sorted() {
            let file = prefix + name
            do throws(PluginRefusal) {
                let image = try load(file: file)
                if let owner = owners[image.name] {
                    throw logged(PluginRefusal(
                        file: file, reason: .duplicateName,
                        detail: "agent name \"\(image.name)\" is already declared by \(owner) (expected one file per agent name)"))
                }
                owners[image.name] = file
                images.append(image)
            } catch {
                refusals.append(error)  // already logged; the other files keep loading
            }
        }
        return (images, refusals)
    }

    private func loadUnlogged(file: String) throws(PluginRefusal) -> PluginImage {
        let bytes = try PluginFileReader.contents(of: file)
        try PluginELFCheck.check(bytes, file: file)
        let sha256 = PluginImageStore.digest(of: bytes)
        let privatePath = try store.store(bytes, sha256: sha256, for: file)

        // RTLD_NODELETE: Swift images must never be unloaded (the runtime keeps
        // pointers into them); the handle is deliberately never closed.
        guard let handle = dlopen(privatePath, RTLD_NOW | RTLD_LOCAL | RTLD_NODELETE) else {
            let error = dlerror().map { String(cString: $0) } ?? "unknown error"
            throw PluginRefusal(file: file, reason: .loadFailed, detail: "dlopen failed: \(error)")
        }
        mapped.insert(privatePath)

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

    private func logged(_ refusal: PluginRefusal) -> PluginRefusal {
        logger.error("\(refusal.description)", metadata: [
            "plugin.file": "\(refusal.file)", "plugin.reason": "\(refusal.reason.rawValue)",
        ])
        return refusal
    }
}

/// The private copies a loader has mapped, behind a lock (loads may run concurrently).
final class PluginLoaderMappedImages: Sendable {
    private let paths = Mutex<Set<String>>([])

    /// Records a mapped private copy (mapping the same copy again maps no new image).
    func insert(_ path: String) {
        _ = paths.withLock { $0.insert(path) }
    }

    /// How many distinct images were mapped.
    var count: Int {
        paths.withLock { $0.count }
    }
}
