import Foundation
import SluicePluginKit

/// Decodes JSON record values into `Decodable` types over the plugin kit's
/// borrowed parser: the SDK's typed path uses it in place of Foundation's
/// `JSONDecoder`.
///
/// Reuse one decoder for many values (the SDK makes one per batch): the parse
/// storage is kept, so a flat record costs no allocation beyond the decoded
/// value and its strings, and one container box per nested object (the
/// standard library's `KeyedDecodingContainer` allocates it; the top-level
/// object's is kept from value to value). A decoder that goes away leaves
/// that storage to the next one made.
///
/// Reads values as Foundation's `JSONDecoder` does (same `DecodingError`s,
/// numbers as written, integers exact, `Decimal`, `URL` and base64 `Data`
/// special-cased; a repeated key reads its first occurrence), except that
/// invalid UTF-8 and lone surrogate escapes in a string become U+FFFD instead
/// of failing, and that a raw control character in any string of the text
/// is refused (Foundation refuses it only in the strings it reads).
public final class RecordDecoder {
    private let state: TapeDecoder

    /// A decoder with `options`.
    public init(options: DecodingOptions = DecodingOptions()) {
        state = TapeDecoderPool.shared.take(options: options)
    }

    deinit {
        TapeDecoderPool.shared.give(state)
    }

    /// Decodes one JSON text (the whole of `bytes`). The bytes are only read
    /// during the call.
    /// - Throws: `DecodingError` naming the coding path that failed;
    ///   `.dataCorrupted` with a ``JSONSyntaxError`` as underlying error when
    ///   `bytes` is not JSON.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: UnsafeRawBufferPointer) throws -> T {
        try state.decodeTopLevel(type, from: bytes)
    }

    /// Decodes one JSON text held in `bytes`.
    public func decode<T: Decodable>(_ type: T.Type, from bytes: some RecordBytes) throws -> T {
        try bytes.withRecordBytes { try state.decodeTopLevel(type, from: $0) }
    }
}
