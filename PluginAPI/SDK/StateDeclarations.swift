import CSluicePlugin

/// What an agent type declares about state, as the descriptor and the entry
/// points need it.
struct StateDeclarations: Sendable {
    /// The declared table names.
    let tableNames: [String]
    /// Whether the descriptor gets `on_timer` (timers or windowed tables).
    let handlesTimers: Bool
    /// The first declaration that cannot be used, or nil.
    let problem: String?

    /// A stateless agent's: nothing.
    static let none = StateDeclarations(tableNames: [], handlesTimers: false, problem: nil)

    init(tableNames: [String], handlesTimers: Bool, problem: String?) {
        self.tableNames = tableNames
        self.handlesTimers = handlesTimers
        self.problem = problem
    }

    init<A: Agent>(_ type: A.Type) {
        tableNames = A.tables.map(\.name)
        handlesTimers = A.handlesTimers || A.tables.contains { $0.windowing != nil }
        var problem: String?
        var seen: Set<String> = []
        for table in A.tables {
            if let found = table.problem { problem = found; break }
            if !seen.insert(table.name).inserted { problem = "table '\(table.name)' is declared twice"; break }
        }
        if problem == nil {
            var timerNames: Set<String> = []
            for timer in A.timers {
                if let found = timer.problem { problem = found; break }
                if !timerNames.insert(timer.name).inserted { problem = "timer '\(timer.name)' is declared twice"; break }
            }
        }
        self.problem = problem
    }

    /// What the agent needs a state-capable host for ("keeps tables",
    /// "uses timers"), or nil when it needs none.
    var stateUse: String? {
        if !tableNames.isEmpty { return "keeps tables" }
        if handlesTimers { return "uses timers" }
        return nil
    }

    /// Why a host table cannot serve agent `name`, or nil when it can.
    func refusal(agentName name: String, host: HostServices) -> String? {
        guard let stateUse, !host.supportsState else { return nil }
        let (major, declaredMinor) = host.hostABIVersion
        // A table too short for a minor's members is that older minor, whatever it says.
        let size = Int(host.api.pointee.struct_size)
        let minor = size < HostServices.abi1_0TableSize + MemoryLayout<UnsafeRawPointer?>.size ? min(declaredMinor, 0)
            : size < HostServices.abi1_2TableSize ? min(declaredMinor, 1) : declaredMinor
        return "agent '\(name)' \(stateUse), which need a host with ABI \(SLUICE_ABI_MAJOR).2 state support (this host is \(major).\(minor))"
    }
}
