import CLMDB
import Foundation
import LedgerMerkle
import LedgerStore

/// Batched append through the storage layer vs raw LMDB puts of the same
/// bytes and keys (durable, MDB_APPEND, same batch size), then a full scan.
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
                            streamVersion: try writer.view.streamVersion("org/C\(seq % 997)") + 1,
                            idempotencyKey: nil, submissionDigest: []))
                        seq += 1
                    }
                }
            }
        }
        print("  EventStore append (log+streams+tree+checkpoint): \(rate(events, appended))"
              + String(format: "  = %.0f%% of raw", 100 * raw / appended))

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
        store.close()
        try? FileManager.default.removeItem(atPath: rawDir)
        try? FileManager.default.removeItem(atPath: storeDir)
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
