import Foundation

/// Where ``RecordDecoder``s take their ``TapeDecoder`` and give it back: a
/// decoder is never freed, only reused.
///
/// Keyed decoding containers refer to their decoder without retaining it
/// (the standard library's box copies a container for every field it reads,
/// and a retained reference made each copy two atomic operations). A
/// container can outlive its decode, kept by the type being decoded, so the
/// decoder it points to must stay a live object: here it does, and a
/// container used after its decode stops the process with a clear message
/// (``TapeDecoder/requireDecoding(_:)``), never reading freed memory.
///
/// The pool holds as many decoders as there were record decoders alive at
/// once (the SDK makes one per running batch); each keeps its parse storage,
/// dropped on return when a record made it large.
final class TapeDecoderPool: @unchecked Sendable {
    // @unchecked: `idle` is only touched with `lock` held.
    static let shared = TapeDecoderPool()

    private let lock = NSLock()
    private var idle: [TapeDecoder] = []

    /// An idle decoder set up for `options`, or a new one.
    func take(options: DecodingOptions) -> TapeDecoder {
        let reused = lock.withLock { idle.popLast() }
        guard let reused else { return TapeDecoder(options: options) }
        reused.prepare(options: options)
        return reused
    }

    /// Takes `decoder` back once its record decoder is gone.
    func give(_ decoder: TapeDecoder) {
        decoder.retire()
        lock.withLock { idle.append(decoder) }
    }
}
