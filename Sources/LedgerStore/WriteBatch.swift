import CLMDB
import LedgerMerkle

/// One event ready to be stored: its canonical bytes and where it belongs.
public struct NewRecord: Sendable {
    /// Must be the batch's `nextSeq`: the record's bytes already contain it.
    public var seq: UInt64
    /// RFC 8785 bytes of the record without `leafHash`.
    public var bytes: [UInt8]
    public var stream: String
    /// Must be the stream's current version + 1.
    public var streamVersion: UInt64
    public var idempotencyKey: String?
    /// SHA-256 of the submission, stored with the idempotency key so that the
    /// same key with another event can be told apart.
    public var submissionDigest: [UInt8]

    public init(seq: UInt64, bytes: [UInt8], stream: String, streamVersion: UInt64,
                idempotencyKey: String?, submissionDigest: [UInt8]) {
        self.seq = seq
        self.bytes = bytes
        self.stream = stream
        self.streamVersion = streamVersion
        self.idempotencyKey = idempotencyKey
        self.submissionDigest = submissionDigest
    }
}

/// The writer's handle inside `EventStore.stage` (or `write`): appends
/// records, maintains the tree, writes the engine's indexes, and nests
/// savepoints. Writes are held in memory (`PendingWrites`) until the staged
/// batch is committed; reads through `view` see them, then a read snapshot
/// of LMDB. Valid only inside the call that created it.
public final class WriteBatch {
    private let txn: LMDBTransaction
    let dbs: StoreDatabases
    let pending: PendingWrites
    let recordBytesMax: Int
    /// The tree including everything appended so far in this batch.
    public private(set) var frontier: CompactRange
    private var closed = false

    init(snapshot txn: LMDBTransaction, dbs: StoreDatabases, pending: PendingWrites, frontier: CompactRange,
         recordBytesMax: Int) {
        self.txn = txn
        self.dbs = dbs
        self.pending = pending
        self.frontier = frontier
        self.recordBytesMax = recordBytesMax
    }

    func close() { closed = true }

    /// Reads inside this batch (sees this batch's own writes, and the batches
    /// staged before it).
    public var view: ReadView {
        precondition(!closed, "WriteBatch used after its stage() or write() returned")
        return ReadView(txn: txn, dbs: dbs, pending: pending)
    }

    private func put(_ db: LMDBDatabase, key: [UInt8], value: [UInt8], flags: UInt32 = 0) {
        precondition(!closed, "WriteBatch used after its stage() or write() returned")
        pending.put(db, key: key, value: value, flags: flags)
    }

    /// The seq the next appended record gets.
    public var nextSeq: UInt64 { frontier.size + 1 }

    /// The last stream head read or written: an append reads its stream's
    /// head twice (to number the event, then to link it).
    private var headMemo: (stream: String, version: UInt64, seq: UInt64)?

    /// The current version of `stream` and the seq of its latest event, as
    /// this batch sees it ((0, 0) if it has no events).
    public func streamHead(_ stream: String) throws -> (version: UInt64, seq: UInt64) {
        if let memo = headMemo, memo.stream == stream { return (memo.version, memo.seq) }
        let head = try view.streamHead(stream)
        headMemo = (stream, head.version, head.seq)
        return head
    }

