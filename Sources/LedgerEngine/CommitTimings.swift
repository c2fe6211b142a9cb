import Foundation

/// How long the latest durable commits took (LMDB's write transaction: the
/// puts, the page writes, `fdatasync` and the meta page) and how many events
/// they stored: a fixed window of the last `capacity` commits that wrote, so
/// `status` shows the disk as it is now. A slow disk shows here first:
/// appends wait for these commits, and the group-commit rate is about the
/// events a commit over its time. (Failing commits are not timed; `status`
/// shows them as `commitFailing`.)
///
/// Written by the committer thread, read by `status`; guarded by a lock
/// (one short critical section a commit).
final class CommitTimings: @unchecked Sendable {
    // @unchecked: every field is guarded by `lock`.
    struct Summary: Equatable, Sendable {
        /// Commits in the window (at most the capacity).
        var commits: Int
        /// Events those commits stored.
        var events: Int
        var p50Micros: UInt64
        var p99Micros: UInt64
        var maxMicros: UInt64
    }

    private let lock = NSLock()
    private var micros: [UInt64]
    private var events: [Int]
    private var next = 0
    private var filled = 0

    init(capacity: Int = 1024) {
        precondition(capacity > 0)
        micros = Array(repeating: 0, count: capacity)
        events = Array(repeating: 0, count: capacity)
    }

    /// Records one durable commit that stored `eventCount` events and took `nanoseconds`.
    func record(nanoseconds: UInt64, events eventCount: Int) {
        lock.lock()
        micros[next] = nanoseconds / 1_000
        events[next] = eventCount
        next = (next + 1) % micros.count
        filled = min(filled + 1, micros.count)
        lock.unlock()
    }

    /// The window's percentiles (nearest rank); nil before the first commit.
    func summary() -> Summary? {
        lock.lock()
        let window = Array(micros.prefix(filled))
        let eventTotal = events.prefix(filled).reduce(0, +)
        lock.unlock()
        guard !window.isEmpty else { return nil }
        let sorted = window.sorted()
        func rank(_ percent: Int) -> UInt64 {
            // Nearest rank: the smallest value with at least `percent` % of the window at or below it.
            sorted[max(0, (sorted.count * percent + 99) / 100 - 1)]
        }
        return Summary(commits: sorted.count, events: eventTotal, p50Micros: rank(50), p99Micros: rank(99),
                       maxMicros: sorted[sorted.count - 1])
    }
}
