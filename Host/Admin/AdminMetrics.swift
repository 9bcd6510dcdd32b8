import Metrics
import Prometheus
import Synchronization

/// The process's metrics backend: swift-metrics reporting into a Prometheus
/// registry that `GET /metrics` emits.
public enum AdminMetrics {
    private static let installed = Mutex<PrometheusCollectorRegistry?>(nil)

    /// Bootstraps swift-metrics with a `PrometheusMetricsFactory` over a new
    /// registry and returns it. Call it once, before the runtime starts (handles
    /// created earlier report nowhere). Later calls return the same registry
    /// (swift-metrics itself can only be bootstrapped once per process).
    public static func bootstrap() -> PrometheusCollectorRegistry {
        installed.withLock { installed in
            if let installed { return installed }
            let registry = PrometheusCollectorRegistry()
            var factory = PrometheusMetricsFactory(registry: registry)
            // Batches take micro- to milliseconds; the default buckets start at 5 ms.
            factory.defaultDurationHistogramBuckets = [
                .microseconds(100), .microseconds(500), .milliseconds(1), .milliseconds(5), .milliseconds(10),
                .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500),
                .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
            ]
            MetricsSystem.bootstrap(factory)
            installed = registry
            return registry
        }
    }
}