    /// Appends one record: log, stream index, idempotency key and tree nodes.
    /// - Returns: the record's leaf hash.
    /// - Throws: `StoreError(.misuse)` if `seq` or `streamVersion` is not the
    ///   next one or the idempotency key exists (the engine checks these first);
    ///   LMDB errors (map full: see `EventStore.write`).
    @discardableResult
    public func append(_ record: NewRecord) throws -> TreeHash {
        guard record.seq == nextSeq else {
            throw StoreError(.misuse, "record seq \(record.seq) appended but the next seq is \(nextSeq)")
        }
        guard !record.bytes.isEmpty, record.bytes.count <= recordBytesMax else {
            throw StoreError(.misuse, "record of \(record.bytes.count) bytes; want 1...\(recordBytesMax)")
        }
        let head = try streamHead(record.stream)
        guard record.streamVersion == head.version + 1 else {
            throw StoreError(
                .misuse, "stream \(record.stream) is at version \(head.version); got version \(record.streamVersion)")
        }
        // LMDB refuses keys over 511 bytes at commit, which would fail the
        // whole commit: refused here, before anything of the record is staged.
        if let key = record.idempotencyKey, key.isEmpty || key.utf8.count > StoreLayout.idempotencyKeyBytesMax {
            throw StoreError(.misuse, "idempotency key of \(key.utf8.count) bytes; want 1...\(StoreLayout.idempotencyKeyBytesMax)")
        }
        guard !record.stream.isEmpty, record.stream.utf8.count <= 256 else {
            throw StoreError(.misuse, "stream name of \(record.stream.utf8.count) bytes; want 1...256")
        }
        if let key = record.idempotencyKey, try view.idempotencyEntry(key) != nil {
            throw StoreError(.misuse, "idempotency key '\(key)' is already stored")
        }
        let seqKey = ByteKeys.u64(record.seq)
        put(dbs.log, key: seqKey, value: record.bytes, flags: UInt32(MDB_APPEND))
        put(dbs.streamLinks, key: seqKey, value: ByteKeys.u64(head.seq), flags: UInt32(MDB_APPEND))
        var headValue = ByteKeys.u64(record.streamVersion)
        ByteKeys.append(record.seq, to: &headValue)
        put(dbs.streams, key: StoreLayout.streamKey(record.stream), value: headValue)
        headMemo = (record.stream, record.streamVersion, record.seq)
        if let key = record.idempotencyKey {
            put(dbs.idempotency, key: Array(key.utf8), value: seqKey + record.submissionDigest,
                flags: UInt32(MDB_NOOVERWRITE))
        }
        let leaf = RFC9162.leafHash(record.bytes)
        for node in Self.push(leaf, onto: &frontier) {
            put(dbs.tree, key: StoreLayout.treeKey(level: node.level, index: node.index),
                value: node.hash.bytes, flags: UInt32(MDB_APPEND))
        }
        return leaf
    }

    /// Appends `leaf` to `range` and returns the perfect-subtree nodes it completed.
    static func push(_ leaf: TreeHash, onto range: inout CompactRange) -> [CompletedNode] {
        var completed: [CompletedNode] = []
        range.append(leaf) { level, index, hash in
            completed.append(CompletedNode(level: level, index: index, hash: hash))
        }
        return completed
    }

    struct CompletedNode {
        let level: Int
        let index: UInt64
        let hash: TreeHash
    }

    /// Runs `body` as a savepoint: if it throws, everything it wrote
    /// (records, tree nodes, index rows) is undone and the error rethrown;
    /// the rest of the batch is kept. Used so one caller's refused event does
    /// not fail the other callers gathered into the same commit.
    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        precondition(!closed, "WriteBatch used after its stage() or write() returned")
        let mark = pending.beginSavepoint()
        let saved = frontier
        do {
            let value = try body()
            pending.endSavepoint(mark, keep: true)
            return value
        } catch {
            pending.endSavepoint(mark, keep: false)
            frontier = saved
            headMemo = nil
            throw error
        }
    }

    // MARK: The engine's indexes

    private func index(_ name: String) throws -> LMDBDatabase {
        guard let db = dbs.indexes[name] else {
            throw StoreError(.misuse, "no index named '\(name)'; declare it in StoreOptions.indexNames")
        }
        return db
    }

    public func putIndex(_ name: String, key: [UInt8], value: [UInt8]) throws {
        put(try index(name), key: key, value: value)
    }

    /// Deletes an index row; returns whether it existed.
    @discardableResult
    public func deleteIndex(_ name: String, key: [UInt8]) throws -> Bool {
        let db = try index(name)
        guard try view.getIndex(name, key: key) != nil else { return false }
        precondition(!closed, "WriteBatch used after its stage() or write() returned")
        pending.delete(db, key: key)
        return true
    }
}
