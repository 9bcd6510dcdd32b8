import Foundation

/// Where the local test world's services listen. `tools/services up` writes
/// `.services/env` (KEY=value lines); `tools/test` exports the same variables.
/// Tests read the environment first and fall back to that file, so a plain
/// `swift test` works after `tools/services up`.
public enum TestServices {
    /// A service the tests need is not running.
    public struct Unavailable: Error, CustomStringConvertible {
        public let variable: String
        public var description: String {
            "\(variable) is not set: start the local services with `tools/services up` (or run `make test`)"
        }
    }

    private static let fileValues: [String: String] = {
        let path = RepositoryPaths.path(".services/env")
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [:] }
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            var value = String(line[line.index(after: eq)...])
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            values[String(line[..<eq]).replacingOccurrences(of: "export ", with: "")] = value
        }
        return values
    }()

    /// The value of `variable` from the environment or `.services/env`.
    public static func value(_ variable: String) throws -> String {
        if let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty { return value }
        if let value = fileValues[variable], !value.isEmpty { return value }
        throw Unavailable(variable: variable)
    }

    /// Kafka bootstrap servers of the local broker, e.g. `127.0.0.1:40123`.
    public static func kafkaBootstrap() throws -> String { try value("SLUICE_TEST_KAFKA_BOOTSTRAP") }
    /// librdkafka properties (and the transport's `sluice.*` keys) for every
    /// client on the local Tansu broker (docs/kafka.md says why).
    public static let kafkaProperties: [String: String] = [
        "fetch.wait.max.ms": "10",           // Tansu's fetch sleeps up to half of this
        "session.timeout.ms": "6000",        // Tansu holds a join for the rebalance timeout
        "max.poll.interval.ms": "6000",
        "heartbeat.interval.ms": "1000",
        "topic.metadata.refresh.interval.ms": "2000",
        "sluice.topic.partitions": "4",
        "fetch.queue.backoff.ms": "10",
        "fetch.error.backoff.ms": "10",
    ]
    /// Port of the local redis-server on 127.0.0.1.
    public static func redisPort() throws -> Int { Int(try value("SLUICE_TEST_REDIS_PORT")) ?? 0 }
    /// Base URL of the local influxd, e.g. `http://127.0.0.1:40125`.
    public static func influxURL() throws -> String { try value("SLUICE_TEST_INFLUX_URL") }
}
