import CSluicePlugin
@testable import SluiceHost
import SluiceIsolationWire
import Testing

/// What the host and a plugin runner exchange: a batch written into shared
/// memory reads back as the same records, slots of the shared region are
/// handed out and taken back, and a descriptor's description round-trips.
@Suite("Isolation wire")
struct IsolationWireTests {
    @Test("a batch written by the host reads back in place as the same records: null keys and values, headers, empty values")
    func batchRoundTrip() throws {
        let keys: [[UInt8]?] = [Array("k0".utf8), nil, [], Array("k3".utf8)]
        let values: [[UInt8]?] = [Array("hello".utf8), Array("v1".utf8), nil, []]
        let headerName = Array("trace".utf8)
        let headerValue = Array("abc".utf8)
        var decodedOffsets: [Int64] = []
        var decodedKeys: [[UInt8]?] = []
        var decodedValues: [[UInt8]?] = []
        var decodedHeaders: [[String]] = []
        try withMessages(keys: keys, values: values, headerName: headerName, headerValue: headerValue) { messages in
            let range = 1..<4
            let size = BatchEncoding.size(of: messages, range)
            let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 8)
            defer { bytes.deallocate() }
            BatchEncoding.write(messages, range, to: bytes.baseAddress!)
            let batch = try DecodedBatch(bytes)
            #expect(batch.count == 3)
            for index in 0..<batch.count {
                let message = batch.messages[index]
                decodedOffsets.append(message.offset)
                decodedKeys.append(message.key.map { Array(UnsafeBufferPointer(start: $0, count: message.key_len)) })
                decodedValues.append(message.value.map { Array(UnsafeBufferPointer(start: $0, count: message.value_len)) })
                decodedHeaders.append((0..<message.header_count).map { header in
                    let item = message.headers[header]
                    let name = String(decoding: UnsafeRawBufferPointer(start: item.name, count: item.name_len), as: UTF8.self)
                    let value = String(decoding: UnsafeBufferPointer(start: item.value, count: item.value_len), as: UTF8.self)
                    return "\(name)=\(value)"
                })
                #expect(batch.results[index] == UInt8(SLUICE_RESULT_OK.rawValue), "results start OK")
            }
        }
        #expect(decodedOffsets == [101, 102, 103])
        #expect(decodedKeys == [nil, [], Array("k3".utf8)])
        #expect(decodedValues == [Array("v1".utf8), nil, []])
        #expect(decodedHeaders == [[], ["trace=abc"], []])
    }

    @Test("bytes that do not hold a batch are refused, not read past their end")
    func truncatedBatch() throws {
        let bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: 16, alignment: 8)
        defer { bytes.deallocate() }
        bytes.storeBytes(of: UInt32(5).littleEndian, as: UInt32.self)  // five records claimed, none there
        bytes.storeBytes(of: UInt32(0), toByteOffset: 4, as: UInt32.self)
        #expect(throws: WireError.self) { try DecodedBatch(bytes) }
    }

    @Test("slots: runs handed out without overlap, taken back in any order, nil when no run is free")
    func slotAllocator() {
        let slot = SharedSlotAllocator.slotSize
        let allocator = SharedSlotAllocator(regionSize: 8 * slot, reserved: 4096)
        let first = allocator.allocate(slot + 1)
        let second = allocator.allocate(10)
        #expect(first?.offset == slot, "the first slot holds the control block")
        #expect(first?.length == 2 * slot)
        #expect(second?.offset == 3 * slot)
        #expect(allocator.allocate(5 * slot) == nil, "only four slots are free")
        allocator.free(offset: first!.offset, length: first!.length)
        let third = allocator.allocate(2 * slot)
        #expect(third?.offset == slot, "a freed run is handed out again")
        #expect(allocator.allocate(4 * slot)?.offset == 4 * slot)
    }

    @Test("a descriptor's description round-trips, NULL arrays and strings kept apart from empty ones")
    func descriptorSummary() throws {
        var summary = DescriptorSummary()
        summary.magic = SLUICE_PLUGIN_MAGIC
        summary.structSize = 200
        summary.abiMajor = 1
        summary.abiMinor = 2
        summary.pointerSize = 8
        summary.name = Array("counter".utf8)
        summary.version = "1.0.0"
        summary.topics = []
        summary.capabilities = 3
        summary.configSchema = #"{"type":"object"}"#
        summary.hooks = [.create, .onBatch, .destroy, .onTimer]
        summary.tables = ["counts", "totals"]
        let bytes = summary.encoded()
        let decoded = try bytes.withUnsafeBytes { raw in
            var reader = WireReader(raw)
            return try DescriptorSummary.decode(&reader)
        }
        #expect(decoded == summary)
        #expect(decoded.summary == nil && decoded.topics == [])
    }

    private func withMessages(keys: [[UInt8]?], values: [[UInt8]?], headerName: [UInt8], headerValue: [UInt8],
                              _ body: (UnsafePointer<sluice_message>) throws -> Void) throws {
        try headerName.withUnsafeBufferPointer { name in
            try headerValue.withUnsafeBufferPointer { value in
                var header = sluice_header(name: UnsafeRawPointer(name.baseAddress!).assumingMemoryBound(to: CChar.self),
                                           name_len: name.count, value: value.baseAddress, value_len: value.count)
                try withUnsafePointer(to: &header) { headerPointer in
                    let storage = zip(keys, values).map { ($0 ?? [0], $1 ?? [0]) }
                    var messages: [sluice_message] = []
                    for index in keys.indices {
                        messages.append(sluice_message(
                            offset: Int64(100 + index), timestamp_ms: 0,
                            key: nil, key_len: keys[index]?.count ?? 0,
                            value: nil, value_len: values[index]?.count ?? 0,
                            headers: index == 2 ? headerPointer : nil, header_count: index == 2 ? 1 : 0))
                    }
                    // Point keys and values into arrays that outlive the body (null ones stay NULL).
                    let pinned = storage.map { (UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max($0.count, 1)),
                                                UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max($1.count, 1))) }
                    defer { pinned.forEach { $0.deallocate(); $1.deallocate() } }
                    for index in keys.indices {
                        if let key = keys[index] {
                            _ = pinned[index].0.initialize(from: key)
                            messages[index].key = UnsafePointer(pinned[index].0.baseAddress)
                        }
                        if let value = values[index] {
                            _ = pinned[index].1.initialize(from: value)
                            messages[index].value = UnsafePointer(pinned[index].1.baseAddress)
                        }
                    }
                    try messages.withUnsafeBufferPointer { try body($0.baseAddress!) }
                }
            }
        }
    }
}

