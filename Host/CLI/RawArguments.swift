import Foundation

/// The command line as the kernel passed it. Swift's `CommandLine.arguments`
/// repairs invalid UTF-8 into U+FFFD; `sluice send` must not send such a
/// changed value, so it checks the raw bytes first.
enum RawArguments {
    /// The position (1 = the first argument after the program) of the first
    /// argument that is not valid UTF-8, or nil when every one is.
    static func firstInvalidUTF8() -> Int? {
        for index in 1..<Int(CommandLine.argc) {
            guard let pointer = CommandLine.unsafeArgv[index] else { continue }
            let bytes = UnsafeBufferPointer(start: pointer, count: strlen(pointer)).map { UInt8(bitPattern: $0) }
            if String(validating: bytes, as: UTF8.self) == nil { return index }
        }
        return nil
    }
}
