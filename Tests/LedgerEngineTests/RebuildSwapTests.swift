@testable import LedgerEngine
import LedgerDomain
import Testing

/// `rebuild` reports the writer's own answer: a rebuilt state behind the
/// ledger (events appended while the log was replayed) is not swapped in,
/// and the answer says so (it said "swapped" before).
@Suite struct RebuildSwapTests {
    @Test func aStateBehindTheLedgerIsNotSwappedAndTheAnswerSaysSo() async throws {
        let dir = TempDir()
        let engine = try openEngine(dir)
        defer { engine.shutdown() }
        _ = await engine.append(setupEvents, actor: tester, atomic: true)
        let behind = engine.publishedState
        _ = await engine.append([meeting("CB01", on: "2024-01-10", attendees: ["M001", "M002"])], actor: tester, atomic: true)
        #expect(behind.appliedSeq + 1 == engine.publishedState.appliedSeq)
        #expect(engine.requestSwap(behind) == false, "the ledger moved on")
        #expect(engine.publishedState.appliedSeq == behind.appliedSeq + 1, "nothing was lost")
        // The same seq is swapped in (a rebuild repairing drift).
        #expect(engine.requestSwap(engine.publishedState) == true)
        let result = try engine.rebuild(progress: nil)
        #expect(result["matches"] == true && result["swapped"] == false)
    }
}
