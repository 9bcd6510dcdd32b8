import Hummingbird

/// Refuses a request target (path and query) longer than the API could
/// mean, with a JSON 414 rather than work on it.
struct RequestTargetLimitMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The longest path and query accepted, in bytes.
    let maxBytes: Int

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let length = request.head.path?.utf8.count ?? 0
        guard length <= maxBytes else {
            throw AdminHTTPError(.uriTooLong, "request URL too long: \(length) bytes, at most \(maxBytes) accepted")
        }
        return try await next(request, context)
    }
}
