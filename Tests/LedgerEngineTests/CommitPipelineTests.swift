import Foundation
import LedgerJSON
import Testing
@testable import LedgerEngine
@testable import LedgerStore

/// The writer stages groups while the committer flushes the ones before:
/// what callers get, and what the ledger holds, when a commit fails with
/// groups staged on top of it.
@Suite struct CommitPipelineTests {
    private func task(_ i: Int) -> JSONValue {
        event("MemberTaskAssigned", ["memberId": "M001", "task": .string("Task \(i)")], on: "2024-03-14")
    }

    /// Appends tasks first..<first + n, each as its own request, all at once.
    private func appendConcurrently(_ engine: LedgerEngine, _ n: Int, from first: Int = 0) async
        -> [(task: Int, outcome: AppendOutcome)]
    {
        await withTaskGroup(of: (Int, AppendOutcome).self) { group in
            for i in first..<first + n {
                group.addTask { (i, (await engine.append([self.task(i)], actor: tester, atomic: true))[0]) }
            }
            var all: [(task: Int, outcome: AppendOutcome)] = []
            for await result in group { all.append(result) }
            return all
        }
    }

    @Test func aCommitThatWritesNothingRefusesItsGroupsAndTheLedgerGoesOn() async throws {
        let dir = TempDir()
        let engine = try openEngine(dir)
        defer { engine.shutdown() }
        for outcome in await engine.append(setupEvents, actor: tester, atomic: true) { #expect(outcome.seq != nil) }
        let base = UInt64(setupEvents.count)
        // The next commit fails, writing nothing, once a group is staged on
        // top of it; the groups staged on top of it must be refused too.
        engine.store.injectFault(.failBeforeCommit(StoreError(.lmdb, "injected: no space left on device"),
                                                   stagedOnTop: 1))
        async let failing = engine.append([task(0)], actor: tester, atomic: true)
        // Its commit has begun (it took the fault) before the others come.
        var waited = 0
        while engine.store.faultPending && waited < 60_000 {
            try await Task.sleep(for: .milliseconds(1))
            waited += 1
        }
        let stagedOnTop = await appendConcurrently(engine, 20, from: 1)
        let failed = await failing
        #expect(failed[0].errorCode == "unavailable")
        #expect((failed[0].errorMessage ?? "").contains("nothing of this request was written"))
        let refusedOnTop = stagedOnTop.filter { $0.outcome.seq == nil }
        #expect(!refusedOnTop.isEmpty)
        for r in refusedOnTop {
            #expect(r.outcome.errorCode == "unavailable")
            #expect((r.outcome.errorMessage ?? "").contains("storage failed for an earlier request"))
        }

        // Those staged after the writer started again may have been committed
        // since, and a commit that wrote something clears the failure.
        let committedSince = stagedOnTop.contains { $0.outcome.seq != nil }
        #expect((try engine.status()["commitFailing"] == nil) == committedSince)

        // While commits fail, status and the health line say so.
        engine.store.injectFault(.failBeforeCommit(StoreError(.lmdb, "injected: no space left on device")))
        #expect(await engine.append([task(50)], actor: tester, atomic: true)[0].errorCode == "unavailable")
        #expect(try engine.status()["commitFailing"]?["error"]?.stringValue?.contains("no space left") == true)
        #expect(engine.healthLine.hasPrefix("APPENDS FAILING since "), "\(engine.healthLine)")
        // A commit that writes nothing (every event refused) proves nothing about the disk.
        let refusedOnly = await engine.append([event("MemberConfirmed", ["memberId": "M404"])], actor: tester, atomic: true)
        #expect(refusedOnly[0].seq == nil)
        #expect(try engine.status()["commitFailing"] != nil)

        // Then the ledger goes on: seqs stay dense, what was refused left no
        // hole and no event behind.
        let later = await appendConcurrently(engine, 40, from: 100)
        #expect(try engine.status()["commitFailing"] == nil, "a commit succeeded since")
        #expect(engine.healthLine.hasPrefix("serving "), "\(engine.healthLine)")
        let appended = (stagedOnTop + later).compactMap { r in r.outcome.seq.map { (task: r.task, seq: $0) } }
        #expect(later.allSatisfy { $0.outcome.seq != nil })
        #expect(appended.map(\.seq).sorted() == (0..<appended.count).map { base + 1 + UInt64($0) })
        try engine.read { view throws in
            #expect(try view.size() == base + UInt64(appended.count))
            for (task, seq) in appended {
                let record = String(decoding: try #require(try view.record(seq: seq)), as: UTF8.self)
                #expect(record.contains("\"task\":\"Task \(task)\""), "event \(seq) holds task \(task)")
            }
        }
        // The state queries read holds exactly what was stored, as a replay of the log does.
        let tasksHeld = try engine.withSnapshot { state, _ in state.members["M001"]?.tasks.map(\.task).sorted() }
        #expect(tasksHeld == appended.map { "Task \($0.task)" }.sorted())
        #expect(try engine.verify()["ok"] == true)
    }

    /// Commits failing one after another are logged once a minute, not once
    /// each (a full disk with clients retrying must not fill the journal);
    /// the recovery is logged with the count of the ones not logged.
    @Test func failingCommitsAreLoggedOnceAMinute() async throws {
        let dir = TempDir()
        let log = LogRecorder()
        let engine = try openEngine(dir, log: log)
        defer { engine.shutdown() }
        for outcome in await engine.append(setupEvents, actor: tester, atomic: true) { #expect(outcome.seq != nil) }
        for i in 0..<3 {
            engine.store.injectFault(.failBeforeCommit(StoreError(.lmdb, "injected: no space left on device")))
            #expect(await engine.append([task(i)], actor: tester, atomic: true)[0].errorCode == "unavailable")
        }
        let failing = log.lines.filter { $0.contains("commits failing, nothing written") }
        #expect(failing.count == 1, "\(log.lines)")
        #expect(failing.first?.hasPrefix("error ") == true)
        #expect(await engine.append([task(3)], actor: tester, atomic: true)[0].seq != nil)
        let recovered = log.lines.filter { $0.contains("commits succeed again") }
        #expect(recovered.count == 1 && recovered[0].contains("(2 failed commits not logged)"), "\(log.lines)")
    }

    @Test func aCommitOfUnknownOutcomeHaltsWritesAndARestartFindsTheTruth() async throws {
        let dir = TempDir()
        do {
            let engine = try openEngine(dir)
            defer { engine.shutdown() }
            for outcome in await engine.append(setupEvents, actor: tester, atomic: true) { #expect(outcome.seq != nil) }
            engine.store.injectFault(.reportCommitFailed)
            let outcome = await engine.append([task(1)], actor: tester, atomic: true)[0]
            #expect(outcome.errorCode == "unavailable")
            #expect((outcome.errorMessage ?? "").contains("may or may not be stored"))
            // Halted: nothing more is written, and queries still answer.
            let later = await engine.append([task(2)], actor: tester, atomic: true)[0]
            #expect(later.errorCode == "read-only")
            #expect(engine.healthLine.hasPrefix("WRITES HALTED (restart ledgerd): "), "\(engine.healthLine)")
            #expect(try engine.withSnapshot { state, _ in state.appliedSeq } == UInt64(setupEvents.count))
        }
        // The reported failure had in fact reached the disk: a restart finds the event.
        let engine = try openEngine(dir)
        defer { engine.shutdown() }
        #expect(try engine.withSnapshot { state, _ in state.members["M001"]?.tasks.map(\.task) } == ["Task 1"])
        #expect(try engine.verify()["ok"] == true)
        let next = await engine.append([task(3)], actor: tester, atomic: true)
        #expect(next[0].seq == UInt64(setupEvents.count) + 2)
    }

    @Test func manyConcurrentAppendersGetDenseSeqsAndOneCheckpointACommit() async throws {
        let dir = TempDir()
        let engine = try openEngine(dir)
        defer { engine.shutdown() }
        for outcome in await engine.append(setupEvents, actor: tester, atomic: true) { #expect(outcome.seq != nil) }
        let outcomes = await appendConcurrently(engine, 300)
        let seqs = outcomes.compactMap(\.outcome.seq).sorted()
        let base = UInt64(setupEvents.count)
        #expect(seqs == (1...300).map { base + UInt64($0) })
        let commits = engine.commitStatistics.groups
        try engine.read { view throws in
            // One checkpoint per commit (and the empty tree's), each of a size some commit ended at.
            #expect(try view.checkpointCount() == commits + 1)
            #expect(try view.latestCheckpoint()?.size == base + 300)
        }
        #expect(try engine.verify()["ok"] == true)
    }
}

extension AppendOutcome {
    fileprivate var errorMessage: String? {
        if case .refused(let error) = self { return error.message }
        return nil
    }
}
