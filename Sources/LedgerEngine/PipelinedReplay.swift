import Foundation
import LedgerDomain
import LedgerStore

/// Replays stored events on two threads: the caller's thread walks the log and
/// parses and decodes records (half the cost of a replay), a second thread
/// applies them to the state in seq order. On two cores that is up to twice
/// the speed of doing both in turn.
///
/// Applying reads the log in one case only: a retraction needs the event it
/// retracts. The decoding thread fetches that event with the retraction, so
/// the applier never touches LMDB (a second read transaction could wait
/// behind a map growth that waits for the caller's transaction: a deadlock).
enum PipelinedReplay {
    /// Events per hand-over: large enough that the queue's lock is noise,
    /// small enough that both threads start at once.
    static let batchEvents = 512
    /// Batches decoded ahead of the applier at most (bounds memory).
    static let batchesAhead = 8
    /// The next batch goes over undecoded when at most this many are waiting
    /// for the applier, counting the one just handed over.
    static let rawWhenWaitingAtMost = 1

    typealias Stored = (event: DomainEvent, occurredOn: BusinessDate)

    /// Starts a replay's applying thread (a deep state needs a deep stack).
    static func startThread(named name: String, _ body: @escaping @Sendable () -> Void) {
        let thread = Thread(block: body)
        thread.name = name
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// The event of a `Decoded` whose record is not decoded yet (`raw`).
    static let undecoded = DomainEvent.memberConfirmed(MemberConfirmed(memberId: "-"))

    /// One decoded event, with the event it retracts if it is a retraction.
    /// A struct, not a tuple: a tuple holding an enum with payloads is copied
    /// through the runtime's generic value witnesses.
    struct Decoded {
        let seq: UInt64
        /// `undecoded` when `raw` holds the record for the applier to decode
        /// (see `ReplayPipeline.applyRaw`). Not optional: unwrapping an
        /// optional event copied it (a retain of each of its arrays and strings).
        let event: DomainEvent
        let raw: UnsafeRawBufferPointer
        let occurredOn: BusinessDate
        /// For a retraction: the seq it retracts (else 0) and that event.
        let targetSeq: UInt64
        let target: Stored?
    }

    static func replay(into state: inout DomainState, view: ReadView, from: UInt64,
                       through: UInt64, progress: ((UInt64, UInt64) -> Void)?) throws {
        guard from <= through else {
            progress?(through, through)
            return
        }
        try replay(into: &state, through: through, progress: progress, lookup: StoreEventLookup(view: view)) { body in
            try view.forEachRecord(from: from, through: through, body)
        }
    }

    /// A replay of the records `records` gives its body in seq order (LMDB's,
    /// or a test's), which must stay in place until this returns.
    /// `everyRecordRaw` hands over undecoded every record that may go so
    /// (tests; otherwise only while the applier keeps up).
    static func replay(
        into state: inout DomainState, through: UInt64, progress: ((UInt64, UInt64) -> Void)?, lookup: some EventLookup,
        everyRecordRaw: Bool = false,
        records: ((UInt64, UnsafeRawBufferPointer) throws -> Bool) throws -> Void
    ) throws {
        let pipeline = ReplayPipeline(state: state, through: through, progress: progress)
        // The applier holds the only reference: its changes need not copy
        // the trie nodes and member boxes this value would otherwise share.
        state = DomainState()
        do {
            try records { seq, bytes in
                // The applier failed on a record it decoded: nothing after it matters.
                if pipeline.applierFailed { return false }
                // While the applier keeps up, it decodes some batches itself:
                // the records stay where LMDB mapped them until `finish`.
                if pipeline.takesRaw || everyRecordRaw, let type = ReplayedRecord.typeAndWarnings(bytes)?.type,
                   type != .eventRetracted
                {
                    pipeline.applyRaw(seq: seq, bytes: bytes)
                    return true
                }
                pipeline.apply(seq: seq, record: try ReplayedRecord(bytes: bytes), lookup: lookup)
                return true
            }
        } catch {
            // What was handed over is applied first: a record the applier
            // cannot decode comes before this one, and is the error to name.
            // (The state is as far as it got; callers discard it on error.)
            state = try pipeline.finish(readerFailed: true)
            throw error
        }
        state = try pipeline.finish()
    }
}

/// Applies decoded events to a state on a second thread, in the order given:
/// the caller decodes (and checks) while the applier applies. `apply` hands
/// events over in batches; `finish` waits for the applier and returns the state.
///
/// Used by replays (startup, rebuild, `at-seq`); `verify` has its own (`VerifyReplay`).
final class ReplayPipeline {
    private let queue = HandOff<PipelinedReplay.Decoded>(capacity: PipelinedReplay.batchesAhead)
    private let applier: Applier
    private var batch: [PipelinedReplay.Decoded] = []
    private var finished = false
    /// Whether the batch being filled may take records undecoded
    /// (`applyRaw`): decided as each batch starts, from how many batches the
    /// applier has waiting. Which thread decodes a record changes nothing
    /// but the time: a log has phases (registrations, then meetings and
    /// ratings) where one side or the other is the slower.
    private(set) var takesRaw = false

