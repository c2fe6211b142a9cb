import Foundation
import LedgerDomain
import LedgerStore

/// A group the writer has staged (rules checked, records encoded, checkpoint
/// signed), on its way to the committer.
struct CommitJob {
    let group: [PendingAppend]
    /// One list per request, as staged; they stand once the batch is durable.
    let outcomes: [[AppendOutcome]]
    /// nil when the group was refused whole while staging (nothing to write).
    let batch: StagedBatch?
    /// The writer's state with this group applied: published once it is durable.
    let state: DomainState
    let events: Int
}

/// The one-slot handoff between the writer thread (which stages group N+1)
/// and the committer thread (which flushes group N): while one group is in
/// `fdatasync`, the next is prepared, so a commit costs the longer of the two
/// instead of their sum. One slot, and the writer takes its next group only
/// when the slot is free, so groups stay as large as the waiting appends.
final class CommitHandoff: @unchecked Sendable {
    // @unchecked: every field is guarded by `condition`.
    private let condition = NSCondition()
    private var slot: CommitJob?
    private var busy = false
    private var closed = false

    /// Blocks until the slot is free (the committer has taken the last job).
    func waitForRoom() {
        condition.lock()
        while slot != nil { condition.wait() }
        condition.unlock()
    }

    /// Hands `job` over; blocks while the slot is full.
    func put(_ job: CommitJob) {
        condition.lock()
        precondition(!closed, "CommitHandoff.put after close")
        while slot != nil { condition.wait() }
        slot = job
        condition.broadcast()
        condition.unlock()
    }

    /// The next job (the committer thread); nil once closed and empty. The
    /// committer is busy until it calls `finished()`.
    func take() -> CommitJob? {
        condition.lock()
        defer { condition.unlock() }
        while slot == nil && !closed { condition.wait() }
        guard let job = slot else { return nil }
        slot = nil
        busy = true
        condition.broadcast()
        return job
    }

    /// The committer is done with the job it took.
    func finished() {
        condition.lock()
        busy = false
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until every job handed over is committed (or refused).
    func waitUntilIdle() {
        condition.lock()
        while slot != nil || busy { condition.wait() }
        condition.unlock()
    }

    /// No more jobs: the committer drains the slot, then stops.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