/// Where the host finds `sluice-plugin-runner`, and what it says when it cannot.
@Suite("Plugin runner location")
struct PluginRunnerLocatorTests {
    @Test("SLUICE_PLUGIN_RUNNER naming no executable: the reason names the path and how to fix it")
    func missingRunner() {
        let result = PluginRunnerLocator.path(environment: ["SLUICE_PLUGIN_RUNNER": "/nonexistent/sluice-plugin-runner"])
        guard case .failure(let error) = result else {
            Issue.record("a missing runner was found: \(result)")
            return
        }
        #expect(error.description.contains("/nonexistent/sluice-plugin-runner"))
        #expect(error.description.contains("install it beside sluice or set SLUICE_PLUGIN_RUNNER"))
    }

    @Test("without the variable: the runner beside the running executable (built with the tests)")
    func besideTheExecutable() throws {
        let path = try PluginRunnerLocator.path(environment: [:]).get()
        #expect(path.hasSuffix("/sluice-plugin-runner"))
    }

    @Test("the host's own secrets are not handed to a runner; a plugin's variables are")
    func runnerEnvironment() {
        #expect(RunnerProcess.hostSecret("SLUICE_ADMIN_TOKEN"))
        #expect(RunnerProcess.hostSecret("SLUICE_KAFKA_SASL_PASSWORD"))
        #expect(!RunnerProcess.hostSecret("REDIS_PASSWORD"), "plugin_environment variables reach the plugin")
        #expect(!RunnerProcess.hostSecret("PATH"))
    }
}
