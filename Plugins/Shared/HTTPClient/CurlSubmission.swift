import Foundation

/// One call of ``HTTPClient/perform(_:completion:)``: collects the results in
/// request order and calls the completion once the last one arrived.
final class CurlSubmission: @unchecked Sendable {
    // @unchecked: only the engine thread touches `results` and `remaining`.
    private var results: [Result<HTTPResponse, HTTPClientError>?]
    private var remaining: Int
    private let completion: @Sendable ([Result<HTTPResponse, HTTPClientError>]) -> Void

    init(count: Int, completion: @escaping @Sendable ([Result<HTTPResponse, HTTPClientError>]) -> Void) {
        results = Array(repeating: nil, count: count)
        remaining = count
        self.completion = completion
    }

    /// Records the result of request `index`; runs the completion after the last.
    func finish(_ index: Int, _ result: Result<HTTPResponse, HTTPClientError>) {
        guard results[index] == nil else { return }
        results[index] = result
        remaining -= 1
        if remaining == 0 {
            completion(results.map { $0 ?? .failure(.transport("no result")) })
        }
    }
}

/// A request waiting for, or running on, an easy handle.
struct CurlJob: Sendable {
    let request: HTTPRequest
    let submission: CurlSubmission
    let index: Int
}
