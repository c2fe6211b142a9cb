import Foundation
import LedgerMerkle
import Testing
@testable import LedgerStore

/// Staging batches ahead of their commit (the engine's pipeline): what a batch
/// sees of the ones staged before it, what reaches LMDB and when, and what a
/// failed or discarded batch leaves.
@Suite struct StagedCommitTests {
    /// Stages `count` records on `stream` with idempotency keys "k<seq>".
    private func stageRecords(_ store: EventStore, count: Int, stream: String = "s") throws -> StagedBatch {
        try store.stage { batch throws in
            for _ in 0..<count {
                let seq = batch.nextSeq
                try batch.append(NewRecord(
                    seq: seq, bytes: recordBytes(seq), stream: stream,
                    streamVersion: try batch.view.streamVersion(stream) + 1,
                    idempotencyKey: "k\(seq)", submissionDigest: [UInt8(seq)]))
            }
        }.batch
    }

    private func leaves(_ n: UInt64) -> [TreeHash] { (1...n).map { RFC9162.leafHash(recordBytes($0)) } }

    @Test func aStagedBatchSeesTheOnesBeforeItAndNothingIsDurableUntilCommitted() throws {
        let dir = TempDir()
        let store = try openStore(dir)
        let first = try stageRecords(store, count: 3)
        let second = try store.stage { batch throws in
            // The first batch's stream head, idempotency key and record, not yet in LMDB.
            #expect(try batch.view.streamHead("s") == (3, 3))
            #expect(try batch.view.idempotencyEntry("k2")?.seq == 2)
            #expect(try batch.view.record(seq: 3) == recordBytes(3))
            #expect(batch.nextSeq == 4)
            for _ in 0..<2 {
                let seq = batch.nextSeq
                try batch.append(NewRecord(
                    seq: seq, bytes: recordBytes(seq), stream: "s", streamVersion: try batch.view.streamVersion("s") + 1,
                    idempotencyKey: "k\(seq)", submissionDigest: [UInt8(seq)]))
            }
        }.batch
        #expect(store.size == 0)
        try store.read { view throws in
            #expect(try view.size() == 0)
            #expect(try view.streamVersion("s") == 0)
        }
        try store.commit([first, second])
        #expect(store.size == 5)
        try store.read { view throws in
            #expect(try view.size() == 5)
            #expect(try view.streamSeqs("s") == [1, 2, 3, 4, 5])
            #expect(try view.frontier().root() == naiveRoot(leaves(5)[...]))
            // One commit, one checkpoint: the first batch's size-3 note is dropped.
            var sizes: [UInt64] = []
            let verifier = try NoteVerifier(verifierKey: store.verifierKey)
            try view.forEachCheckpoint { size, text in
                sizes.append(size)
                let note = try SignedNote.parse(text)
                try verifier.verify(note)
                let checkpoint = try Checkpoint.parse(body: note.text)
                #expect(checkpoint.size == size)
                if size > 0 { #expect(checkpoint.rootHash == naiveRoot(leaves(size)[...])) }
                return true
            }
            #expect(sizes == [0, 5])
        }
    }

    @Test func batchesCommitOnlyInTheOrderStaged() throws {
        let dir = TempDir()
        let store = try openStore(dir)
        let first = try stageRecords(store, count: 3)
        let second = try stageRecords(store, count: 2)
        #expect(throws: StoreError.self) { try store.commit(second) }
        #expect(store.size == 0)
        try store.commit(first)
        try store.commit(second)
        try store.read { view throws in
            #expect(try view.size() == 5)
            #expect(try view.checkpoint(size: 3) != nil)
            #expect(try view.checkpoint(size: 5) != nil)
        }
    }

    @Test func discardedBatchesCannotCommitAndTheNextStartsFromTheCommittedTree() throws {
        let dir = TempDir()
        let store = try openStore(dir)
        try store.commit(try stageRecords(store, count: 2))
        let dropped = try stageRecords(store, count: 3)
        store.discardStaged()
        do {
            try store.commit(dropped)
            Issue.record("a discarded batch committed")
        } catch let error as StoreError {
            #expect(error.code == .staleBatch)
        }
        let next = try stageRecords(store, count: 1)
        #expect(next.frontier.size == 3)
        try store.commit(next)
        try store.read { view throws in
            #expect(try view.size() == 3)
            #expect(try view.idempotencyEntry("k4") == nil)
            #expect(try view.frontier().root() == naiveRoot(leaves(3)[...]))
        }
    }

    @Test func aBatchStagedWhileTheOnesBeforeItAreDiscardedIsRefused() throws {
        let dir = TempDir()
        let store = try openStore(dir)
        _ = try stageRecords(store, count: 2)
        do {
            _ = try store.stage { batch throws in
                store.discardStaged()  // as the committer does after a failed commit
                try batch.append(NewRecord(
                    seq: batch.nextSeq, bytes: recordBytes(batch.nextSeq), stream: "s", streamVersion: 3,
                    idempotencyKey: nil, submissionDigest: []))
            }
            Issue.record("a batch staged on discarded ones was accepted")
        } catch let error as StoreError {
            #expect(error.code == .staleBatch)
        }
        #expect(try stageRecords(store, count: 1).frontier.size == 1)
    }

    @Test func aStagedBatchDoesNotKeepTheOnesBeforeItAlive() throws {
        let dir = TempDir()
        let store = try openStore(dir)
        var first: StagedBatch? = try stageRecords(store, count: 2)
        weak let firstWrites = first?.writes
        let second = try stageRecords(store, count: 2)
        let third = try stageRecords(store, count: 2)
        try store.commit(first!)
        first = nil
        // Under steady load there is always a batch staged on top of another:
        // if each held the ones before it, nothing would ever be freed.
        #expect(firstWrites == nil)
        try store.commit([second, third])
        #expect(store.size == 6)
    }

    @Test func rangeReadsAreRefusedInsideABatch() throws {
        let dir = TempDir()
        let store = try openStore(dir)
        try appendRecords(store, count: 3)
        _ = try store.stage { batch throws in
            #expect(throws: StoreError.self) { try batch.view.size() }
            #expect(throws: StoreError.self) { try batch.view.forEachRecord { _, _ in true } }
            #expect(throws: StoreError.self) { try batch.view.latestCheckpoint() }
        }
    }

    @Test func aCommitThatFailsBeforeLMDBCommitsWritesNothing() throws {
        let dir = TempDir()
        let store = try openStore(dir)
        try appendRecords(store, count: 2)
        store.injectFault(.failBeforeCommit(StoreError(.lmdb, "injected: no space left on device")))
        #expect(throws: StoreError.self) { try appendRecords(store, count: 3) }
        #expect(store.size == 2)
        try appendRecords(store, count: 1)
        store.close()
        let reopened = try openStore(dir)
        #expect(reopened.size == 3)
        try reopened.read { view throws in
            #expect(try view.frontier().root() == naiveRoot(leaves(3)[...]))
            #expect(try view.record(seq: 3) == recordBytes(3))
        }
    }

    @Test func aCommitReportedFailedIsUncertain() throws {
        let dir = TempDir()
        let store = try openStore(dir)
        store.injectFault(.reportCommitFailed)
        do {
            try appendRecords(store, count: 2)
            Issue.record("the injected failure was not reported")
        } catch let error as StoreError {
            #expect(error.code == .commitUncertain)
        }
        store.close()
        // The commit did reach the disk: a reopen finds it.
        #expect(try openStore(dir).size == 2)
    }
}
