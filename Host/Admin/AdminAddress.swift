import Foundation
import SluiceHost

/// Where the operator commands (`sluice agents`, `pause`, `resume`, `reload`,
/// `send`, `read`...) find the running host's admin API, resolved the way the
/// host was told where to listen:
///
/// 1. `--admin URL`;
/// 2. `SLUICE_ADMIN_URL`;
/// 3. `admin.host` / `admin.port` as the host reads them: `SLUICE_ADMIN_HOST`
///    and `SLUICE_ADMIN_PORT` over the `admin:` section of the configuration
///    file (`--config`, else `./sluice.yaml` when it exists);
/// 4. the default, `http://127.0.0.1:6066`.
///
/// The token is `--token`, else `SLUICE_ADMIN_TOKEN`, else the contents of
/// `SLUICE_ADMIN_TOKEN_FILE`, else `admin.token` or the contents of
/// `admin.token_file` of the configuration file. A host listening on every address (`0.0.0.0`, `::`) is
/// reached over loopback.
public struct AdminAddress: Sendable, Equatable {
    /// The API's base URL, e.g. `http://127.0.0.1:6066`.
    public let url: String
    /// The bearer token to send, if any. Never printed.
    public let token: String?
    /// Where the URL came from (`--admin`, `SLUICE_ADMIN_URL`, a file's
    /// `admin:` section...), for the operator when the API cannot be reached.
    public let source: String

    /// The environment variable naming the whole URL.
    public static let urlVariable = "SLUICE_ADMIN_URL"
    /// The environment variable naming the token.
    public static let tokenVariable = "SLUICE_ADMIN_TOKEN"
    /// The environment variable naming a file that holds the token.
    public static let tokenFileVariable = "SLUICE_ADMIN_TOKEN_FILE"

    /// Creates an address.
    public init(url: String, token: String?, source: String) {
        self.url = url
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        self.source = source
    }

    /// Resolves the address from the command's `--admin` and `--token`, the
    /// environment, and the configuration file `configurationFile` (nil: none).
    ///
    /// - Throws: `AdminAddressError` when the configuration file cannot be
    ///   read, or it (or the environment) says the host listens on port 0,
    ///   which only its log can tell.
    public static func resolve(admin: String?, token: String?, environment: [String: String],
                               configurationFile: String?) throws(AdminAddressError) -> AdminAddress {
        // An empty variable (`SLUICE_ADMIN_TOKEN= sluice agents`) counts as unset.
        let environment = environment.filter { !($0.key.hasPrefix("SLUICE_ADMIN_") && $0.value.isEmpty) }
        func configured() throws(AdminAddressError) -> AdminSettings {
            do {
                return try ConfigurationLoader.loadHost(file: configurationFile, environment: environment).admin
            } catch {
                throw .unreadableConfiguration("\(error)")
            }
        }
        // The token: --token, else SLUICE_ADMIN_TOKEN, else the file's (the file is read only when needed).
        func resolvedToken() throws(AdminAddressError) -> String? {
            if let token, !token.isEmpty { return token }
            if let token = environment[tokenVariable], !token.isEmpty { return token }
            if let file = environment[tokenFileVariable], !file.isEmpty { return try tokenInFile(file) }
            guard configurationFile != nil else { return nil }
            let settings = try configured()
            if let file = settings.tokenFile { return try tokenInFile(file) }
            return settings.token
        }
        if let admin {
            return AdminAddress(url: admin, token: try resolvedToken(), source: "--admin")
        }
        if let url = environment[urlVariable], !url.isEmpty {
            return AdminAddress(url: url, token: try resolvedToken(), source: urlVariable)
        }
        let settings = try configured()
        var sources: [String] = []
        if environment["SLUICE_ADMIN_HOST"] != nil { sources.append("SLUICE_ADMIN_HOST") }
        if environment["SLUICE_ADMIN_PORT"] != nil { sources.append("SLUICE_ADMIN_PORT") }
        if let configurationFile, sources.count < 2 { sources.append("admin: of \(configurationFile)") }
        let source = sources.isEmpty ? "the default" : sources.joined(separator: ", ")
        guard settings.port != 0 else {
            throw .anyFreePort(source: source)
        }
        return AdminAddress(url: "http://\(connectableHost(settings.host)):\(settings.port)",
                            token: try resolvedToken(), source: source)
    }

    /// The token written in `file` (`admin.token_file`), without the line break
    /// editors add. The host checks the file's owner and mode; a client only reads it.
    static func tokenInFile(_ file: String) throws(AdminAddressError) -> String {
        do {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            return text.trimmingCharacters(in: .whitespacesAndNewlines)
        } catch {
            throw .unreadableTokenFile(file: file, reason: (error as NSError).localizedDescription)
        }
    }

    /// The host to connect to for a listen address: loopback for "every
    /// address", brackets around an IPv6 literal.
    static func connectableHost(_ listen: String) -> String {
        switch listen {
        case "0.0.0.0", "": return "127.0.0.1"
        case "::", "[::]": return "[::1]"
        default: return listen.contains(":") && !listen.hasPrefix("[") ? "[\(listen)]" : listen
        }
    }
}

/// Why the admin API's address could not be resolved.
public enum AdminAddressError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configuration file (or a `SLUICE_*` variable) could not be read.
    case unreadableConfiguration(String)
    /// The host listens on a port the OS picks (`admin.port: 0`).
    case anyFreePort(source: String)
    /// `admin.token_file` names a file this user cannot read.
    case unreadableTokenFile(file: String, reason: String)

    /// One line.
    public var description: String {
        switch self {
        case .unreadableConfiguration(let detail):
            "cannot tell where the admin API listens: \(detail)"
        case .anyFreePort(let source):
            "admin.port is 0 (from \(source)): the host listens on a port the OS picks, which only its log line "
                + "\"admin API listening\" tells; pass --admin http://HOST:PORT or set SLUICE_ADMIN_URL"
        case .unreadableTokenFile(let file, let reason):
            "cannot read the admin token file \(file) (admin.token_file): \(reason); pass --token or set SLUICE_ADMIN_TOKEN"
        }
    }
}
