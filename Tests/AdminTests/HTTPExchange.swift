import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One real HTTP request and its answer, with URLSession (independent of the
/// server under test and of `AdminClient`).
struct HTTPExchange {
    let status: Int
    let headers: [String: String]
    let body: Data

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body as a JSON object.
    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw ExchangeError("not a JSON object: \(text)")
        }
        return object
    }

    /// The `error` of a JSON error body.
    var errorMessage: String? { (try? json())?["error"] as? String }

    /// Sends `method path` to `base` (e.g. `http://127.0.0.1:1234`), waiting at most 30 s.
    static func send(_ method: String, _ base: String, _ path: String, body: Data? = nil,
                     headers: [String: String] = [:]) async throws -> HTTPExchange {
        var request = URLRequest(url: URL(string: base + path)!, timeoutInterval: 30)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body
        let outcome: Result<HTTPExchange, any Error> = await withCheckedContinuation { continuation in
            URLSession.shared.dataTask(with: request) { data, response, error in
                if let error { return continuation.resume(returning: .failure(error)) }
                guard let http = response as? HTTPURLResponse else {
                    return continuation.resume(returning: .failure(ExchangeError("no HTTP response")))
                }
                var fields: [String: String] = [:]
                for (name, value) in http.allHeaderFields {
                    fields[String(describing: name).lowercased()] = String(describing: value)
                }
                continuation.resume(returning: .success(HTTPExchange(status: http.statusCode, headers: fields, body: data ?? Data())))
            }.resume()
        }
        return try outcome.get()
    }

    static func get(_ base: String, _ path: String, headers: [String: String] = [:]) async throws -> HTTPExchange {
        try await send("GET", base, path, headers: headers)
    }

    static func post(_ base: String, _ path: String, _ body: String = "", contentType: String = "application/json",
                     headers: [String: String] = [:]) async throws -> HTTPExchange {
        try await send("POST", base, path, body: Data(body.utf8),
                       headers: headers.merging(["Content-Type": contentType]) { $1 })
    }
}

/// A test helper step failed.
struct ExchangeError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
