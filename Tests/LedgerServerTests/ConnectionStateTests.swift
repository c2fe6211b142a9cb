@testable import LedgerServer
import Synchronization
import Testing

/// The per-connection slots: requests in flight, and the bytes of their lines.
@Suite struct ConnectionStateTests {
    /// Once the input ended, the reader learns either that the client is
    /// gone (cancel what runs) or that every request is answered, whichever
    /// comes first: a socket the peer closed reads as the end of input before
    /// the channel reports the peer gone, and a tail waiting for events must
    /// still be cancelled then (it was not, and its test hung once in a few runs).
    @Test func theEndOfInputWaitsForTheClientGoneOrEveryAnswer() async throws {
        let gone = ConnectionState(inFlightMax: 8, bytesInFlightMax: 1000)
        #expect(await gone.acquireSlot(bytes: 10))
        let cancel = Task { await gone.waitUntilGoneOrAnswered() }
        try await Task.sleep(nanoseconds: 50_000_000)
        gone.markClientGone()  // reported after the end of input
        #expect(await cancel.value, "the client left: cancel what it left running")

        let answered = ConnectionState(inFlightMax: 8, bytesInFlightMax: 1000)
        #expect(await answered.acquireSlot(bytes: 10))
        let wait = Task { await answered.waitUntilGoneOrAnswered() }
        try await Task.sleep(nanoseconds: 50_000_000)
        answered.releaseSlot(bytes: 10)
        #expect(await wait.value == false, "a half-closed client had every answer: nothing to cancel")

        // Known at once: nothing in flight, or the client already gone; and a cancelled wait ends.
        #expect(await ConnectionState(inFlightMax: 8, bytesInFlightMax: 1000).waitUntilGoneOrAnswered() == false)
        let early = ConnectionState(inFlightMax: 8, bytesInFlightMax: 1000)
        #expect(await early.acquireSlot(bytes: 10))
        early.markClientGone()
        #expect(await early.waitUntilGoneOrAnswered())
        let shutdown = ConnectionState(inFlightMax: 8, bytesInFlightMax: 1000)
        #expect(await shutdown.acquireSlot(bytes: 10))
        let cancelled = Task { await shutdown.waitUntilGoneOrAnswered() }
        try await Task.sleep(nanoseconds: 50_000_000)
        cancelled.cancel()
        #expect(await cancelled.value)
    }

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
