import Foundation
import LedgerDomain
import LedgerJSON
import LedgerMerkle
import LedgerStore
import Logging
import Synchronization

/// The ledger as a service: appends through group commit with the domain
/// rules checked inside the write transaction, and consistent snapshots for
/// queries that never wait for a commit.
///
/// Threads: a commit blocks on fsync, so appends never run on Swift's
/// cooperative pool. Two dedicated threads form a pipeline: the writer owns
/// `state` and stages each group (rules checked against the state, records
/// encoded, leaves hashed, checkpoint signed: `EventStore.stage`) while the
/// committer writes the group before it in LMDB's one write transaction and
/// waits for its flush. After each commit the committer publishes the state
/// the writer handed over with that group (an immutable copy, with the seq it
/// reflects) and answers the callers; queries read the published copy and an
/// LMDB read snapshot, so they never see an event that is not durable.
public final class LedgerEngine: @unchecked Sendable {
    // @unchecked: `state` belongs to the writer thread, `snapshotSeq` to the
    // committer (both to init/shutdown before/after they run); `published`,
    // `pipelineBroken` and the counters are guarded by `publishedLock`.
    public let configuration: EngineConfiguration
    let store: EventStore
    let logger: Logger
    var state: DomainState
    /// The seq of the latest snapshot written or being written (committer thread).
    var snapshotSeq: UInt64
    /// Where the state came from at startup.
    let snapshotSource: StateSource
    /// Writes snapshots off the committer thread, one at a time.
    let snapshotQueue = DispatchQueue(label: "ledger.engine.snapshot", qos: .utility)
    private var snapshotRunning = false
    private var lastSnapshot: (start: UInt64, duration: UInt64)?
    private var writtenSeq: UInt64 = 0
    /// The snapshot file on disk is of an older format: shutdown writes it
    /// again even if no event came since (set at init, cleared by the write).
    var snapshotOutdated = false
    /// The seq of the snapshot file on disk (guarded by the lock: written by the snapshot queue).
    var snapshotWrittenSeq: UInt64 {
        get {
            publishedLock.lock()
            defer { publishedLock.unlock() }
            return writtenSeq
        }
        set {
            publishedLock.lock()
            writtenSeq = newValue
            publishedLock.unlock()
        }
    }
    /// Randomness for event ids (writer thread only).
    var randomness = BufferedRandom()
    /// The `recordedAt` clock (writer thread only).
    var clock = RecordClock()
    private let queue: AppendQueue
    private let publishedLock = NSLock()
    /// Releases replaced published states off the committer thread (with the committed jobs).
    private let reaper = DispatchQueue(label: "ledger.engine.reaper", qos: .utility)
    /// Folds the members a restart left encoded (`foldMembersInBackground`).
    let warmUpQueue = DispatchQueue(label: "ledger.engine.warm-up", qos: .utility)
    let warmUp = DispatchGroup()
    let warmUpStop = Atomic(false)
    private var published: DomainState
    /// Set by the committer when a commit failed with nothing written: the
    /// groups staged on top of it are refused until the writer starts again
    /// from the committed state.
    private var broken = false
    /// Staged groups waiting for the committer.
    private let handoff: CommitHandoff
    private var halted: String?
    /// Since when commits have failed with nothing written, and the last
    /// error (nil once a commit succeeds): `status` shows it.
    private var commitFailure: (since: Date, error: String)?
    /// When a failing commit was last logged, and how many failures since went unlogged.
    private var failureLogged: (at: Date, unlogged: Int)?
    private var pendingSwap: (state: DomainState, decision: SwapDecision)?
    private var groupsCommitted = 0
    private var eventsSubmitted = 0
    /// The latest durable commits' times (`status`).
    let commitTimings = CommitTimings()

    /// Write transactions committed for appends, and the events they carried
    /// (their ratio is the group-commit batch size).
    public var commitStatistics: (groups: Int, events: Int) {
        publishedLock.lock()
        defer { publishedLock.unlock() }
        return (groupsCommitted, eventsSubmitted)
    }
    private var writer: Thread?
    private var committer: Thread?
    private let writerDone = DispatchSemaphore(value: 0)
    public let startedAt = Date()

    static let indexNames = ProjectionIndexes.all
    /// The engine's index databases, for tools that open its store directly.
    public static var storeIndexNames: [String] { indexNames }

