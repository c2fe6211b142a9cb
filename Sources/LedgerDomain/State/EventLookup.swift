/// What the state can read from the log while checking and applying:
/// an earlier event by its seq. The engine backs it with LMDB (the stored
/// record, upcast); tests use a dictionary (`InMemoryEventLog`).
///
/// Used only by retractions (to know what is being retracted, and, rarely, to
/// find a dependent when the remembered latest reference was itself retracted).
public protocol EventLookup {
    /// The event stored as `seq` and its business date, or nil if no such seq.
    func storedEvent(seq: UInt64) -> (event: DomainEvent, occurredOn: BusinessDate)?
}

/// An `EventLookup` over events held in memory, in seq order (tests, tools, replays of exports).
public struct InMemoryEventLog: EventLookup, Sendable {
    public private(set) var events: [(event: DomainEvent, occurredOn: BusinessDate)] = []

    public init() {}

    /// The seq the next appended event gets.
    public var nextSeq: UInt64 { UInt64(events.count) + 1 }

    public mutating func append(_ event: DomainEvent, occurredOn: BusinessDate) {
        events.append((event, occurredOn))
    }

    public mutating func removeLast() { events.removeLast() }

    public func storedEvent(seq: UInt64) -> (event: DomainEvent, occurredOn: BusinessDate)? {
        guard seq >= 1, seq <= UInt64(events.count) else { return nil }
        return events[Int(seq - 1)]
    }
}