    /// Starts the applier thread on `state`. The caller should drop its own
    /// copies of `state` so that the applier's changes happen in place.
    init(state: DomainState, through: UInt64, progress: ((UInt64, UInt64) -> Void)?) {
        applier = Applier(state: state, queue: queue, through: through, progress: progress)
        batch.reserveCapacity(PipelinedReplay.batchEvents)
        let applier = self.applier
        PipelinedReplay.startThread(named: "ledger-replay-apply") { applier.run() }
    }

    deinit {
        if !finished { _ = abandon(CancellationError()) }
    }

    /// Queues a decoded record (its event moved, not copied).
    func apply(seq: UInt64, record: consuming ReplayedRecord, lookup: some EventLookup) {
        let occurredOn = record.occurredOn
        apply(seq: seq, event: (consume record).event, occurredOn: occurredOn, lookup: lookup)
    }

    /// Queues one event. A retraction's target is fetched here, through
    /// `lookup`, so the applier never reads the store.
    func apply(seq: UInt64, event: consuming DomainEvent, occurredOn: BusinessDate, lookup: some EventLookup) {
        precondition(!finished, "ReplayPipeline used after finish")
        var target: PipelinedReplay.Stored?
        var targetSeq: UInt64 = 0
        if case .eventRetracted(let retraction) = event {
            targetSeq = retraction.seq
            target = lookup.storedEvent(seq: retraction.seq)
        }
        queue(PipelinedReplay.Decoded(seq: seq, event: event, raw: UnsafeRawBufferPointer(start: nil, count: 0),
                                      occurredOn: occurredOn, targetSeq: targetSeq, target: target))
    }

    /// Queues a stored record for the applier to decode (`ReplayedRecord`),
    /// when `takesRaw`. `bytes` must stay mapped until `finish` or `abandon`
    /// returns (a read transaction's records do: lmdb.h, values are valid
    /// until the transaction ends), and must not be a retraction (its target
    /// is read from LMDB, which the applier never touches).
    func applyRaw(seq: UInt64, bytes: UnsafeRawBufferPointer) {
        precondition(!finished, "ReplayPipeline used after finish")
        queue(PipelinedReplay.Decoded(seq: seq, event: PipelinedReplay.undecoded, raw: bytes, occurredOn: BusinessDate(dayNumber: 0),
                                      targetSeq: 0, target: nil))
    }

    /// Whether the applier stopped on a record it could not decode (known
    /// as of the last batch handed over).
    private(set) var applierFailed = false

    private func queue(_ item: consuming PipelinedReplay.Decoded) {
        batch.append(item)
        if batch.count == PipelinedReplay.batchEvents {
            // Handed over, not shared: the applier moves events out of it in place.
            var full: [PipelinedReplay.Decoded] = []
            swap(&full, &batch)
            var spent = queue.put(consume full)
            takesRaw = queue.waitingAfterPut <= PipelinedReplay.rawWhenWaitingAtMost
            applierFailed = queue.takerFailedAtPut
            // The events the applier is done with are freed here, where they
            // were allocated: freed on the applier's thread, each went back
            // to this thread's malloc arena under its lock, against this
            // thread's own allocations. A spent batch's storage is reused.
            batch = spent.popLast() ?? []
            batch.removeAll(keepingCapacity: true)
            spent.removeAll()
            if batch.capacity < PipelinedReplay.batchEvents { batch.reserveCapacity(PipelinedReplay.batchEvents) }
        }
    }

