import CLMDB
import Foundation
import LedgerMerkle
import Testing
@testable import LedgerStore

@Suite struct EventStoreTests {
    @Test func appendsAreReadBackInOrderWithStreamsAndIdempotency() throws {
        let dir = TempDir()
        let store = try openStore(dir)
        let leaves = try appendRecords(store, count: 250, perBatch: 60)
        #expect(store.size == 250)
        try store.read { view throws in
            #expect(try view.size() == 250)
            #expect(try view.record(seq: 1) == recordBytes(1))
            #expect(try view.record(seq: 250) == recordBytes(250))
            #expect(try view.record(seq: 251) == nil)
            var seen: [UInt64] = []
            try view.forEachRecord(from: 10, through: 20) { seq, bytes in
                #expect(Array(bytes) == recordBytes(seq))
                seen.append(seq)
                return true
            }
            #expect(seen == Array(10...20))
            #expect(try view.streamVersion("s1") == 63)  // seqs 1, 5, ..., 249
            #expect(try view.streamVersion("s") == 0)
            #expect(try view.streamVersion("s10") == 0)
            #expect(try view.streamSeqs("s2", fromVersion: 1, limit: 3) == [2, 6, 10])
            let entry = try view.idempotencyEntry("k42")
            #expect(entry?.seq == 42)
            #expect(entry?.digest == [UInt8](repeating: 42, count: 32))
            #expect(try view.idempotencyEntry("nope") == nil)
            #expect(try view.leafHash(seq: 7) == leaves[6])
            #expect(try view.frontier().root() == naiveRoot(leaves[...]))
        }
    }

    @Test func everyCommitStoresASignedCheckpointOfItsSize() throws {
        let dir = TempDir()
        let store = try openStore(dir)
        let leaves = try appendRecords(store, count: 25, perBatch: 10)  // commits at 10, 20, 25
        let verifier = try NoteVerifier(verifierKey: store.verifierKey)
        try store.read { view throws in
            var sizes: [UInt64] = []
            try view.forEachCheckpoint { size, text in
                let note = try SignedNote.parse(text)
                try verifier.verify(note)
                let checkpoint = try Checkpoint.parse(body: note.text)
                #expect(checkpoint.origin == "test.local/ledger")
                #expect(checkpoint.size == size)
                #expect(checkpoint.rootHash == naiveRoot(leaves[0..<Int(size)]))
                sizes.append(size)
                return true
            }
            #expect(sizes == [0, 10, 20, 25])
            #expect(try view.latestCheckpoint()?.size == 25)
        }
    }

    @Test func proofsFromStoredNodesVerify() throws {
        let dir = TempDir()
        let store = try openStore(dir)
        let leaves = try appendRecords(store, count: 37, perBatch: 5)
        try store.read { view throws in
            for size in [UInt64(1), 2, 5, 16, 17, 37] {
                let root = naiveRoot(leaves[0..<Int(size)])
                #expect(try MerkleProofs.root(size: size, nodes: view) == root)
                for index in 0..<size {
                    let proof = try MerkleProofs.inclusionProof(index: index, size: size, nodes: view)
                    try MerkleVerifier.verifyInclusion(
                        leafHash: leaves[Int(index)], index: index, size: size, proof: proof, root: root)
                }
                for old in 1...size {
                    let proof = try MerkleProofs.consistencyProof(from: old, to: size, nodes: view)
                    try MerkleVerifier.verifyConsistency(
                        oldSize: old, newSize: size, oldRoot: naiveRoot(leaves[0..<Int(old)]), newRoot: root,
                        proof: proof)
                }
            }
        }
    }

    @Test func reopeningKeepsEverythingAndTheKey() throws {
        let dir = TempDir()
        var store = try openStore(dir)
        let leaves = try appendRecords(store, count: 40)
        let key = store.verifierKey
        store.close()
        store = try openStore(dir)
        #expect(store.size == 40)
        #expect(store.verifierKey == key)
        try appendRecords(store, count: 1)
        try store.read { view throws in
            #expect(try view.frontier().root() != naiveRoot(leaves[...]))
            #expect(try view.size() == 41)
        }
    }

