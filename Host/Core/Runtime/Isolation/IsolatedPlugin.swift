import CSluicePlugin
import Foundation
import Logging
import SluiceIsolationWire

/// A plugin an agent runs with `isolation: process`. The host never maps the
/// file: a runner loads it and describes its descriptor, and the host builds
/// a descriptor of its own from that description whose hooks forward to
/// ``IsolatedInstance`` (so the runtime drives an isolated agent exactly as
/// an in-process one). The host's checks of a descriptor run on it unchanged.
final class IsolatedPlugin: @unchecked Sendable {
    // @unchecked: immutable after init; `descriptor` and the strings it
    // points to live as long as this object, which is never released (the
    // runtime may keep the image's descriptor pointer for the process's life).
    let agent: String
    let pluginName: String
    let privatePath: String
    let runnerPath: String
    let memoryLimit: Int?
    let nice: Int
    let batchTimeout: Duration
    /// The host's logger: runner crashes and restarts are logged with the host's lines.
    let logger: Logger
    /// The descriptor the host drives.
    let descriptor: UnsafeMutablePointer<sluice_plugin_descriptor>
    private var strings: [UnsafeMutablePointer<CChar>] = []
    private var arrays: [UnsafeMutablePointer<UnsafePointer<CChar>?>] = []

    private init(agent: String, pluginName: String, privatePath: String, runnerPath: String, settings: AgentSettings,
                 logger: Logger) {
        self.agent = agent
        self.pluginName = pluginName
        self.privatePath = privatePath
        self.runnerPath = runnerPath
        memoryLimit = settings.memoryLimit
        nice = settings.nice
        batchTimeout = settings.batchTimeout
        self.logger = logger
        descriptor = .allocate(capacity: 1)
    }

    /// Loads the private copy `privatePath` of `file` in a short-lived runner
    /// and checks its descriptor as the loader checks an in-process one.
    /// The runner itself must be trusted as a plugin is (`trust`): it runs the plugin.
    static func describe(file: String, privatePath: String, sha256: String, agent: String, pluginName: String,
                         settings: AgentSettings, trust: PluginTrust, logger: Logger) throws(PluginRefusal) -> PluginImage {
        let runnerPath: String
        switch PluginRunnerLocator.path() {
        case .success(let path): runnerPath = path
        case .failure(let error): throw PluginRefusal(file: file, reason: .loadFailed, detail: "\(error)")
        }
        // Whoever may replace the runner decides what every isolated plugin runs with.
        for (path, subject) in [(runnerPath, "plugin runner \(runnerPath)"),
                                (PluginTrust.parent(of: runnerPath), "the plugin runner's directory \(PluginTrust.parent(of: runnerPath))")] {
            var status = stat()
            if stat(path, &status) == 0 { try trust.refuseUnless(status, file: file, subject: subject) }
        }
        let summary = try summary(of: file, privatePath: privatePath, runner: runnerPath, agent: agent)
        let plugin = IsolatedPlugin(agent: agent, pluginName: pluginName, privatePath: privatePath,
                                    runnerPath: runnerPath, settings: settings, logger: logger)
        let minimumSize = PluginDescriptorReference.v1_0Size
        if summary.magic == SLUICE_PLUGIN_MAGIC, Int(summary.structSize) < minimumSize {
            throw PluginRefusal(file: file, reason: .descriptorTooSmall,
                                detail: "descriptor struct_size \(summary.structSize) is smaller than an ABI 1.0 descriptor (expected at least \(minimumSize) bytes)")
        }
        plugin.build(from: summary)
        let image = try PluginDescriptorValidation.validate(UnsafePointer(plugin.descriptor), file: file,
                                                            privatePath: privatePath, sha256: sha256)
        // Kept for the process's life: the descriptor's `context` points to it.
        _ = Unmanaged.passRetained(plugin)
        return image
    }

    /// Asks a runner to load the plugin and describe it.
    private static func summary(of file: String, privatePath: String, runner: String,
                                agent: String) throws(PluginRefusal) -> DescriptorSummary {
        let region: SharedRegion
        let process: RunnerProcess
        do {
            region = try SharedRegion(creatingSize: RegionControl.size, name: "sluice-describe")
            process = try RunnerProcess(executable: runner, agent: agent, region: region, memoryLimit: nil, nice: 0) { _ in }
        } catch {
            throw PluginRefusal(file: file, reason: .loadFailed, detail: "the plugin runner could not start: \(error)")
        }
        var writer = WireWriter()
        writer.string(privatePath)
        let answer = process.request(.describe, writer.bytes)
        process.kill()
        let ending = process.reap()
        guard let answer else {
            throw PluginRefusal(file: file, reason: .loadFailed,
                                detail: "the plugin runner ended while loading the plugin (\(ending)): its constructors or entry function crashed")
        }
        let decoded = answer.withUnsafeBytes { bytes in
            Result { () throws(WireError) -> Result<DescriptorSummary, PluginRefusal> in
                var reader = WireReader(bytes)
                let outcome = DescribeOutcome(rawValue: try reader.u8()) ?? .loadFailed
                switch outcome {
                case .described:
                    let data = try reader.data()
                    var inner = WireReader(data)
                    return .success(try DescriptorSummary.decode(&inner))
                case .loadFailed, .missingEntry, .declinedHost:
                    let reason: PluginRefusal.Reason = outcome == .missingEntry ? .missingEntry
                        : outcome == .declinedHost ? .declinedHost : .loadFailed
                    return .failure(PluginRefusal(file: file, reason: reason, detail: try reader.string()))
                }
            }
        }
        switch decoded {
        case .success(.success(let summary)): return summary
        case .success(.failure(let refusal)): throw refusal
        case .failure(let error):
            throw PluginRefusal(file: file, reason: .loadFailed, detail: "the plugin runner's description is broken: \(error)")
        }
    }

