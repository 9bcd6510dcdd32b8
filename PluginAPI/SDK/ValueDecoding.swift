import Foundation

/// How one batch decodes its message values into an agent's ``Agent/Input``:
/// with ``RecordDecoder``, made once per batch and reused for every record,
/// or, for an agent that overrides ``Agent/makeDecoder()``, with the
/// `JSONDecoder` it returns (the slow path).
@usableFromInline
struct ValueDecoding {
    /// Set in the `userInfo` of the default ``Agent/makeDecoder()``'s decoder:
    /// a decoder without it was made by the agent.
    static let defaultMarker = CodingUserInfoKey(rawValue: "sluice.sdk.default-decoder")!

    private let recordDecoder: RecordDecoder?
    private let foundationDecoder: JSONDecoder?

    /// Whether `agent` overrides ``Agent/makeDecoder()``. Asked once per instance.
    static func usesFoundation<A: Agent>(_ agent: A.Type) -> Bool {
        A.makeDecoder().userInfo[defaultMarker] == nil
    }

    /// A batch's decoder for `agent`.
    init<A: Agent>(for agent: A.Type, foundation: Bool) {
        if foundation {
            foundationDecoder = A.makeDecoder()
            recordDecoder = nil
        } else {
            recordDecoder = RecordDecoder(options: A.decodingOptions)
            foundationDecoder = nil
        }
    }

    /// Decodes `value`; the error is the dead-letter reason's detail
    /// (`missing key 'user_id'`).
    @usableFromInline
    func decode<T: Decodable>(_ type: T.Type, from value: UnsafeRawBufferPointer) throws(InvalidValue) -> T {
        if let recordDecoder {
            do { return try recordDecoder.decode(type, from: value) } catch {
                throw InvalidValue(reason: DecodingFailure.describe(error, json: nil))
            }
        }
        let data = Data(bytesNoCopy: UnsafeMutableRawPointer(mutating: value.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!),
                        count: value.count, deallocator: .none)
        do { return try foundationDecoder!.decode(type, from: data) } catch {
            throw InvalidValue(reason: DecodingFailure.describe(error, json: data))
        }
    }
}

/// A message value that does not decode, and why.
@usableFromInline
struct InvalidValue: Error {
    @usableFromInline let reason: String
}
