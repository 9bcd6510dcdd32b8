import Synchronization

/// Opens the local store of each stateful agent once per process and keeps it
/// open until the host stops: a hot reload, a reconfigured agent or a
/// rebalance reuse it (no restore), and only one RocksDB handle ever holds
/// an agent's directory.
public final class StateStoreProvider: Sendable {
    /// Where stores live.
    public enum Backend: Sendable {
        /// In memory (`memory://`, tests): gone with the process.
        case memory
        /// RocksDB under `<directory>/<agent>`.
        case rocksDB(directory: String)
    }

    private let backend: Backend
    private let stores = Mutex<[String: any StateStore]>([:])

    /// A provider of stores on `backend`.
    public init(backend: Backend) {
        self.backend = backend
    }

    /// The store of agent `agent`, opened on first use.
    public func store(forAgent agent: String) throws(StateStoreError) -> any StateStore {
        try stores.withLock { stores throws(StateStoreError) in
            if let open = stores[agent] { return open }
            let store: any StateStore
            switch backend {
            case .memory: store = MemoryStateStore()
            case .rocksDB(let directory): store = try RocksDBStateStore(path: "\(directory)/\(agent)")
            }
            stores[agent] = store
            return store
        }
    }

    /// Closes every store (the host is stopping).
    public func closeAll() {
        let open = stores.withLock { stores in
            defer { stores.removeAll() }
            return Array(stores.values)
        }
        for store in open { store.close() }
    }
}
