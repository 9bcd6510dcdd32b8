import CSluicePlugin

/// Pre-made C functions for `validate_config` and `create`, one pair per slot
/// (see ``AgentRegistry`` for why): an image can export up to ``count``
/// distinct agent types, far more than the one a plugin needs.
enum EntrySlots {
    /// The C type of `validate_config`.
    typealias ValidateHook = @convention(c) (UnsafePointer<CChar>?, Int, UnsafeMutablePointer<CChar>?, Int) -> Int32
    /// The C type of `create`.
    typealias CreateHook = @convention(c) (UnsafePointer<sluice_host_api>?, OpaquePointer?, UnsafePointer<CChar>?, Int,
                                           UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                                           UnsafeMutablePointer<CChar>?, Int) -> Int32

    static let count = 16

    // Each closure differs only in its slot literal; a C function pointer
    // cannot capture the slot, so it is spelled out.
    static let validate: [ValidateHook] = [
        { validateConfig(slot: 0, $0, $1, $2, $3) },
        { validateConfig(slot: 1, $0, $1, $2, $3) },
        { validateConfig(slot: 2, $0, $1, $2, $3) },
        { validateConfig(slot: 3, $0, $1, $2, $3) },
        { validateConfig(slot: 4, $0, $1, $2, $3) },
        { validateConfig(slot: 5, $0, $1, $2, $3) },
        { validateConfig(slot: 6, $0, $1, $2, $3) },
        { validateConfig(slot: 7, $0, $1, $2, $3) },
        { validateConfig(slot: 8, $0, $1, $2, $3) },
        { validateConfig(slot: 9, $0, $1, $2, $3) },
        { validateConfig(slot: 10, $0, $1, $2, $3) },
        { validateConfig(slot: 11, $0, $1, $2, $3) },
        { validateConfig(slot: 12, $0, $1, $2, $3) },
        { validateConfig(slot: 13, $0, $1, $2, $3) },
        { validateConfig(slot: 14, $0, $1, $2, $3) },
        { validateConfig(slot: 15, $0, $1, $2, $3) }
    ]

    static let create: [CreateHook] = [
        { create(slot: 0, $0, $1, $2, $3, $4, $5, $6) },
        { create(slot: 1, $0, $1, $2, $3, $4, $5, $6) },
        { create(slot: 2, $0, $1, $2, $3, $4, $5, $6) },
        { create(slot: 3, $0, $1, $2, $3, $4, $5, $6) },
        { create(slot: 4, $0, $1, $2, $3, $4, $5, $6) },
        { create(slot: 5, $0, $1, $2, $3, $4, $5, $6) },
        { create(slot: 6, $0, $1, $2, $3, $4, $5, $6) },
        { create(slot: 7, $0, $1, $2, $3, $4, $5, $6) },
        { create(slot: 8, $0, $1, $2, $3, $4, $5, $6) },
        { create(slot: 9, $0, $1, $2, $3, $4, $5, $6) },
        { create(slot: 10, $0, $1, $2, $3, $4, $5, $6) },
        { create(slot: 11, $0, $1, $2, $3, $4, $5, $6) },
        { create(slot: 12, $0, $1, $2, $3, $4, $5, $6) },
        { create(slot: 13, $0, $1, $2, $3, $4, $5, $6) },
        { create(slot: 14, $0, $1, $2, $3, $4, $5, $6) },
        { create(slot: 15, $0, $1, $2, $3, $4, $5, $6) }
    ]

    static func validateConfig(slot: Int, _ json: UnsafePointer<CChar>?, _ length: Int,
                               _ errorBuffer: UnsafeMutablePointer<CChar>?, _ capacity: Int) -> Int32 {
        guard let factory = AgentRegistry.shared.factory(slot) else {
            ErrorBuffer.write("no agent registered in entry slot \(slot)", to: errorBuffer, capacity: capacity)
            return SLUICE_STATUS_ERROR
        }
        if let reason = factory.validate(ConfigurationLoader.text(json, length)) {
            ErrorBuffer.write(reason, to: errorBuffer, capacity: capacity)
            return SLUICE_STATUS_ERROR
        }
        return SLUICE_STATUS_OK
    }

    static func create(slot: Int, _ api: UnsafePointer<sluice_host_api>?, _ host: OpaquePointer?,
                       _ json: UnsafePointer<CChar>?, _ length: Int,
                       _ instance: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                       _ errorBuffer: UnsafeMutablePointer<CChar>?, _ capacity: Int) -> Int32 {
        guard let factory = AgentRegistry.shared.factory(slot) else {
            ErrorBuffer.write("no agent registered in entry slot \(slot)", to: errorBuffer, capacity: capacity)
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
        do {
            let made = try factory.create(HostServices(api: api, host: host), ConfigurationLoader.text(json, length))
            instance.pointee = Unmanaged.passRetained(made).toOpaque()
            return SLUICE_STATUS_OK
        } catch {
            ErrorBuffer.write(String(describing: error), to: errorBuffer, capacity: capacity)
            return SLUICE_STATUS_ERROR
        }
    }
}
