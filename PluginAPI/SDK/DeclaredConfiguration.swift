import Foundation
import SluicePluginKit

/// A configuration type that declares its keys: an agent whose
/// `Configuration` conforms gets ``SluiceAgent/configurationSpec`` (and so the
/// descriptor's `config_schema`, strict decoding and defaults) without more code.
///
/// Decode with plain synthesized `Decodable`: by the time `init(from:)` runs,
/// unknown keys and wrong values were refused and every declared default is
/// present, so a non-optional property with a default always finds its key.
public protocol DeclaredConfiguration: Decodable, Sendable {
    /// The declaration of the keys.
    static var spec: ConfigurationSpec { get }
}

extension DeclaredConfiguration {
    /// Checks `json` against ``spec``, fills in the defaults and decodes it
    /// (what the SDK does for the agent; tests call it directly).
    /// - Throws: ``ConfigSchemaViolation`` in the host's wording, or the decoder's error.
    public static func decode(from json: Data) throws -> Self {
        try spec.decode(Self.self, from: json)
    }
}

extension ConfigurationSpec {
    /// Checks `json` against this spec, fills in the defaults and decodes a `Value`.
    /// - Throws: ``ConfigSchemaViolation`` in the host's wording, or the decoder's error.
    public func decode<Value: Decodable>(_ type: Value.Type, from json: Data) throws -> Value {
        let value = try JSONValue.parse(json)
        if let violation = violation(in: value) { throw violation }
        return try JSONDecoder().decode(Value.self, from: Data(schema.applyingDefaults(to: value).jsonText.utf8))
    }
}

extension SluiceAgent {
    /// The ``DeclaredConfiguration/spec`` of `Configuration`, when it declares one.
    public static var configurationSpec: ConfigurationSpec? {
        (Configuration.self as? any DeclaredConfiguration.Type)?.spec
    }
}
