import CLMDB
import Glibc

/// A named database (table) in an environment. Valid for the environment's life
/// once the transaction that opened it committed (lmdb.h, mdb_dbi_open).
public struct LMDBDatabase: Sendable, Hashable {
    let dbi: MDB_dbi
    public let name: String
}

/// One LMDB transaction: read-only (a snapshot, never blocks the writer) or
/// read-write (one at a time per environment; may nest for savepoints).
///
/// Lifetimes: buffers returned by `withValue`/cursors point into the map and are
/// valid only until this transaction ends or its next write. A transaction must
/// end (commit or abort) on every path; `deinit` aborts as a last resort.
/// Not thread-safe: use it from one thread at a time.
public final class LMDBTransaction {
    let env: LMDBEnvironment
    private(set) var handle: OpaquePointer?
    public let isReadOnly: Bool
    private let isNested: Bool

    /// Begins a transaction. A nested transaction (`parent` given) must be a
    /// write transaction and ends before its parent does.
    public init(env: LMDBEnvironment, readOnly: Bool, parent: LMDBTransaction? = nil) throws(LMDBError) {
        self.env = env
        self.isReadOnly = readOnly
        self.isNested = parent != nil
        if parent == nil { try env.beginUse() }
        var txn: OpaquePointer?
        let rc = mdb_txn_begin(env.handle, parent?.handle, readOnly ? UInt32(MDB_RDONLY) : 0, &txn)
        if rc != 0 {
            if parent == nil { env.gate.unlockShared() }
            throw LMDBError(call: "mdb_txn_begin", code: rc)
        }
        self.handle = txn
    }

    deinit { abort() }

    private func live() throws(LMDBError) -> OpaquePointer {
        guard let handle else { throw LMDBError(call: "transaction already ended", code: EINVAL) }
        return handle
    }

    private func finish() {
        handle = nil
        if !isNested { env.gate.unlockShared() }
    }

    /// Commits; for a top-level write transaction, durably (fsync) before returning.
    public func commit() throws(LMDBError) {
        let txn = try live()
        let rc = mdb_txn_commit(txn)
        finish()
        try check(rc, "mdb_txn_commit")
    }

    /// Aborts (a no-op if already ended).
    public func abort() {
        guard let txn = handle else { return }
        mdb_txn_abort(txn)
        finish()
    }

    /// Opens (or creates, in a write transaction) the named database.
    public func openDatabase(_ name: String, create: Bool) throws(LMDBError) -> LMDBDatabase {
        let txn = try live()
        var dbi: MDB_dbi = 0
        try check(mdb_dbi_open(txn, name, create ? UInt32(MDB_CREATE) : 0, &dbi), "mdb_dbi_open(\(name))")
        return LMDBDatabase(dbi: dbi, name: name)
    }

    /// Calls `body` with the value stored under `key`, or nil if there is none.
    /// The buffer is valid only inside `body`.
    public func withValue<T>(_ db: LMDBDatabase, key: [UInt8], _ body: (UnsafeRawBufferPointer?) throws -> T) throws -> T {
        let txn = try live()
        var value = MDB_val()
        let rc = key.withUnsafeBytes { k -> Int32 in
            var mk = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
            return mdb_get(txn, db.dbi, &mk, &value)
        }
        if rc == MDB_NOTFOUND { return try body(nil) }
        try check(rc, "mdb_get(\(db.name))")
        return try body(UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size))
    }

    /// The value under `key`, copied, or nil.
    public func get(_ db: LMDBDatabase, key: [UInt8]) throws -> [UInt8]? {
        try withValue(db, key: key) { $0.map { Array($0) } }
    }

    /// Stores `value` under `key`. `flags`: `MDB_APPEND` (key sorts after every
    /// key in `db`; fails with MDB_KEYEXIST otherwise), `MDB_NOOVERWRITE`.
    public func put(_ db: LMDBDatabase, key: [UInt8], value: [UInt8], flags: UInt32 = 0) throws(LMDBError) {
        let txn = try live()
        let rc = key.withUnsafeBytes { k in
            value.withUnsafeBytes { v -> Int32 in
                var mk = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
                var mv = MDB_val(mv_size: v.count, mv_data: UnsafeMutableRawPointer(mutating: v.baseAddress))
                return mdb_put(txn, db.dbi, &mk, &mv, flags)
            }
        }
        try check(rc, "mdb_put(\(db.name))")
    }

    /// `put` of bytes already in memory (the committer replays a batch's
    /// writes from its arena).
    public func put(_ db: LMDBDatabase, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, flags: UInt32)
        throws(LMDBError)
    {
        let txn = try live()
        var mk = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var mv = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        try check(mdb_put(txn, db.dbi, &mk, &mv, flags), "mdb_put(\(db.name))")
    }

    /// `delete` of a key already in memory; returns whether it existed.
    @discardableResult
    public func delete(_ db: LMDBDatabase, key: UnsafeRawBufferPointer) throws(LMDBError) -> Bool {
        let txn = try live()
        var mk = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        let rc = mdb_del(txn, db.dbi, &mk, nil)
        if rc == MDB_NOTFOUND { return false }
        try check(rc, "mdb_del(\(db.name))")
        return true
    }

    /// Deletes `key`; returns whether it existed.
    @discardableResult
    public func delete(_ db: LMDBDatabase, key: [UInt8]) throws(LMDBError) -> Bool {
        let txn = try live()
        let rc = key.withUnsafeBytes { k -> Int32 in
            var mk = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
            return mdb_del(txn, db.dbi, &mk, nil)
        }
        if rc == MDB_NOTFOUND { return false }
        try check(rc, "mdb_del(\(db.name))")
        return true
    }

    /// Number of entries in `db`.
    public func count(_ db: LMDBDatabase) throws(LMDBError) -> Int {
        let txn = try live()
        var stat = MDB_stat()
        try check(mdb_stat(txn, db.dbi, &stat), "mdb_stat(\(db.name))")
        return Int(stat.ms_entries)
    }

    /// A cursor over `db`, closed when released (before this transaction ends).
    public func cursor(_ db: LMDBDatabase) throws(LMDBError) -> LMDBCursor {
        try LMDBCursor(txn: try live(), db: db, owner: self)
    }
}
