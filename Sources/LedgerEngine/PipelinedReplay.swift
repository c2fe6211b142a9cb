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

    typealias Stored = (event: DomainEvent, occurredOn: BusinessDate)
    /// One decoded event, with the event it retracts if it is a retraction.
    typealias Decoded = (seq: UInt64, event: DomainEvent, occurredOn: BusinessDate, target: Stored?)

    static func replay(into state: inout DomainState, view: ReadView, from: UInt64,
                       through: UInt64, progress: ((UInt64, UInt64) -> Void)?) throws {
        guard from <= through else {
            progress?(through, through)
            return
        }
        let queue = HandOff(capacity: batchesAhead)
        let applier = Applier(state: state, queue: queue, through: through, progress: progress)
        // The applier holds the only reference: its changes need not copy
        // the trie nodes and member boxes this value would otherwise share.
        state = DomainState()
        let lookup = StoreEventLookup(view: view)
        let thread = Thread { applier.run() }
        thread.name = "ledger-replay-apply"
        thread.stackSize = 8 << 20
        thread.start()

        var batch: [Decoded] = []
        batch.reserveCapacity(batchEvents)
        do {
            try view.forEachRecord(from: from, through: through) { seq, bytes in
                let record = try StoredRecord(bytes: bytes)
                let event = try record.event()
                var target: Stored?
                if case .eventRetracted(let retraction) = event {
                    target = lookup.storedEvent(seq: retraction.seq)
                }
                batch.append((seq, event, record.occurredOn, target))
                if batch.count == batchEvents {
                    queue.put(batch)
                    batch.removeAll(keepingCapacity: true)
                }
                return true
            }
            if !batch.isEmpty { queue.put(batch) }
            queue.close(failure: nil)
        } catch {
            queue.close(failure: error)
            applier.done.wait()
            state = applier.state  // as far as it got; callers discard it on error
            throw error
        }
        applier.done.wait()
        if let failure = applier.failure { throw failure }
        state = applier.state
    }
}

/// The applying side: owns the state while the replay runs.
private final class Applier: @unchecked Sendable {
    // @unchecked: `state` and `failure` are written by the applier thread only
    // and read by the caller after `done` is signalled.
    var state: DomainState
    var failure: (any Error)?
    let done = DispatchSemaphore(value: 0)
    private let queue: HandOff
    private let through: UInt64
    private let progress: ((UInt64, UInt64) -> Void)?

    init(state: DomainState, queue: HandOff, through: UInt64, progress: ((UInt64, UInt64) -> Void)?) {
        self.state = state
        self.queue = queue
        self.through = through
        self.progress = progress
    }

    func run() {
        defer { done.signal() }
        while let batch = queue.take() {
            for item in batch {
                state.apply(item.event, seq: item.seq, occurredOn: item.occurredOn,
                            lookup: Prefetched(seq: Self.targetSeq(item.event), stored: item.target))
                if item.seq % 65_536 == 0 { progress?(item.seq, through) }
            }
        }
        if let error = queue.closedFailure { failure = error } else { progress?(through, through) }
    }

    private static func targetSeq(_ event: DomainEvent) -> UInt64 {
        if case .eventRetracted(let retraction) = event { return retraction.seq }
        return 0
    }
}

/// The one stored event a retraction needs, fetched by the decoding thread.
private struct Prefetched: EventLookup {
    let seq: UInt64
    let stored: PipelinedReplay.Stored?

    func storedEvent(seq: UInt64) -> (event: DomainEvent, occurredOn: BusinessDate)? {
        seq == self.seq ? stored : nil
    }
}

/// A bounded queue of batches between the decoding and the applying thread.
private final class HandOff: @unchecked Sendable {
    // @unchecked: every field is guarded by `condition`.
    private let condition = NSCondition()
    private var batches: [[PipelinedReplay.Decoded]] = []
    private var closed = false
    private var failure: (any Error)?
    private let capacity: Int

    /// Why the putter closed the queue, if it failed.
    var closedFailure: (any Error)? {
        condition.lock()
        defer { condition.unlock() }
        return failure
    }

    init(capacity: Int) { self.capacity = capacity }

    /// Waits for room (the applier never stops before the queue is closed).
    func put(_ batch: [PipelinedReplay.Decoded]) {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= capacity { condition.wait() }
        batches.append(batch)
        condition.broadcast()
    }

    /// The next batch, or nil once closed and drained (or failed).
    func take() -> [PipelinedReplay.Decoded]? {
        condition.lock()
        defer { condition.unlock() }
        while batches.isEmpty && !closed { condition.wait() }
        if failure != nil || batches.isEmpty { return nil }
        let batch = batches.removeFirst()
        condition.broadcast()
        return batch
    }

    func close(failure: (any Error)?) {
        condition.lock()
        closed = true
        self.failure = failure
        condition.broadcast()
        condition.unlock()
    }
}
