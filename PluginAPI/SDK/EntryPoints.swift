import CSluicePlugin

/// The descriptor's `validate_config_v2` and `create_v2`: one C function
/// each for every agent type, which finds the type's factory through the
/// descriptor's `context` pointer (an ``AgentEntry``).
enum EntryPoints {
    /// The C type of `validate_config_v2`.
    typealias ValidateHook = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, Int,
                                             UnsafeMutablePointer<CChar>?, Int) -> Int32
    /// The C type of `create_v2`.
    typealias CreateHook = @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<sluice_host_api>?, OpaquePointer?,
                                           UnsafePointer<CChar>?, Int, UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                                           UnsafeMutablePointer<CChar>?, Int) -> Int32

    static func entry(_ context: UnsafeMutableRawPointer?) -> AgentEntry? {
        context.map { Unmanaged<AgentEntry>.fromOpaque($0).takeUnretainedValue() }
    }

    static let validate: ValidateHook = { context, json, length, errorBuffer, capacity in
        guard let entry = entry(context) else {
            ErrorBuffer.write("validate_config_v2 called without the descriptor's context", to: errorBuffer, capacity: capacity)
            return SLUICE_STATUS_ERROR
        }
        if let reason = entry.state.problem ?? entry.factory.validate(ConfigurationLoader.text(json, length)) {
            ErrorBuffer.write(reason, to: errorBuffer, capacity: capacity)
            return SLUICE_STATUS_ERROR
        }
        return SLUICE_STATUS_OK
    }

    static let create: CreateHook = { context, api, host, json, length, instance, errorBuffer, capacity in
        guard let entry = entry(context) else {
            ErrorBuffer.write("create_v2 called without the descriptor's context", to: errorBuffer, capacity: capacity)
            return SLUICE_STATUS_ERROR
        }
        guard let api, let instance else {
            ErrorBuffer.write("create called without a host table or instance pointer", to: errorBuffer, capacity: capacity)
            return SLUICE_STATUS_ERROR
        }
        // Every v1.0 member must be there; members appended later (1.1's
        // trace_context) are checked where they are used, and a newer host's
        // longer table is fine.
        guard api.pointee.struct_size >= UInt32(HostServices.abi1_0TableSize), api.pointee.abi_major == SLUICE_ABI_MAJOR else {
            ErrorBuffer.write("host table is ABI \(api.pointee.abi_major).\(api.pointee.abi_minor) with \(api.pointee.struct_size) bytes; "
                + "this plugin needs ABI \(SLUICE_ABI_MAJOR).x with at least \(HostServices.abi1_0TableSize)",
                to: errorBuffer, capacity: capacity)
            return SLUICE_STATUS_ERROR
        }
        let services = HostServices(api: api, host: host)
        if let reason = entry.state.problem ?? entry.state.refusal(agentName: entry.agentName, host: services) {
            ErrorBuffer.write(reason, to: errorBuffer, capacity: capacity)
            return SLUICE_STATUS_ERROR
        }
        do {
            let made = try entry.factory.create(services, ConfigurationLoader.text(json, length))
            instance.pointee = Unmanaged.passRetained(made).toOpaque()
            return SLUICE_STATUS_OK
        } catch {
            ErrorBuffer.write(String(describing: error), to: errorBuffer, capacity: capacity)
            return SLUICE_STATUS_ERROR
        }
    }
}
