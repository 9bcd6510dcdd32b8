import Foundation
import Hummingbird

/// JSON responses of the admin API: sorted keys, UTF-8, one trailing newline.
enum AdminJSON {
    /// `value` encoded as the response body.
    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok,
                         headers: HTTPFields = [:]) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(0x0A)
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// `{"error": message}` with `status`.
    static func error(_ error: AdminHTTPError) -> Response {
        // Encoding one String cannot fail.
        (try? response(AdminErrorResponse(error: error.message), status: error.status, headers: error.headers))
            ?? Response(status: error.status)
    }

    /// Plain text (for /healthz and /metrics).
    static func text(_ text: String, contentType: String = "text/plain; charset=utf-8",
                     status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: contentType],
                 body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
