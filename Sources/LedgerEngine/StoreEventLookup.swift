import LedgerDomain
import LedgerStore

/// The domain rules' window on the log: reads and decodes stored events
/// inside the caller's transaction (the writer's, or a read snapshot).
struct StoreEventLookup: EventLookup {
    let view: ReadView

    func storedEvent(seq: UInt64) -> (event: DomainEvent, occurredOn: BusinessDate)? {
        guard let bytes = try? view.record(seq: seq),
              let record = try? bytes.withUnsafeBytes({ buffer throws(EngineError) in try ReplayedRecord(bytes: buffer) })
        else { return nil }
        return (record.event, record.occurredOn)
    }

    func storedRecord(seq: UInt64) throws -> StoredRecord? {
        guard let bytes = try view.record(seq: seq) else { return nil }
        return try bytes.withUnsafeBytes { try StoredRecord(bytes: $0) }
    }
}
