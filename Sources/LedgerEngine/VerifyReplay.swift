import Foundation
import LedgerDomain
import LedgerStore

/// `verify`'s replay, on a second thread. The reading thread hashes every
/// record, checks the tree, the checkpoints and the stream indexes; it only
/// steps over a plain record's `data` (`PlainEnvelope`) and hands the record
/// over undecoded: the replay thread decodes `data` and applies the event.
/// Decoding was half of the reading thread's work, which was three times
/// the applying thread's.
///
/// The replay thread never reads LMDB (see `PipelinedReplay`): it reads the
/// records' bytes where LMDB mapped them, valid while the reading thread's
/// transaction lasts (`finish` and `abandon` wait for the thread). It gives
/// back, with each applied batch, the meetings-index row each meeting should
/// have and the first record it could not decode; the reading thread checks
/// the rows against the index (`returned`).
///
/// A retraction (it needs the event it retracts, from LMDB) and a record in
/// any but the plainest form are decoded by the reading thread (`apply`).
final class VerifyReplay {
    /// One record handed over.
    struct Item {
        let seq: UInt64
        let occurredOn: BusinessDate
        /// Decoded by the reading thread; nil: decode `data` of `record`.
        var event: DomainEvent?
        let record: UnsafeRawBufferPointer
        /// Where a plain record's `data` lies, of this type (else empty: the
        /// record is decoded the general way).
        let type: EventType?
        let data: Range<Int>
        /// For a retraction: the seq it retracts (else 0) and that event.
        let targetSeq: UInt64
        let target: PipelinedReplay.Stored?
        /// Filled in by the replay thread: the meetings-index row of a
        /// meeting; why the record does not decode.
        var meetingRow: MeetingRow?
        var failure: String?
    }

    private let queue = HandOff<Item>(capacity: PipelinedReplay.batchesAhead)
    private let applier: VerifyApplier
    private var batch: [Item] = []
    private var finished = false
    /// Called on the reading thread, in seq order, for each meeting applied
    /// (with its row) and for the record that did not decode (with why).
    private let returned: (_ seq: UInt64, _ row: MeetingRow?, _ failure: String?) -> Void

    init(state: DomainState, returned: @escaping (_ seq: UInt64, _ row: MeetingRow?, _ failure: String?) -> Void) {
        applier = VerifyApplier(state: state, queue: queue)
        self.returned = returned
        batch.reserveCapacity(PipelinedReplay.batchEvents)
        let applier = self.applier
        PipelinedReplay.startThread(named: "ledger-verify-apply") { applier.run() }
    }

    deinit {
        if !finished { abandon(CancellationError()) }
    }

    /// Queues an event decoded here; a retraction's target is fetched here.
    func apply(seq: UInt64, event: DomainEvent, occurredOn: BusinessDate, lookup: some EventLookup) {
        var target: PipelinedReplay.Stored?
        var targetSeq: UInt64 = 0
        if case .eventRetracted(let retraction) = event {
            targetSeq = retraction.seq
            target = lookup.storedEvent(seq: retraction.seq)
        }
        queue(Item(seq: seq, occurredOn: occurredOn, event: event, record: UnsafeRawBufferPointer(start: nil, count: 0),
                   type: nil, data: 0..<0, targetSeq: targetSeq, target: target))
    }

    /// Queues a plain record whose `data` the replay thread decodes; `record`
    /// must stay mapped until `finish` (the read transaction's life).
    /// Not for a retraction.
    func decodeAndApply(seq: UInt64, envelope: PlainEnvelope, record: UnsafeRawBufferPointer) {
        precondition(envelope.type != .eventRetracted, "a retraction is decoded by the reading thread")
        queue(Item(seq: seq, occurredOn: envelope.occurredOn, event: nil, record: record, type: envelope.type,
                   data: envelope.data, targetSeq: 0, target: nil))
    }

    /// Queues a record the replay thread decodes whole, the general way
    /// (`LedgerEngine.decodeCanonical`): the caller has read `occurredOn`
    /// and checked it is not a retraction.
    func decodeAndApply(seq: UInt64, occurredOn: BusinessDate, record: UnsafeRawBufferPointer) {
        queue(Item(seq: seq, occurredOn: occurredOn, event: nil, record: record, type: nil, data: 0..<0,
                   targetSeq: 0, target: nil))
    }

