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
    /// About the bytes of the group's events (bounds the handoff and a commit).
    let bytes: Int
}

/// The handoff between the writer thread, which stages groups as appends
/// arrive, and the committer thread, which writes the groups staged since its
/// last commit in one LMDB transaction: while one commit is in `fdatasync`,
/// the next groups are prepared, so a commit costs the longer of the two
/// instead of their sum, and an append waits for at most one commit before
/// its own.
///
/// Limits: the writer blocks while the waiting groups hold `eventsMax` events
/// or `bytesMax` bytes (the append queue's limits no longer bound memory once
/// the writer has drained it), and one commit takes at most `takeEventsMax`
/// events and `takeBytesMax` bytes (but always at least one group), so a
/// transaction stays the size of a group or a few.
final class CommitHandoff: @unchecked Sendable {
    // @unchecked: every field is guarded by `condition`.
    private let condition = NSCondition()
    private var jobs: [CommitJob] = []
    private var waitingEvents = 0
    private var waitingBytes = 0
    private var busy = false
    private var closed = false
    let eventsMax: Int
    let bytesMax: Int
    let takeEventsMax: Int
    let takeBytesMax: Int

    init(eventsMax: Int, bytesMax: Int, takeEventsMax: Int, takeBytesMax: Int) {
        precondition(eventsMax > 0 && bytesMax > 0 && takeEventsMax > 0 && takeBytesMax > 0)
        self.eventsMax = eventsMax
        self.bytesMax = bytesMax
        self.takeEventsMax = takeEventsMax
        self.takeBytesMax = takeBytesMax
    }

    /// Hands `job` over; blocks while the waiting groups are at a limit (a
    /// job alone may exceed them).
    func put(_ job: CommitJob) {
        condition.lock()
        precondition(!closed, "CommitHandoff.put after close")
        while !jobs.isEmpty && (waitingEvents + job.events > eventsMax || waitingBytes + job.bytes > bytesMax) {
            condition.wait()
        }
        jobs.append(job)
        waitingEvents += job.events
        waitingBytes += job.bytes
        condition.broadcast()
        condition.unlock()
    }

    /// The oldest waiting jobs, up to the take limits (at least one; the
    /// committer thread); nil once closed and empty. The committer is busy
    /// until it calls `finished()`.
    func takeAll() -> [CommitJob]? {
        condition.lock()
        defer { condition.unlock() }
        while jobs.isEmpty && !closed { condition.wait() }
        guard !jobs.isEmpty else { return nil }
        let prefix = BoundedPrefix(of: jobs, eventsMax: takeEventsMax, bytesMax: takeBytesMax,
                                   events: { $0.events }, bytes: { $0.bytes })
        let taken = Array(jobs.prefix(prefix.count))
        jobs.removeFirst(prefix.count)
        waitingEvents -= prefix.events
        waitingBytes -= prefix.bytes
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