    @Test func savepointRollbackUndoesRecordsTreeAndStreams() throws {
        let dir = TempDir()
        let store = try openStore(dir)
        try appendRecords(store, count: 3)
        struct Refusal: Error {}
        try store.write { batch throws in
            #expect(throws: Refusal.self) {
                try batch.savepoint {
                    try batch.append(NewRecord(seq: 4, bytes: recordBytes(4), stream: "s0", streamVersion: 1,
                                               idempotencyKey: "x", submissionDigest: []))
                    throw Refusal()
                }
            }
            #expect(batch.nextSeq == 4)
            try batch.append(NewRecord(seq: 4, bytes: recordBytes(99), stream: "s0", streamVersion: 1,
                                       idempotencyKey: nil, submissionDigest: []))
        }
        try store.read { view throws in
            #expect(try view.size() == 4)
            #expect(try view.record(seq: 4) == recordBytes(99))
            #expect(try view.idempotencyEntry("x") == nil)
            #expect(try view.streamVersion("s0") == 1)
            let result = try view.verifyLog(verifier: try NoteVerifier(verifierKey: store.verifierKey))
            #expect(result.ok, "\(String(describing: result.failure))")
        }
    }

    @Test func misuseIsRefusedWithoutWriting() throws {
        let dir = TempDir()
        let store = try openStore(dir)
        try appendRecords(store, count: 2)
        let cases: [NewRecord] = [
            NewRecord(seq: 5, bytes: recordBytes(5), stream: "a", streamVersion: 1, idempotencyKey: nil, submissionDigest: []),
            NewRecord(seq: 3, bytes: recordBytes(3), stream: "s1", streamVersion: 1, idempotencyKey: nil, submissionDigest: []),
            NewRecord(seq: 3, bytes: recordBytes(3), stream: "a", streamVersion: 1, idempotencyKey: "k1", submissionDigest: []),
            NewRecord(seq: 3, bytes: [], stream: "a", streamVersion: 1, idempotencyKey: nil, submissionDigest: []),
        ]
        for record in cases {
            #expect(throws: StoreError.self) {
                try store.write { batch throws in try batch.append(record) }
            }
        }
        #expect(store.size == 2)
        try store.read { view throws in #expect(try view.latestCheckpoint()?.size == 2) }
    }

    @Test func theMapGrowsPastATinyInitialSize() throws {
        let dir = TempDir()
        let store = try openStore(dir, mapBytes: 256 << 10)
        let before = store.env.mapSizeBytes
        let leaves = try appendRecords(store, count: 6_000, perBatch: 1_000, padding: 300)
        #expect(store.env.mapSizeBytes > before)
        try store.read { view throws in
            #expect(try view.size() == 6_000)
            #expect(try view.frontier().root() == naiveRoot(leaves[...]))
        }
    }

    @Test func aDifferentFormatVersionIsRefusedOnOpen() throws {
        let dir = TempDir()
        let store = try openStore(dir)
        try store.write { batch in
            batch.pending.put(batch.dbs.meta, key: StoreLayout.formatKey, value: [0, 0, 0, 9], flags: 0)
        }
        store.close()
        do {
            _ = try openStore(dir)
            Issue.record("opened a store of format 9")
        } catch let error as StoreError {
            #expect(error.code == .formatMismatch)
            #expect(error.message.contains("format 9"))
        }
    }

    @Test func aSigningKeyReadableByOthersIsRefused() throws {
        let dir = TempDir()
        try openStore(dir).close()
        chmod(dir.path + "/checkpoint.key", 0o644)
        do {
            _ = try openStore(dir)
            Issue.record("opened with a world-readable key")
        } catch let error as StoreError {
            #expect(error.code == .signingKey)
            #expect(error.message.contains("chmod 600"))
        }
    }

    /// A crash while the first key was written leaves its temporary file,
    /// never an empty key: the next start makes the key (mode 0600) as if
    /// nothing happened, and leaves no temporary file behind.
    @Test func aKeyLeftHalfWrittenByACrashDoesNotStopTheNextStart() throws {
        let dir = TempDir()
        let temporary = dir.path + "/checkpoint.key.new"
        #expect(FileManager.default.createFile(atPath: temporary, contents: Data("truncat".utf8)))
        let store = try openStore(dir)
        let key = store.verifierKey
        store.close()
        #expect(!FileManager.default.fileExists(atPath: temporary))
        var info = stat()
        #expect(stat(dir.path + "/checkpoint.key", &info) == 0 && info.st_mode & 0o777 == 0o600)
        let again = try openStore(dir)
        #expect(again.verifierKey == key, "the same key on the next open")
        again.close()
    }

    @Test func aChangedByteInTheDataFileIsNamedByVerification() throws {
        let dir = TempDir()
        var store = try openStore(dir)
        try appendRecords(store, count: 100, perBatch: 30)
        let key = store.verifierKey
        store.close()
        // Change one byte of record 57 wherever its bytes are in the file
        // (copy-on-write leaves stale copies in free pages too).
        let file = dir.path + "/lmdb/data.mdb"
        var data = try Data(contentsOf: URL(fileURLWithPath: file))
        let needle = Data(recordBytes(57))
        var changed = 0
        var searchFrom = data.startIndex
        while let range = data.range(of: needle, in: searchFrom..<data.endIndex) {
            data[range.lowerBound + 6] = UInt8(ascii: "8")  // {"n":57 → {"n":58
            searchFrom = range.upperBound
            changed += 1
        }
        #expect(changed >= 1)
        try data.write(to: URL(fileURLWithPath: file))
        store = try openStore(dir)
        let result = try store.read { view throws in try view.verifyLog(verifier: try NoteVerifier(verifierKey: key)) }
        #expect(result.failure?.seq == 57)
        #expect(result.eventsChecked == 56)
    }
}

