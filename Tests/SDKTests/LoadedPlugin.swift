import CSluicePlugin
import Foundation

/// Drives a plugin through its descriptor the way the host does: validate,
/// create, open, on_batch, flush, close, destroy.
struct LoadedPlugin: @unchecked Sendable {
    let descriptor: UnsafePointer<sluice_plugin_descriptor>

    /// Wraps what an entry function returned.
    init(entryResult: UnsafeRawPointer?) throws {
        guard let entryResult else { throw PluginFailure(reason: "the entry function declined the host") }
        descriptor = entryResult.assumingMemoryBound(to: sluice_plugin_descriptor.self)
    }

    var name: String { String(cString: descriptor.pointee.name) }

    var topics: [String] {
        var names: [String] = []
        var cursor = descriptor.pointee.topics!
        while let topic = cursor.pointee {
            names.append(String(cString: topic))
            cursor += 1
        }
        return names
    }

    /// Runs validate_config; nil when valid, else the reason.
    func validate(_ json: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 512)
        // The _v2 member with the descriptor's context is preferred, as the host does.
        let status = json.withCString { text in
            if let validate = descriptor.pointee.validate_config_v2 {
                return validate(descriptor.pointee.context, text, strlen(text), &buffer, buffer.count)
            }
            return descriptor.pointee.validate_config!(text, strlen(text), &buffer, buffer.count)
        }
        return status == SLUICE_STATUS_OK ? nil : cText(buffer)
    }

    /// Runs create against the recorder's host table.
    func create(_ json: String = "{}", host: HostRecorder) throws -> PluginInstance {
        var buffer = [CChar](repeating: 0, count: 512)
        var instance: UnsafeMutableRawPointer?
        let status = json.withCString { text in
            if let create = descriptor.pointee.create_v2 {
                return create(descriptor.pointee.context, UnsafePointer(host.api), host.handle, text, strlen(text),
                              &instance, &buffer, buffer.count)
            }
            return descriptor.pointee.create!(UnsafePointer(host.api), host.handle, text, strlen(text), &instance, &buffer, buffer.count)
        }
        guard status == SLUICE_STATUS_OK, let instance else { throw PluginFailure(reason: cText(buffer)) }
        return PluginInstance(descriptor: descriptor, pointer: instance)
    }
}

/// A plugin call failed, with the reason it wrote.
struct PluginFailure: Error, CustomStringConvertible {
    let reason: String
    var description: String { reason }
}

/// One created instance. @unchecked Sendable so blocking calls can run on a
/// host thread (see ``onHostThread(_:)``); the tests never call it concurrently
/// for one partition.
struct PluginInstance: @unchecked Sendable {
    let descriptor: UnsafePointer<sluice_plugin_descriptor>
    let pointer: UnsafeMutableRawPointer

    /// Calls open if the plugin has it; returns the partition state it stored.
    func open(topic: String = "orders", partition: Int32 = 0) throws -> UnsafeMutableRawPointer? {
        guard let open = descriptor.pointee.open else { return nil }
        var state: UnsafeMutableRawPointer?
        guard open(pointer, topic, partition, &state) == SLUICE_STATUS_OK else { throw PluginFailure(reason: "open failed") }
        return state
    }

    func onBatch(_ batch: TestBatch) -> sluice_batch_status {
        sluice_batch_status(rawValue: UInt32(descriptor.pointee.on_batch!(pointer, batch.pointer)))
    }

    /// Calls on_timer with due timers; the caller builds the batch (see ``TimerBatch``).
    func onTimer(_ timers: UnsafeMutablePointer<sluice_timer_batch>) -> sluice_batch_status {
        sluice_batch_status(rawValue: UInt32(descriptor.pointee.on_timer!(pointer, timers)))
    }

    func flush() -> Int32 { descriptor.pointee.flush.map { $0(pointer) } ?? SLUICE_STATUS_OK }

    func close(topic: String = "orders", partition: Int32 = 0, state: UnsafeMutableRawPointer?) {
        descriptor.pointee.close?(pointer, topic, partition, state)
    }

    func destroy() { descriptor.pointee.destroy!(pointer) }
}

/// The NUL-terminated text in a C buffer.
func cText(_ buffer: [CChar]) -> String {
    let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
    return String(decoding: bytes, as: UTF8.self)
}
