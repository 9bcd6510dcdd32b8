import SluiceHost
import Testing
import TestSupport

/// The two state store back ends, for tests that hold for both.
enum StoreBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory
    case rocksDB

    var testDescription: String { rawValue }

    /// Runs `body` with a fresh store of this back end (RocksDB's in a private
    /// temporary directory), closed and removed afterwards.
    func withStore<Result>(_ body: (any StateStore) throws -> Result) throws -> Result {
        let directory = try TemporaryDirectory(prefix: "sluice-state")
        defer { directory.remove() }
        let store: any StateStore = switch self {
        case .memory: MemoryStateStore(name: "test")
        case .rocksDB: try RocksDBStateStore(path: directory.file("state/agent"))
        }
        defer { store.close() }
        return try body(store)
    }

    /// `withStore` for async bodies.
    func withStore<Result>(_ body: (any StateStore) async throws -> Result) async throws -> Result {
        let directory = try TemporaryDirectory(prefix: "sluice-state")
        defer { directory.remove() }
        let store: any StateStore = switch self {
        case .memory: MemoryStateStore(name: "test")
        case .rocksDB: try RocksDBStateStore(path: directory.file("state/agent"))
        }
        defer { store.close() }
        return try await body(store)
    }
}
