import LedgerMerkle

/// A consistent snapshot of the store (one LMDB transaction). Valid only
/// inside the `read`/`write` call that handed it out; buffers passed to
/// closures only inside those closures.
///
/// Inside a write batch the view also sees the batch's own writes and those of
/// the batches staged before it (`pending`) for every point read; reads that
/// walk a range (cursors) are refused there, as they would miss those writes.
public struct ReadView: PerfectNodeSource {
    let txn: LMDBTransaction
    let dbs: StoreDatabases
    let pending: PendingWrites?

    init(txn: LMDBTransaction, dbs: StoreDatabases, pending: PendingWrites? = nil) {
        self.txn = txn
        self.dbs = dbs
        self.pending = pending
    }

    /// A point read: the batch's pending writes first, then LMDB.
    private func get(_ db: LMDBDatabase, key: [UInt8]) throws -> [UInt8]? {
        if let pending, let written = pending.lookup(db, key) { return written }
        return try txn.get(db, key: key)
    }

    /// A cursor for a range read; refused inside a write batch.
    private func rangeCursor(_ db: LMDBDatabase) throws -> LMDBCursor {
        guard pending == nil else {
            throw StoreError(.misuse, "range reads of \(db.name) are not available inside a write batch")
        }
        return try txn.cursor(db)
    }

    /// The tree as of this snapshot.
    public func frontier() throws -> CompactRange {
        guard let bytes = try get(dbs.meta, key: StoreLayout.frontierKey) else {
            throw StoreError(.integrity, "the tree frontier is missing")
        }
        return try CompactRange(serialized: bytes)
    }

    /// Events in the log as of this snapshot.
    public func size() throws -> UInt64 {
        let cursor = try rangeCursor(dbs.log)
        defer { cursor.close() }
        guard let last = try cursor.last() else { return 0 }
        return ByteKeys.readU64(last.key) ?? 0
    }

    /// The stored (canonical) bytes of event `seq`, copied; nil if absent.
    public func record(seq: UInt64) throws -> [UInt8]? {
        try get(dbs.log, key: ByteKeys.u64(seq))
    }

    /// Calls `body` with the bytes of every event from `from` through `through`
    /// in seq order, streaming with a cursor; `body` returns false to stop.
    public func forEachRecord(from: UInt64 = 1, through: UInt64 = .max,
                              _ body: (UInt64, UnsafeRawBufferPointer) throws -> Bool) throws {
        guard from <= through else { return }
        let cursor = try rangeCursor(dbs.log)
        defer { cursor.close() }
        var entry = try cursor.seek(atLeast: ByteKeys.u64(from))
        while let (key, value) = entry {
            guard let seq = ByteKeys.readU64(key), seq <= through else { return }
            if try !body(seq, value) { return }
            entry = try cursor.next()
        }
    }

    /// The leaf hash of event `seq` as stored in the tree.
    public func leafHash(seq: UInt64) throws -> TreeHash? {
        guard seq >= 1, let bytes = try get(dbs.tree, key: StoreLayout.treeKey(level: 0, index: seq - 1)) else {
            return nil
        }
        return try TreeHash(bytes)
    }

    public func perfectNode(level: Int, index: UInt64) throws -> TreeHash {
        guard let bytes = try get(dbs.tree, key: StoreLayout.treeKey(level: level, index: index)) else {
            throw StoreError(.integrity, "tree node at level \(level), index \(index) is missing")
        }
        return try TreeHash(bytes)
    }

    /// Calls `body` with each stored tree node in key order (last leaf, level).
    public func forEachTreeNode(_ body: (_ lastLeaf: UInt64, _ level: Int, _ hash: UnsafeRawBufferPointer) throws -> Void)
        throws
    {
        let cursor = try rangeCursor(dbs.tree)
        defer { cursor.close() }
        var entry = try cursor.first()
        while let (key, value) = entry {
            guard key.count == 9, let lastLeaf = ByteKeys.readU64(key) else {
                throw StoreError(.integrity, "malformed tree key of \(key.count) bytes")
            }
            try body(lastLeaf, Int(key[8]), value)
            entry = try cursor.next()
        }
    }

    /// The current version of `stream` and the seq of its latest event
    /// ((0, 0) if it has no events).
    public func streamHead(_ stream: String) throws -> (version: UInt64, seq: UInt64) {
        guard !stream.isEmpty,
              let bytes = try get(dbs.streams, key: StoreLayout.streamKey(stream)), bytes.count == 16,
              let version = ByteKeys.readU64(bytes), let seq = ByteKeys.readU64(bytes, at: 8)
        else { return (0, 0) }
        return (version, seq)
    }

    /// The current version of `stream` (0 if it has no events).
    public func streamVersion(_ stream: String) throws -> UInt64 {
        try streamHead(stream).version
    }

    /// The seq of the event before `seq` in its stream (0 if it is the first).
    public func previousInStream(_ seq: UInt64) throws -> UInt64? {
        try get(dbs.streamLinks, key: ByteKeys.u64(seq)).flatMap { ByteKeys.readU64($0) }
    }

    /// `previousInStream` for seqs asked in increasing order (a verification
    /// asks for every event's): one cursor steps along the links instead of a
    /// search from the root for each. Valid as the view is.
    public func streamLinksInOrder() throws -> StreamLinksInOrder {
        StreamLinksInOrder(cursor: try rangeCursor(dbs.streamLinks))
    }

