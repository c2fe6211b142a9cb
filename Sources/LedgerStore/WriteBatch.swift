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

/// The writer's handle inside `EventStore.write`: appends records, maintains
/// the tree, writes the engine's indexes, and nests savepoints.
/// Valid only inside the `write` call that created it.
public final class WriteBatch {
    private var stack: [LMDBTransaction]
    let dbs: StoreDatabases
    let recordBytesMax: Int
    /// The tree including everything appended so far in this batch.
    public private(set) var frontier: CompactRange
    private var closed = false

    init(txn: LMDBTransaction, dbs: StoreDatabases, frontier: CompactRange, recordBytesMax: Int) {
        self.stack = [txn]
        self.dbs = dbs
        self.frontier = frontier
        self.recordBytesMax = recordBytesMax
    }

    func close() { closed = true }

    var txn: LMDBTransaction {
        precondition(!closed, "WriteBatch used after its write() returned")
        return stack[stack.count - 1]
    }

    /// Reads inside this write transaction (sees this batch's own writes).
    public var view: ReadView { ReadView(txn: txn, dbs: dbs) }

    /// The seq the next appended record gets.
    public var nextSeq: UInt64 { frontier.size + 1 }

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
        let head = try view.streamHead(record.stream)
        guard record.streamVersion == head.version + 1 else {
            throw StoreError(
                .misuse, "stream \(record.stream) is at version \(head.version); got version \(record.streamVersion)")
        }
        guard !record.stream.isEmpty, record.stream.utf8.count <= 256 else {
            throw StoreError(.misuse, "stream name of \(record.stream.utf8.count) bytes; want 1...256")
        }
        let seqKey = ByteKeys.u64(record.seq)
        try txn.put(dbs.log, key: seqKey, value: record.bytes, flags: UInt32(MDB_APPEND))
        try txn.put(dbs.streamLinks, key: seqKey, value: ByteKeys.u64(head.seq), flags: UInt32(MDB_APPEND))
        var headValue = ByteKeys.u64(record.streamVersion)
        ByteKeys.append(record.seq, to: &headValue)
        try txn.put(dbs.streams, key: StoreLayout.streamKey(record.stream), value: headValue)
        if let key = record.idempotencyKey {
            if try view.idempotencyEntry(key) != nil {
                throw StoreError(.misuse, "idempotency key '\(key)' is already stored")
            }
            try txn.put(dbs.idempotency, key: Array(key.utf8), value: seqKey + record.submissionDigest,
                        flags: UInt32(MDB_NOOVERWRITE))
        }
        let leaf = RFC9162.leafHash(record.bytes)
        for node in Self.push(leaf, onto: &frontier) {
            try txn.put(dbs.tree, key: StoreLayout.treeKey(level: node.level, index: node.index),
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

    /// Runs `body` in a nested transaction: if it throws, everything it wrote
    /// (records, tree nodes, index rows) is undone and the error rethrown;
    /// the rest of the batch is kept. Used so one caller's refused event does
    /// not fail the other callers gathered into the same commit.
    public func savepoint<T>(_ body: () throws -> T) throws -> T {
        let child = try LMDBTransaction(env: txn.env, readOnly: false, parent: txn)
        let saved = frontier
        stack.append(child)
        let result = Result { try body() }
        stack.removeLast()
        switch result {
        case .success(let value):
            try child.commit()
            return value
        case .failure(let error):
            child.abort()
            frontier = saved
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
        try txn.put(try index(name), key: key, value: value)
    }

    @discardableResult
    public func deleteIndex(_ name: String, key: [UInt8]) throws -> Bool {
        try txn.delete(try index(name), key: key)
    }
}
