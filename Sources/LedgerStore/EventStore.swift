import CLMDB
import Foundation
import Glibc
import LedgerMerkle

/// The ledger's storage engine: an append-only event log in LMDB with its
/// RFC 9162 Merkle tree and a signed checkpoint after every commit.
///
/// Writing is in two steps, so that the next batches can be prepared while
/// the one before them is being flushed: `stage` runs a batch's body against a
/// read snapshot plus the writes of the batches staged before it, and signs
/// its checkpoint; `commit` writes one or more staged batches, in the order
/// they were staged, in one LMDB write transaction with the checkpoint of the
/// last, and syncs it. `write` does both at once.
///
/// Threading: one thread stages at a time and one commits at a time (each
/// serialized on its own lock; they may be two threads, working at once);
/// `read` may run on any thread, concurrently with both, and sees a
/// consistent snapshot (LMDB MVCC): readers never wait for the writer.
///
/// Durability: `commit` (and `write`) returns only after LMDB's commit has
/// synced the data and meta pages (no MDB_NOSYNC, no MDB_NOMETASYNC).
public final class EventStore: @unchecked Sendable {
    // @unchecked: `frontier`, `tip`, `staged` and `generation` are guarded by
    // `tipLock`; the LMDB environment follows LMDB's threading rules (see
    // LMDBEnvironment).
    public let dataDirectory: String
    public let options: StoreOptions
    public let env: LMDBEnvironment
    let dbs: StoreDatabases
    let signer: NoteSigner
    /// One batch staged at a time.
    private let stageLock = NSLock()
    /// One LMDB write transaction at a time.
    private let commitLock = NSLock()
    private let tipLock = NSLock()
    /// The tree as of the last commit.
    private var frontier: CompactRange
    /// The tree as of the last staged batch (equal to `frontier` when none waits).
    private var tip: CompactRange
    /// Staged batches not yet committed, oldest first.
    private var staged: [PendingWrites] = []
    /// Bumped by `discardStaged`: batches staged before it can no longer commit.
    private var generation: UInt64 = 0
    private var injectedFault: InjectedFault?
    /// The writes of the last staged batch: the next one's capacity hint (under `stageLock`).
    private var lastBatchSize: (ops: Int, bytes: Int) = (0, 0)
    /// The data directory's lock (flock), held while open.
    private var lockFD: Int32 = -1

    /// The verifier key of the checkpoint signer (C2SP vkey form).
    public var verifierKey: String { signer.verifierKey }
    public var origin: String { options.origin }

    /// The origin of the ledger in `dataDirectory`: its signing key's name;
    /// nil for a data directory with no key yet (a new ledger).
    public static func existingOrigin(dataDirectory: String) -> String? {
        SigningKeyFile.existingName(path: dataDirectory + "/" + StoreLayout.signingKeyFile)
    }

    /// Opens the store in `dataDirectory`, creating the directory, the LMDB
    /// environment and the signing key on first use.
    /// - Throws: `StoreError` with `.formatMismatch` if the data was written by
    ///   another on-disk format, `.signingKey` for key problems, `.integrity` if
    ///   the stored tree does not match the log.
    public init(dataDirectory: String, options: StoreOptions) throws(StoreError) {
        self.dataDirectory = dataDirectory
        self.options = options
        let envPath = dataDirectory + "/" + StoreLayout.environmentDirectory
        for dir in [dataDirectory, envPath] {
            if mkdir(dir, 0o700) != 0 && errno != EEXIST {
                throw StoreError(.dataDirectory, "cannot create \(dir): \(String(cString: strerror(errno)))")
            }
        }
        do {
            env = try LMDBEnvironment(
                path: envPath, mapSizeBytes: options.mapSizeInitialBytes,
                databasesMax: UInt32(8 + options.indexNames.count))
        } catch {
            throw StoreError.lmdb(error, "cannot open the LMDB environment in \(envPath)")
        }
        let lock = try Self.lockDataDirectory(dataDirectory)
        let keyPath = dataDirectory + "/" + StoreLayout.signingKeyFile
        if access(keyPath, F_OK) != 0, try Self.holdsLedger(env) {
            Glibc.close(lock)
            throw StoreError(
                .signingKey,
                "\(dataDirectory) holds a ledger but its signing key \(keyPath) is missing; restore the key from "
                    + "a backup (a new key would make every stored checkpoint unverifiable)")
        }
        do {
            signer = try SigningKeyFile.loadOrCreate(path: keyPath, name: options.origin)
        } catch {
            Glibc.close(lock)
            throw error
        }
        do {
            (dbs, frontier) = try Self.openDatabases(env: env, options: options, signer: signer)
            tip = frontier
        } catch let error as StoreError {
            Glibc.close(lock)
            throw error
        } catch {
            Glibc.close(lock)
            throw StoreError(.lmdb, "cannot open the ledger's databases: \(error)", cause: error)
        }
        lockFD = lock
    }

