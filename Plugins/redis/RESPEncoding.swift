/// Redis's wire protocol (RESP2) for commands: each command an array of bulk
/// strings, `*<count>\r\n` then `$<length>\r\n<bytes>\r\n` per argument.
/// Arguments are length-prefixed, so any bytes (a record's text included) are
/// sent as they are and can never become protocol.
enum RESPEncoding {
    /// Appends every command of `buffer` to `wire`.
    static func append(_ buffer: PipelineBuffer, to wire: inout [UInt8]) {
        wire.reserveCapacity(wire.count + buffer.bytes.count + buffer.arguments.count * 8 + buffer.commands.count * 4)
        buffer.bytes.withUnsafeBufferPointer { bytes in
            for command in buffer.commands.indices {
                let arguments = buffer.commands[command].arguments
                wire.append(UInt8(ascii: "*"))
                appendDecimal(arguments.count, to: &wire)
                wire.append(contentsOf: crlf)
                for argument in arguments {
                    let range = buffer.arguments[argument]
                    wire.append(UInt8(ascii: "$"))
                    appendDecimal(range.count, to: &wire)
                    wire.append(contentsOf: crlf)
                    wire.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[range]))
                    wire.append(contentsOf: crlf)
                }
            }
        }
    }

    private static let crlf: [UInt8] = [0x0D, 0x0A]

    /// A non-negative integer's decimal digits, most significant first.
    private static func appendDecimal(_ value: Int, to wire: inout [UInt8]) {
        var divisor = 1
        while divisor <= value / 10 { divisor *= 10 }
        while divisor > 0 {
            wire.append(UInt8(ascii: "0") + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }
}
