import Foundation

/// A bounded queue of batches between a replay's reading thread (the
/// putter) and its applying thread, which gives each batch back when done so
/// that the putter frees, or reads, what it holds.
final class HandOff<Item>: @unchecked Sendable {
    // @unchecked: every field is guarded by `condition`.
    private let condition = NSCondition()
    private var batches: [[Item]] = []
    /// Batches applied, for the putter to free.
    private var spent: [[Item]] = []
    private var closed = false
    private var failure: (any Error)?
    private let capacity: Int

    /// Why the putter closed the queue, if it failed.
    var closedFailure: (any Error)? {
        condition.lock()
        defer { condition.unlock() }
        return failure
    }

    /// How many batches were waiting for the applier as the last `put`
    /// returned, that one included. Read by the putter's thread only.
    private(set) var waitingAfterPut = 0
    /// Whether the taker had failed as the last `put` returned (putter's thread only).
    private(set) var takerFailedAtPut = false
    private var takerFailure = false

    /// The taker (applier) stopped on an error of its own; the putter learns
    /// it at its next `put` and should stop.
    func takerFailed() {
        condition.lock()
        takerFailure = true
        condition.unlock()
    }

    init(capacity: Int) { self.capacity = capacity }

    /// Waits for room (the applier never stops before the queue is closed);
    /// returns the batches applied since the last call, for the caller to free.
    func put(_ batch: consuming [Item]) -> [[Item]] {
        condition.lock()
        defer { condition.unlock() }
        while batches.count >= capacity { condition.wait() }
        batches.append(consume batch)
        waitingAfterPut = batches.count
        takerFailedAtPut = takerFailure
        condition.broadcast()
        guard !spent.isEmpty else { return [] }
        defer { spent = [] }
        return spent
    }

    /// Hands an applied batch back to the putter's thread.
    func giveBack(_ batch: consuming [Item]) {
        condition.lock()
        spent.append(batch)
        condition.unlock()
    }

    /// The batches given back since the last `put` (all of them once the
    /// applier has stopped).
    func takeSpent() -> [[Item]] {
        condition.lock()
        defer { condition.unlock() }
        defer { spent = [] }
        return spent
    }

    /// The next batch, or nil once closed and drained (or failed).
    func take() -> [Item]? {
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
