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

    init(job: CurlJob, handle: CurlEasyHandle) {
        self.job = job
        self.handle = handle
    }

    deinit {
        requestBody?.deallocate()
    }

    /// Appends a received header line; a status line starts a new header set
    /// (after `100 Continue` or an intermediate response). Parsed on the raw
    /// bytes: a response has several header lines and this runs per request.
    func receiveHeaderLine(_ line: UnsafeRawBufferPointer) {
        var start = line.startIndex
        var end = line.endIndex
        while start < end, Self.isWhitespace(line[start]) { start += 1 }
        while end > start, Self.isWhitespace(line[end - 1]) { end -= 1 }
        let text = UnsafeRawBufferPointer(rebasing: line[start..<end])
        if text.starts(with: "HTTP/".utf8) {
            headers.removeAll(keepingCapacity: true)
            return
        }
        guard let colon = text.firstIndex(of: UInt8(ascii: ":")) else { return }
        var nameEnd = colon
        while nameEnd > 0, Self.isWhitespace(text[nameEnd - 1]) { nameEnd -= 1 }
        var valueStart = colon + 1
        while valueStart < text.count, Self.isWhitespace(text[valueStart]) { valueStart += 1 }
        headers.append(HTTPHeader(String(decoding: text[..<nameEnd], as: UTF8.self),
                                  String(decoding: text[valueStart...], as: UTF8.self)))
    }

    /// Space, tab, CR or LF: what surrounds header names and values.
    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }
}

/// A reusable easy handle and its error buffer (CURLOPT_ERRORBUFFER), with
/// the shape of the request its options are set for and the header list
/// libcurl reads while they are.
final class CurlEasyHandle {
    let raw: UnsafeMutableRawPointer
    let errorBuffer: UnsafeMutablePointer<CChar>
    /// What the handle's options are set for; nil: nothing reusable.
    var shape: CurlRequestShape?
    private var headerList: UnsafeMutablePointer<curl_slist>?

    /// Frees the current header list (the handle must no longer point at it) and keeps `list`.
    func replaceHeaderList(_ list: UnsafeMutablePointer<curl_slist>?) {
        if let headerList { curl_slist_free_all(headerList) }
        headerList = list
    }

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
        if let headerList { curl_slist_free_all(headerList) }
        errorBuffer.deallocate()
    }
}