    /// Opens the store, loads the latest state snapshot and replays the events
    /// after it, then starts the writer.
    /// - Parameter progress: called during replay with (done, total).
    public init(configuration: EngineConfiguration, logger: Logger = Logger(label: "ledger.engine"),
                progress: ((UInt64, UInt64) -> Void)? = nil) throws {
        self.configuration = configuration
        self.logger = logger
        var options = StoreOptions(origin: configuration.origin)
        options.indexNames = Self.indexNames
        options.recordBytesMax = configuration.recordBytesMax
        options.mapSizeInitialBytes = configuration.mapSizeInitialBytes
        options.mapSizeMaxBytes = configuration.mapSizeMaxBytes
        store = try EventStore(dataDirectory: configuration.dataDirectory, options: options)
        queue = AppendQueue(eventsMax: configuration.queueEventsMax, bytesMax: configuration.queueBytesMax,
                            groupBytesMax: configuration.groupBytesMax)
        // Up to four groups wait for the committer, and a commit takes up to
        // two groups' worth: a transaction stays about the size of a group.
        handoff = CommitHandoff(
            eventsMax: 4 * configuration.groupEventsMax, bytesMax: 4 * configuration.groupBytesMax,
            takeEventsMax: 2 * configuration.groupEventsMax, takeBytesMax: 2 * configuration.groupBytesMax)
        let restoreOrder = DomainState.RestoreOrder()
        let (loaded, source) = try Self.loadState(store: store, dataDirectory: configuration.dataDirectory,
                                                  logger: logger, order: restoreOrder, progress: progress)
        state = loaded
        snapshotSource = source
        switch source {
        case .snapshotFile(let seq, let current):
            snapshotSeq = seq
            writtenSeq = seq
            snapshotOutdated = !current
        case .legacyRow(let seq): snapshotSeq = seq
        case .replay: snapshotSeq = 0
        }
        published = loaded
        if case .legacyRow = source {
            do {
                try migrateLegacySnapshot()
            } catch {
                logger.error("could not move the state snapshot out of LMDB: \(error)")
            }
        }
        foldMembersInBackground(restoreOrder.take())
        // The threads hold the engine until they exit: `shutdown()` is required.
        let committing = Thread { self.runCommitter() }
        committing.name = "ledger-committer"
        committer = committing
        committing.start()
        let thread = Thread { self.runWriter() }
        thread.name = "ledger-writer"
        thread.stackSize = 8 << 20
        writer = thread
        thread.start()
    }

    /// The verifier key of the checkpoint signer (C2SP vkey).
    public var verifierKey: String { store.verifierKey }
    public var origin: String { store.origin }

    // MARK: Appending

    /// Appends `events` (client submissions as JSON) as one request.
    /// Returns one outcome per event, in order, once the events are durable.
    /// - Parameter atomic: if true, one refused event refuses them all.
    public func append(_ events: [JSONValue], actor: Actor, atomic: Bool) async -> [AppendOutcome] {
        await append(events, actor: actor, atomic: atomic, beforeQueueing: {}, afterQueueing: {})
    }

    /// `append`, with hooks around the moment the request enters the writer's
    /// queue: `beforeQueueing` is awaited after the events are decoded,
    /// `afterQueueing` runs as soon as they are queued (or refused), before the
    /// commit is awaited. The server uses them to queue a connection's
    /// pipelined appends in request order. Both run exactly once when the
    /// request gets that far; neither runs for a request refused whole before
    /// decoding (empty, or over the events limit).
    public func append(
        _ events: [JSONValue], actor: Actor, atomic: Bool,
        beforeQueueing: () async -> Void, afterQueueing: () -> Void
    ) async -> [AppendOutcome] {
        if let refusal = refusedBeforeDecoding(events) { return refusal }
        let items = prepare(events)
        await beforeQueueing()
        return await withCheckedContinuation { continuation in
            defer { afterQueueing() }
            enqueue(items, bytes: events.reduce(0) { $0 + $1.approximateBytes }, actor: actor, atomic: atomic) {
                continuation.resume(returning: $0)
            }
        }
    }

