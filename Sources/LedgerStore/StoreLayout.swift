import LedgerMerkle

/// The on-disk layout: one LMDB environment, named databases, key encodings.
///
/// ```
/// <data-dir>/lmdb/data.mdb, lock.mdb   the environment
/// <data-dir>/checkpoint.key            Ed25519 note signing key, mode 0600
///
/// log          seq (u64 BE)                     → RFC 8785 bytes of the record (without leafHash)
/// streams      stream UTF-8                     → version (u64 BE) ‖ seq of its latest event (u64 BE)
/// stream-links seq (u64 BE)                     → seq of the previous event of its stream (u64 BE, 0: none)
/// idempotency  key UTF-8                        → seq (u64 BE) ‖ SHA-256 of the submission
/// tree         last leaf index (u64 BE) ‖ level → 32-byte hash of that perfect subtree
/// checkpoints  tree size (u64 BE)               → signed note (UTF-8)
/// meta         "format" → u32 BE; "frontier" → CompactRange.serialized()
/// ix.<name>    the engine's projection indexes (its own keys)
/// ```
/// Every key of `log`, `stream-links`, `tree` and `checkpoints` grows with each
/// append, so they are written with `MDB_APPEND` (no page splits, no random
/// page copies). A stream's events are found by walking its links back from
/// its head: `streams` holds one row per stream (it grows with entities, not
/// with events), so an append rewrites only the head's page, not a page of an
/// index that grows with the log.
public enum StoreLayout {
    /// Bump when the meaning of any stored byte changes; `open` refuses others.
    public static let formatVersion: UInt32 = 1
    public static let environmentDirectory = "lmdb"
    public static let signingKeyFile = "checkpoint.key"
    /// The longest idempotency key stored (an LMDB key: at most 511 bytes).
    public static let idempotencyKeyBytesMax = 511

    static let logName = "log"
    static let streamsName = "streams"
    static let streamLinksName = "stream-links"
    static let idempotencyName = "idempotency"
    static let treeName = "tree"
    static let checkpointsName = "checkpoints"
    static let metaName = "meta"
    static let indexPrefix = "ix."

    static let formatKey = Array("format".utf8)
    static let frontierKey = Array("frontier".utf8)

    static func streamKey(_ stream: String) -> [UInt8] { Array(stream.utf8) }

    /// The key of the perfect subtree at (level, index): its last leaf, then its level.
    static func treeKey(level: Int, index: UInt64) -> [UInt8] {
        let lastLeaf = ((index &+ 1) << UInt64(level)) &- 1
        var key = ByteKeys.u64(lastLeaf)
        key.append(UInt8(level))
        return key
    }

    /// Whether `key` is `treeKey(level:index:)`, without building it.
    static func isTreeKey(_ key: UnsafeRawBufferPointer, level: Int, index: UInt64) -> Bool {
        let lastLeaf = ((index &+ 1) << UInt64(level)) &- 1
        return key.count == 9 && key[8] == UInt8(level) && ByteKeys.readU64(key) == lastLeaf
    }
}

/// The handles of the named databases, valid for the environment's life.
struct StoreDatabases: Sendable {
    let log: LMDBDatabase
    let streams: LMDBDatabase
    let streamLinks: LMDBDatabase
    let idempotency: LMDBDatabase
    let tree: LMDBDatabase
    let checkpoints: LMDBDatabase
    let meta: LMDBDatabase
    let indexes: [String: LMDBDatabase]
}
