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
/// A ledger that *seals* (a stateful agent's) stops at a run of done entries
/// and asks for it to be sealed first: the state those batches wrote is made
/// durable in the changelog and the local store, and only then does the
/// committable offset pass them (see `sealRequest`, `sealed()`). One seal is
/// in flight at a time, so seals happen in offset order. Its records leave
/// the in-flight count as soon as their entry is done (their payloads are
/// released then); until their seal they count as `awaitingSeal`.
///
/// Not thread-safe: the partition lane guards it.
public struct OffsetLedger: Sendable {
    /// A batch's place in the ledger.
    public typealias Ticket = UInt64

    /// A run of done entries whose state must be sealed before they commit.
    public struct Seal: Sendable, Equatable {
        /// The last ticket of the run (every earlier open ticket is in it too).
        public let throughTicket: Ticket
        /// The last source offset the run covers.
        public let lastOffset: Int64
    }

    private struct Entry: Sendable {
        var lastOffset: Int64
        var records: Int
        var outstanding: Int
        /// Seal mode: the records were counted released when the entry became done.
        var released = false
    }

    /// Everything below this offset is finished: the offset to commit.
    public private(set) var committable: Int64
    /// Whether done entries wait for a seal before they commit.
    public let seals: Bool
    /// The seal asked for and not yet reported done.
    public private(set) var sealInFlight: Seal?
    /// A seal asked for by the last `finish` or `sealed`, not yet taken.
    private var requestedSeal: Seal?
    private var entries: [Entry] = []
    private var head = 0
    /// The ticket of `entries[head]`.
    private var headTicket: Ticket = 0
    /// Seal mode: records of done entries waiting for their seal.
    public private(set) var awaitingSeal = 0
    /// `entries[head..<doneEnd]` are known done (`isDone(through:)` moves it on).
    private var doneEnd = 0

    /// A ledger whose partition resumes at `offset` (the group's committed
    /// offset); `seals` makes done entries wait for their seal.
    public init(startingAt offset: Int64, seals: Bool = false) {
        committable = offset
        self.seals = seals
    }

    /// Takes the seal the ledger is waiting for, once: the caller seals it and
    /// reports `sealed()`.
    public mutating func takeSealRequest() -> Seal? {
        defer { requestedSeal = nil }
        return requestedSeal
    }

    /// The seal in flight, not yet taken by the caller, extended over the
    /// entries done since it was asked for (a seal that waited covers them
    /// too). Nil when none is in flight.
    public mutating func extendSealInFlight() -> Seal? {
        guard sealInFlight != nil, head < entries.count else { return sealInFlight }
        var end = head
        while end + 1 < entries.count, entries[end + 1].outstanding == 0 { end += 1 }
        let seal = Seal(throughTicket: headTicket + Ticket(end - head), lastOffset: entries[end].lastOffset)
        sealInFlight = seal
        return seal
    }

    /// The seal in flight is durable: its entries commit. Returns the records
    /// released (like `finish`); the next seal may be requested at once.
    @discardableResult
    public mutating func sealed() -> Int {
        guard let seal = sealInFlight else { return 0 }
        sealInFlight = nil
        var released = 0
        while head < entries.count, headTicket <= seal.throughTicket {
            committable = entries[head].lastOffset + 1
            if entries[head].released {
                awaitingSeal -= entries[head].records
            } else {
                released += entries[head].records
            }
            head += 1
            headTicket += 1
        }
        compact()
        return released + advance()
    }

    /// The last offset tracked so far (the committable offset minus one when
    /// nothing is open): where an entry without records sits.
    public var lastTrackedOffset: Int64 {
        head < entries.count ? entries[entries.count - 1].lastOffset : committable - 1
    }

    /// Entries not yet done.
    public var openEntries: Int { entries.count - head }

