import Foundation
import SluiceHTTPClient
import SluiceSDK

/// Resolves the configured headers: `${NAME}` in a value becomes environment
/// variable NAME, so secrets stay out of configuration files. Errors name the
/// header and the variable, never a value.
enum HeaderValues {
    /// The headers with every `${NAME}` replaced, sorted by name.
    static func resolve(_ configured: [String: String],
                        environment: [String: String] = ProcessInfo.processInfo.environment) throws -> [HTTPHeader] {
        try configured.sorted { $0.key < $1.key }.map { name, value in
            HTTPHeader(name, try substitute(value, header: name, environment: environment))
        }
    }

    private static func substitute(_ value: String, header: String, environment: [String: String]) throws -> String {
        var output = ""
        var rest = Substring(value)
        while let start = rest.range(of: "${") {
            output += rest[..<start.lowerBound]
            guard let end = rest[start.upperBound...].firstIndex(of: "}") else {
                throw ConfigurationError("header '\(header)': '${' without a closing '}'")
            }
            let variable = String(rest[start.upperBound..<end])
            guard let resolved = environment[variable] else {
                throw ConfigurationError("header '\(header)' references environment variable \(variable), which is not set")
            }
            output += resolved
            rest = rest[rest.index(after: end)...]
        }
        output += rest
        guard !output.contains(where: { $0 == "\r" || $0 == "\n" }) else {
            throw ConfigurationError("header '\(header)': the value must not contain line breaks")
        }
        return output
    }
}
