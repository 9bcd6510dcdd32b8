import HTTPTypes
import Hummingbird

/// Refuses requests whose `Host` does not name the API's own address and
/// port (see `AllowedHosts`): on loopback, where the API may run without a
/// token, a rebound DNS name must not make the browser a client.
struct HostHeaderMiddleware<Context: RequestContext>: RouterMiddleware {
    let allowed: AllowedHosts
    /// The port actually bound (admin.port may be 0).
    let bound: BoundPort

    /// `Host` as a plain field name (HTTPTypes steers `.host` to the authority).
    static var hostField: HTTPField.Name { HTTPField.Name("Host")! }

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let authority = request.head.authority else {
            throw AdminHTTPError.badRequest("missing Host header: HTTP/1.1 requests must name the host")
        }
        // HTTP/1 puts the first Host in the authority; another would stay a header field.
        if request.headers[Self.hostField] != nil {
            throw AdminHTTPError.badRequest("more than one Host header")
        }
        guard let port = bound.current, allowed.accepts(authority, port: port) else {
            let port = bound.current ?? 0
            throw AdminHTTPError(.misdirectedRequest, "Host \"\(authority)\" is not this admin API: "
                                 + "expected one of \(allowed.expected(port: port)) "
                                 + "(requests under another name, as after DNS rebinding, are refused)")
        }
        return try await next(request, context)
    }
}
