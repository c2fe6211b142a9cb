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

/// The handoff between the writer thread, which stages groups as appends
/// arrive, and the committer thread, which writes everything staged since its
/// last commit in one LMDB transaction: while one commit is in `fdatasync`,
/// the next groups are prepared, so a commit costs the longer of the two
/// instead of their sum, and an append waits for at most one commit before
/// its own. Bounded: the writer blocks while `jobsMax` jobs wait.
final class CommitHandoff: @unchecked Sendable {
    // @unchecked: every field is guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [CommitJob] = []
    private var busy = false
    private var closed = false
    let jobsMax: Int

    init(jobsMax: Int) {
        precondition(jobsMax > 0)
        self.jobsMax = jobsMax
    }

    /// Hands `job` over; blocks while `jobsMax` jobs wait.
    func put(_ job: CommitJob) {
        condition.lock()
        precondition(!closed, "CommitHandoff.put after close")
        while jobs.count >= jobsMax { condition.wait() }
        jobs.append(job)
        condition.broadcast()
        condition.unlock()
    }

    /// Every job waiting, oldest first (the committer thread); nil once
    /// closed and empty. The committer is busy until it calls `finished()`.
    func takeAll() -> [CommitJob]? {
        condition.lock()
        defer { condition.unlock() }
        while jobs.isEmpty && !closed { condition.wait() }
        guard !jobs.isEmpty else { return nil }
        let taken = jobs
        jobs.removeAll(keepingCapacity: true)
        busy = true
        condition.broadcast()
        return taken
    }

    /// The committer is done with the jobs it took.
    func finished() {
        condition.lock()
        busy = false
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until every job handed over is committed (or refused).
    func waitUntilIdle() {
        condition.lock()
        while !jobs.isEmpty || busy { condition.wait() }
        condition.unlock()
    }

    /// No more jobs: the committer drains what waits, then stops.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