    private func queue(_ item: Item) {
        precondition(!finished, "VerifyReplay used after finish")
        batch.append(item)
        guard batch.count == PipelinedReplay.batchEvents else { return }
        var full: [Item] = []
        swap(&full, &batch)
        let spent = queue.put(consume full)
        readBack(spent)
        batch.reserveCapacity(PipelinedReplay.batchEvents)
    }

    private func readBack(_ spent: [[Item]]) {
        for items in spent {
            for item in items where item.meetingRow != nil || item.failure != nil {
                returned(item.seq, item.meetingRow, item.failure)
            }
        }
    }

    /// Applies what is queued and waits for the replay thread: the replayed
    /// state's last seq and snapshot (made on that thread). The state itself
    /// is freed on that thread afterwards, while the caller goes on.
    func finish() -> (appliedSeq: UInt64, snapshot: [UInt8]) {
        precondition(!finished, "VerifyReplay finished twice")
        finished = true
        var last: [Item] = []
        swap(&last, &batch)
        if !last.isEmpty { readBack(queue.put(consume last)) }
        queue.close(failure: nil)
        applier.done.wait()
        readBack(queue.takeSpent())
        return (applier.appliedSeq, applier.snapshot)
    }

    /// Stops the replay thread without applying what is still queued.
    func abandon(_ error: any Error) {
        finished = true
        queue.close(failure: error)
        applier.done.wait()
    }
}

/// The replay thread: owns the state while the replay runs.
private final class VerifyApplier: @unchecked Sendable {
    // @unchecked: `appliedSeq` and `snapshot` are written by the replay thread
    // only, before `done` is signalled, and read by the caller after it.
    private var state: DomainState
    private(set) var appliedSeq: UInt64 = 0
    private(set) var snapshot: [UInt8] = []
    let done = DispatchSemaphore(value: 0)
    private let queue: HandOff<VerifyReplay.Item>

    init(state: DomainState, queue: HandOff<VerifyReplay.Item>) {
        self.state = state
        self.queue = queue
    }

    func run() {
        state.beginKeepingCountsAside()
        var failed = false
        while var batch = queue.take() {
            batch.withUnsafeMutableBufferPointer { items in
                for i in items.indices where !failed {
                    let event: DomainEvent
                    if let decoded = items[i].event.take() {
                        event = decoded
                    } else {
                        switch Self.decode(items[i]) {
                        case .success(let decoded): event = decoded
                        case .failure(let reason):
                            items[i].failure = reason.text
                            failed = true
                            continue
                        }
                    }
                    if case .meetingHeld(let meeting) = event {
                        items[i].meetingRow = MeetingRow(meeting, seq: items[i].seq, day: items[i].occurredOn)
                    }
                    if items[i].targetSeq != 0 {
                        state.apply(event, seq: items[i].seq, occurredOn: items[i].occurredOn,
                                    lookup: Prefetched(seq: items[i].targetSeq, stored: items[i].target))
                    } else {
                        state.apply(event, seq: items[i].seq, occurredOn: items[i].occurredOn, lookup: Prefetched.none)
                    }
                }
            }
            queue.giveBack(consume batch)
        }
        state.endKeepingCountsAside()
        appliedSeq = state.appliedSeq
        if queue.closedFailure == nil { snapshot = state.snapshot() }
        done.signal()
        // Freed here, on the thread that built it, while `verify` goes on.
        state = DomainState()
    }

    struct Reason: Error { let text: String }

    /// `data` in place, as `PlainRecord` reads it; else the whole record the
    /// general way (`LedgerEngine.decodeCanonical`), as the reading thread
    /// decodes what is not plain.
    private static func decode(_ item: VerifyReplay.Item) -> Result<DomainEvent, Reason> {
        if let type = item.type, let event = PlainEnvelope.decodeData(of: type, at: item.data, in: item.record) {
            return .success(event)
        }
        switch LedgerEngine.decodeCanonical(item.record) {
        case .success(let decoded):
            // The reading thread read these members from the same bytes.
            guard decoded.record.seq == item.seq, decoded.record.occurredOn == item.occurredOn,
                  decoded.event.type != .eventRetracted
            else { return .failure(Reason(text: "it reads differently on a second reading")) }
            return .success(decoded.event)
        case .failure(let reason): return .failure(Reason(text: reason.text))
        }
    }
}
