import CCurl
import Foundation

/// One blocking HTTP request through libcurl's easy interface, using the typed
/// `sluice_curl_*` wrappers (curl_easy_setopt itself is variadic).
struct CurlRequest {
    /// What came back: the HTTP status and the body.
    struct Response {
        let status: Int
        let body: Data
    }

    /// Collects the body; handed to libcurl as the write callback's userdata.
    private final class BodyBuffer {
        var data = Data()
    }

    let url: String
    /// Sent as a POST body when set (libcurl copies it); otherwise a GET.
    var postBody: String?
    var timeoutMilliseconds = 5_000

    /// Performs the request; throws with libcurl's message on a transport error.
    func perform() throws -> Response {
        guard let handle = curl_easy_init() else { throw SmokeFailure("curl_easy_init returned NULL") }
        defer { curl_easy_cleanup(handle) }
        let buffer = BodyBuffer()

        try check(sluice_curl_easy_setopt_string(handle, CURLOPT_URL, url))
        // No signals: tests run on many threads, and DNS timeouts via SIGALRM are unsafe there.
        try check(sluice_curl_easy_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        try check(sluice_curl_easy_setopt_long(handle, CURLOPT_TIMEOUT_MS, timeoutMilliseconds))
        if let postBody {
            try check(sluice_curl_easy_setopt_string(handle, CURLOPT_COPYPOSTFIELDS, postBody))
        }
        try check(sluice_curl_easy_setopt_write_function(handle) { bytes, size, count, userdata in
            let buffer = Unmanaged<BodyBuffer>.fromOpaque(userdata!).takeUnretainedValue()
            if let bytes { buffer.data.append(UnsafeRawPointer(bytes).assumingMemoryBound(to: UInt8.self), count: size * count) }
            return size * count
        })

        return try withExtendedLifetime(buffer) {
            try check(sluice_curl_easy_setopt_pointer(handle, CURLOPT_WRITEDATA, Unmanaged.passUnretained(buffer).toOpaque()))
            try check(curl_easy_perform(handle))
            var status = 0
            try check(sluice_curl_easy_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status))
            return Response(status: status, body: buffer.data)
        }
    }

    private func check(_ code: CURLcode) throws {
        guard code == CURLE_OK else {
            throw SmokeFailure("\(url): \(String(cString: curl_easy_strerror(code)))")
        }
    }
}

extension String {
    /// This string percent-encoded for a URL query value or form field.
    var queryEncoded: String {
        var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        allowed.insert(charactersIn: "-._~")
        return addingPercentEncoding(withAllowedCharacters: allowed) ?? self
    }
}