    /// The seqs of `stream`'s events in version order, from version
    /// `fromVersion`, at most `limit`: walks the links back from the head,
    /// O(versions walked).
    public func streamSeqs(_ stream: String, fromVersion: UInt64 = 1, limit: Int = .max) throws -> [UInt64] {
        var (version, seq) = try streamHead(stream)
        var seqs: [UInt64] = []
        while version >= max(fromVersion, 1), seq > 0 {
            seqs.append(seq)
            guard let previous = try previousInStream(seq) else {
                throw StoreError(.integrity, "stream \(stream) links to event \(seq), which has no link")
            }
            seq = previous
            version -= 1
        }
        seqs.reverse()
        return seqs.count > limit ? Array(seqs.prefix(limit)) : seqs
    }

    /// Calls `body` with every stream head (name, version, latest seq).
    public func forEachStreamHead(_ body: (String, UInt64, UInt64) throws -> Void) throws {
        let cursor = try rangeCursor(dbs.streams)
        defer { cursor.close() }
        var entry = try cursor.first()
        while let (key, value) = entry {
            guard value.count == 16, let version = ByteKeys.readU64(value), let seq = ByteKeys.readU64(value, at: 8) else {
                throw StoreError(.integrity, "malformed stream head of \(value.count) bytes")
            }
            try body(String(decoding: key, as: UTF8.self), version, seq)
            entry = try cursor.next()
        }
    }

    /// The seq and submission digest stored under an idempotency key.
    public func idempotencyEntry(_ key: String) throws -> (seq: UInt64, digest: [UInt8])? {
        guard let bytes = try get(dbs.idempotency, key: Array(key.utf8)), bytes.count >= 8,
              let seq = ByteKeys.readU64(bytes)
        else { return nil }
        return (seq, Array(bytes[8...]))
    }

    /// The signed checkpoint stored for tree size `size`, if any.
    public func checkpoint(size: UInt64) throws -> String? {
        try get(dbs.checkpoints, key: ByteKeys.u64(size)).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The newest signed checkpoint and its size.
    public func latestCheckpoint() throws -> (size: UInt64, note: String)? {
        let cursor = try rangeCursor(dbs.checkpoints)
        defer { cursor.close() }
        guard let (key, value) = try cursor.last(), let size = ByteKeys.readU64(key) else { return nil }
        return (size, String(decoding: value, as: UTF8.self))
    }

    /// Calls `body` with every stored checkpoint in size order.
    public func forEachCheckpoint(from: UInt64 = 0, _ body: (UInt64, String) throws -> Bool) throws {
        let cursor = try rangeCursor(dbs.checkpoints)
        defer { cursor.close() }
        var entry = try cursor.seek(atLeast: ByteKeys.u64(from))
        while let (key, value) = entry, let size = ByteKeys.readU64(key) {
            if try !body(size, String(decoding: value, as: UTF8.self)) { return }
            entry = try cursor.next()
        }
    }

    public func checkpointCount() throws -> Int {
        guard pending == nil else { throw StoreError(.misuse, "checkpointCount is not available inside a write batch") }
        return try txn.count(dbs.checkpoints)
    }

    // MARK: The engine's indexes

    private func index(_ name: String) throws -> LMDBDatabase {
        guard let db = dbs.indexes[name] else {
            throw StoreError(.misuse, "no index named '\(name)'; declare it in StoreOptions.indexNames")
        }
        return db
    }

    public func getIndex(_ name: String, key: [UInt8]) throws -> [UInt8]? {
        try get(try index(name), key: key)
    }

    /// Calls `body` with each index row whose key starts with `prefix`, from
    /// `start` (≥ prefix) in key order; `body` returns false to stop.
    public func scanIndex(_ name: String, prefix: [UInt8], start: [UInt8]? = nil,
                          _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Bool) throws {
        let cursor = try rangeCursor(try index(name))
        defer { cursor.close() }
        let from = start ?? prefix
        var entry = from.isEmpty ? try cursor.first() : try cursor.seek(atLeast: from)
        while let (key, value) = entry, key.starts(with: prefix) {
            if try !body(key, value) { return }
            entry = try cursor.next()
        }
    }
}

/// See `ReadView.streamLinksInOrder()`.
public final class StreamLinksInOrder {
    private let cursor: LMDBCursor
    private var entry: LMDBCursor.Entry?
    private var started = false
    /// The last seq asked for: each must be larger.
    private var asked: UInt64 = 0

    init(cursor: LMDBCursor) { self.cursor = cursor }

    deinit { cursor.close() }

    /// As `ReadView.previousInStream(seq)`; `seq` must be larger than the last one asked for.
    public func previous(of seq: UInt64) throws -> UInt64? {
        precondition(seq > asked, "stream links asked out of order: \(seq) after \(asked)")
        asked = seq
        if !started {
            entry = try cursor.first()
            started = true
        }
        // A key that is not 8 bytes is no seq's link: stepped over, as a
        // search for an 8-byte key never finds it.
        while let (key, _) = entry, key.count != 8 || ByteKeys.readU64(key)! < seq {
            entry = try cursor.next()
        }
        guard let (key, value) = entry, key.count == 8, ByteKeys.readU64(key) == seq else { return nil }
        return ByteKeys.readU64(value)
    }
}
