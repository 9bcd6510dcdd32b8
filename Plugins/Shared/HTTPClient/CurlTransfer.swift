import Foundation
import CCurl

/// One request in flight on an easy handle: what libcurl's callbacks write
/// into, and the memory libcurl reads from until the transfer is done.
///
/// Only the engine thread touches it (libcurl calls the callbacks from
/// `curl_multi_perform` on that thread).
final class CurlTransfer {
    let job: CurlJob
    let handle: CurlEasyHandle
    var status = 0
    var headers: [HTTPHeader] = []
    var body: [UInt8] = []
    /// The request body; libcurl reads it in place (CURLOPT_POSTFIELDS does not copy).
    var requestBody: UnsafeMutableRawBufferPointer?
    /// The header list; libcurl reads it until the transfer is done.
    var headerList: UnsafeMutablePointer<curl_slist>?

    init(job: CurlJob, handle: CurlEasyHandle) {
        self.job = job
        self.handle = handle
    }

    deinit {
        requestBody?.deallocate()
        if let headerList { curl_slist_free_all(headerList) }
    }

    /// Appends a received header line; a status line starts a new header set
    /// (after `100 Continue` or an intermediate response).
    func receiveHeaderLine(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("HTTP/") {
            headers.removeAll()
            return
        }
        guard let colon = trimmed.firstIndex(of: ":") else { return }
        let name = String(trimmed[..<colon]).trimmingCharacters(in: .whitespaces)
        let value = String(trimmed[trimmed.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
        headers.append(HTTPHeader(name, value))
    }
}

/// A reusable easy handle and its error buffer (CURLOPT_ERRORBUFFER).
final class CurlEasyHandle {
    let raw: UnsafeMutableRawPointer
    let errorBuffer: UnsafeMutablePointer<CChar>

    init?() {
        guard let raw = curl_easy_init() else { return nil }
        self.raw = raw
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    /// libcurl's detailed message for the last failure, or its generic text for `code`.
    func errorText(_ code: CURLcode) -> String {
        let detail = String(cString: errorBuffer)
        return detail.isEmpty ? String(cString: curl_easy_strerror(code)) : detail
    }

    deinit {
        curl_easy_cleanup(raw)
        errorBuffer.deallocate()
    }
}
