import Foundation
import PropertyBased
import SluiceRedisPlugin
import Testing

/// The redis plugin's command rendering under hostile field values: every
/// placeholder becomes exactly the field's text, inside its own argument
/// (arguments are binary-safe, never pasted into command text), so a record
/// can neither add an argument nor a command.
@Suite("Redis template properties")
struct RedisTemplatePropertyTests {
    private static func render(_ renderer: inout RedisCommandRenderer, _ record: [String: Any]) throws -> [[[UInt8]]] {
        let value = try JSONSerialization.data(withJSONObject: record)
        var buffer = PipelineBuffer()
        try value.withUnsafeBytes { value in
            try renderer.render(key: nil, value: value, message: 0, into: &buffer)
        }
        return (0..<buffer.commandCount).map { buffer.arguments(ofCommand: $0) }
    }

    @Test("hostile users and messages are one argument each, byte for byte; EXPIRE follows once per key")
    func argumentsAreExact() async throws {
        var renderer = try RedisCommandRenderer(
            commands: [["ZADD", "{user}", "{timestamp:epoch}", "{message}"], ["HSET", "{user}", "last", "{message}"]],
            keyPrefix: "feed:", expireSeconds: 60)
        await checkProperty(count: 1000, input: HostileText.jsonString, HostileText.jsonString) { user, message in
            let commands = try Self.render(&renderer, ["user": user, "message": message, "timestamp": "2019-05-21T13:55:12.123Z"])
            let key = Array("feed:\(user)".utf8)
            #expect(commands == [
                [Array("ZADD".utf8), key, Array("1558446912.123".utf8), Array(message.utf8)],
                [Array("HSET".utf8), key, Array("last".utf8), Array(message.utf8)],
                [Array("EXPIRE".utf8), key, Array("60".utf8)],
            ])
        }
    }

    @Test("a field that is missing, null or of the wrong kind refuses the record, naming the field, and adds nothing")
    func refusalsNameTheField() async throws {
        var renderer = try RedisCommandRenderer(commands: [["SET", "k:{id}", "{payload.score:number}"]])
        let values: [Any] = [NSNull(), "12x", true, ["a": 1], [1, 2]]
        await checkProperty(count: 200, input: Gen<Int>.value(in: 0..<values.count), HostileText.jsonString) { pick, id in
            let error = #expect(throws: RenderFailure.self) {
                _ = try Self.render(&renderer, ["id": id, "payload": ["score": values[pick]]])
            }
            #expect(error?.reason.contains("payload.score") == true, "\(error?.reason ?? "no error")")
        }
    }
}
