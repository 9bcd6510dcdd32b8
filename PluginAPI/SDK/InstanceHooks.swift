import CSluicePlugin

/// The C hooks that receive an instance pointer, shared by every agent type:
/// they dispatch through the ``AgentInstance`` behind the pointer.
enum InstanceHooks {
    static func instance(_ pointer: UnsafeMutableRawPointer) -> AgentInstance {
        Unmanaged<AgentInstance>.fromOpaque(pointer).takeUnretainedValue()
    }

    static let open: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, Int32,
                                     UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Int32 = { pointer, topic, partition, state in
        guard let pointer, let state else { return SLUICE_STATUS_ERROR }
        let instance = instance(pointer)
        let topicName = topic.map { String(cString: $0) } ?? ""
        do {
            let userState = try instance.openPartition(topic: topicName, partition: partition)
            state.pointee = Unmanaged.passRetained(PartitionSlot(userState: userState)).toOpaque()
            return SLUICE_STATUS_OK
        } catch {
            instance.host.log(.error, "open \(topicName)[\(partition)] failed: \(error)")
            return SLUICE_STATUS_ERROR
        }
    }

    static let onBatch: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<sluice_batch>?) -> Int32 = { pointer, batch in
        guard let pointer, let batch else { return Int32(SLUICE_BATCH_FATAL.rawValue) }
        return instance(pointer).onBatch(BorrowedBatch(raw: batch))
    }

    static let onTimer: @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<sluice_timer_batch>?) -> Int32 = { pointer, timers in
        guard let pointer, let timers else { return Int32(SLUICE_BATCH_FATAL.rawValue) }
        return instance(pointer).onTimer(BorrowedTimerBatch(raw: timers))
    }

    static let flush: @convention(c) (UnsafeMutableRawPointer?) -> Int32 = { pointer in
        guard let pointer else { return SLUICE_STATUS_ERROR }
        return instance(pointer).flush()
    }

    static let close: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<CChar>?, Int32, UnsafeMutableRawPointer?) -> Void = { pointer, topic, partition, state in
        guard let pointer else { return }
        // Balances the retain taken in open.
        let slot = state.map { Unmanaged<PartitionSlot>.fromOpaque($0).takeRetainedValue() }
        instance(pointer).closePartition(topic: topic.map { String(cString: $0) } ?? "", partition: partition,
                                         state: slot?.userState)
    }

    static let destroy: @convention(c) (UnsafeMutableRawPointer?) -> Void = { pointer in
        guard let pointer else { return }
        instance(pointer).prepareForDestroy()
        // Balances the retain taken in create.
        Unmanaged<AgentInstance>.fromOpaque(pointer).release()
    }
}
