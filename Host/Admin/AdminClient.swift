import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A small client of the admin API, for the `sluice` operator commands.
public struct AdminClient: Sendable {
    /// One answer: the status and the body.
    public struct Answer: Sendable {
        /// The HTTP status.
        public let status: Int
        /// The body.
        public let body: Data
    }

    /// The API's base URL, e.g. `http://127.0.0.1:6066`.
    public let baseURL: URL
    private let token: String?
    private let timeout: TimeInterval
    /// Where the URL came from (`--admin`, `SLUICE_ADMIN_PORT`...), named when nothing answers there.
    private var addressSource: String?

    /// A client of the API at `baseURL` (`http://HOST:PORT`), sending `token` as a bearer token if given.
    public init(baseURL: String, token: String?, timeout: TimeInterval = 60) throws(AdminClientError) {
        guard let url = URL(string: baseURL), let scheme = url.scheme?.lowercased(),
              scheme == "http" || scheme == "https", url.host != nil else {
            throw .invalidURL(baseURL)
        }
        self.baseURL = url
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        self.timeout = timeout
    }

    /// A client of the API at a resolved `address`, sending its token if any.
    public init(address: AdminAddress, timeout: TimeInterval = 60) throws(AdminClientError) {
        try self.init(baseURL: address.url, token: address.token, timeout: timeout)
        addressSource = address.source
    }

    /// `GET path`; throws unless the status is 2xx.
    public func get(_ path: String) async throws(AdminClientError) -> Data {
        try await send("GET", path).body
    }

    /// `POST path` with `body`; throws unless the status is 2xx.
    public func post(_ path: String, body: Data = Data(), contentType: String = "application/json") async throws(AdminClientError) -> Data {
        try await send("POST", path, body: body, contentType: contentType).body
    }

    /// Sends a request; throws `rejected` for a non-2xx status (with the API's error message).
    public func send(_ method: String, _ path: String, body: Data? = nil,
                     contentType: String? = nil) async throws(AdminClientError) -> Answer {
        let answer = try await exchange(method, path, body: body, contentType: contentType)
        guard (200..<300).contains(answer.status) else {
            throw .rejected(status: answer.status, message: Self.errorMessage(answer.body))
        }
        return answer
    }

    /// A path segment with everything but unreserved characters percent-encoded.
    public static func segment(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    private func exchange(_ method: String, _ path: String, body: Data?, contentType: String?) async throws(AdminClientError) -> Answer {
        let base = baseURL.absoluteString.hasSuffix("/") ? String(baseURL.absoluteString.dropLast()) : baseURL.absoluteString
        guard let url = URL(string: base + path) else { throw .invalidURL(base + path) }
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body {
            request.httpBody = body
            request.setValue(contentType ?? "application/json", forHTTPHeaderField: "Content-Type")
        }
        let outcome: Result<(Data, URLResponse), any Error> = await withCheckedContinuation { continuation in
            let task = URLSession.shared.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(returning: .failure(error))
                } else if let response {
                    continuation.resume(returning: .success((data ?? Data(), response)))
                } else {
                    continuation.resume(returning: .failure(URLError(.badServerResponse)))
                }
            }
            task.resume()
        }
        switch outcome {
        case .failure(let error):
            let address = addressSource.map { "\(baseURL.absoluteString) (from \($0))" } ?? baseURL.absoluteString
            throw .unreachable(url: address, reason: (error as NSError).localizedDescription)
        case .success(let (data, response)):
            guard let http = response as? HTTPURLResponse else { throw .malformedResponse("not an HTTP response") }
            return Answer(status: http.statusCode, body: data)
        }
    }

    /// The `error` of a JSON error body, or the body as text.
    static func errorMessage(_ body: Data) -> String {
        if let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any],
           let message = object["error"] as? String {
            return message
        }
        let text = String(decoding: body, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "(no details)" : text
    }
}
