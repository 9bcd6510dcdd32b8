import ArgumentParser
import Foundation
import SluiceDemoServices

/// `sluice-demo-services`: the two stand-in services of `make demo`, in the
/// foreground until SIGINT or SIGTERM. The Elasticsearch stand-in (not
/// Elasticsearch: no Elasticsearch can be installed here) answers the search
/// agent; the order-confirmation service records what the http agent sends
/// and prints one line per request.
///
/// A program of its own, not a `sluice` subcommand: the shipped host carries
/// no demo code.
@main
struct DemoServicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sluice-demo-services",
        abstract: "Run the demo's Elasticsearch stand-in and order-confirmation HTTP service on loopback.")

    @Option(help: "Port of the Elasticsearch stand-in on 127.0.0.1 (0: a free port).")
    var elasticsearchPort: UInt16 = 0

    @Option(help: "Port of the order-confirmation service on 127.0.0.1 (0: a free port).")
    var confirmationsPort: UInt16 = 0

    @Option(help: "Write ELASTICSEARCH_URL=... and CONFIRMATIONS_URL=... lines to this file once both listen.")
    var envFile: String?

    func run() throws {
        let elasticsearch = try ElasticsearchStandIn(port: elasticsearchPort)
        let confirmations = try HTTPRecordingServer(port: confirmationsPort)
        confirmations.setResponder { _ in .respond(status: 202, headers: ["Content-Type": "application/json"],
                                                   body: #"{"queued":true}"#) }
        confirmations.setObserver { request in
            Self.say("confirmation request: \(request.method) \(request.target) \(request.bodyText)")
        }
        Self.say("\(ElasticsearchStandIn.label) listening on \(elasticsearch.url)")
        Self.say("order-confirmation service listening on \(confirmations.baseURL)")
        if let envFile {
            let text = "ELASTICSEARCH_URL=\(elasticsearch.url)\nCONFIRMATIONS_URL=\(confirmations.baseURL)\n"
            // Written whole, then renamed: a reader never sees half a file.
            try Data(text.utf8).write(to: URL(fileURLWithPath: envFile), options: .atomic)
        }
        Self.waitForTermination()
        confirmations.stop()
        elasticsearch.stop()
        Self.say("demo services stopped (\(confirmations.requestCount) confirmation requests received)")
    }

    /// Writes one line at once (print would buffer it when stdout is a file or a pipe).
    private static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Blocks until SIGINT or SIGTERM.
    private static func waitForTermination() {
        let stop = DispatchSemaphore(value: 0)
        let sources = [SIGINT, SIGTERM].map { signalNumber -> DispatchSourceSignal in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler { stop.signal() }
            source.resume()
            return source
        }
        stop.wait()
        sources.forEach { $0.cancel() }
    }
}
