import Dispatch
@testable import LedgerServer
import Synchronization
import Testing

/// Blocking work of a request whose client left while it waited for a slot
/// does not run.
@Suite struct BlockingTests {
    final class Probe: Sendable {
        let started = Atomic<Int>(0)
        let ran = Atomic<Bool>(false)
        let release = DispatchSemaphore(value: 0)
    }

    @Test func workCancelledWhileItWaitsNeverStarts() async throws {
        let probe = Probe()
        // Every slot busy.
        var holders: [Task<Void, any Error>] = []
        for _ in 0..<Blocking.concurrencyMax {
            holders.append(Task { @Sendable in
                try await Blocking.run {
                    probe.started.add(1, ordering: .relaxed)
                    probe.release.wait()
                }
            })
        }
        while probe.started.load(ordering: .relaxed) < Blocking.concurrencyMax { try await Task.sleep(for: .milliseconds(1)) }
        let waiting = Task { @Sendable in try await Blocking.run { probe.ran.store(true, ordering: .relaxed) } }
        try await Task.sleep(for: .milliseconds(50))
        waiting.cancel()
        for _ in 0..<Blocking.concurrencyMax { probe.release.signal() }
        for holder in holders { try await holder.value }
        await #expect(throws: CancellationError.self) { try await waiting.value }
        let didRun = probe.ran.load(ordering: .relaxed)
        #expect(!didRun, "the body of cancelled work ran")
        // Later work runs as usual.
        #expect(try await Blocking.run { 7 } == 7)
    }
}
