import CLMDB
import Foundation
import Synchronization

/// One LMDB environment (a directory holding `data.mdb` and `lock.mdb`).
///
/// Lifetimes (lmdb.h): the `MDB_env` lives until `close()`; every transaction
/// must end before it. Flags: `MDB_NOTLS` ties reader slots to transactions, not
/// threads, so read transactions may run on any thread (Swift tasks hop threads).
/// The ledger never uses `MDB_NOSYNC`, `MDB_NOMETASYNC`, `MDB_WRITEMAP` or
/// `MDB_MAPASYNC`: a committed write transaction is on disk when commit returns.
///
/// Map growth: `mdb_env_set_mapsize` may only be called while no transaction is
/// active in this process, so every transaction holds `gate` shared and growth
/// holds it exclusively.
public final class LMDBEnvironment: @unchecked Sendable {
    // @unchecked: `handle` is only used under LMDB's own thread rules (one
    // writer, readers with MDB_NOTLS) and `gate` serializes map growth.
    let handle: OpaquePointer
    let gate = ReadWriteGate()
    public let path: String
    public private(set) var mapSizeBytes: Int
    private(set) var closed = false

    /// Opens (creating if needed) the environment in directory `path`.
    /// - Parameters:
    ///   - mapSizeBytes: the initial map size; grown on demand by `grow(atLeast:)`.
    ///   - databasesMax: how many named databases may be opened.
    ///   - readersMax: reader lock table slots (concurrent read transactions).
    public init(path: String, mapSizeBytes: Int, databasesMax: UInt32, readersMax: UInt32 = 512, readOnly: Bool = false)
        throws(LMDBError)
    {
        var env: OpaquePointer?
        try check(mdb_env_create(&env), "mdb_env_create")
        guard let env else { throw LMDBError(call: "mdb_env_create", code: ENOMEM) }
        do {
            try check(mdb_env_set_mapsize(env, mapSizeBytes), "mdb_env_set_mapsize(\(mapSizeBytes))")
            try check(mdb_env_set_maxdbs(env, databasesMax), "mdb_env_set_maxdbs")
            try check(mdb_env_set_maxreaders(env, readersMax), "mdb_env_set_maxreaders")
            var flags = UInt32(MDB_NOTLS)
            if readOnly { flags |= UInt32(MDB_RDONLY) }
            try check(mdb_env_open(env, path, flags, 0o600), "mdb_env_open(\(path))")
        } catch {
            mdb_env_close(env)
            throw error
        }
        self.handle = env
        self.path = path
        // LMDB may have adopted a larger size recorded in the file.
        var info = MDB_envinfo()
        mdb_env_info(env, &info)
        self.mapSizeBytes = Int(info.me_mapsize)
    }

    deinit { close() }

    /// Closes the environment. Precondition: no transaction is open.
    public func close() {
        gate.withExclusive {
            if !closed {
                closed = true
                mdb_env_close(handle)
            }
        }
    }

    /// Bytes of the map in use: (last page number + 1) × page size.
    public func usedBytes() -> Int {
        var info = MDB_envinfo()
        var stat = MDB_stat()
        mdb_env_info(handle, &info)
        mdb_env_stat(handle, &stat)
        return (Int(info.me_last_pgno) + 1) * Int(stat.ms_psize)
    }

    /// Grows the map to at least `bytes` (rounded up to a MiB). Waits for every
    /// transaction of this process to end first; while a long reader runs
    /// (`whileReadingLong`), without holding new readers back meanwhile.
    public func grow(atLeast bytes: Int) throws(LMDBError) {
        var failure: LMDBError?
        gate.withExclusive { failure = setMapSize(atLeast: bytes) }
        if let failure { throw failure }
    }

    /// Grows the map as `grow(atLeast:)` does if no transaction of this
    /// process is open right now; returns false, having waited for nothing,
    /// if one is. Waiting would stall the writer behind a long reader (a
    /// backup, a verify), and every new reader behind the writer (the gate
    /// prefers writers): the whole daemon for as long as the reader runs.
    public func growIfIdle(atLeast bytes: Int) throws(LMDBError) -> Bool {
        var failure: LMDBError?
        guard gate.withExclusiveIfFree({ failure = setMapSize(atLeast: bytes) }) else { return false }
        if let failure { throw failure }
        return true
    }

    /// Under the exclusive gate: sets the map size (rounded up to a MiB) if larger.
    private func setMapSize(atLeast bytes: Int) -> LMDBError? {
        let mib = 1 << 20
        let target = (bytes + mib - 1) / mib * mib
        guard target > mapSizeBytes else { return nil }
        let rc = mdb_env_set_mapsize(handle, target)
        if rc != 0 { return LMDBError(call: "mdb_env_set_mapsize(\(target))", code: rc) }
        mapSizeBytes = target
        return nil
    }

