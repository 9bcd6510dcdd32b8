import CCurl
import Foundation

/// The thread that owns one libcurl multi handle: it takes queued requests
/// (at most `maxConnections` running at once), drives the transfers with
/// `curl_multi_perform`/`curl_multi_poll` and hands back the results.
///
/// The multi handle keeps the connection cache, so finished transfers leave
/// their connections open for the next ones (keep-alive, HTTP/2 streams).
final class CurlEngine: @unchecked Sendable {
    // @unchecked: `queue`, `stopping` and `connections` are guarded by `lock`;
    // everything else is touched only by the engine thread (or by init before
    // the thread starts and by the thread's own exit path).
    private let configuration: HTTPClientConfiguration
    private let multi: UnsafeMutableRawPointer
    private let lock = NSLock()
    private var queue: [CurlJob] = []
    private var queueHead = 0
    private var stopping = false
    private var connections = 0
    private var thread: pthread_t?
    private var idle: [CurlEasyHandle] = []
    private var running: [UnsafeMutableRawPointer: CurlTransfer] = [:]

    init(configuration: HTTPClientConfiguration) throws(HTTPClientError) {
        guard ensureCurlGlobalInit() else { throw .transport("curl_global_init failed") }
        guard let multi = curl_multi_init() else { throw .transport("curl_multi_init failed") }
        self.configuration = configuration
        self.multi = multi
        let limit = max(1, configuration.maxConnections)
        _ = sluice_curl_multi_setopt_long(multi, CURLMOPT_MAX_HOST_CONNECTIONS, limit)
        _ = sluice_curl_multi_setopt_long(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, limit)
        // Keep as many idle connections as may be busy, so none is closed and reopened.
        _ = sluice_curl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, limit)
        _ = sluice_curl_multi_setopt_long(multi, CURLMOPT_PIPELINING, configuration.allowHTTP2 ? Int(CURLPIPE_MULTIPLEX) : 0)

