import Foundation
@testable import SluiceHost
import Testing
import TestSupport

/// Static group membership on Kafka: the host identity kept in the data
/// directory, and the `group.instance.id` each consumer would join with.
@Suite("Static group membership settings")
struct StaticMembershipTests {
    @Test("the host identity is created once in <data>/host-id and read back unchanged")
    func identityKept() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let data = directory.file("data")
        let first = try HostIdentity.load(dataDirectory: data)
        #expect(try String(contentsOfFile: data + "/host-id", encoding: .utf8) == first + "\n")
        #expect(try HostIdentity.load(dataDirectory: data) == first)
        let other = try TemporaryDirectory()
        defer { other.remove() }
        #expect(try HostIdentity.load(dataDirectory: other.file("data")) != first)
    }

    @Test("a host-id file that is not an identity is an error naming the file and the fix")
    func identityRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try "not an identity!\n".write(toFile: directory.file("host-id"), atomically: true, encoding: .utf8)
        let error = #expect(throws: KafkaError.self) { try HostIdentity.load(dataDirectory: directory.path) }
        #expect(error?.description.contains(directory.file("host-id")) == true, "\(String(describing: error))")
        #expect(error?.description.contains("delete the file") == true)
    }

    @Test("sluice.static.membership: off by default, true gives <identity>.<group>, a kafka: group.instance.id wins")
    func groupInstanceID() throws {
        var off = try KafkaSettings(bootstrapServers: "localhost:9092")
        off.hostIdentity = "h1"
        #expect(!off.staticMembership)
        #expect(off.groupInstanceID(group: "sluice.recorder") == nil)

        var on = try KafkaSettings(bootstrapServers: "localhost:9092", properties: ["sluice.static.membership": "true"])
        on.hostIdentity = "h1"
        #expect(on.properties["sluice.static.membership"] == nil, "sluice.* keys never reach librdkafka")
        #expect(on.groupInstanceID(group: "sluice.recorder") == "h1.sluice.recorder")

        var own = try KafkaSettings(bootstrapServers: "localhost:9092",
                                    properties: ["sluice.static.membership": "true", "group.instance.id": "mine"])
        own.hostIdentity = "h1"
        #expect(own.groupInstanceID(group: "sluice.recorder") == nil)

        #expect(throws: KafkaError.self) {
            try KafkaSettings(bootstrapServers: "localhost:9092", properties: ["sluice.static.membership": "yes"])
        }
    }

    @Test("on kafka:// with sluice.static.membership true, the host's transport carries the identity of <data>/host-id")
    func transportCarriesIdentity() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var configuration = HostConfiguration()
        configuration.dataDirectory = directory.file("data")
        configuration.broker = .kafka([try TestServices.kafkaBootstrap()])
        configuration.kafka = ["sluice.static.membership": "true"]
        let transport = try #require(try SluiceRuntime.makeTransport(for: configuration) as? KafkaTransport)
        let kept = try String(contentsOfFile: directory.file("data/host-id"), encoding: .utf8)
        #expect(transport.settings.hostIdentity.map { $0 + "\n" } == kept)
        #expect(transport.settings.groupInstanceID(group: "sluice.recorder") == kept.dropLast() + ".sluice.recorder")
    }
}
