import CSluicePlugin
import SluiceSDK
import Testing

@Suite("Typed tables through the ABI 1.2 host table")
struct StateTableTests {
    static func command(_ op: String, _ user: String, _ value: Int? = nil) -> TestBatch.Input {
        TestBatch.Input(key: nil, value: #"{"op":"\#(op)","user":"\#(user)"\#(value.map { #","value":\#($0)"# } ?? "")}"#)
    }

    @Test("get, set, update, delete and range scans; reads see the batch's own writes; values are JSON")
    func getSetDeleteRange() async throws {
        let driver = try StatefulDriver(SluicePlugin.export(CounterAgent.self, 1, 2))
        let results = try await driver.deliver([
            Self.command("count", "alice"), Self.command("count", "alice"), Self.command("count", "bob"),
            Self.command("set", "carol", 7), Self.command("get", "alice"), Self.command("get", "dave"),
            Self.command("delete", "bob"), Self.command("scan", ""),
        ])
        #expect(results.allSatisfy { $0 == SLUICE_RESULT_OK })
        #expect(driver.produced(to: "answers") == ["2", "absent", "alice=2,carol=7"])
        #expect(driver.host.state.entries("counts").map { "\($0.key)=\($0.value)" } == ["alice=2", "carol=7"])

        try await driver.deliver([Self.command("count", "carla"), Self.command("scan", "car")])
        #expect(driver.produced(to: "answers").last == "carla=1,carol=7")
        await driver.finish()
    }

    @Test("a refused state call becomes an error naming the table and key; the batch retries and its writes are dropped")
    func hostRefusal() async throws {
        let driver = try StatefulDriver(SluicePlugin.export(CounterAgent.self, 1, 2))
        driver.host.state.refuseAll = true
        let results = try await driver.deliver([Self.command("count", "alice")])
        #expect(results == [SLUICE_RESULT_RETRY])
        let reason = try #require(driver.host.errorReasons.first?.reason)
        #expect(reason.contains("table 'counts'") && reason.contains("key 'alice'") && reason.contains("SLUICE_STATE_ERROR"), "\(reason)")
        #expect(driver.host.state.entries("counts").isEmpty)
        await driver.finish()
    }

    @Test("a stored value that is not JSON of the table's type fails the read, naming table, key and type")
    func undecodableValue() async throws {
        let driver = try StatefulDriver(SluicePlugin.export(CounterAgent.self, 1, 2))
        let results = try await driver.deliver([Self.command("raw", "eve"), Self.command("get", "eve")])
        #expect(results == [SLUICE_RESULT_OK, SLUICE_RESULT_RETRY])
        let reason = try #require(driver.host.reasons(for: 1)[1])
        #expect(reason.contains("table 'counts'") && reason.contains("key 'eve'") && reason.contains("not valid JSON for Int"), "\(reason)")
        await driver.finish()
    }

    @Test("a table the agent did not declare is an error naming it")
    func undeclaredTable() async throws {
        let driver = try StatefulDriver(SluicePlugin.export(CounterAgent.self, 1, 2))
        #expect(try await driver.deliver([Self.command("undeclared", "alice")]) == [SLUICE_RESULT_RETRY])
        let reason = try #require(driver.host.reasons(for: 1)[0])
        #expect(reason.contains("table 'elsewhere'") && reason.contains("does not declare"), "\(reason)")
        await driver.finish()
    }

    @Test("an agent with tables refuses a 1.1 host table (and a 1.0 one) with one clear line")
    func refusesOlderHost() async throws {
        let plugin = try LoadedPlugin(entryResult: SluicePlugin.export(CounterAgent.self, 1, 1))
        let older = HostRecorder(structSize: HostRecorder.abi1_1Size)
        #expect(throws: PluginFailure.self) { try plugin.create(host: older) }
        do {
            _ = try plugin.create(host: older)
        } catch {
            #expect(String(describing: error)
                == "agent 'counter-test' keeps tables, which need a host with ABI 1.2 state support (this host is 1.1)")
        }
        do {
            _ = try plugin.create(host: HostRecorder(structSize: HostRecorder.abi1_0Size))
            Issue.record("a 1.0 host table was accepted")
        } catch {
            #expect(String(describing: error).hasSuffix("(this host is 1.0)"))
        }
        // A stateless agent still runs on a 1.1 host.
        let stateless = try LoadedPlugin(entryResult: SluicePlugin.export(OrderAgent.self, 1, 1))
        let instance = try stateless.create(#"{"output": "out"}"#, host: older)
        await onHostThread { instance.destroy() }
    }

    @Test("an agent with timers only refuses a host table whose state_get is NULL")
    func refusesNullStateMembers() throws {
        let plugin = try LoadedPlugin(entryResult: SluicePlugin.export(TickingAgent.self, 1, 2))
        let host = HostRecorder()
        host.api.pointee.state_get = nil
        #expect(throws: PluginFailure.self) { try plugin.create(host: host) }
    }

    @Test("table names reserved for the host are refused by validate_config and create")
    func reservedName() throws {
        let plugin = try LoadedPlugin(entryResult: SluicePlugin.export(ReservedTableAgent.self, 1, 2))
        #expect(plugin.validate("{}") == "table name '__changelog' starts with '__', which is reserved for the host")
        #expect(throws: PluginFailure.self) { try plugin.create(host: HostRecorder()) }
    }

    @Test("the descriptor names the tables, has on_timer when timers or windows are used, and _v2 entry points only")
    func descriptor() throws {
        func tables(_ descriptor: sluice_plugin_descriptor) -> [String] {
            guard var cursor = descriptor.tables else { return [] }
            var names: [String] = []
            while let name = cursor.pointee {
                names.append(String(cString: name))
                cursor += 1
            }
            return names
        }
        let counter = try LoadedPlugin(entryResult: SluicePlugin.export(CounterAgent.self, 1, 2)).descriptor.pointee
        #expect(tables(counter) == ["counts"])
        #expect(counter.on_timer == nil, "plain tables need no timers")
        #expect(counter.create == nil && counter.validate_config == nil)
        #expect(counter.create_v2 != nil && counter.validate_config_v2 != nil && counter.context != nil)

        let tumbling = try LoadedPlugin(entryResult: SluicePlugin.export(TumblingAgent.self, 1, 2)).descriptor.pointee
        #expect(tables(tumbling) == ["views"])
        #expect(tumbling.on_timer != nil, "windows close on timers")
        #expect(tumbling.context != counter.context, "each agent type has its own context")

        let ticking = try LoadedPlugin(entryResult: SluicePlugin.export(TickingAgent.self, 1, 2)).descriptor.pointee
        #expect(tables(ticking) == ["fired"])
        #expect(ticking.on_timer != nil)
    }
}
