import Hummingbird
import HummingbirdCore
import HTTPTypes

/// Keeps web pages from driving the admin API through a browser on this
/// machine (cross-site request forgery).
///
/// A page on any site can make the browser send a POST to
/// `http://127.0.0.1:6066`; without a token nothing else would stop it. Such
/// a request is refused when it is state-changing (any method but GET, HEAD
/// and OPTIONS) and
/// - carries an `Origin` header (browsers add one to every such request; the
///   `sluice` CLI, curl and scripts do not), or
/// - carries `Sec-Fetch-Site` other than `none` or `same-origin`, or
/// - is a POST without a JSON `Content-Type`: a page can send `text/plain`,
///   form or multipart bodies across sites without asking, but not JSON.
struct CrossSiteRequestMiddleware<Context: RequestContext>: RouterMiddleware {
    /// `Sec-Fetch-Site` values a browser sends for requests the user made
    /// (typed URL, bookmark) or from the API's own origin.
    static var acceptedFetchSites: Set<String> { ["none", "same-origin"] }

    /// Fetch metadata browsers send with every request (not in HTTPTypes' list).
    static var secFetchSite: HTTPField.Name { HTTPField.Name("Sec-Fetch-Site")! }

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        guard Self.changesState(request.method) else { return try await next(request, context) }
        let target = "\(request.method) \(request.uri.path)"
        if let origin = request.headers[.origin] {
            throw Self.refusal(target, carries: "Origin: \(origin)")
        }
        if let site = request.headers[Self.secFetchSite], !Self.acceptedFetchSites.contains(site.lowercased()) {
            throw Self.refusal(target, carries: "Sec-Fetch-Site: \(site)")
        }
        if request.method == .post, RecordMediaType(contentType: request.headers[.contentType]) == nil {
            let found = request.headers[.contentType].map { "\"\($0)\"" } ?? "none"
            throw AdminHTTPError(.unsupportedMediaType, "\(target) requires Content-Type: \(RecordMediaType.expected) "
                                 + "(also without a body), found \(found)")
        }
        return try await next(request, context)
    }

    /// The 403 for a request that carries what only browsers send.
    static func refusal(_ target: String, carries header: String) -> AdminHTTPError {
        AdminHTTPError(.forbidden, "cross-site request refused: \(target) carries \(header); the admin API does not "
                       + "take state-changing requests from web pages (use the sluice command or curl)")
    }

    /// Every method but the safe ones may change something.
    static func changesState(_ method: HTTPRequest.Method) -> Bool {
        ![.get, .head, .options].contains(method)
    }
}
