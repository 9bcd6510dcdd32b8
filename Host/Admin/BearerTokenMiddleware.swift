import Hummingbird

/// Requires `Authorization: Bearer <token>` on every endpoint but `/healthz`
/// (liveness probes carry no secrets and must keep working) and the status
/// page's script and style sheet (code, no data). A browser asking for the
/// status page without the token gets its 401 as the page's sign-in form.
struct BearerTokenMiddleware<Context: RequestContext>: RouterMiddleware {
    /// The `WWW-Authenticate` value of every 401.
    static var challenge: String { "Bearer realm=\"sluice\"" }

    let token: BearerToken

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path == "/healthz" || StatusPage.publicAssetPaths.contains(path) { return try await next(request, context) }
        let authorization = request.headers[.authorization]
        guard token.accepts(authorization: authorization) else {
            // A top-level navigation cannot carry the header: the page asks for the token itself.
            if StatusPage.wantsHTML(request) { return StatusPage.signIn() }
            let message = authorization == nil
                ? "missing bearer token: send Authorization: Bearer <token>"
                : "invalid bearer token"
            throw AdminHTTPError(.unauthorized, message, headers: [.wwwAuthenticate: Self.challenge])
        }
        return try await next(request, context)
    }
}