    /// Applies what is queued, stops the applier and returns the state.
    /// `readerFailed`: the reading thread stops on an error of its own (no
    /// final progress is reported).
    func finish(readerFailed: Bool = false) throws -> DomainState {
        precondition(!finished, "ReplayPipeline finished twice")
        finished = true
        applier.reportsCompletion = !readerFailed
        var last: [PipelinedReplay.Decoded] = []
        swap(&last, &batch)
        if !last.isEmpty { _ = queue.put(consume last) }
        queue.close(failure: nil)
        applier.done.wait()
        if let failure = applier.failure { throw failure }
        return applier.state
    }

    /// Stops the applier without applying what is still queued; returns the
    /// state as far as it got.
    func abandon(_ error: any Error) -> DomainState {
        finished = true
        queue.close(failure: error)
        applier.done.wait()
        return applier.state
    }
}

/// The applying side: owns the state while the replay runs.
private final class Applier: @unchecked Sendable {
    // @unchecked: `state` and `failure` are written by the applier thread only
    // and read by the caller after `done` is signalled.
    var state: DomainState
    var failure: (any Error)?
    /// Set by the caller before it closes the queue; read after (the queue's lock orders them).
    var reportsCompletion = true
    let done = DispatchSemaphore(value: 0)
    private let queue: HandOff<PipelinedReplay.Decoded>
    private let through: UInt64
    private let progress: ((UInt64, UInt64) -> Void)?

    init(state: DomainState, queue: HandOff<PipelinedReplay.Decoded>, through: UInt64, progress: ((UInt64, UInt64) -> Void)?) {
        self.state = state
        self.queue = queue
        self.through = through
        self.progress = progress
    }

    func run() {
        defer { done.signal() }
        state.beginKeepingCountsAside()
        while var batch = queue.take() {
            // Each event is moved out of the batch, applied and moved back:
            // not copied (an array's subscript, even a buffer pointer's, hands
            // out a copy here), which would retain every array and string in
            // the event, objects the decoding thread has just written, and
            // release them again. The decoding thread frees them (`giveBack`).
            batch.withUnsafeMutableBufferPointer { items in
                guard let base = items.baseAddress else { return }
                for i in items.indices where failure == nil {
                    let item = (base + i).move()
                    if item.raw.baseAddress == nil {
                        if item.targetSeq != 0 {
                            state.apply(item.event, seq: item.seq, occurredOn: item.occurredOn,
                                        lookup: Prefetched(seq: item.targetSeq, stored: item.target))
                        } else {
                            state.apply(item.event, seq: item.seq, occurredOn: item.occurredOn, lookup: Prefetched.none)
                        }
                    } else {
                        // Decoded here, and freed here once applied.
                        do {
                            let record = try ReplayedRecord(bytes: item.raw)
                            // The reading thread hands over no retraction (its
                            // target is read from LMDB); one read so here means
                            // the two readings of the record disagree.
                            if case .eventRetracted = record.event {
                                throw EngineError(.internal, "stored event \(item.seq) reads as a retraction only on a second reading")
                            }
                            state.apply(record.event, seq: item.seq, occurredOn: record.occurredOn, lookup: Prefetched.none)
                        } catch {
                            failure = error
                            queue.takerFailed()
                        }
                    }
                    let seq = item.seq
                    (base + i).initialize(to: consume item)
                    if seq % 65_536 == 0 { progress?(seq, through) }
                }
            }
            queue.giveBack(consume batch)
        }
        // Before the completion is reported: at the end of a rebuild this
        // writes every member into the trie, a noticeable part of the work.
        state.endKeepingCountsAside()
        if failure == nil {
            if let error = queue.closedFailure { failure = error } else if reportsCompletion { progress?(through, through) }
        }
    }

}

/// The one stored event a retraction needs, fetched by the decoding thread.
struct Prefetched: EventLookup {
    let seq: UInt64
    let stored: PipelinedReplay.Stored?

    /// For an event that is not a retraction: it looks nothing up.
    static var none: Prefetched { Prefetched(seq: 0, stored: nil) }

    func storedEvent(seq: UInt64) -> (event: DomainEvent, occurredOn: BusinessDate)? {
        seq == self.seq ? stored : nil
    }
}
