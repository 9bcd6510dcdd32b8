/// Checks that bytes are well-formed UTF-8 without building a `String`
/// (which would allocate for anything over 15 bytes).
public enum UTF8Validation {
    /// Whether `bytes` are well-formed UTF-8.
    @inlinable // specialised for the caller's byte collection: it runs per byte
    public static func isValid<Bytes: Sequence>(_ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
