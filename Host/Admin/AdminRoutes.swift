import Foundation
import Hummingbird
import Prometheus
import SluiceHost

/// The admin API's endpoints over one runtime (see docs/admin-api.md).
struct AdminRoutes: Sendable {
    let runtime: SluiceRuntime
    /// The process-wide registry swift-metrics reports into.
    let registry: PrometheusCollectorRegistry
    let collector: RuntimeMetricsCollector
    let maxBodyBytes: Int
    let produceTimeout: Duration

    /// Adds the endpoints to `router` (after its middleware).
    func register(on router: Router<BasicRequestContext>) {
        // The status page: HTML, script and style from the binary; its figures come from /agents and /readyz.
        router.get(RouterPath(StatusPage.pagePath)) { _, _ in StatusPage.page() }
        router.get(RouterPath(StatusPage.scriptPath)) { _, _ in StatusPage.script() }
        router.get(RouterPath(StatusPage.styleSheetPath)) { _, _ in StatusPage.styleSheet() }
        router.get("/healthz") { _, _ in AdminJSON.text("ok\n") }
        // Probes that only look at the status (curl -I, load balancers) send HEAD.
        router.head("/healthz") { _, _ in Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"]) }
        router.get("/readyz") { _, _ in
            let report = ReadinessReport(runtime)
            return try AdminJSON.response(report, status: report.ready ? .ok : .serviceUnavailable)
        }
        router.get("/metrics") { _, _ in metrics() }
        router.get("/agents") { _, _ in try AdminJSON.response(AgentsReport(runtime)) }
        router.get("/plugins") { _, _ in try AdminJSON.response(PluginsReport(runtime)) }
        router.get("/agents/:name") { _, context in
            try AdminJSON.response(try report(of: try context.parameters.require("name")))
        }
        router.post("/agents/:name/pause") { _, context in
            let name = try context.parameters.require("name")
            try await control(name) { () throws(RuntimeControlError) in try runtime.pause(agent: name) }
            return try AdminJSON.response(try report(of: name))
        }
        router.post("/agents/:name/resume") { _, context in
            let name = try context.parameters.require("name")
            try await control(name) { () throws(RuntimeControlError) in try runtime.resume(agent: name) }
            return try AdminJSON.response(try report(of: name))
        }
        router.post("/agents/:name/reload") { _, context in
            let name = try context.parameters.require("name")
            let event = try await control(name) { () throws(RuntimeControlError) in try runtime.reload(agent: name) }
            // The agent may have been renamed or stopped by the reload: report the event too.
            let agent = runtime.agents.first { $0.name == event.agent }.map {
                AgentReport($0, lastReload: event, refusal: runtime.refusedFiles.first { $0.agent == event.agent },
                            lag: runtime.lag(of: $0))
            }
            return try AdminJSON.response(ReloadResponse(reload: ReloadReport(event), agent: agent))
        }
        router.post("/topics/:topic/messages") { request, context in
            try await produce(request, topic: try context.parameters.require("topic"))
        }
        router.get("/topics/:topic/messages") { request, context in
            let query = try TopicPageQuery(request.uri.queryParameters)
            return try AdminJSON.response(try read(topic: try context.parameters.require("topic"), query))
        }
        registerTableQueries(on: router)
    }

    // MARK: Handlers

    private func metrics() -> Response {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(16 * 1024)
        registry.emit(into: &buffer)
        collector.emit(into: &buffer)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
    }

    private func report(of name: String) throws(AdminHTTPError) -> AgentReport {
        guard let status = runtime.agents.first(where: { $0.name == name }) else { throw unknownAgent(name) }
        return AgentReport(status, lastReload: runtime.reloadEvents.last { $0.agent == name },
                           refusal: runtime.refusedFiles.first { $0.agent == name }, lag: runtime.lag(of: status))
    }

    /// Runs a blocking runtime control call off the cooperative pool; maps its errors to HTTP.
    @discardableResult
    private func control<Value: Sendable>(_ name: String,
                                          _ call: @escaping @Sendable () throws(RuntimeControlError) -> Value)
        async throws(AdminHTTPError) -> Value {
        do {
            return try await DedicatedThread.run("sluice-admin-control", call)
        } catch {
            switch error {
            case .unknownAgent(let name): throw unknownAgent(name)
            case .reloadRefused: throw AdminHTTPError(.conflict, error.description)
            }
        }
    }

    /// 404 naming the agent, and the refusal of its file if there was one.
    func unknownAgent(_ name: String) -> AdminHTTPError {
        var message = "no agent named \"\(name)\""
        if let refusal = runtime.refusals.first(where: { URL(fileURLWithPath: $0.file).deletingPathExtension().lastPathComponent == name }) {
            message += " (\(refusal.description))"
        }
        return AdminHTTPError(.notFound, message)
    }

    /// memory:// would quietly place a record for a missing partition elsewhere
    /// (Kafka refuses it, which answers 502): refuse it up front where the
    /// transport knows the topic's partitions.
    private func checkPartitions(of records: [OutgoingRecord], topic: String) throws(AdminHTTPError) {
        guard let count = runtime.transport.knownPartitionCount(of: topic) else { return }
        if let record = records.first(where: { ($0.partition ?? 0) >= count }), let partition = record.partition {
            throw .badRequest("partition \(partition) does not exist: \(topic) has \(count) partitions (0...\(count - 1))")
        }
    }

    /// One page of the topic's records. This API does not consume: a
    /// transport that cannot read a topic back (Kafka) answers 501 with what
    /// to do instead.
    private func read(topic: String, _ query: TopicPageQuery) throws(AdminHTTPError) -> TopicRecordsPage {
        do throws(TopicReadUnsupportedError) {
            // One record more than the page holds: where it is, is where the next page starts.
            let read = try runtime.transport.readRecords(topic: topic, partition: query.partition,
                                                         offset: query.offset, limit: query.limit + 1)
            var records = TopicRecordsReport(topic: topic, partitions: read).records
            var next: TopicRecordsPage.Position?
            if records.count > query.limit {
                let beyond = records.removeLast()
                next = .init(partition: beyond.partition, offset: beyond.offset)
            }
            return TopicRecordsPage(topic: topic, records: records, next: next)
        } catch {
            throw AdminHTTPError(.notImplemented, "reading \(error.topic): GET /topics/{topic}/messages works on memory:// only; "
                                 + error.instead)
        }
    }

    private func produce(_ request: Request, topic: String) async throws -> Response {
        let body = try await request.body.collect(upTo: maxBodyBytes)
        let records = try ProduceRequest.records(topic: topic, body: Data(buffer: body),
                                                 contentType: request.headers[.contentType])
        try checkPartitions(of: records, topic: topic)
        let outcome = try await ProduceOutcome.produce(records, through: runtime.transport.producer,
                                                       timeout: produceTimeout)
        guard outcome.failed == 0 else {
            throw AdminHTTPError(.badGateway, "\(outcome.failed) of \(records.count) records were not delivered to "
                                 + "\(topic) (\(outcome.delivered) were): \(outcome.firstError ?? "unknown error")")
        }
        return try AdminJSON.response(ProduceResponse(topic: topic, produced: outcome.delivered))
    }
}
