import CLMDB
import Glibc

/// A cursor over one database inside one transaction. Returned buffers point
/// into the map: valid until the cursor moves, or the transaction writes or ends.
/// A cursor must be released before its transaction ends (it keeps the
/// transaction alive through `owner`, and closes itself in `deinit`).
public final class LMDBCursor {
    public typealias Entry = (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)
    private var handle: OpaquePointer?
    private let owner: LMDBTransaction
    private let db: LMDBDatabase

    init(txn: OpaquePointer, db: LMDBDatabase, owner: LMDBTransaction) throws(LMDBError) {
        var cursor: OpaquePointer?
        try check(mdb_cursor_open(txn, db.dbi, &cursor), "mdb_cursor_open(\(db.name))")
        self.handle = cursor
        self.owner = owner
        self.db = db
    }

    deinit { close() }

    public func close() {
        // A read-only cursor must be closed explicitly; a write cursor is freed
        // by its transaction but closing it before is allowed (lmdb.h).
        // lmdb.h: a read-only transaction's cursor must be closed even after
        // the transaction ended; a write transaction's is freed with it.
        if let handle, owner.isReadOnly || owner.handle != nil { mdb_cursor_close(handle) }
        handle = nil
    }

    private func move(_ op: MDB_cursor_op, key: [UInt8]? = nil) throws(LMDBError) -> Entry? {
        guard let cursor = handle else { throw LMDBError(call: "cursor closed", code: EINVAL) }
        var mk = MDB_val()
        var mv = MDB_val()
        let rc: Int32
        if let key {
            rc = key.withUnsafeBytes { k -> Int32 in
                mk = MDB_val(mv_size: k.count, mv_data: UnsafeMutableRawPointer(mutating: k.baseAddress))
                return mdb_cursor_get(cursor, &mk, &mv, op)
            }
        } else {
            rc = mdb_cursor_get(cursor, &mk, &mv, op)
        }
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_cursor_get(\(db.name))")
        return (UnsafeRawBufferPointer(start: mk.mv_data, count: mk.mv_size),
                UnsafeRawBufferPointer(start: mv.mv_data, count: mv.mv_size))
    }

    public func first() throws(LMDBError) -> Entry? { try move(MDB_FIRST) }
    public func last() throws(LMDBError) -> Entry? { try move(MDB_LAST) }
    public func next() throws(LMDBError) -> Entry? { try move(MDB_NEXT) }
    public func previous() throws(LMDBError) -> Entry? { try move(MDB_PREV) }
    /// The first entry whose key is ≥ `key`.
    public func seek(atLeast key: [UInt8]) throws(LMDBError) -> Entry? { try move(MDB_SET_RANGE, key: key) }
}