    /// `append` without a task: decodes `events` on the calling thread, queues
    /// them and returns at once; `deliver` gets one outcome per event, in
    /// order, once they are durable (or refused), on the committer's thread
    /// (or on this one, for a request refused before queueing). Keep
    /// `deliver` short: hand the outcomes to another thread. The server's
    /// event loop uses this for a single append, so that an append costs no
    /// task and no hop through the cooperative pool.
    public func submit(
        _ events: [JSONValue], actor: Actor, atomic: Bool, deliver: @escaping @Sendable ([AppendOutcome]) -> Void
    ) {
        if let refusal = refusedBeforeDecoding(events) { return deliver(refusal) }
        enqueue(prepare(events), bytes: events.reduce(0) { $0 + $1.approximateBytes }, actor: actor, atomic: atomic,
                deliver: deliver)
    }

    /// The answer to a request refused whole before decoding: empty (no
    /// outcomes), or over the events limit; nil for any other.
    private func refusedBeforeDecoding(_ events: [JSONValue]) -> [AppendOutcome]? {
        if events.isEmpty { return [] }
        guard events.count > configuration.requestEventsMax else { return nil }
        let error = EngineError(
            .invalid, "\(events.count) events in one request; at most \(configuration.requestEventsMax)")
        return events.map { _ in .refused(error) }
    }

    /// Decodes each submission (a bad one becomes its own refusal).
    private func prepare(_ events: [JSONValue]) -> [Result<PreparedSubmission, EngineError>] {
        events.map { event -> Result<PreparedSubmission, EngineError> in
            do throws(DomainError) {
                return .success(PreparedSubmission(try SubmissionDecoder.decode(event)))
            } catch {
                var details = ["rule": error.code.rawValue, "number": String(error.number)]
                if let field = error.field { details["field"] = field }
                return .failure(EngineError(.invalid, error.message, details: details))
            }
        }
    }

    /// Puts decoded submissions in the writer's queue, or refuses them all at
    /// once (queue full, shutting down) through `deliver`.
    private func enqueue(
        _ items: [Result<PreparedSubmission, EngineError>], bytes: Int, actor: Actor, atomic: Bool,
        deliver: @escaping @Sendable ([AppendOutcome]) -> Void
    ) {
        let pending = PendingAppend(items: items, bytes: bytes, actor: actor, atomic: atomic, deliver: deliver)
        switch queue.enqueue(pending) {
        case .queued:
            break
        case .full:
            let error = EngineError(.busy, "the append queue is full (\(queue.eventsMax) events); retry shortly")
            deliver(items.map { _ in .refused(error) })
        case .closed:
            let error = EngineError(.shuttingDown, "ledgerd is shutting down; nothing was appended")
            deliver(items.map { _ in .refused(error) })
        }
    }

    /// Events waiting for the writer.
    public var queueDepth: Int { queue.depth }

    /// Asks the writer to replace its state with `fresh` (from `rebuild`)
    /// before its next commit, if it still reflects the same seq, and waits
    /// for its answer: whether it did (false too if the writer stopped, or
    /// did not answer within a minute).
    func requestSwap(_ fresh: DomainState) -> Bool {
        let decision = SwapDecision()
        publishedLock.lock()
        let replaced = pendingSwap?.decision
        pendingSwap = (fresh, decision)
        publishedLock.unlock()
        replaced?.decide(false)
        queue.wake()
        if let swapped = decision.wait(seconds: 60) { return swapped }
        // No answer: withdraw the request, so that it cannot be swapped in
        // after this call has said it was not (unless the writer took it just now).
        publishedLock.lock()
        let withdrawn = pendingSwap?.decision === decision
        if withdrawn { pendingSwap = nil }
        publishedLock.unlock()
        return withdrawn ? false : decision.wait(seconds: 60) ?? false
    }

    /// The writer's answer to one swap request.
    final class SwapDecision: @unchecked Sendable {
        // @unchecked: `swapped` is written before `done` is signalled and read after.
        private let done = DispatchSemaphore(value: 0)
        private var swapped = false

        func decide(_ swapped: Bool) {
            self.swapped = swapped
            done.signal()
        }

        /// The answer, or nil if none came within `seconds`.
        func wait(seconds: Int) -> Bool? {
            guard done.wait(timeout: .now() + .seconds(seconds)) == .success else { return nil }
            return swapped
        }
    }

