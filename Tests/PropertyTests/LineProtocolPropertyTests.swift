import PropertyBased
import SluiceInfluxDBPlugin
import SluicePluginKit
import Testing

/// The InfluxDB line-protocol encoder under hostile names and values: every
/// line it writes reads back to exactly what it was given, and what it
/// refuses is only what line protocol cannot express.
@Suite("Line protocol properties")
struct LineProtocolPropertyTests {
    /// Unique keys paired with values (line protocol has one value per key).
    private static func pairs(_ keys: [String], _ values: [String]) -> [(key: String, value: String)] {
        var seen = Set<String>()
        return zip(keys, values).filter { seen.insert($0.0).inserted }.map { (key: $0.0, value: $0.1) }
    }

    /// Whether `text` can be written as a name: no line break, and no backslash
    /// before one of `special` or at the end.
    private static func representable(_ text: String, special: Set<Unicode.Scalar>) -> Bool {
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            if scalar == "\n" || scalar == "\r" { return false }
            if scalar == "\\" && (index + 1 == scalars.count || special.contains(scalars[index + 1])) { return false }
        }
        return true
    }

    @Test("a point with hostile measurement, tags and fields reads back exactly, or is refused only when unrepresentable")
    func roundTrip() async {
        let names = HostileText.string.array(of: 1...4)
        let timestamps = Gen<Int64>.value(in: Int64.min...Int64.max)
        await checkProperty(count: 2000, input: HostileText.nonEmptyString, names, names, names, names, timestamps) {
            measurement, tagKeys, tagValues, fieldKeys, fieldValues, timestamp in
            let tags = Self.pairs(tagKeys, tagValues)
            let fields = Self.pairs(fieldKeys, fieldValues)
            let line: String
            do {
                line = try LineProtocol.line(measurement: measurement, tags: tags,
                                             fields: fields.map { (key: $0.key, value: .string($0.value)) }, timestamp: timestamp)
            } catch {
                let present = tags.filter { !$0.value.isEmpty }
                let expressible = Self.representable(measurement, special: [",", " "])
                    && !measurement.hasPrefix("#") && !measurement.hasPrefix("\t")
                    && present.allSatisfy { !$0.key.isEmpty && Self.representable($0.key, special: [",", "=", " "])
                        && Self.representable($0.value, special: [",", "=", " "]) }
                    && !fields.isEmpty
                    && fields.allSatisfy { !$0.key.isEmpty && Self.representable($0.key, special: [",", "=", " "]) }
                #expect(!expressible, "refused a representable point: \(error)")
                return
            }
            do {
                let point = try LineProtocolReader.read(line)
                #expect(point.measurement == measurement, "\(line.debugDescription)")
                #expect(point.tags == Dictionary(uniqueKeysWithValues: tags.filter { !$0.value.isEmpty }.map { ($0.key, $0.value) }),
                        "\(line.debugDescription)")
                #expect(point.fields == Dictionary(uniqueKeysWithValues: fields.map { ($0.key, "\"" + $0.value) }),
                        "\(line.debugDescription)")
                #expect(point.timestamp == String(timestamp))
            } catch {
                Issue.record("\(line.debugDescription) does not read back: \(error)")
            }
        }
    }

    @Test("numbers and booleans are written bare, integers with the i suffix")
    func fieldKinds() async {
        await checkProperty(count: 500, input: Gen<Int64>.value(in: Int64.min...Int64.max), Gen.bool) { number, flag in
            let line = try? LineProtocol.line(measurement: "m", tags: [],
                                              fields: [(key: "i", value: .integer(number)), (key: "b", value: .boolean(flag))],
                                              timestamp: nil)
            let point = try? LineProtocolReader.read(line ?? "")
            #expect(point?.fields == ["i": "\(number)i", "b": flag ? "true" : "false"])
        }
    }

    @Test("a record with hostile names and values encodes as LineProtocol.line composes it, or is refused for the same reason")
    func recordsMatchLines() async {
        let names = HostileText.string.array(of: 1...3)
        await checkProperty(count: 1000, input: HostileText.nonEmptyString, names, names, names, names) {
            measurement, tagKeys, tagValues, fieldKeys, fieldValues in
            // Keys are unique across the record, as the configuration requires of tags and fields.
            let reserved: Set<String> = ["m", "ts"]
            let tags = Self.pairs(tagKeys, tagValues).filter { !reserved.contains($0.key) }
            let fields = Self.pairs(fieldKeys, fieldValues).filter { field in
                !reserved.contains(field.key) && !tags.contains { $0.key == field.key }
            }
            guard !fields.isEmpty else { return }
            let members = [(key: "m", value: measurement)] + tags + fields
            let record = "{" + members.map { JSONValue.quoted($0.key) + ":" + JSONValue.quoted($0.value) }.joined(separator: ",")
                + #","ts":1}"#
            let expected = Result { () throws(LineProtocol.Unrepresentable) in
                try LineProtocol.line(measurement: measurement, tags: tags,
                                      fields: fields.map { (key: $0.key, value: .string($0.value)) }, timestamp: 1)
            }
            for listed in [fields.map(\.key), []] { // the configured fields, and "every other scalar"
                let encoder = PointEncoder(measurement: "fallback", measurementField: "m", tags: tags.map(\.key), fields: listed,
                                           timeField: "ts", precision: .seconds)
                let encoded = Result { try encoder.line(forJSON: record, recordTimestampMilliseconds: 0) }
                switch (encoded, expected) {
                case (.success(let line), .success(let text)): #expect(line == text, "\(record)")
                case (.failure(let error), .failure(let reason)): #expect("\(error)" == reason.description, "\(record)")
                default: Issue.record("\(record): encoded \(encoded), LineProtocol.line \(expected)")
                }
            }
        }
    }
}
