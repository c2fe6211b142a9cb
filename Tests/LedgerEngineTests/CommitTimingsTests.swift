import Foundation
import Testing
@testable import LedgerEngine

/// `status` shows how long the latest durable commits took: a window of the
/// last commits, with nearest-rank percentiles.
@Suite struct CommitTimingsTests {
    @Test func nothingBeforeTheFirstCommit() {
        #expect(CommitTimings().summary() == nil)
    }

    @Test func percentilesAreNearestRanksOfTheWindow() {
        let timings = CommitTimings(capacity: 200)
        // 1…100 ms, out of order, each commit carrying 2 events.
        for ms in (1...100).reversed() { timings.record(nanoseconds: UInt64(ms) * 1_000_000, events: 2) }
        let summary = timings.summary()
        #expect(summary == .init(commits: 100, events: 200, p50Micros: 50_000, p99Micros: 99_000, maxMicros: 100_000))
    }

    @Test func theWindowKeepsOnlyTheLatestCommits() {
        let timings = CommitTimings(capacity: 4)
        // Two slow commits, then four fast ones: the slow ones leave the window.
        timings.record(nanoseconds: 9_000_000, events: 50)
        timings.record(nanoseconds: 8_000_000, events: 50)
        for micros in [400, 300, 200, 100] { timings.record(nanoseconds: UInt64(micros) * 1_000, events: 1) }
        #expect(timings.summary() == .init(commits: 4, events: 4, p50Micros: 200, p99Micros: 400, maxMicros: 400))
    }
}