        var thread = pthread_t()
        let context = Unmanaged.passRetained(self).toOpaque()
        let created = pthread_create(&thread, nil, { context in
            let engine = Unmanaged<CurlEngine>.fromOpaque(context!).takeRetainedValue()
            engine.run()
            return nil
        }, context)
        guard created == 0 else {
            Unmanaged<CurlEngine>.fromOpaque(context).release()
            curl_multi_cleanup(multi)
            throw .transport("cannot start the HTTP client thread (error \(created))")
        }
        self.thread = thread
    }

    /// Connections libcurl opened so far.
    var connectionsOpened: Int {
        lock.lock()
        defer { lock.unlock() }
        return connections
    }

    /// Queues `jobs` and wakes the thread. After ``shutdown()`` they fail at once.
    func submit(_ jobs: [CurlJob]) {
        lock.lock()
        if stopping {
            lock.unlock()
            for job in jobs { job.submission.finish(job.index, .failure(.transport("HTTP client closed"))) }
            return
        }
        queue.append(contentsOf: jobs)
        lock.unlock()
        curl_multi_wakeup(multi)
    }

    /// Stops the thread: requests not finished yet fail with a transport
    /// error. Waits for the thread to exit unless called on it.
    func shutdown() {
        lock.lock()
        let alreadyStopping = stopping
        stopping = true
        let thread = self.thread
        lock.unlock()
        guard !alreadyStopping, let thread else { return }
        curl_multi_wakeup(multi)
        if pthread_equal(pthread_self(), thread) != 0 {
            pthread_detach(thread)
        } else {
            pthread_join(thread, nil)
        }
    }

    // MARK: The engine thread

    private func run() {
        let limit = max(1, configuration.maxConnections)
        while true {
            lock.lock()
            if stopping { lock.unlock(); break }
            var starting: [CurlJob] = []
            while running.count + starting.count < limit, queueHead < queue.count {
                starting.append(queue[queueHead])
                queueHead += 1
            }
            if queueHead > 1024, queueHead * 2 > queue.count {
                queue.removeFirst(queueHead)
                queueHead = 0
            }
            lock.unlock()

            for job in starting { start(job) }
            var stillRunning: Int32 = 0
            _ = curl_multi_perform(multi, &stillRunning)
            let finished = collectFinished()
            // Something finished: go round at once to start queued requests.
            if finished == 0 || !hasQueued() {
                var ignored: Int32 = 0
                _ = curl_multi_poll(multi, nil, 0, finished == 0 ? 1000 : 0, &ignored)
            }
        }
        tearDown()
    }

    private func hasQueued() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        return queueHead < queue.count
    }

    private func start(_ job: CurlJob) {
        guard let handle = idle.popLast() ?? CurlEasyHandle() else {
            job.submission.finish(job.index, .failure(.transport("curl_easy_init failed")))
            return
        }
        let transfer = CurlTransfer(job: job, handle: handle)
        if let problem = configure(transfer) {
            idle.append(handle)
            job.submission.finish(job.index, .failure(.transport(problem)))
            return
        }
        let added = curl_multi_add_handle(multi, handle.raw)
        guard added == CURLM_OK else {
            idle.append(handle)
            job.submission.finish(job.index, .failure(.transport(String(cString: curl_multi_strerror(added)))))
            return
        }
        running[handle.raw] = transfer
    }

    /// Sets the handle's options for the transfer's request; a reason if one was refused.
    ///
    /// A handle remembers the shape of its last request (method, URL,
    /// headers, whether there was a body): when the next one has the same
    /// shape (a plugin's requests mostly do), only the body and the callback
    /// context are set. Resetting the handle and setting every option again
    /// made libcurl parse the URL and rebuild the header list per request.
    private func configure(_ transfer: CurlTransfer) -> String? {
        let easy = transfer.handle.raw
        let request = transfer.job.request
        var failed: CURLcode = CURLE_OK
        func set(_ code: CURLcode) { if code != CURLE_OK && failed == CURLE_OK { failed = code } }

        var body = request.body
        var gzip = false
        if configuration.gzipRequests, !body.isEmpty, let compressed = Gzip.compress(body) {
            body = compressed
            gzip = true
        }
        let shape = CurlRequestShape(method: request.method.uppercased(), url: request.url, headers: request.headers,
                                     hasBody: !request.body.isEmpty, gzip: gzip)
        transfer.handle.errorBuffer[0] = 0
        if transfer.handle.shape != shape {
            transfer.handle.shape = nil // until every option below is set
            set(applyShape(shape, to: transfer.handle))
            if failed == CURLE_OK { transfer.handle.shape = shape }
        }
        if shape.sendsBody {
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(body.count, 1), alignment: 1)
            buffer.copyBytes(from: body)
            transfer.requestBody = buffer
            set(sluice_curl_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            set(sluice_curl_easy_setopt_pointer(easy, CURLOPT_POSTFIELDS, buffer.baseAddress))
        }
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        set(sluice_curl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, context))
        set(sluice_curl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, context))
        if failed != CURLE_OK { transfer.handle.shape = nil }
        return failed == CURLE_OK ? nil : String(cString: curl_easy_strerror(failed))
    }

    /// Resets the handle and sets every option that depends on the request's shape, not its body.
    private func applyShape(_ shape: CurlRequestShape, to handle: CurlEasyHandle) -> CURLcode {
        let easy = handle.raw
        curl_easy_reset(easy)
        handle.replaceHeaderList(nil)
        var failed: CURLcode = CURLE_OK
        func set(_ code: CURLcode) { if code != CURLE_OK && failed == CURLE_OK { failed = code } }

        set(sluice_curl_easy_setopt_string(easy, CURLOPT_URL, shape.url))
        // The path goes out as the caller built it: libcurl would otherwise
        // resolve `.` and `..` segments, letting a substituted value climb the path.
        set(sluice_curl_easy_setopt_long(easy, CURLOPT_PATH_AS_IS, 1))
        set(sluice_curl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, handle.errorBuffer))
        set(sluice_curl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        set(sluice_curl_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1))
        set(sluice_curl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(configuration.connectTimeout)))
        set(sluice_curl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, Self.milliseconds(configuration.requestTimeout)))
        // Compressed responses are decoded by libcurl; "" offers every encoding it supports.
        set(sluice_curl_easy_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, ""))
        let version: Int
        if configuration.http2PriorKnowledge {
            version = CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE
        } else if configuration.allowHTTP2 {
            version = CURL_HTTP_VERSION_2TLS
        } else {
            version = CURL_HTTP_VERSION_1_1
        }
        set(sluice_curl_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, version))
        if configuration.allowHTTP2 || configuration.http2PriorKnowledge {
            // Wait for a connection that can multiplex rather than open another.
            set(sluice_curl_easy_setopt_long(easy, CURLOPT_PIPEWAIT, 1))
        }

        var headers = shape.headers
        if shape.gzip { headers.append(HTTPHeader("Content-Encoding", "gzip")) }
        // No `Expect: 100-continue` round trip before larger bodies.
        headers.append(HTTPHeader("Expect", ""))
        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers {
            // "Name;" is libcurl's way to send a header with an empty value; "Name:" removes one.
            let line = header.value.isEmpty && header.name != "Expect" ? "\(header.name);" : "\(header.name): \(header.value)"
            list = curl_slist_append(list, line)
        }
        handle.replaceHeaderList(list)
        set(sluice_curl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, list))

        switch shape.method {
        case "GET" where !shape.hasBody:
            set(sluice_curl_easy_setopt_long(easy, CURLOPT_HTTPGET, 1))
        case "HEAD":
            set(sluice_curl_easy_setopt_long(easy, CURLOPT_NOBODY, 1))
        default:
            if shape.method != "POST" {
                set(sluice_curl_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, shape.method))
            }
        }

        set(sluice_curl_easy_setopt_write_function(easy) { data, size, count, context in
            guard let context else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            let total = size * count
            if let data, total > 0 {
                transfer.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: total))
            }
            return total
        })
        set(sluice_curl_easy_setopt_header_function(easy) { data, size, count, context in
            guard let context else { return 0 }
            let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
            let total = size * count
            if let data, total > 0 {
                transfer.receiveHeaderLine(UnsafeRawBufferPointer(start: data, count: total))
            }
            return total
        })
        return failed
    }

    /// Reads libcurl's completion messages; returns how many transfers finished.
    private func collectFinished() -> Int {
        var finished = 0
        var left: Int32 = 0
        while let message = curl_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle,
                  let transfer = running.removeValue(forKey: easy) else { continue }
            let code = message.pointee.data.result
            curl_multi_remove_handle(multi, easy)
            var opened = 0
            _ = sluice_curl_easy_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &opened)
            if opened > 0 {
                lock.lock()
                connections += opened
                lock.unlock()
                configuration.connectionsOpened?(opened)
            }
            let result: Result<HTTPResponse, HTTPClientError>
            if code == CURLE_OK {
                var status = 0
                _ = sluice_curl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
                result = .success(HTTPResponse(status: status, headers: transfer.headers, body: transfer.body))
            } else {
                result = .failure(Self.error(code, transfer.handle.errorText(code)))
            }
            idle.append(transfer.handle)
            transfer.job.submission.finish(transfer.job.index, result)
            finished += 1
        }
        return finished
    }

    private func tearDown() {
        for (easy, transfer) in running {
            curl_multi_remove_handle(multi, easy)
            transfer.job.submission.finish(transfer.job.index, .failure(.transport("HTTP client closed")))
        }
        running.removeAll()
        idle.removeAll()
        lock.lock()
        let waiting = queue[queueHead...]
        queue.removeAll()
        queueHead = 0
        lock.unlock()
        for job in waiting { job.submission.finish(job.index, .failure(.transport("HTTP client closed"))) }
        curl_multi_cleanup(multi)
    }

    private static func error(_ code: CURLcode, _ text: String) -> HTTPClientError {
        switch code {
        case CURLE_COULDNT_CONNECT, CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY:
            .connect(text)
        case CURLE_OPERATION_TIMEDOUT:
            .timeout(text)
        default:
            .transport(text)
        }
    }

    private static func milliseconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000))
    }
}