    /// On the writer thread: swaps in a rebuilt state, atomically for readers,
    /// once every staged group is committed (the state is then the published one).
    private func swapIfRequested() {
        publishedLock.lock()
        let request = pendingSwap
        pendingSwap = nil
        publishedLock.unlock()
        guard let (fresh, decision) = request else { return }
        handoff.waitUntilIdle()
        if pipelineBroken { resetAfterFailedCommit() }
        guard fresh.appliedSeq == state.appliedSeq else {
            logger.warning("rebuilt state is for seq \(fresh.appliedSeq) but the ledger is at \(state.appliedSeq); not swapped")
            decision.decide(false)
            return
        }
        state = fresh
        publish(fresh)
        logger.notice("projections rebuilt from the log and swapped in at seq \(fresh.appliedSeq)")
        decision.decide(true)
    }

    /// The writer thread: stages groups as appends arrive, while the
    /// committer flushes the ones before.
    private func runWriter() {
        while let group = queue.takeGroup(eventsMax: configuration.groupEventsMax) {
            swapIfRequested()
            if group.isEmpty { continue }
            if pipelineBroken { resetAfterFailedCommit() }
            handoff.put(stage(group))
        }
        // Stopping: a swap asked for and not made is answered "not swapped".
        publishedLock.lock()
        let unanswered = pendingSwap?.decision
        pendingSwap = nil
        publishedLock.unlock()
        unanswered?.decide(false)
        handoff.close()
    }

    /// The committer thread: writes everything staged since its last commit
    /// in one durable transaction, publishes the state, answers the callers.
    private func runCommitter() {
        while let jobs = handoff.takeAll() {
            let started = DispatchTime.now().uptimeNanoseconds
            let (outcomes, durable) = commitStaged(jobs)
            if durable, let last = jobs.last {
                let events = jobs.reduce(0) { $0 + $1.events }
                // Timed only if it wrote: a group refused whole (or only
                // duplicates) never reaches LMDB, and would pull the times down.
                let stored = outcomes.joined().joined().count { if case .appended = $0 { true } else { false } }
                if stored > 0 {
                    commitTimings.record(nanoseconds: DispatchTime.now().uptimeNanoseconds - started, events: stored)
                }
                publish(last.state, eventsCommitted: events)
                snapshotIfDue(committed: last.state)
            }
            for (job, results) in zip(jobs, outcomes) {
                for (pending, result) in zip(job.group, results) { pending.deliver(result) }
            }
            handoff.finished()
            // The jobs hold the intermediate states and the staged writes.
            retire(consume jobs)
        }
        writerDone.signal()
    }

    /// The state queries read: every event in it is durable.
    var publishedState: DomainState {
        publishedLock.lock()
        defer { publishedLock.unlock() }
        return published
    }

    /// Whether a commit failed with nothing written and the writer has not yet
    /// started again from the committed state.
    var pipelineBroken: Bool {
        publishedLock.lock()
        defer { publishedLock.unlock() }
        return broken
    }

    /// Committer thread: refuse what is staged until the writer resets.
    func breakPipeline() {
        publishedLock.lock()
        broken = true
        publishedLock.unlock()
    }

    /// Committer thread: a commit failed (`error`) or succeeded (nil).
    /// Logs a failure at most once a minute while commits keep failing (a
    /// full disk with clients retrying must not fill the journal), with the
    /// count of the ones in between; logs the recovery.
    func noteCommit(failure error: String?) {
        let now = Date()
        publishedLock.lock()
        var failingLine: String?
        var recovered: (since: Date, unlogged: Int)?
        if let error {
            commitFailure = (commitFailure?.since ?? now, error)
            if let logged = failureLogged, now.timeIntervalSince(logged.at) < 60 {
                failureLogged = (logged.at, logged.unlogged + 1)
            } else {
                let unlogged = failureLogged?.unlogged ?? 0
                failingLine = "commits failing, nothing written: \(error)"
                    + (unlogged > 0 ? " (\(unlogged) more failed commits in the last minute)" : "")
                failureLogged = (now, 0)
            }
        } else if let failing = commitFailure {
            recovered = (failing.since, failureLogged?.unlogged ?? 0)
            commitFailure = nil
            failureLogged = nil
        }
        publishedLock.unlock()
        if let failingLine { logger.error("\(failingLine)") }
        if let recovered {
            let since = ISO8601DateFormatter().string(from: recovered.since)
            let unlogged = recovered.unlogged > 0 ? " (\(recovered.unlogged) failed commits not logged)" : ""
            logger.notice("commits succeed again, after failing since \(since)\(unlogged)")
        }
    }

