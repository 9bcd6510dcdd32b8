/// Everything about a request that sets an easy handle's options, apart from
/// its body: requests of one shape reuse a handle's options as they are.
struct CurlRequestShape: Equatable {
    /// Upper-cased.
    let method: String
    let url: String
    let headers: [HTTPHeader]
    /// Whether the request has a body (a GET without one is sent as a plain GET).
    let hasBody: Bool
    /// Whether the body is sent gzip-compressed (with `Content-Encoding: gzip`).
    let gzip: Bool

    /// Whether the body is sent: any body, and always for POST, PUT and PATCH.
    var sendsBody: Bool {
        switch method {
        case "HEAD": false
        case "GET": hasBody
        case "POST", "PUT", "PATCH": true
        default: hasBody
        }
    }
}
