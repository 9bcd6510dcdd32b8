import CSluicePlugin
#if canImport(Glibc)
import Glibc
#endif

/// One created instance of a plugin image, and the C calls made on it. The
/// runner holds one at a time; a hot reload creates the next one *before* the
/// current one is drained and destroyed, so a new version that cannot start
/// never disturbs the running one.
final class PluginInstance: @unchecked Sendable {
    // @unchecked: the pointers are immutable; the plugin's threading rules
    // (documented in the header) say which calls may overlap.
    let image: PluginImage
    private let descriptor: UnsafePointer<sluice_plugin_descriptor>
    private let handle: UnsafeMutableRawPointer
    /// What a fatal signal during one of this instance's calls reports (FatalSignalReport).
    private let crashReport: UnsafeMutablePointer<CChar>

    /// Runs validate_config, then create, with `host` as the instance's handle
    /// (the _v2 ones with the descriptor's context when the plugin has them);
    /// a fatal signal in its calls names `agent`.
    init(image: PluginImage, agent: String, configurationJSON json: String, host: OpaquePointer) throws {
        let crashReport = FatalSignalReport.line(agent: agent, file: image.sourcePath, image: image.privatePath)
        let report = UnsafePointer(crashReport)
        do {
            try FatalSignalReport.whileRunning(report) { try image.validateConfiguration(json) }
        } catch {
            free(crashReport)
            throw error
        }
        let descriptor = image.descriptor.pointer
        var created: UnsafeMutableRawPointer?
        let errorCapacity = 512
        var error = [CChar](repeating: 0, count: errorCapacity)
        let createV2 = image.descriptor.member(\.create_v2) ?? nil
        let context = image.descriptor.member(\.context) ?? nil
        // The loader refused a descriptor with neither create_v2 nor create.
        let createV1 = image.descriptor.member(\.create) ?? nil
        let status = json.withCString { config in
            FatalSignalReport.whileRunning(report) {
                if let createV2 {
                    createV2(context, HostServicesTable.table, host, config, strlen(config), &created, &error, errorCapacity)
                } else {
                    createV1!(HostServicesTable.table, host, config, strlen(config), &created, &error, errorCapacity)
                }
            }
        }
        guard status == SLUICE_STATUS_OK, let created else {
            free(crashReport)
            let detail = error.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            throw PluginRefusal(file: image.sourcePath, reason: .createFailed,
                                detail: "\(createV2 != nil ? "create_v2()" : "create()") failed: \(detail.isEmpty ? "no reason given" : detail)")
        }
        self.image = image
        self.descriptor = descriptor
        self.crashReport = crashReport
        handle = created
    }

    deinit { free(crashReport) }

    /// Runs a call into the plugin with this instance named in a fatal-signal report.
    @inline(__always)
    private func calling<Value>(_ body: () -> Value) -> Value {
        FatalSignalReport.whileRunning(crashReport, body)
    }

    /// open(partition); stores the plugin's partition state in the handle.
    func open(_ partition: PartitionHandle) -> Int32 {
        guard let open = descriptor.pointee.open else { return Int32(SLUICE_STATUS_OK) }
        var state: UnsafeMutableRawPointer?
        let status = calling { open(handle, partition.topicCString, partition.partition.partition, &state) }
        partition.partitionState = state
        return status
    }

    /// on_batch; returns a sluice_batch_status.
    func onBatch(_ batch: UnsafeMutablePointer<sluice_batch>) -> Int32 {
        calling { descriptor.pointee.on_batch!(handle, batch) }
    }

    /// on_timer (ABI 1.2); returns a sluice_batch_status, or nil when the
    /// plugin has no on_timer.
    func onTimer(_ batch: UnsafeMutablePointer<sluice_timer_batch>) -> Int32? {
        guard let onTimer = image.descriptor.member(\.on_timer) ?? nil else { return nil }
        return calling { onTimer(handle, batch) }
    }

    /// flush, or nil when the plugin has none.
    func flush() -> Int32? {
        descriptor.pointee.flush.map { flush in calling { flush(handle) } }
    }

    /// close(partition) with the plugin's partition state.
    func close(_ partition: PartitionHandle) {
        if let close = descriptor.pointee.close {
            calling { close(handle, partition.topicCString, partition.partition.partition, partition.partitionState) }
        }
        partition.partitionState = nil
    }

    /// destroy. The instance must not be used afterwards.
    func destroy() {
        calling { descriptor.pointee.destroy!(handle) }
    }
}
