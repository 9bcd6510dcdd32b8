import SluiceHost
import Testing

/// Broker URLs.
@Suite struct BrokerAddressTests {
    @Test(arguments: [
        ("memory://", BrokerAddress.memory),
        ("  MEMORY://  ", .memory),
        ("kafka://127.0.0.1:9092", .kafka(["127.0.0.1:9092"])),
        ("kafka://a:1, b.example.com:2", .kafka(["a:1", "b.example.com:2"])),
        ("kafka://[::1]:9092", .kafka(["[::1]:9092"])),
    ])
    func parses(text: String, address: BrokerAddress) throws {
        #expect(try BrokerAddress(parsing: text) == address)
    }

    @Test(arguments: ["", "kafka", "kafka://", "kafka://host", "kafka://host:", "kafka://host:0", "kafka://host:65536",
                      "kafka://:9092", "kafka://::1:9092", "kafka://a b:1", "http://a:1", "kafka://a:1,"])
    func rejects(text: String) {
        #expect(throws: ConfigurationError.self) { try BrokerAddress(parsing: text) }
    }

    @Test func descriptionReadsBack() throws {
        for address in [BrokerAddress.memory, .kafka(["a:1", "[::1]:2"])] {
            #expect(try BrokerAddress(parsing: address.description) == address)
        }
        #expect(BrokerAddress.kafka(["a:1", "b:2"]).bootstrapServers == "a:1,b:2")
        #expect(BrokerAddress.memory.bootstrapServers == nil)
    }
}
