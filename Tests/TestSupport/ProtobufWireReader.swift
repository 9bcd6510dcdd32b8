/// Reads the protocol buffers wire format field by field: enough to decode
/// the OTLP messages the tests check, without generated types (swift-otel
/// keeps its generated OTLP types internal to its module).
struct ProtobufWireReader {
    /// One field as it is on the wire.
    enum Value {
        case varint(UInt64)
        case fixed64(UInt64)
        case bytes(ArraySlice<UInt8>)
        case fixed32(UInt32)
    }

    /// What is wrong with the bytes.
    struct Malformed: Error, CustomStringConvertible {
        let description: String
    }

    private let bytes: ArraySlice<UInt8>
    private var position: Int

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
        position = bytes.startIndex
    }

    /// The next field number and value; nil at the end.
    mutating func next() throws -> (number: Int, value: Value)? {
        guard position < bytes.endIndex else { return nil }
        let tag = try varint()
        let number = Int(tag >> 3)
        switch tag & 7 {
        case 0: return (number, .varint(try varint()))
        case 1: return (number, .fixed64(try fixed(8)))
        case 2:
            let length = Int(try varint())
            guard length >= 0, position + length <= bytes.endIndex else { throw Malformed(description: "length \(length) past the end") }
            defer { position += length }
            return (number, .bytes(bytes[position..<position + length]))
        case 5: return (number, .fixed32(UInt32(try fixed(4))))
        default: throw Malformed(description: "wire type \(tag & 7) of field \(number)")
        }
    }

    /// Every field, in order.
    static func fields(_ bytes: ArraySlice<UInt8>) throws -> [(number: Int, value: Value)] {
        var reader = ProtobufWireReader(bytes)
        var fields: [(number: Int, value: Value)] = []
        while let field = try reader.next() { fields.append(field) }
        return fields
    }

    private mutating func varint() throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while position < bytes.endIndex, shift < 64 {
            let byte = bytes[position]
            position += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return value }
            shift += 7
        }
        throw Malformed(description: "a truncated varint")
    }

    private mutating func fixed(_ count: Int) throws -> UInt64 {
        guard position + count <= bytes.endIndex else { throw Malformed(description: "a truncated fixed field") }
        var value: UInt64 = 0
        for index in 0..<count { value |= UInt64(bytes[position + index]) << (8 * UInt64(index)) }
        position += count
        return value
    }
}

extension ProtobufWireReader.Value {
    /// A length-delimited field's bytes.
    var bytes: ArraySlice<UInt8>? { if case .bytes(let bytes) = self { bytes } else { nil } }
    /// A length-delimited field read as UTF-8 text.
    var text: String? { bytes.map { String(decoding: $0, as: UTF8.self) } }
    /// A varint field.
    var integer: UInt64? { if case .varint(let value) = self { value } else { nil } }
    /// Bytes as lower-case hex (trace and span ids).
    var hex: String? { bytes.map { $0.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined() } }
}
