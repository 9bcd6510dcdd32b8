import Foundation

/// How the agent authenticates: HTTP basic (`username` + the password in the
/// environment variable `password_env`) or an API key (the encoded key in the
/// environment variable `api_key_env`). Secrets live only in the environment
/// and in the `Authorization` header; they are never logged.
struct ElasticsearchAuthConfiguration: Decodable, Sendable {
    /// The basic-auth user name.
    var username: String?
    /// The environment variable holding the basic-auth password.
    var passwordEnv: String?
    /// The environment variable holding the encoded API key (base64 of `id:api_key`, as Elasticsearch returns it).
    var apiKeyEnv: String?

    enum CodingKeys: String, CodingKey {
        case username
        case passwordEnv = "password_env"
        case apiKeyEnv = "api_key_env"
    }

    /// Exactly one scheme, complete.
    func validate() throws(ConfigurationKeyError) {
        switch (username, passwordEnv, apiKeyEnv) {
        case (.some(let user), .some(let variable), nil) where !user.isEmpty && !variable.isEmpty: return
        case (nil, nil, .some(let variable)) where !variable.isEmpty: return
        default:
            throw ConfigurationKeyError("auth: expected either username and password_env (basic) or api_key_env (API key)")
        }
    }

    /// The `Authorization` header value, read from the environment now.
    /// The error names the variable, never a value.
    func authorizationHeader(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigurationKeyError) -> String {
        if let apiKeyEnv {
            guard let key = environment[apiKeyEnv], !key.isEmpty else {
                throw ConfigurationKeyError("auth.api_key_env: the environment variable \(apiKeyEnv) is not set")
            }
            return "ApiKey \(key)"
        }
        guard let username, let passwordEnv else { throw ConfigurationKeyError("auth: incomplete") }
        guard let password = environment[passwordEnv] else {
            throw ConfigurationKeyError("auth.password_env: the environment variable \(passwordEnv) is not set")
        }
        return "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }
}
