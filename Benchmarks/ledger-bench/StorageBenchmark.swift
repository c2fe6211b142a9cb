import CLMDB
import Foundation
import LedgerMerkle
import LedgerStore

/// Batched append through the storage layer vs raw LMDB puts of the same
/// bytes and keys (durable, MDB_APPEND, same batch size), then a full scan.
/// The store appends twice: batch after batch (`write`: stage, then commit),
/// and pipelined as the engine does (the next batch staged while the one
/// before it commits on another thread).
struct StorageBenchmark {
    let events: Int
    let batch: Int

    func run() throws {
        let records = (1...UInt64(events)).map(syntheticRecord)
        let bytes = records.reduce(0) { $0 + $1.count }
        print("storage benchmark: \(events) events, \(bytes / events) bytes each on average, batches of \(batch)")

        let rawDir = benchDirectory("raw")
        let raw = try seconds { try rawLMDB(records, directory: rawDir) }
        print("  raw LMDB puts (durable, MDB_APPEND):     \(rate(events, raw))")

        let storeDir = benchDirectory("store")
        var options = StoreOptions(origin: "bench.local/ledger")
        options.mapSizeInitialBytes = 64 << 20
        let store = try EventStore(dataDirectory: storeDir, options: options)
        let appended = try seconds {
            var seq: UInt64 = 1
            for chunk in stride(from: 0, to: events, by: batch) {
                try store.write { writer in
                    for record in records[chunk..<min(chunk + batch, events)] {
                        try writer.append(NewRecord(
                            seq: seq, bytes: record, stream: "org/C\(seq % 997)",
                            streamVersion: try writer.streamHead("org/C\(seq % 997)").version + 1,
                            idempotencyKey: nil, submissionDigest: []))
                        seq += 1
                    }
                }
            }
        }
        print("  EventStore append (log+streams+tree+checkpoint): \(rate(events, appended))"
              + String(format: "  = %.0f%% of raw", 100 * raw / appended))
        store.close()
        try? FileManager.default.removeItem(atPath: storeDir)

        let pipelinedDir = benchDirectory("store-pipelined")
        let pipelinedStore = try EventStore(dataDirectory: pipelinedDir, options: options)
        let pipelined = try seconds { try appendPipelined(records, to: pipelinedStore) }
        print("  EventStore append, pipelined (staged while the last batch commits): \(rate(events, pipelined))"
              + String(format: "  = %.0f%% of raw", 100 * raw / pipelined))
        try measureReads(pipelinedStore, events: events)
        pipelinedStore.close()
        try? FileManager.default.removeItem(atPath: rawDir)
        try? FileManager.default.removeItem(atPath: pipelinedDir)
    }

    /// Stages each batch on this thread while a second thread commits the
    /// one before it (at most two batches staged and not yet committed).
    private func appendPipelined(_ records: [[UInt8]], to store: EventStore) throws {
        let committer = DispatchQueue(label: "bench.committer")
        let room = DispatchSemaphore(value: 2)
        let failure = Failure()
        var seq: UInt64 = 1
        for chunk in stride(from: 0, to: records.count, by: batch) {
            room.wait()
            if let error = failure.error { throw error }
            let staged = try store.stage { writer in
                for record in records[chunk..<min(chunk + batch, records.count)] {
                    try writer.append(NewRecord(
                        seq: seq, bytes: record, stream: "org/C\(seq % 997)",
                        streamVersion: try writer.streamHead("org/C\(seq % 997)").version + 1,
                        idempotencyKey: nil, submissionDigest: []))
                    seq += 1
                }
            }.batch
            committer.async {
                do { try store.commit(staged) } catch { failure.error = error }
                room.signal()
            }
        }
        committer.sync {}
        if let error = failure.error { throw error }
    }

    private final class Failure: @unchecked Sendable {
        // @unchecked: written on the committer queue, read after it is drained
        // or after a semaphore wait that follows the write.
        var error: (any Error)?
    }

    private func measureReads(_ store: EventStore, events: Int) throws {
        var scanned = 0
        let scan = try seconds {
            try store.read { view in
                try view.forEachRecord { _, bytes in
                    scanned += bytes.count
                    return true
                }
            }
        }
        print("  full log scan: \(rate(events, scan)) (\(scanned >> 20) MiB)")
        let verifier = try NoteVerifier(verifierKey: store.verifierKey)
        var checked: UInt64 = 0
        let verify = try seconds {
            checked = try store.read { try $0.verifyLog(verifier: verifier) }.eventsChecked
        }
        print("  store verifyLog (leaf hashes, tree, checkpoints): \(rate(Int(checked), verify))")
        print("  data: \(store.env.usedBytes() >> 20) MiB used, RSS \(Int(residentMiB())) MiB")
    }

    private func rawLMDB(_ records: [[UInt8]], directory: String) throws {
        let env = try LMDBEnvironment(path: directory, mapSizeBytes: 4 << 30, databasesMax: 2)
        defer { env.close() }
        let setup = try LMDBTransaction(env: env, readOnly: false)
        let db = try setup.openDatabase("log", create: true)
        try setup.commit()
        var seq: UInt64 = 1
        for chunk in stride(from: 0, to: records.count, by: batch) {
            let txn = try LMDBTransaction(env: env, readOnly: false)
            for record in records[chunk..<min(chunk + batch, records.count)] {
                try txn.put(db, key: ByteKeys.u64(seq), value: record, flags: UInt32(MDB_APPEND))
                seq += 1
            }
            try txn.commit()
        }
    }
}
