@testable import LedgerServer
import Synchronization
import Testing

/// The per-connection slots: requests in flight, and the bytes of their lines.
@Suite struct ConnectionStateTests {
    @Test func aRequestWaitsUntilItsLineFitsBesideThoseInFlight() async throws {
        let state = ConnectionState(inFlightMax: 8, bytesInFlightMax: 1000)
        #expect(await state.acquireSlot(bytes: 600))
        let admitted = Atomic<Bool>(false)
        let second = Task {
            let ok = await state.acquireSlot(bytes: 600)
            admitted.store(true, ordering: .sequentiallyConsistent)
            return ok
        }
        try await Task.sleep(nanoseconds: 100_000_000)
        let early = admitted.load(ordering: .sequentiallyConsistent)
        #expect(!early, "600 + 600 bytes is over the budget of 1000")
        state.releaseSlot(bytes: 600)
        #expect(await second.value)
        #expect(state.inFlight == 1)
        // A small one fits beside it; one over the whole budget waits for an empty connection, then goes.
        #expect(await state.acquireSlot(bytes: 300))
        state.releaseSlot(bytes: 300)
        let huge = Task { await state.acquireSlot(bytes: 5000) }
        try await Task.sleep(nanoseconds: 50_000_000)
        state.releaseSlot(bytes: 600)
        #expect(await huge.value, "alone, a request of any size is let in")
        #expect(state.inFlight == 1)
        state.releaseSlot(bytes: 5000)
        #expect(state.inFlight == 0)
    }

    @Test func theCountLimitStillHoldsAndAGoneClientWakesTheReader() async throws {
        let state = ConnectionState(inFlightMax: 2, bytesInFlightMax: 1 << 20)
        #expect(await state.acquireSlot(bytes: 1))
        #expect(await state.acquireSlot(bytes: 1))
        let third = Task { await state.acquireSlot(bytes: 1) }
        try await Task.sleep(nanoseconds: 50_000_000)
        state.markClientGone()
        #expect(await third.value == false)
        #expect(state.inFlight == 2)
    }
}
