import CLMDB

/// The writes of one batch, held in memory until the batch is committed: the
/// puts and deletes in the order they were made (replayed into one LMDB write
/// transaction at commit), and the newest value of every key written, so that
/// reads inside the batch, and inside batches staged after it, see them.
///
/// This is what lets the next batch be prepared (rules checked, records
/// encoded, leaves hashed, checkpoint signed) while the one before it is in
/// `fdatasync`: LMDB allows one write transaction at a time, and its commit
/// holds that transaction for the whole flush.
///
/// Threading: mutable only by the thread staging its batch; frozen once
/// staged (`EventStore.stage` returns), then read by later stagers and by the
/// committer.
final class PendingWrites: @unchecked Sendable {
    // @unchecked: see the threading note above; nothing mutates a staged one.
    struct Key: Hashable {
        let dbi: MDB_dbi
        let key: [UInt8]
    }

    enum Op {
        case put(LMDBDatabase, key: [UInt8], value: [UInt8], flags: UInt32)
        case delete(LMDBDatabase, key: [UInt8])
    }

    /// In the order made.
    private(set) var ops: [Op] = []
    /// The newest value of each key written; nil for a deleted key.
    private var latest: [Key: [UInt8]?] = [:]
    /// Batches staged before this one and not yet committed, newest first;
    /// emptied by `seal()`, so that a staged batch never keeps older ones
    /// alive (under steady load each would otherwise hold the whole history).
    private(set) var earlier: [PendingWrites]
    /// While a savepoint is open: the value each write replaced, to undo it.
    private var undo: [(key: Key, previous: [UInt8]??)] = []
    private var savepointDepth = 0

    init(earlier: [PendingWrites]) {
        self.earlier = earlier
    }

    var isEmpty: Bool { ops.isEmpty }

    /// The batch is staged: its own writes stay, its view of the batches
    /// before it (needed only while its body ran) goes.
    func seal() {
        precondition(savepointDepth == 0, "a staged batch with an open savepoint")
        earlier = []
        undo = []
    }

    /// The value of `key` as this batch and the earlier staged ones left it:
    /// `.some(nil)` if deleted, nil if none of them wrote it (read LMDB then).
    func lookup(_ db: LMDBDatabase, _ key: [UInt8]) -> [UInt8]?? {
        let k = Key(dbi: db.dbi, key: key)
        if let value = latest[k] { return value }
        for batch in earlier {
            if let value = batch.latest[k] { return value }
        }
        return nil
    }

    func put(_ db: LMDBDatabase, key: [UInt8], value: [UInt8], flags: UInt32) {
        record(Key(dbi: db.dbi, key: key), value)
        ops.append(.put(db, key: key, value: value, flags: flags))
    }

    func delete(_ db: LMDBDatabase, key: [UInt8]) {
        record(Key(dbi: db.dbi, key: key), nil)
        ops.append(.delete(db, key: key))
    }

    private func record(_ key: Key, _ value: [UInt8]?) {
        let previous = latest.updateValue(value, forKey: key)
        if savepointDepth > 0 { undo.append((key, previous)) }
    }

    // MARK: Savepoints

    struct Mark {
        let ops: Int
        let undo: Int
        let depth: Int
    }

    func beginSavepoint() -> Mark {
        savepointDepth += 1
        return Mark(ops: ops.count, undo: undo.count, depth: savepointDepth)
    }

    /// Closes the savepoint `mark` opened: keeps its writes, or undoes them.
    func endSavepoint(_ mark: Mark, keep: Bool) {
        precondition(mark.depth == savepointDepth, "savepoints must close innermost first")
        if !keep {
            while undo.count > mark.undo {
                let (key, previous) = undo.removeLast()
                if let previous {
                    latest[key] = .some(previous)
                } else {
                    latest.removeValue(forKey: key)
                }
            }
            ops.removeSubrange(mark.ops...)
        }
        savepointDepth -= 1
        // The outermost savepoint kept its writes: nothing can undo them now.
        if savepointDepth == 0 { undo.removeAll(keepingCapacity: true) }
    }
}
