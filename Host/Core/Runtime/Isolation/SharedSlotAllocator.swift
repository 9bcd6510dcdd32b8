import Synchronization

/// Hands out runs of fixed-size slots of the shared region for batches and
/// takes them back when the batches are done (in any order).
final class SharedSlotAllocator: Sendable {
    /// The size of one slot.
    static let slotSize = 64 << 10
    private let firstSlot: Int
    private let slotCount: Int
    private let used: Mutex<[Bool]>

    /// Slots over `regionSize` bytes, leaving the first `reserved` bytes alone.
    init(regionSize: Int, reserved: Int) {
        firstSlot = (reserved + Self.slotSize - 1) / Self.slotSize
        slotCount = regionSize / Self.slotSize
        used = Mutex([Bool](repeating: false, count: regionSize / Self.slotSize))
    }

    /// A run of slots holding `bytes` bytes: its offset and length in the region; nil when no run is free.
    func allocate(_ bytes: Int) -> (offset: Int, length: Int)? {
        let needed = max(1, (bytes + Self.slotSize - 1) / Self.slotSize)
        return used.withLock { used -> (Int, Int)? in
            var start = firstSlot
            while start + needed <= slotCount {
                if let taken = (start..<start + needed).last(where: { used[$0] }) {
                    start = taken + 1
                    continue
                }
                for slot in start..<start + needed { used[slot] = true }
                return (start * Self.slotSize, needed * Self.slotSize)
            }
            return nil
        }
    }

    /// Gives back what ``allocate(_:)`` returned.
    func free(offset: Int, length: Int) {
        used.withLock { used in
            for slot in offset / Self.slotSize..<(offset + length) / Self.slotSize { used[slot] = false }
        }
    }
}
