import Foundation
import Logging
import SluiceHost
import Testing

/// The values every setting has when nothing configures it.
@Suite struct DefaultsTests {
    @Test func hostDefaultsWithoutAFile() throws {
        let configuration = try ConfigurationLoader.loadHost(file: nil, environment: ["HOME": "/home/ada"])
        #expect(configuration.broker == .memory)
        #expect(configuration.pluginsDirectory == "plugins")
        #expect(configuration.dataDirectory == "/home/ada/.local/state/sluice")
        #expect(configuration.group == "sluice")
        #expect(configuration.workers == ProcessInfo.processInfo.activeProcessorCount)
        #expect(configuration.logLevel == .info)
        #expect(configuration.commitInterval == .seconds(1))
        #expect(configuration.shutdownTimeout == .seconds(30))
        #expect(configuration.memory.partitions == 8)
        #expect(configuration.memory.topics.isEmpty)
        #expect(configuration.kafka.isEmpty)
        #expect(configuration.admin == AdminSettings())
        #expect(configuration.admin.host == "127.0.0.1")
        #expect(configuration.admin.port == 6066)
        #expect(configuration.admin.token == nil)
        #expect(configuration.agentDefaults == AgentSettings())
        #expect(configuration == HostConfiguration(environment: ["HOME": "/home/ada"]))
    }

    @Test func dataDirectoryFollowsXDGStateHomeWhenAbsolute() {
        #expect(HostConfiguration.defaultDataDirectory(environment: ["XDG_STATE_HOME": "/var/state", "HOME": "/h"])
            == "/var/state/sluice")
        // The XDG spec says relative values are invalid and must be ignored.
        #expect(HostConfiguration.defaultDataDirectory(environment: ["XDG_STATE_HOME": "state", "HOME": "/h"])
            == "/h/.local/state/sluice")
    }

    @Test func agentDefaults() {
        let settings = AgentSettings()
        #expect(settings.enabled)
        #expect(settings.topics == nil)
        #expect(settings.group == nil)
        #expect(settings.batchSize == 500)
        #expect(settings.maxInFlight == 10_000)
        #expect(settings.batchTimeout == .seconds(30))
        #expect(settings.retry.maxAttempts == 5)
        #expect(settings.retry.initialBackoff == .milliseconds(100))
        #expect(settings.retry.maxBackoff == .seconds(10))
        #expect(settings.retry.multiplier == 2)
        #expect(settings.retry.jitter == 0.2)
        #expect(settings.onExhausted == .deadLetter)
        #expect(settings.deadLetterTopic == nil)
        #expect(settings.config == .object([:]))
        #expect(settings.config.jsonText == "{}")
        #expect(settings.consumerGroup(agent: "orders", hostGroup: "sluice") == "sluice.orders")
        #expect(settings.deadLetterTopic(agent: "orders") == "orders.dlq")
    }

    @Test func memoryPartitionsPerTopic() {
        var memory = MemoryTransportSettings()
        memory.topics = ["orders": 3]
        #expect(memory.partitions(for: "orders") == 3)
        #expect(memory.partitions(for: "other") == 8)
    }
}