    /// Copies the environment to directory `path` (must exist and be empty)
    /// while others keep reading and writing; `compact` drops free pages.
    public func copy(to path: String, compact: Bool) throws(LMDBError) {
        // mdb_env_copy2 runs its own read transaction: hold the gate like one,
        // so that map growth cannot remap the file under the copy.
        try whileReadingLong { () throws(LMDBError) in
            try beginUse()
            defer { gate.unlockShared() }
            try check(mdb_env_copy2(handle, path, compact ? UInt32(MDB_CP_COMPACT) : 0), "mdb_env_copy2(\(path))")
        }
    }

    /// Runs `body`, whose read transactions may last long (a backup, a
    /// verify, a replay of the whole log), counted as a long reader: a map
    /// growth that must wait for it then waits without queueing on the gate,
    /// where it would hold back every new reader (the gate prefers writers)
    /// until the long reader ends.
    /// A long reader that would start while a growth waits first waits for
    /// the growth (`ReadWriteGate.admitLongReader`), so that long readers
    /// following one another cannot put a growth off for ever. So `body`
    /// must not wait for another long reader to start (the growth waits for
    /// `body`, the other reader for the growth); short reads are fine.
    public func whileReadingLong<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        gate.admitLongReader()
        defer { gate.longReaders.subtract(1, ordering: .sequentiallyConsistent) }
        return try body()
    }

    /// Takes the gate shared for a transaction; fails if the environment is closed.
    func beginUse() throws(LMDBError) {
        gate.lockShared()
        if closed {
            gate.unlockShared()
            throw LMDBError(call: "environment closed", code: EBADF)
        }
    }

    /// Flushes to disk; a no-op for durability here since every commit syncs.
    public func sync() throws(LMDBError) {
        try check(mdb_env_sync(handle, 1), "mdb_env_sync")
    }
}

/// A readers–writer lock (pthread) guarding map growth against open transactions.
final class ReadWriteGate: @unchecked Sendable {
    private var lock = pthread_rwlock_t()

    /// Writer-preferring, so a stream of overlapping readers cannot starve
    /// map growth (glibc's default prefers readers). No thread takes it
    /// shared twice (one transaction per thread at a time), so this is safe.
    init() {
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        pthread_rwlock_init(&lock, &attributes)
        pthread_rwlockattr_destroy(&attributes)
    }
    deinit { pthread_rwlock_destroy(&lock) }

    func lockShared() { pthread_rwlock_rdlock(&lock) }
    func unlockShared() { pthread_rwlock_unlock(&lock) }

    /// Readers that may hold the lock for long (`LMDBEnvironment.whileReadingLong`).
    let longReaders = Atomic<Int>(0)
    /// Callers of `withExclusive` waiting for the lock or holding it.
    let exclusiveWaiters = Atomic<Int>(0)

    /// Counts a long reader in, before it takes the lock shared: unless a
    /// `withExclusive` is waiting, in which case it waits for that to end
    /// first. (Each side announces itself, then looks at the other, both
    /// sequentially consistent: a growth either sees the reader counted and
    /// waits for it, or the reader sees the growth and stands back.)
    func admitLongReader() {
        while true {
            longReaders.add(1, ordering: .sequentiallyConsistent)
            if exclusiveWaiters.load(ordering: .sequentiallyConsistent) == 0 { return }
            longReaders.subtract(1, ordering: .sequentiallyConsistent)
            while exclusiveWaiters.load(ordering: .sequentiallyConsistent) > 0 { usleep(1_000) }
        }
    }

    /// Runs `body` under the exclusive lock. While a long reader runs, it
    /// tries for the lock every millisecond instead of queueing for it: a
    /// queued writer holds back every new reader, and would for as long as
    /// the long reader runs. No new long reader starts meanwhile
    /// (`admitLongReader`); once none runs, it queues (the short readers end
    /// soon, and queueing keeps their stream from starving it).
    func withExclusive<T>(_ body: () throws -> T) rethrows -> T {
        exclusiveWaiters.add(1, ordering: .sequentiallyConsistent)
        defer { exclusiveWaiters.subtract(1, ordering: .sequentiallyConsistent) }
        while longReaders.load(ordering: .sequentiallyConsistent) > 0 {
            if pthread_rwlock_trywrlock(&lock) == 0 {
                defer { pthread_rwlock_unlock(&lock) }
                return try body()
            }
            usleep(1_000)
        }
        pthread_rwlock_wrlock(&lock)
        defer { pthread_rwlock_unlock(&lock) }
        return try body()
    }

    /// Runs `body` under the exclusive lock if it is free now; false, without
    /// waiting (nor holding readers back), if anyone holds it.
    func withExclusiveIfFree(_ body: () -> Void) -> Bool {
        guard pthread_rwlock_trywrlock(&lock) == 0 else { return false }
        defer { pthread_rwlock_unlock(&lock) }
        body()
        return true
    }
}
