@testable import LedgerServer
import Synchronization
import Testing

/// The gate of long jobs: a few at once, the rest wait in order, and a
/// waiter whose client left leaves without a slot.
@Suite struct WorkGateTests {
    final class Flags: Sendable {
        let third = Atomic<Bool>(false)
    }

    @Test func aThirdJobWaitsForASlotAndACancelledOneLeaves() async throws {
        let gate = WorkGate(slots: 2)
        try await gate.acquire()
        try await gate.acquire()
        #expect(gate.availableSlots == 0)
        let flags = Flags()
        let third = Task {
            try await gate.acquire()
            flags.third.store(true, ordering: .sequentiallyConsistent)
        }
        let cancelled = Task { try await gate.acquire() }
        try await Task.sleep(for: .milliseconds(50))
        let early = flags.third.load(ordering: .sequentiallyConsistent)
        #expect(!early, "two slots, two holders: the third waits")
        cancelled.cancel()
        await #expect(throws: CancellationError.self) { try await cancelled.value }
        gate.release()
        try await third.value
        let late = flags.third.load(ordering: .sequentiallyConsistent)
        #expect(late)
        gate.release()
        gate.release()
        #expect(gate.availableSlots == 2, "the cancelled waiter took no slot")
    }

    @Test func aTaskCancelledBeforeItWaitsGetsNoSlot() async throws {
        let gate = WorkGate(slots: 1)
        let task = Task {
            while !Task.isCancelled { await Task.yield() }
            try await gate.acquire()
        }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        #expect(gate.availableSlots == 1)
    }
}
