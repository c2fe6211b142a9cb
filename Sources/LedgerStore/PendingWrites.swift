import CLMDB
import Glibc

/// The writes of one batch, held in memory until the batch is committed: the
/// puts and deletes in the order they were made (replayed into one LMDB write
/// transaction at commit), and an index of them, so that reads inside the
/// batch, and inside batches staged after it, see them.
///
/// This is what lets the next batch be prepared (rules checked, records
/// encoded, leaves hashed, checkpoint signed) while the one before it is in
/// `fdatasync`: LMDB allows one write transaction at a time, and its commit
/// holds that transaction for the whole flush.
///
/// Memory: keys and values are copied into one growing byte arena, not kept
/// as thousands of small arrays (holding those until the commit made a bulk
/// append a fifth slower than writing straight into LMDB).
///
/// Threading: mutable only by the thread staging its batch; frozen once
/// staged (`EventStore.stage` returns), then read by later stagers and by the
/// committer.
final class PendingWrites: @unchecked Sendable {
    // @unchecked: see the threading note above; nothing mutates a staged one.

    /// A key's bytes, hashed in one call (hashing an array element by
    /// element was a tenth of a bulk append).
    struct Key: Hashable {
        let bytes: [UInt8]

        func hash(into hasher: inout Hasher) {
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
        }
    }

    /// One write: where its key and value lie in the arena.
    struct Op {
        let table: Int
        let flags: UInt32
        let isDelete: Bool
        let keyStart: Int
        let keyCount: Int
        let valueCount: Int
        var valueStart: Int { keyStart + keyCount }
    }

    /// The writes to one database: for keys written without `MDB_APPEND`,
    /// the index in `ops` of the newest write; for `MDB_APPEND` puts (the log,
    /// its stream links, the tree: most of a batch's writes), their indexes in
    /// `ops`. Appended keys only grow, so a lookup among them is a binary
    /// search, and those writes cost no hashing.
    struct Table {
        let db: LMDBDatabase
        var latest: [Key: Int] = [:]
        var appended: [Int] = []
    }

    /// Every key and value written, back to back.
    private var arena: [UInt8] = []
    /// In the order made.
    private(set) var ops: [Op] = []
    /// One per database written (a handful: found by a linear scan).
    private var tables: [Table] = []
    /// Batches staged before this one and not yet committed, newest first;
    /// emptied by `seal()`, so that a staged batch never keeps older ones
    /// alive (under steady load each would otherwise hold the whole history).
    private(set) var earlier: [PendingWrites]
    /// While a savepoint is open: the entry each non-append write replaced.
    private var undo: [(table: Int, key: Key, previous: Int?)] = []
    private var savepointDepth = 0

    /// - Parameter capacity: about how many writes and bytes to expect (the
    ///   last batch's): the arrays then do not grow step by step.
    init(earlier: [PendingWrites], capacity: (ops: Int, bytes: Int) = (0, 0)) {
        self.earlier = earlier
        ops.reserveCapacity(capacity.ops)
        arena.reserveCapacity(capacity.bytes)
    }

    var isEmpty: Bool { ops.isEmpty }

    /// How many writes and bytes this batch made (a capacity hint for the next).
    var size: (ops: Int, bytes: Int) { (ops.count, arena.count) }

    /// The batch is staged: its own writes stay, its view of the batches
    /// before it (needed only while its body ran) goes.
    func seal() {
        precondition(savepointDepth == 0, "a staged batch with an open savepoint")
        earlier = []
        undo = []
    }

    // MARK: Reading

    /// The value of `key` as this batch and the earlier staged ones left it:
    /// `.some(nil)` if deleted, nil if none of them wrote it (read LMDB then).
    func lookup(_ db: LMDBDatabase, _ key: [UInt8]) -> [UInt8]?? {
        if let value = ownLookup(db.dbi, key) { return value }
        for batch in earlier {
            if let value = batch.ownLookup(db.dbi, key) { return value }
        }
        return nil
    }

    private func tableIndex(_ dbi: MDB_dbi) -> Int? {
        for t in tables.indices where tables[t].db.dbi == dbi { return t }
        return nil
    }

