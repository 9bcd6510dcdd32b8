import Foundation
import SluicePluginKit

/// Decodes and validates an agent's configuration from the JSON text the host
/// passes to `validate_config` and `create`.
enum ConfigurationLoader {
    /// A configuration that could not be used, with a readable reason.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The configuration text of a C call; empty or blank text means `{}`.
    static func text(_ pointer: UnsafePointer<CChar>?, _ length: Int) -> Data {
        guard let pointer, length > 0 else { return Data("{}".utf8) }
        let data = Data(bytes: pointer, count: length)
        if data.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return Data("{}".utf8) }
        return data
    }

    /// Checks `json` against `A.configurationSpec` (filling in its defaults),
    /// decodes it into `A.Configuration` and runs `A.validate`.
    static func load<A: SluiceAgent>(_ agent: A.Type, from json: Data) throws(Failure) -> A.Configuration {
        let json = try checked(json, against: A.configurationSpec, agent: A.name)
        let configuration: A.Configuration
        do {
            configuration = try JSONDecoder().decode(A.Configuration.self, from: json)
        } catch {
            throw Failure(description: "invalid configuration for \(A.name): \(DecodingFailure.describe(error, json: json))")
        }
        do {
            try A.validate(configuration)
        } catch {
            throw Failure(description: "invalid configuration for \(A.name): \(error)")
        }
        return configuration
    }

    /// `json` with the spec's defaults filled in, once it matches the spec;
    /// unchanged without a spec, or when it is not JSON (decoding says why).
    static func checked(_ json: Data, against spec: ConfigurationSpec?, agent: String) throws(Failure) -> Data {
        guard let spec, let value = try? JSONValue.parse(json) else { return json }
        if let violation = spec.violation(in: value) {
            throw Failure(description: "invalid configuration for \(agent): \(violation)")
        }
        return Data(spec.schema.applyingDefaults(to: value).jsonText.utf8)
    }
}
