import Foundation
import LedgerDomain
import Testing
@testable import LedgerEngine

/// The writer-to-committer handoff keeps its limits: what waits, and what one
/// commit takes, is bounded by events and bytes, never less than one group.
@Suite struct CommitHandoffTests {
    private func job(events: Int, bytes: Int = 100) -> CommitJob {
        CommitJob(group: [], outcomes: [], batch: nil, state: DomainState(), events: events, bytes: bytes)
    }

    @Test func aCommitTakesTheOldestGroupsUpToItsLimitsAndAlwaysOne() {
        let handoff = CommitHandoff(eventsMax: 1_000, bytesMax: 1 << 20, takeEventsMax: 10, takeBytesMax: 1_000)
        for events in [4, 5, 3, 20, 1] { handoff.put(job(events: events)) }
        #expect(handoff.takeAll()?.map(\.events) == [4, 5])  // 4 + 5 + 3 > 10
        handoff.finished()
        #expect(handoff.takeAll()?.map(\.events) == [3])  // 3 + 20 > 10
        handoff.finished()
        #expect(handoff.takeAll()?.map(\.events) == [20])  // over the limit alone: taken alone
        handoff.finished()
        handoff.put(job(events: 1, bytes: 900))
        handoff.put(job(events: 1, bytes: 200))
        #expect(handoff.takeAll()?.map(\.events) == [1, 1])  // the 1 left over, then one of 900 bytes
        handoff.finished()
        #expect(handoff.takeAll()?.map(\.bytes) == [200])  // 900 + 200 > 1 000 bytes
        handoff.finished()
        handoff.close()
        #expect(handoff.takeAll() == nil)
    }

    @Test func theWriterWaitsWhileTheWaitingGroupsAreAtTheLimit() async {
        let handoff = CommitHandoff(eventsMax: 10, bytesMax: 1 << 20, takeEventsMax: 100, takeBytesMax: 1 << 20)
        handoff.put(job(events: 8))
        let putDone = DispatchSemaphore(value: 0)
        Thread {
            handoff.put(self.job(events: 5))  // 8 + 5 > 10: waits for the committer
            putDone.signal()
        }.start()
        #expect(putDone.wait(timeout: .now() + .milliseconds(200)) == .timedOut)
        #expect(handoff.takeAll()?.map(\.events) == [8])
        #expect(putDone.wait(timeout: .now() + .seconds(10)) == .success)
        handoff.finished()
        #expect(handoff.takeAll()?.map(\.events) == [5])
        handoff.finished()
    }
}
