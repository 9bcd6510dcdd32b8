/// Which offsets of one partition are finished, and so how far the group's
/// committed offset may advance.
///
/// Every batch handed to a plugin becomes an entry covering its offset range,
/// in dispatch (= offset) order, with a count of outstanding *units*: one per
/// message not yet finished, plus one per record produced on its behalf that
/// the broker has not yet acknowledged. An entry is done at zero; the
/// committable offset is one past the last offset of the longest run of done
/// entries from the front. Completion may happen in any order; commits never
/// pass an unfinished message or an unacknowledged produce.
///
/// Not thread-safe: the partition lane guards it.
public struct OffsetLedger: Sendable {
    /// A batch's place in the ledger.
    public typealias Ticket = UInt64

    private struct Entry: Sendable {
        var lastOffset: Int64
        var records: Int
        var outstanding: Int
    }

    /// Everything below this offset is finished: the offset to commit.
    public private(set) var committable: Int64
    private var entries: [Entry] = []
    private var head = 0
    /// The ticket of `entries[head]`.
    private var headTicket: Ticket = 0

    /// A ledger whose partition resumes at `offset` (the group's committed offset).
    public init(startingAt offset: Int64) {
        committable = offset
    }

    /// Entries not yet done.
    public var openEntries: Int { entries.count - head }
    /// True when everything tracked is finished.
    public var isEmpty: Bool { head == entries.count }

    /// Starts tracking a batch of `records` messages ending at `lastOffset`.
    /// Batches must be tracked in ascending offset order.
    public mutating func track(lastOffset: Int64, records: Int) -> Ticket {
        precondition(records > 0, "a batch has at least one record")
        entries.append(Entry(lastOffset: lastOffset, records: records, outstanding: records))
        return headTicket + Ticket(entries.count - 1 - head)
    }

    /// Adds `units` of outstanding work to an entry (a produced record awaiting
    /// its acknowledgement, or messages sent round again).
    /// A ticket forgotten by `reset` is ignored.
    public mutating func add(_ units: Int, to ticket: Ticket) {
        guard let index = index(of: ticket) else { return }
        entries[index].outstanding += units
    }

    /// Marks `units` of an entry finished. Returns the number of records whose
    /// entries became committable as a result (for in-flight accounting).
    /// Late work for a ticket forgotten by `reset` (a revoked partition) is ignored.
    @discardableResult
    public mutating func finish(_ units: Int, of ticket: Ticket) -> Int {
        guard units > 0, let index = index(of: ticket) else { return 0 }
        entries[index].outstanding -= units
        precondition(entries[index].outstanding >= 0, "ledger ticket \(ticket) finished more units than it had")
        return advance()
    }

    /// Forgets every open entry and restarts at `offset` (after a rewind).
    /// Returns the records that were open.
    @discardableResult
    public mutating func reset(to offset: Int64) -> Int {
        let open = entries[head...].reduce(0) { $0 + $1.records }
        headTicket += Ticket(entries.count - head)
        entries.removeAll(keepingCapacity: true)
        head = 0
        committable = offset
        return open
    }

    private func index(of ticket: Ticket) -> Int? {
        // Below the head: done, or forgotten by reset.
        guard ticket >= headTicket else { return nil }
        let index = head + Int(ticket - headTicket)
        return index < entries.count ? index : nil
    }

    private mutating func advance() -> Int {
        var released = 0
        while head < entries.count, entries[head].outstanding == 0 {
            committable = entries[head].lastOffset + 1
            released += entries[head].records
            head += 1
            headTicket += 1
        }
        // Compact once the done prefix dominates, so memory stays bounded.
        if head > 64, head * 2 > entries.count {
            entries.removeFirst(head)
            head = 0
        }
        return released
    }
}
