import HTTPTypes
import Hummingbird

/// The status page (docs/admin-api.md, "The status page"): one HTML page,
/// its script and its style sheet, compiled into the binary (no file, font or
/// script from anywhere else, so it works on a machine without internet).
///
/// The page holds no figures: its script reads `GET /agents` and
/// `GET /readyz`, the JSON the CLI reads, and draws them. So the script and
/// the style sheet are the same for everyone and are served without a token
/// (like `/healthz`), while `/` itself answers 401 without one; a browser
/// gets that 401 with the page in its sign-in state (see ``signIn()``).
enum StatusPage {
    /// The page's address.
    static let pagePath = "/"
    /// The script's address.
    static let scriptPath = "/status.js"
    /// The style sheet's address.
    static let styleSheetPath = "/status.css"

    /// The paths any client may read without a token: code and style, no data.
    static let publicAssetPaths: Set<String> = [scriptPath, styleSheetPath]

    /// Only the page's own script and style sheet may run or apply, it may
    /// talk to this host only, and no other site may frame it.
    static let contentSecurityPolicy = [
        "default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'",
        "img-src 'self' data:", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
    ].joined(separator: "; ")

    /// The page, for a client with the token (or any client when there is none).
    static func page() -> Response {
        response(PackageResources.status_html, contentType: "text/html; charset=utf-8")
    }

    /// The 401 a browser gets at `/` without the token: the same page, whose
    /// script then asks for the token (or takes it from `#token=...` in the
    /// address), keeps it in the tab's session storage and sends it with each
    /// request as `Authorization: Bearer`. The page carries no data, so this
    /// shows nothing the token protects.
    static func signIn() -> Response {
        var response = response(PackageResources.status_html, contentType: "text/html; charset=utf-8",
                                status: .unauthorized)
        response.headers[.wwwAuthenticate] = BearerTokenMiddleware<BasicRequestContext>.challenge
        return response
    }

    /// The script.
    static func script() -> Response {
        response(PackageResources.status_js, contentType: "text/javascript; charset=utf-8")
    }

    /// The style sheet.
    static func styleSheet() -> Response {
        response(PackageResources.status_css, contentType: "text/css; charset=utf-8")
    }

    /// Whether `request` is a browser asking for a page (it accepts HTML):
    /// it gets the sign-in page rather than the JSON 401 scripts get.
    static func wantsHTML(_ request: Request) -> Bool {
        request.method == .get && request.uri.path == pagePath
            && (request.headers[.accept]?.contains("text/html") ?? false)
    }

    // Not in HTTPTypes' list of names.
    private static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    private static let referrerPolicy = HTTPField.Name("Referrer-Policy")!

    private static func response(_ bytes: [UInt8], contentType: String,
                                 status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [
            .contentType: contentType,
            .contentSecurityPolicy: contentSecurityPolicy,
            .xContentTypeOptions: "nosniff",
            xFrameOptions: "DENY",
            referrerPolicy: "no-referrer",
            // Served from the binary: a new release must not run an old cached script.
            .cacheControl: "no-store",
        ], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