    private func ownLookup(_ dbi: MDB_dbi, _ key: [UInt8]) -> [UInt8]?? {
        guard let t = tableIndex(dbi) else { return nil }
        if !tables[t].latest.isEmpty, let i = tables[t].latest[Key(bytes: key)] {
            return ops[i].isDelete ? .some(nil) : .some(value(of: ops[i]))
        }
        let list = tables[t].appended
        // Binary search by key among the appends (keys ascending, memcmp order).
        var low = 0, high = list.count
        while low < high {
            let mid = (low + high) / 2
            let order = compare(ops[list[mid]], key)
            if order == 0 { return .some(value(of: ops[list[mid]])) }
            if order < 0 { low = mid + 1 } else { high = mid }
        }
        return nil
    }

    private func value(of op: Op) -> [UInt8] {
        Array(arena[op.valueStart..<op.valueStart + op.valueCount])
    }

    /// LMDB's default key order of `op`'s key against `key`: memcmp of the
    /// common length, then length.
    private func compare(_ op: Op, _ key: [UInt8]) -> Int {
        let common = min(op.keyCount, key.count)
        let order = arena.withUnsafeBytes { a in
            key.withUnsafeBytes { b in common == 0 ? 0 : memcmp(a.baseAddress! + op.keyStart, b.baseAddress!, common) }
        }
        return order != 0 ? Int(order) : op.keyCount - key.count
    }

    /// Calls `body` with each write in order (the committer replays them).
    func forEachOp(_ body: (LMDBDatabase, _ isDelete: Bool, _ key: UnsafeRawBufferPointer,
                            _ value: UnsafeRawBufferPointer, _ flags: UInt32) throws -> Void) rethrows {
        try arena.withUnsafeBytes { bytes in
            for op in ops {
                try body(
                    tables[op.table].db, op.isDelete,
                    UnsafeRawBufferPointer(rebasing: bytes[op.keyStart..<op.keyStart + op.keyCount]),
                    UnsafeRawBufferPointer(rebasing: bytes[op.valueStart..<op.valueStart + op.valueCount]),
                    op.flags)
            }
        }
    }

    // MARK: Writing

    private func table(_ db: LMDBDatabase) -> Int {
        if let t = tableIndex(db.dbi) { return t }
        tables.append(Table(db: db))
        return tables.count - 1
    }

    func put(_ db: LMDBDatabase, key: [UInt8], value: [UInt8], flags: UInt32) {
        let t = table(db)
        if flags & UInt32(MDB_APPEND) != 0 {
            // A key past every key of `db` (LMDB refuses it otherwise).
            tables[t].appended.append(ops.count)
        } else {
            index(t, Key(bytes: key))
        }
        ops.append(Op(table: t, flags: flags, isDelete: false, keyStart: arena.count, keyCount: key.count,
                      valueCount: value.count))
        arena.append(contentsOf: key)
        arena.append(contentsOf: value)
    }

    func delete(_ db: LMDBDatabase, key: [UInt8]) {
        let t = table(db)
        index(t, Key(bytes: key))
        ops.append(Op(table: t, flags: 0, isDelete: true, keyStart: arena.count, keyCount: key.count, valueCount: 0))
        arena.append(contentsOf: key)
    }

    /// Points `key` of table `t` at the write about to be appended to `ops`.
    private func index(_ t: Int, _ key: Key) {
        if savepointDepth > 0 {
            undo.append((t, key, tables[t].latest.updateValue(ops.count, forKey: key)))
        } else {
            tables[t].latest[key] = ops.count
        }
    }

    // MARK: Savepoints

    struct Mark {
        let ops: Int
        let arena: Int
        let undo: Int
        let depth: Int
    }

    func beginSavepoint() -> Mark {
        savepointDepth += 1
        return Mark(ops: ops.count, arena: arena.count, undo: undo.count, depth: savepointDepth)
    }

    /// Closes the savepoint `mark` opened: keeps its writes, or undoes them.
    func endSavepoint(_ mark: Mark, keep: Bool) {
        precondition(mark.depth == savepointDepth, "savepoints must close innermost first")
        if !keep {
            while undo.count > mark.undo {
                let (t, key, previous) = undo.removeLast()
                if let previous {
                    tables[t].latest[key] = previous
                } else {
                    tables[t].latest.removeValue(forKey: key)
                }
            }
            ops.removeSubrange(mark.ops...)
            arena.removeSubrange(mark.arena...)
            for t in tables.indices {
                while let last = tables[t].appended.last, last >= mark.ops { tables[t].appended.removeLast() }
            }
        }
        savepointDepth -= 1
        // The outermost savepoint kept its writes: nothing can undo them now.
        if savepointDepth == 0 { undo.removeAll(keepingCapacity: true) }
    }
}
