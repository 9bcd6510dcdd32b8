import Hummingbird

/// Requires `Authorization: Bearer <token>` on every endpoint but `/healthz`
/// (liveness probes carry no secrets and must keep working).
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    let token: BearerToken

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path == "/healthz" { return try await next(request, context) }
        let authorization = request.headers[.authorization]
        guard token.accepts(authorization: authorization) else {
            let message = authorization == nil
                ? "missing bearer token: send Authorization: Bearer <token>"
                : "invalid bearer token"
            throw AdminHTTPError(.unauthorized, message, headers: [.wwwAuthenticate: "Bearer realm=\"sluice\""])
        }
        return try await next(request, context)
    }
}