    /// Whether the entry of `ticket` and every entry before it are done, so
    /// that any seal taken from now on covers it (sealed entries count as done).
    public mutating func isDone(through ticket: Ticket) -> Bool {
        guard ticket >= headTicket else { return true }
        guard let index = index(of: ticket) else { return false }
        doneEnd = max(doneEnd, head)
        while doneEnd < entries.count, entries[doneEnd].outstanding == 0 { doneEnd += 1 }
        return index < doneEnd
    }
    /// True when everything tracked is finished.
    public var isEmpty: Bool { head == entries.count }

    /// Starts tracking a batch of `records` messages ending at `lastOffset`.
    /// Batches must be tracked in ascending offset order.
    public mutating func track(lastOffset: Int64, records: Int) -> Ticket {
        precondition(records > 0, "a batch has at least one record")
        entries.append(Entry(lastOffset: lastOffset, records: records, outstanding: records))
        return headTicket + Ticket(entries.count - 1 - head)
    }

    /// Starts tracking work that has no records of its own (a batch of due
    /// timers): one outstanding unit at the last tracked offset, so it keeps
    /// its place in order and gates what it produces.
    public mutating func trackWithoutRecords() -> Ticket {
        entries.append(Entry(lastOffset: lastTrackedOffset, records: 0, outstanding: 1))
        return headTicket + Ticket(entries.count - 1 - head)
    }

    /// Adds `units` of outstanding work to an entry (a produced record awaiting
    /// its acknowledgement, or messages sent round again).
    /// A ticket forgotten by `reset` is ignored.
    public mutating func add(_ units: Int, to ticket: Ticket) {
        guard let index = index(of: ticket) else { return }
        entries[index].outstanding += units
        if units > 0, index < doneEnd { doneEnd = index }
    }

    /// Marks `units` of an entry finished. Returns the number of records whose
    /// entries became committable as a result, or in seal mode done (for
    /// in-flight accounting).
    /// Late work for a ticket forgotten by `reset` (a revoked partition) is ignored.
    @discardableResult
    public mutating func finish(_ units: Int, of ticket: Ticket) -> Int {
        guard units > 0, let index = index(of: ticket) else { return 0 }
        entries[index].outstanding -= units
        precondition(entries[index].outstanding >= 0, "ledger ticket \(ticket) finished more units than it had")
        var released = 0
        if seals, entries[index].outstanding == 0, !entries[index].released {
            entries[index].released = true
            released = entries[index].records
            awaitingSeal += released
        }
        return released + advance()
    }

    /// Forgets every open entry and restarts at `offset` (after a rewind).
    /// Returns the records that were open (and not released already).
    @discardableResult
    public mutating func reset(to offset: Int64) -> Int {
        let open = entries[head...].reduce(0) { $0 + ($1.released ? 0 : $1.records) }
        awaitingSeal = 0
        headTicket += Ticket(entries.count - head)
        entries.removeAll(keepingCapacity: true)
        head = 0
        doneEnd = 0
        committable = offset
        sealInFlight = nil
        requestedSeal = nil
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
        if seals {
            // Done entries wait for their seal; one seal at a time, in order.
            guard sealInFlight == nil, head < entries.count, entries[head].outstanding == 0 else { return 0 }
            var end = head
            while end + 1 < entries.count, entries[end + 1].outstanding == 0 { end += 1 }
            let seal = Seal(throughTicket: headTicket + Ticket(end - head), lastOffset: entries[end].lastOffset)
            sealInFlight = seal
            requestedSeal = seal
            return 0
        }
        while head < entries.count, entries[head].outstanding == 0 {
            committable = entries[head].lastOffset + 1
            released += entries[head].records
            head += 1
            headTicket += 1
        }
        compact()
        return released
    }

    /// Drops the done prefix once it dominates, so memory stays bounded.
    private mutating func compact() {
        if head > 64, head * 2 > entries.count {
            entries.removeFirst(head)
            doneEnd = max(0, doneEnd - head)
            head = 0
        }
    }
}
