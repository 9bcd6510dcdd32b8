import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import SluiceAdmin
import SluiceHost
import SluiceOTel

/// `sluice run`: loads the configuration and the plugins and runs the agents
/// until SIGINT or SIGTERM, then stops gracefully (stop fetching, drain within
/// `shutdown_timeout`, flush, commit) and exits 0.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the host: every plugin in the plugins directory becomes an agent.",
        discussion: """
            Precedence: defaults < the configuration file < SLUICE_* environment variables < these flags.
            See docs/configuration.md for every key.
            """)

    @Option(name: [.short, .long], help: "Configuration file (default: ./sluice.yaml when it exists).")
    var config: String?

    @Option(help: "Plugins directory (overrides plugins_directory).")
    var plugins: String?

    @Option(help: "Broker: memory:// or kafka://host:port[,host:port...] (overrides broker).")
    var broker: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (overrides log_level).")
    var logLevel: String?

    func run() async throws {
        // First, so a stop asked for while the host starts is a graceful one.
        let signals = ShutdownSignals.install()
        let configuration: HostConfiguration
        do {
            configuration = try loadConfiguration()
        } catch {
            FileHandle.standardError.write(Data("sluice: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let level = configuration.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "sluice")
        // A plugin that crashes the process is named on stderr (agent, plugin file, image).
        FatalSignalReport.install()
        logger.info("configuration", metadata: ["configuration": .string(configuration.redactedDescription)])
        // Metrics must have their backend before the runtime creates its counters.
        let registry = AdminMetrics.bootstrap()
        do {
            // Tracing (off by default): its exporter runs first, so it stops last and
            // exports the spans of the batches the runtime drains on shutdown.
            let tracing = try configuration.tracing.enabled
                ? OTelTracingBackend(settings: configuration.tracing, logger: Logger(label: "sluice.tracing")) : nil
            if let tracing {
                logger.info("tracing on", metadata: ["exported": .stringConvertible(tracing.exports)])
            }
            let runtime = try SluiceRuntime(configuration: configuration, tracing: tracing?.tracing, logger: logger)
            let admin = try AdminServer(runtime: runtime, configuration: configuration.admin, registry: registry, logger: logger)
            // The admin server is last, so it stops first on shutdown.
            let services: [any Service] = (tracing.map { [$0.service] } ?? []) + [runtime, admin]
            // The signals come through `signals`, which has held them since the first line.
            let group = ServiceGroup(configuration: .init(services: services, logger: logger))
            if let early = signals.attach(group, logger: logger) {
                logger.notice("stop requested while starting; the agents start and stop again gracefully",
                              metadata: ["signal": .string(ShutdownSignals.name(of: early))])
                await group.triggerGracefulShutdown()
            }
            try await group.run()
        } catch let error as AdminServerError {
            FileHandle.standardError.write(Data("sluice: \(error)\n".utf8))
            throw ExitCode(2)
        } catch {
            logger.critical("sluice stopped: \(error)")
            FileHandle.standardError.write(Data("sluice: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    private func loadConfiguration() throws -> HostConfiguration {
        let file = config ?? (FileManager.default.fileExists(atPath: "sluice.yaml") ? "sluice.yaml" : nil)
        var configuration = try ConfigurationLoader.loadHost(file: file, environment: ProcessInfo.processInfo.environment)
        if let plugins { configuration.pluginsDirectory = plugins }
        if let broker { configuration.broker = try BrokerAddress(parsing: broker) }
        if let logLevel {
            guard let level = Logger.Level(rawValue: logLevel) else {
                throw ValidationError("--log-level: expected one of trace, debug, info, notice, warning, error, critical, found \"\(logLevel)\"")
            }
            configuration.logLevel = level
        }
        return configuration
    }
}
