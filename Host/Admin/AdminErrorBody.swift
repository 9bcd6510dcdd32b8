import Foundation
import NIOCore

/// The bytes of a `{"error": "..."}` answer, for the places below the router
/// (channel handlers) that answer without `AdminJSON`.
enum AdminErrorBody {
    /// `{"error": message}` and a newline, as `AdminJSON.error` writes it.
    static func buffer(_ message: String) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = (try? encoder.encode(["error": message])) ?? Data(#"{"error":"bad request"}"#.utf8)
        data.append(0x0A)
        return ByteBuffer(bytes: data)
    }
}
