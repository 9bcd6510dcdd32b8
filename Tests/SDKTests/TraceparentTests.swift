import CSluicePlugin
import SluiceSDK
import Testing

/// Reports the batch's traceparent as a log line.
struct TraceEchoAgent: BatchAgent {
    static let name = "trace-echo"
    static let topics = ["orders"]

    let host: HostServices

    init(configuration: EmptyConfiguration, host: HostServices) { self.host = host }

    func handle(_ batch: inout MessageBatch) throws {
        host.log(.info, "traceparent \(batch.traceparent ?? "none")")
    }
}

@Suite("traceparent in the SDK (ABI 1.1 trace_context)")
struct TraceparentTests {
    static let value = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

    private func echoed(_ host: HostRecorder) throws -> [String] {
        let plugin = try LoadedPlugin(entryResult: SluicePlugin.export(TraceEchoAgent.self, 1, 1))
        let instance = try plugin.create(host: host)
        defer { instance.destroy() }
        #expect(instance.onBatch(TestBatch(id: 7, values: ["x"])) == SLUICE_BATCH_DONE)
        return host.logLines.filter { $0.hasPrefix("traceparent ") }
    }

    @Test("a 1.1 host's trace context reaches the batch")
    func fromHost() throws {
        #expect(try echoed(HostRecorder(traceparent: Self.value)) == ["traceparent \(Self.value)"])
    }

    @Test("nil when the host traces nothing")
    func untraced() throws {
        #expect(try echoed(HostRecorder(traceparent: nil)) == ["traceparent none"])
    }

    @Test("nil on a 1.0 host: the SDK never reads past the table's struct_size")
    func olderHost() throws {
        let abi1_0Size = MemoryLayout<sluice_host_api>.offset(of: \.trace_context)!
        #expect(abi1_0Size == 64)
        #expect(try echoed(HostRecorder(traceparent: Self.value, structSize: abi1_0Size)) == ["traceparent none"])
    }
}