    private func string(_ text: String?) -> UnsafePointer<CChar>? {
        guard let text else { return nil }
        let copy = strdup(text)!
        strings.append(copy)
        return UnsafePointer(copy)
    }

    private func list(_ items: [String]?) -> UnsafePointer<UnsafePointer<CChar>?>? {
        guard let items else { return nil }
        let array = UnsafeMutablePointer<UnsafePointer<CChar>?>.allocate(capacity: items.count + 1)
        for (index, item) in items.enumerated() { array[index] = string(item) }
        array[items.count] = nil
        arrays.append(array)
        return UnsafePointer(array)
    }

    /// The host's descriptor: the plugin's declarations, hooks that forward.
    private func build(from summary: DescriptorSummary) {
        let hooks = summary.hooks
        let name = summary.name.map { bytes -> UnsafePointer<CChar> in
            let copy = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
            for (index, byte) in bytes.enumerated() { copy[index] = CChar(bitPattern: byte) }
            copy[bytes.count] = 0
            strings.append(copy)
            return UnsafePointer(copy)
        }
        descriptor.initialize(to: sluice_plugin_descriptor(
            magic: summary.magic,
            // The whole current struct, so the host calls create_v2 with this object as context.
            struct_size: UInt32(MemoryLayout<sluice_plugin_descriptor>.size),
            abi_major: summary.abiMajor, abi_minor: summary.abiMinor, pointer_size: summary.pointerSize, reserved: 0,
            name: name, version: string(summary.version), description: string(summary.summary),
            topics: list(summary.topics), capabilities: summary.capabilities | SLUICE_CAP_PENDING,
            config_schema: string(summary.configSchema),
            validate_config: nil,
            create: hooks.contains(.create) || hooks.contains(.createV2) ? IsolatedHooks.create : nil,
            open: IsolatedHooks.open,
            on_batch: hooks.contains(.onBatch) ? IsolatedHooks.onBatch : nil,
            flush: IsolatedHooks.flush,
            close: IsolatedHooks.close,
            destroy: hooks.contains(.destroy) ? IsolatedHooks.destroy : nil,
            tables: list(summary.tables),
            on_timer: hooks.contains(.onTimer) ? IsolatedHooks.onTimer : nil,
            context: Unmanaged.passUnretained(self).toOpaque(),
            validate_config_v2: nil,
            create_v2: hooks.contains(.create) || hooks.contains(.createV2) ? IsolatedHooks.createV2 : nil))
    }
}

/// The forwarding hooks of an isolated plugin's descriptor (C function pointers).
enum IsolatedHooks {
    static let create: @convention(c) (UnsafePointer<sluice_host_api>?, OpaquePointer?, UnsafePointer<CChar>?, Int,
                                       UnsafeMutablePointer<UnsafeMutableRawPointer?>?, UnsafeMutablePointer<CChar>?, Int) -> Int32 = {
        _, _, _, _, _, error, capacity in
        if let error, capacity > 0 { error[0] = 0 }
        return Int32(SLUICE_STATUS_ERROR)  // create_v2 is always set beside it
    }

    static let createV2: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<sluice_host_api>?, OpaquePointer?,
                                         UnsafePointer<CChar>?, Int, UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                                         UnsafeMutablePointer<CChar>?, Int) -> Int32 = {
        context, api, host, config, length, instance, errorBuffer, capacity in
        let plugin = Unmanaged<IsolatedPlugin>.fromOpaque(context!).takeUnretainedValue()
        do {
            let created = try IsolatedInstance(plugin: plugin, api: api!, host: host,
                                               config: UnsafeRawBufferPointer(start: config, count: config == nil ? 0 : length))
            instance?.pointee = Unmanaged.passRetained(created).toOpaque()
            return Int32(SLUICE_STATUS_OK)
        } catch {
            if let errorBuffer, capacity > 0 {
                let text = Array("\(error)".utf8CString.prefix(capacity - 1)) + [0]
                errorBuffer.update(from: text, count: text.count)
            }
            return Int32(SLUICE_STATUS_ERROR)
        }
    }

    private static func instance(_ pointer: UnsafeMutableRawPointer?) -> IsolatedInstance {
        Unmanaged<IsolatedInstance>.fromOpaque(pointer!).takeUnretainedValue()
    }

    static let open: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, Int32,
                                     UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Int32 = {
        pointer, topic, partition, state in
        state?.pointee = nil
        return instance(pointer).open(topic: String(cString: topic!), partition: partition)
    }

    static let onBatch: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<sluice_batch>?) -> Int32 = {
        pointer, batch in instance(pointer).onBatch(batch!)
    }

    static let flush: @convention(c) (UnsafeMutableRawPointer?) -> Int32 = { pointer in instance(pointer).flush() }

    static let close: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, Int32, UnsafeMutableRawPointer?) -> Void = {
        pointer, topic, partition, _ in instance(pointer).close(topic: String(cString: topic!), partition: partition)
    }

    static let destroy: @convention(c) (UnsafeMutableRawPointer?) -> Void = { pointer in
        let unmanaged = Unmanaged<IsolatedInstance>.fromOpaque(pointer!)
        unmanaged.takeUnretainedValue().destroy()
        unmanaged.release()
    }

    static let onTimer: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<sluice_timer_batch>?) -> Int32 = {
        pointer, timers in instance(pointer).onTimer(timers!)
    }
}