    /// Since when commits have been failing, and the last error; nil if the last commit succeeded.
    var failingCommits: (since: Date, error: String)? {
        publishedLock.lock()
        defer { publishedLock.unlock() }
        return commitFailure
    }

    /// Writer thread, after a failed commit: waits until the committer has
    /// refused every group staged on the failed one, drops those batches, and
    /// goes on from the last published (committed) state.
    func resetAfterFailedCommit() {
        handoff.waitUntilIdle()
        store.discardStaged()
        publishedLock.lock()
        state = published
        broken = false
        publishedLock.unlock()
    }

    /// Claims the snapshot slot, unless a snapshot is still being written or
    /// the last one started less than `quietFactor` times its duration ago.
    func beginSnapshot(now: UInt64, quietFactor: Double) -> Bool {
        publishedLock.lock()
        defer { publishedLock.unlock() }
        if snapshotRunning { return false }
        if let last = lastSnapshot, Double(now &- last.start) < quietFactor * Double(last.duration) { return false }
        snapshotRunning = true
        return true
    }

    /// Frees the slot; `timing` (start, duration in nanoseconds) is nil for a
    /// snapshot that failed, which keeps the previous one's.
    func endSnapshot(timing: (start: UInt64, duration: UInt64)?) {
        publishedLock.lock()
        snapshotRunning = false
        if let timing { lastSnapshot = timing }
        publishedLock.unlock()
    }

    /// Makes `committed` (a state whose events are all durable) the one queries read.
    func publish(_ committed: DomainState, eventsCommitted events: Int = 0) {
        var replaced = committed
        publishedLock.lock()
        if events > 0 {
            groupsCommitted += 1
            eventsSubmitted += events
        }
        swap(&published, &replaced)
        publishedLock.unlock()
        // The replaced copy holds the only references to the trie nodes the
        // commit rewrote; freeing them is ~5 % of a commit's CPU, so it happens
        // on another thread while this one goes on to the next group.
        retire(consume replaced)
    }

    /// Frees `value` on the reaper thread. Pass it with `consume`, so that the
    /// box the reaper empties holds the only reference: a plain capture
    /// raced (the caller still held the value, and when the reaper ran
    /// first, the caller freed it after all).
    func retire<T>(_ value: consuming T) {
        let box = Handover(value)
        reaper.async { box.drop() }
    }

    /// Halts writes after an integrity failure (like LMDB's MDB_PANIC): reads
    /// go on, appends are refused with `read-only` until an operator acts.
    func halt(_ reason: String) {
        publishedLock.lock()
        halted = reason
        publishedLock.unlock()
        logger.critical("writes halted: \(reason)")
    }

    var haltReason: String? {
        publishedLock.lock()
        defer { publishedLock.unlock() }
        return halted
    }

    // MARK: Reading

    /// Runs `body` with the latest published state and a read snapshot of the
    /// store taken after it (the snapshot may hold a few newer events; the
    /// state's `appliedSeq` says what it reflects).
    /// `long`: the snapshot may be held for long (`EventStore.read(long:)`).
    public func withSnapshot<T>(long: Bool = false, _ body: (DomainState, ReadView) throws -> T) throws -> T {
        publishedLock.lock()
        let current = published
        publishedLock.unlock()
        return try store.read(long: long) { view in try body(current, view) }
    }

    /// Runs `body` with a read snapshot of the store.
    public func read<T>(_ body: (ReadView) throws -> T) throws -> T {
        try store.read(body)
    }

    // MARK: Shutting down

    /// Refuses new appends, lets the writer and committer finish what is
    /// queued, writes a state snapshot and closes the store. Blocks until done.
    public func shutdown() {
        stopFoldingMembers()
        queue.close()
        if writer != nil {
            writerDone.wait()
            writer = nil
            committer = nil
            do {
                try writeSnapshot()
            } catch {
                logger.error("could not write the state snapshot at shutdown: \(error)")
            }
            store.close()
        }
    }
}

/// A value handed to another thread to be freed there.
private final class Handover<T>: @unchecked Sendable {
    // @unchecked: `value` is set at init and dropped once, by the reaper.
    private var value: T?
    init(_ value: consuming T) { self.value = value }
    func drop() { value = nil }
}
