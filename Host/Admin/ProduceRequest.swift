import Foundation
import SluiceHost

/// The body of `POST /topics/{topic}/messages`, parsed into records.
///
/// One record is a JSON object `{"key": "...", "value": ..., "headers": {...},
/// "partition": 0}`, every field optional:
/// - `value`: a string is sent as its UTF-8 bytes; any other JSON (object,
///   array, number, boolean) is sent as compact JSON text; `null` or absent
///   is a null value (a tombstone);
/// - `value_base64`: instead of `value`, the value's bytes in base64 (for
///   bytes that are not UTF-8 text, as `sluice send --value-file` sends them);
/// - `key`: a string, or null/absent for a null key;
/// - `headers`: an object of string values;
/// - `partition`: a partition number, or absent to let the key choose.
///
/// The body is one such object (or a JSON array of them) with
/// `Content-Type: application/json`, or one object per line with
/// `Content-Type: application/x-ndjson`.
public enum ProduceRequest {
    /// The fields a record object may have.
    static let fields = ["key", "value", "value_base64", "headers", "partition"]

    /// The records `body` describes for `topic`. Throws a 400 naming the
    /// problem (and the line, for NDJSON) when the body is not as documented.
    public static func records(topic: String, body: Data, contentType: String?) throws(AdminHTTPError) -> [OutgoingRecord] {
        guard isValidTopic(topic) else {
            throw .badRequest("invalid topic name \"\(topic)\": expected 1 to 249 of [a-zA-Z0-9._-], not \".\" or \"..\"")
        }
        // nil reads as JSON here; over HTTP the server requires the header on every POST.
        switch contentType == nil ? .json : RecordMediaType(contentType: contentType) {
        case .ndjson:
            return try ndjson(topic: topic, body: body)
        case .json:
            return try json(topic: topic, body: body)
        case nil:
            throw AdminHTTPError(.unsupportedMediaType,
                                 "unsupported Content-Type \"\(contentType ?? "")\": expected \(RecordMediaType.expected)")
        }
    }

    private static func json(topic: String, body: Data) throws(AdminHTTPError) -> [OutgoingRecord] {
        guard !body.allSatisfy({ isWhitespace($0) }) else {
            throw .badRequest("empty body: expected a JSON object such as {\"key\": \"k\", \"value\": \"v\"}")
        }
        let parsed = try parse(body, where: "body")
        if let array = parsed as? [Any] {
            guard !array.isEmpty else { throw .badRequest("empty array: expected at least one record") }
            return try array.enumerated().map { (index, element) throws(AdminHTTPError) in
                try record(topic: topic, from: element, where: "record \(index + 1)")
            }
        }
        return [try record(topic: topic, from: parsed, where: "body")]
    }

    private static func ndjson(topic: String, body: Data) throws(AdminHTTPError) -> [OutgoingRecord] {
        var records: [OutgoingRecord] = []
        for (index, line) in body.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() {
            guard !line.allSatisfy({ isWhitespace($0) }) else { continue }
            let place = "line \(index + 1)"
            records.append(try record(topic: topic, from: try parse(Data(line), where: place), where: place))
        }
        guard !records.isEmpty else {
            throw .badRequest("empty body: expected one JSON object per line")
        }
        return records
    }

    private static func parse(_ data: Data, where place: String) throws(AdminHTTPError) -> Any {
        do {
            return try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        } catch {
            throw .badRequest("\(place): malformed JSON: \(Self.reason(error))")
        }
    }

    private static func record(topic: String, from object: Any, where place: String) throws(AdminHTTPError) -> OutgoingRecord {
        guard let fieldsOfRecord = object as? [String: Any] else {
            throw .badRequest("\(place): expected a JSON object with key, value, headers, found \(kind(of: object))")
        }
        if let unknown = fieldsOfRecord.keys.sorted().first(where: { !fields.contains($0) }) {
            throw .badRequest("\(place): unknown field \"\(unknown)\" (expected key, value, value_base64, headers, partition)")
        }
        var record = OutgoingRecord(topic: topic, key: nil, value: nil)
        switch fieldsOfRecord["key"] {
        case nil, is NSNull: break
        case let key as String: record.key = Array(key.utf8)
        case let other?: throw .badRequest("\(place): \"key\" must be a string or null, found \(kind(of: other))")
        }
        switch fieldsOfRecord["value"] {
        case nil, is NSNull: break
        case let value as String: record.value = Array(value.utf8)
        case let value?: record.value = try compactJSON(value, where: place)
        }
        if let encoded = fieldsOfRecord["value_base64"], !(encoded is NSNull) {
            guard fieldsOfRecord["value"] == nil else { throw .badRequest("\(place): give either \"value\" or \"value_base64\", not both") }
            guard let text = encoded as? String, let bytes = Data(base64Encoded: text) else {
                throw .badRequest("\(place): \"value_base64\" must be a base64 string")
            }
            record.value = Array(bytes)
        }
        if let headers = fieldsOfRecord["headers"], !(headers is NSNull) {
            guard let mapping = headers as? [String: Any] else {
                throw .badRequest("\(place): \"headers\" must be an object of strings, found \(kind(of: headers))")
            }
            for name in mapping.keys.sorted() {
                guard let value = mapping[name] as? String else {
                    throw .badRequest("\(place): header \"\(name)\" must be a string, found \(kind(of: mapping[name]!))")
                }
                record.headers.append(.init(name: name, text: value))
            }
        }
        if let partition = fieldsOfRecord["partition"], !(partition is NSNull) {
            guard let number = partition as? NSNumber, !isBoolean(number),
                  let value = Int32(exactly: number.doubleValue), value >= 0 else {
                throw .badRequest("\(place): \"partition\" must be a non-negative integer, found \(kind(of: partition))")
            }
            record.partition = value
        }
        return record
    }

    private static func compactJSON(_ value: Any, where place: String) throws(AdminHTTPError) -> [UInt8] {
        do {
            return Array(try JSONSerialization.data(withJSONObject: value,
                                                    options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes]))
        } catch {
            throw .badRequest("\(place): \"value\" cannot be encoded as JSON: \(error)")
        }
    }

    /// Kafka's rules for topic names.
    static func isValidTopic(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 249 && name != "." && name != ".."
            && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    /// JSON `true`/`false` arrive as NSNumber too; Foundation gives them their own class.
    private static func isBoolean(_ value: Any) -> Bool {
        guard let number = value as? NSNumber else { return false }
        return ObjectIdentifier(type(of: number)) == ObjectIdentifier(type(of: NSNumber(value: true)))
    }

    /// JSON's name for the type of a parsed value, for error messages.
    static func kind(of value: Any) -> String {
        switch value {
        case is NSNull: "null"
        case is String: "a string"
        case is [Any]: "an array"
        case is [String: Any]: "an object"
        case let number as NSNumber: isBoolean(number) ? "the boolean \(number.boolValue)" : "the number \(number)"
        default: "\(type(of: value))"
        }
    }

    /// The parser's complaint without Foundation's boilerplate.
    private static func reason(_ error: any Error) -> String {
        let nsError = error as NSError
        if let debug = nsError.userInfo[NSDebugDescriptionErrorKey] as? String { return debug }
        return nsError.localizedDescription
    }
}