    /// An exclusive, non-blocking lock on `<data-dir>/lock`: two daemons (or a
    /// daemon and a restore) must never write one ledger.
    private static func lockDataDirectory(_ directory: String) throws(StoreError) -> Int32 {
        let path = directory + "/lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError(.dataDirectory, "cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            Glibc.close(fd)
            throw StoreError(.dataDirectory, "\(directory) is in use by another process (another ledgerd?); stop it first")
        }
        return fd
    }

    /// Whether the environment already holds a ledger (a format version).
    private static func holdsLedger(_ env: LMDBEnvironment) throws(StoreError) -> Bool {
        do {
            let txn = try LMDBTransaction(env: env, readOnly: true)
            defer { txn.abort() }
            guard let meta = try? txn.openDatabase(StoreLayout.metaName, create: false) else { return false }
            return try txn.get(meta, key: StoreLayout.formatKey) != nil
        } catch {
            throw StoreError(.lmdb, "cannot read \(env.path): \(error)", cause: error)
        }
    }

    /// Opens every named database, checks the format version and loads the
    /// frontier; a new store gets its format and a signed size-0 checkpoint.
    private static func openDatabases(env: LMDBEnvironment, options: StoreOptions, signer: NoteSigner)
        throws -> (StoreDatabases, CompactRange)
    {
        let txn = try LMDBTransaction(env: env, readOnly: false)
        defer { txn.abort() }
        var indexes: [String: LMDBDatabase] = [:]
        for name in options.indexNames {
            indexes[name] = try txn.openDatabase(StoreLayout.indexPrefix + name, create: true)
        }
        let dbs = StoreDatabases(
            log: try txn.openDatabase(StoreLayout.logName, create: true),
            streams: try txn.openDatabase(StoreLayout.streamsName, create: true),
            streamLinks: try txn.openDatabase(StoreLayout.streamLinksName, create: true),
            idempotency: try txn.openDatabase(StoreLayout.idempotencyName, create: true),
            tree: try txn.openDatabase(StoreLayout.treeName, create: true),
            checkpoints: try txn.openDatabase(StoreLayout.checkpointsName, create: true),
            meta: try txn.openDatabase(StoreLayout.metaName, create: true),
            indexes: indexes)
        let frontier: CompactRange
        if let format = try txn.get(dbs.meta, key: StoreLayout.formatKey) {
            let version = format.count == 4 ? format.reduce(UInt32(0)) { $0 << 8 | UInt32($1) } : 0
            guard version == StoreLayout.formatVersion else {
                throw StoreError(
                    .formatMismatch,
                    "the data in \(env.path) has on-disk format \(version); this ledgerd reads format "
                        + "\(StoreLayout.formatVersion). Use the ledgerd release that wrote it, or restore a backup.")
            }
            guard let bytes = try txn.get(dbs.meta, key: StoreLayout.frontierKey) else {
                throw StoreError(.integrity, "the tree frontier is missing from \(env.path)")
            }
            frontier = try CompactRange(serialized: bytes)
            let logCount = try txn.count(dbs.log)
            guard UInt64(logCount) == frontier.size else {
                throw StoreError(
                    .integrity, "the log holds \(logCount) events but the tree covers \(frontier.size)")
            }
        } else {
            guard try txn.count(dbs.log) == 0 else {
                throw StoreError(.formatMismatch, "\(env.path) holds events but no format version")
            }
            var format: [UInt8] = []
            ByteKeys.append(StoreLayout.formatVersion, to: &format)
            try txn.put(dbs.meta, key: StoreLayout.formatKey, value: format)
            frontier = CompactRange()
            try txn.put(dbs.meta, key: StoreLayout.frontierKey, value: frontier.serialized())
            let note = try signer.sign(Checkpoint(origin: options.origin, size: 0, rootHash: frontier.root()).body)
            try txn.put(dbs.checkpoints, key: ByteKeys.u64(0), value: Array(note.formatted.utf8))
        }
        try txn.commit()
        return (dbs, frontier)
    }

    /// The number of events committed (as the writer knows it).
    public var size: UInt64 {
        tipLock.lock()
        defer { tipLock.unlock() }
        return frontier.size
    }

    /// Runs `body` in a read-only snapshot. The view and every buffer it hands
    /// out are valid only inside `body`. `long`: the snapshot may be held for
    /// long (a verify, a rebuild, a replay of the log), so that map growth
    /// waits for it without holding other readers back
    /// (`LMDBEnvironment.whileReadingLong`).
    public func read<T>(long: Bool = false, _ body: (ReadView) throws -> T) throws -> T {
        if long { return try env.whileReadingLong { () throws -> T in try read(body) } }
        let txn: LMDBTransaction
        do {
            txn = try LMDBTransaction(env: env, readOnly: true)
        } catch {
            throw StoreError.lmdb(error, "cannot begin a read transaction")
        }
        defer { txn.abort() }
        return try body(ReadView(txn: txn, dbs: dbs))
    }

    /// Stages and commits one batch: `body`'s writes, then a signed
    /// checkpoint for the new size (if anything was appended), in one durable
    /// write transaction. `body` runs once; if it throws, nothing is written.
    /// Not for use while other staged batches wait (the engine's pipeline).
    public func write<T>(_ body: (WriteBatch) throws -> T) throws -> T {
        let (result, batch) = try stage(body)
        do {
            try commit(batch)
        } catch {
            discardStaged()
            throw error
        }
        return result
    }

    /// Runs `body` against a read snapshot of LMDB plus the writes of every
    /// batch staged before this one and not yet committed, then signs the
    /// checkpoint of the new size. Nothing reaches LMDB until `commit`.
    /// - Throws: what `body` throws (nothing is staged then); `.staleBatch` if
    ///   `discardStaged` ran meanwhile (stage again on the reset tip).
    public func stage<T>(_ body: (WriteBatch) throws -> T) throws -> (result: T, batch: StagedBatch) {
        stageLock.lock()
        defer { stageLock.unlock() }
        // Capture the staged batches before the snapshot begins: one committed
        // in between is then in both, never in neither.
        tipLock.lock()
        let base = tip
        let earlier = Array(staged.reversed())
        let baseGeneration = generation
        tipLock.unlock()
        let snapshot: LMDBTransaction
        do {
            snapshot = try LMDBTransaction(env: env, readOnly: true)
        } catch {
            throw StoreError.lmdb(error, "cannot begin a read transaction")
        }
        let pending = PendingWrites(earlier: earlier, capacity: lastBatchSize)
        let batch = WriteBatch(snapshot: snapshot, dbs: dbs, pending: pending, frontier: base,
                               recordBytesMax: options.recordBytesMax)
        let result: T
        do {
            defer {
                batch.close()
                snapshot.abort()
            }
            result = try body(batch)
        }
        pending.seal()
        // A hint, capped: after one bulk batch, small ones should not each
        // reserve (and map, and unmap) megabytes.
        lastBatchSize = (min(pending.size.ops, 8_192), min(pending.size.bytes, 1 << 20))
        let end = batch.frontier
        var checkpoint: [UInt8]?
        if end.size != base.size {
            let body = Checkpoint(origin: options.origin, size: end.size, rootHash: end.root()).body
            checkpoint = Array(try signer.sign(body).formatted.utf8)
        }
        tipLock.lock()
        defer { tipLock.unlock() }
        guard generation == baseGeneration else {
            throw StoreError(.staleBatch, "the batches staged before this one were discarded; stage it again")
        }
        staged.append(pending)
        tip = end
        return (result, StagedBatch(writes: pending, frontier: end, checkpoint: checkpoint, generation: baseGeneration))
    }

    /// Writes `batch` in one durable LMDB write transaction.
    public func commit(_ batch: StagedBatch) throws {
        try commit([batch])
    }

    /// Writes `batches` (the oldest staged, in the order staged) in one durable
    /// LMDB write transaction, with the signed checkpoint of the last one that
    /// appended (the checkpoints of the others are for sizes no commit ends
    /// at, and are dropped). If the map fills, the transaction is aborted, the
    /// map grown and the writes replayed.
    /// - Throws: `.staleBatch` if a batch was discarded or they are not the
    ///   oldest staged; `.commitUncertain` if LMDB's commit itself failed (the
    ///   batches may or may not be durable: stop writing and reopen); anything
    ///   else means nothing of them was written.
    public func commit(_ batches: [StagedBatch]) throws {
        guard let last = batches.last else { return }
        commitLock.lock()
        defer { commitLock.unlock() }
        tipLock.lock()
        let inOrder = batches.count <= staged.count
            && zip(batches, staged).allSatisfy { $0.generation == generation && $0.writes === $1 }
        let committedSize = frontier.size
        tipLock.unlock()
        guard inOrder else {
            throw StoreError(.staleBatch, "staged batches were committed out of order or after they were discarded")
        }
        if batches.contains(where: { !$0.isEmpty }) {
            try growIfNearlyFull()
            var attempt = 0
            while true {
                attempt += 1
                do {
                    try commitOnce(batches, grows: last.frontier.size != committedSize)
                    break
                } catch let error as LMDBError where error.isMapFull {
                    guard attempt < 8 else {
                        throw StoreError(.mapFull, "the map stayed full after growing \(attempt) times", cause: error)
                    }
                    try grow(factor: 2)
                }
            }
        }
        tipLock.lock()
        frontier = last.frontier
        staged.removeFirst(batches.count)
        tipLock.unlock()
    }

    private func commitOnce(_ batches: [StagedBatch], grows: Bool) throws {
        let txn = try LMDBTransaction(env: env, readOnly: false)
        defer { txn.abort() }
        for batch in batches {
            try batch.writes.forEachOp { db, isDelete, key, value, flags in
                if isDelete {
                    try txn.delete(db, key: key)
                } else {
                    try txn.put(db, key: key, value: value, flags: flags)
                }
            }
        }
        if grows {
            let end = batches[batches.count - 1].frontier
            guard let note = batches.last(where: { $0.checkpoint != nil })?.checkpoint else {
                throw StoreError(.misuse, "staged batches grew the tree to \(end.size) without a checkpoint")
            }
            try txn.put(dbs.checkpoints, key: ByteKeys.u64(end.size), value: note, flags: UInt32(MDB_APPEND))
            try txn.put(dbs.meta, key: StoreLayout.frontierKey, value: end.serialized())
        }
        let fault = takeInjectedFault()
        if case .failBeforeCommit(let error, let stagedOnTop) = fault {
            // As a slow device would: the writer stages more batches meanwhile
            // (waited for, up to 60 s, so that a loaded machine cannot race it:
            // CI runs every test at once on two cores, and 10 s was once too short).
            var waited = 0
            while stagedCount - batches.count < stagedOnTop && waited < 60_000 {
                usleep(1000)
                waited += 1
            }
            throw error
        }
        do {
            try txn.commit()
        } catch let error where error.isMapFull {
            // From saving the free list, before any page is written: grow and replay.
            throw error
        } catch {
            // mdb_txn_commit writes the dirty pages, syncs them, then writes
            // the meta page that makes the commit; only a failure of that last
            // write marks the environment fatal (MDB_PANIC from then on). So if
            // a new transaction still begins, the meta page was not written
            // and nothing of the commit happened: a full disk (ENOSPC, a short
            // write: EIO), a quota, a file size limit.
            if metaPageWasNotWritten() {
                let full = [ENOSPC, EDQUOT, EFBIG].contains(error.code) || error.code == EIO
                throw StoreError(
                    .noSpace,
                    "the disk refused the commit's pages (\(error))\(full ? ": is it full?" : ""); nothing of this "
                        + "commit was written, and appends are taken again as soon as a commit fits", cause: error)
            }
            throw StoreError(
                .commitUncertain, "the LMDB commit failed; the batch may or may not be durable: \(error)", cause: error)
        }
        if case .reportCommitFailed = fault {
            throw StoreError(.commitUncertain, "the LMDB commit failed (injected); the batch may or may not be durable")
        }
    }

    /// After a failed commit: whether LMDB still begins transactions (it
    /// refuses with MDB_PANIC once a meta page write failed). Only a probe
    /// that begins proves it: one that fails for another reason (no reader
    /// slot, no memory) proves nothing, and the commit counts as uncertain.
    private func metaPageWasNotWritten() -> Bool {
        do {
            let probe = try LMDBTransaction(env: env, readOnly: true)
            probe.abort()
            return true
        } catch {
            return false
        }
    }

    // MARK: Fault injection (tests)

    /// A failure a test makes the next commit suffer.
    enum InjectedFault {
        /// The commit fails before LMDB commits: nothing is written. It fails
        /// once `stagedOnTop` more batches are staged on top of the ones it
        /// commits, as when a slow device lets the writer go on meanwhile
        /// (pipelined commits only: with `write`, or while nothing stages,
        /// it waits 10 s for them and then fails).
        case failBeforeCommit(any Error, stagedOnTop: Int = 0)
        /// LMDB commits, then the commit is reported failed, as when the
        /// flush's outcome is unknown.
        case reportCommitFailed
    }

    /// Makes the next commit fail as `fault` says (tests of the engine's
    /// handling of storage failures; nothing in the daemon sets it).
    func injectFault(_ fault: InjectedFault) {
        tipLock.lock()
        injectedFault = fault
        tipLock.unlock()
    }

    /// Whether an injected fault still waits for its commit (tests).
    var faultPending: Bool {
        tipLock.lock()
        defer { tipLock.unlock() }
        return injectedFault != nil
    }

    /// Batches staged and not yet committed (tests).
    var stagedCount: Int {
        tipLock.lock()
        defer { tipLock.unlock() }
        return staged.count
    }

    private func takeInjectedFault() -> InjectedFault? {
        tipLock.lock()
        defer { tipLock.unlock() }
        let fault = injectedFault
        injectedFault = nil
        return fault
    }

    /// Drops every staged batch not yet committed (after a failed commit):
    /// the next batch is staged on the last committed tree.
    public func discardStaged() {
        // Never while a commit runs: it takes the oldest staged batches.
        commitLock.lock()
        defer { commitLock.unlock() }
        tipLock.lock()
        staged.removeAll()
        tip = frontier
        generation &+= 1
        tipLock.unlock()
    }

    /// Grows the map ahead of need, once it is `mapGrowthThresholdPercent`
    /// full, but only when no read transaction is open: while a long one runs
    /// (a backup, a verify, a rebuild), the commits go on in the headroom
    /// left and try again each time. Only a map that is really full
    /// (`MDB_MAP_FULL`, in `commit`) waits for the readers to finish.
    private func growIfNearlyFull() throws {
        let used = env.usedBytes()
        let current = env.mapSizeBytes
        // At the maximum, only a real MDB_MAP_FULL refuses writes.
        guard current < options.mapSizeMaxBytes, used * 100 > current * options.mapGrowthThresholdPercent else {
            return
        }
        do {
            _ = try env.growIfIdle(atLeast: min(current * 2, options.mapSizeMaxBytes))
        } catch {
            throw StoreError.lmdb(error, "cannot grow the map from \(current) bytes")
        }
    }

    private func grow(factor: Int) throws {
        let current = env.mapSizeBytes
        guard current < options.mapSizeMaxBytes else {
            throw StoreError(
                .mapFull,
                "the ledger's map is at its maximum of \(options.mapSizeMaxBytes) bytes; "
                    + "raise map-size-max or free disk space")
        }
        do {
            try env.grow(atLeast: min(current * factor, options.mapSizeMaxBytes))
        } catch {
            throw StoreError.lmdb(error, "cannot grow the map from \(current) bytes")
        }
    }

    /// A hot, compacted copy of the whole data directory (the LMDB environment
    /// and the signing key) into `path`, which must not exist. Readers and the
    /// writer go on meanwhile (mdb_env_copy2 copies one read snapshot).
    public func backup(to path: String) throws(StoreError) {
        let envCopy = path + "/" + StoreLayout.environmentDirectory
        for dir in [path, envCopy] where mkdir(dir, 0o700) != 0 {
            throw StoreError(.dataDirectory, "cannot create \(dir): \(String(cString: strerror(errno)))")
        }
        do {
            try env.copy(to: envCopy, compact: true)
        } catch {
            throw StoreError.lmdb(error, "backup to \(envCopy) failed")
        }
        let keyPath = path + "/" + StoreLayout.signingKeyFile
        let created = open(keyPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard created >= 0 else {
            throw StoreError(.dataDirectory, "cannot create \(keyPath): \(String(cString: strerror(errno)))")
        }
        let bytes = Array((signer.privateKeyString + "\n").utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(created, $0.baseAddress, $0.count) }
        let synced = fsync(created) == 0
        Glibc.close(created)
        guard written == bytes.count, synced else {
            throw StoreError(.dataDirectory, "cannot write \(keyPath): \(String(cString: strerror(errno)))")
        }
    }

    /// Closes the environment. Precondition: no read or write is running.
    public func close() {
        stageLock.lock()
        commitLock.lock()
        defer {
            commitLock.unlock()
            stageLock.unlock()
        }
        env.close()
        if lockFD >= 0 {
            // Unlock before closing: a process spawned meanwhile by another
            // thread holds a copy of the descriptor until it execs, and the
            // lock belongs to the open file, not to this descriptor.
            flock(lockFD, LOCK_UN)
            Glibc.close(lockFD)
            lockFD = -1
        }
    }
}

/// A batch staged by `EventStore.stage`, waiting for `EventStore.commit`.
public final class StagedBatch: Sendable {
    let writes: PendingWrites
    /// The tree once this batch is committed.
    public let frontier: CompactRange
    /// The signed note of `frontier`'s checkpoint; nil if the batch appended nothing.
    let checkpoint: [UInt8]?
    let generation: UInt64

    init(writes: PendingWrites, frontier: CompactRange, checkpoint: [UInt8]?, generation: UInt64) {
        self.writes = writes
        self.frontier = frontier
        self.checkpoint = checkpoint
        self.generation = generation
    }

    /// Whether committing it writes anything (a batch of refused events does not).
    public var isEmpty: Bool { writes.isEmpty && checkpoint == nil }
}
