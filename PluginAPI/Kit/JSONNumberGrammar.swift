/// JSON's number grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
public enum JSONNumberGrammar {
    /// Advances `position` over a number; false (position unspecified) if none.
    public static func scan(_ bytes: UnsafeRawBufferPointer, from position: inout Int) -> Bool {
        func digit(_ index: Int) -> Bool { index < bytes.count && bytes[index] >= 0x30 && bytes[index] <= 0x39 }
        if position < bytes.count && bytes[position] == UInt8(ascii: "-") { position += 1 }
        guard digit(position) else { return false }
        if bytes[position] == UInt8(ascii: "0") { position += 1 } else { while digit(position) { position += 1 } }
        if position < bytes.count && bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard digit(position) else { return false }
            while digit(position) { position += 1 }
        }
        if position < bytes.count && (bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E")) {
            position += 1
            if position < bytes.count && (bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-")) { position += 1 }
            guard digit(position) else { return false }
            while digit(position) { position += 1 }
        }
        return true
    }

    /// Whether all of `bytes` is one JSON number.
    public static func isNumber(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var position = 0
        return scan(bytes, from: &position) && position == bytes.count
    }
}
