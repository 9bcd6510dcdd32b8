import Foundation
import SluiceHTTPClient
import SluicePluginKit
import SluiceSDK

/// The cluster as the agent talks to it: the shared HTTP client, the base URL
/// and the headers every request carries (including `Authorization`, which is
/// never logged).
final class ElasticsearchConnection: Sendable {
    private let client: HTTPClient
    private let baseURL: String
    private let headers: [HTTPHeader]

    /// A connection for `configuration`; reads credentials from `environment`;
    /// counts the client's new connections in `connectionsOpened`.
    init(configuration: ElasticsearchConfiguration, environment: [String: String], connectionsOpened: Counter) throws {
        var clientConfiguration = HTTPClientConfiguration()
        clientConfiguration.maxConnections = configuration.maxConnections
        clientConfiguration.connectTimeout = .milliseconds(configuration.connectTimeoutMilliseconds)
        clientConfiguration.requestTimeout = .milliseconds(configuration.timeoutMilliseconds)
        clientConfiguration.connectionsOpened = { connectionsOpened.add(Int64($0)) }
        client = try HTTPClient(configuration: clientConfiguration)
        baseURL = configuration.baseURL
        var headers = [HTTPHeader("Content-Type", "application/x-ndjson"), HTTPHeader("Accept", "application/json")]
        if let auth = configuration.auth {
            headers.append(HTTPHeader("Authorization", try auth.authorizationHeader(environment: environment)))
        }
        self.headers = headers
    }

    /// A POST of an NDJSON body to `path` (e.g. `/_msearch`).
    func post(_ path: String, body: [UInt8]) -> HTTPRequest {
        HTTPRequest(method: "POST", url: baseURL + path, headers: headers, body: body)
    }

    /// Sends `requests` concurrently; `completion` gets the results in request
    /// order, on a dispatch queue (not the client's thread, which must stay free).
    func send(_ requests: [HTTPRequest], completion: @escaping @Sendable ([Result<HTTPResponse, HTTPClientError>]) -> Void) {
        client.perform(requests) { results in
            DispatchQueue.global().async { completion(results) }
        }
    }

    /// `url` with any password masked (`user:***@`), for logs: the shared rule, ``SecretRedaction``.
    static func redacted(_ url: String) -> String {
        SecretRedaction.maskingURLCredentials(url)
    }
}

extension HTTPOutcome {
    /// Whole-request outcome for this plugin: authentication and authorization
    /// failures (401, 403) are a cluster or credentials problem, not the
    /// records', so they are retried rather than dead-lettered.
    static func forCluster(_ result: Result<HTTPResponse, HTTPClientError>) -> HTTPOutcome {
        let outcome = classify(result)
        if case .fail(let reason) = outcome, case .success(let response) = result, [401, 403].contains(response.status) {
            return .retry(after: nil, reason: reason)
        }
        return outcome
    }
}
