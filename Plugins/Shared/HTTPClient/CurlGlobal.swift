import CCurl

/// `curl_global_init` runs once per process (Swift initialises globals lazily
/// and exactly once), before the first client creates a handle.
private let curlGlobalInitResult: CURLcode = curl_global_init(Int(CURL_GLOBAL_ALL))

/// Initialises libcurl if needed; false if that failed.
func ensureCurlGlobalInit() -> Bool { curlGlobalInitResult == CURLE_OK }
