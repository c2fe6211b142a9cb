import Foundation
import LedgerDomain
import LedgerMerkle
import LedgerStore
import Logging

extension LedgerEngine {
    /// Where the state at startup comes from, for the log and for tests.
    enum StateSource: Equatable {
        /// `current`: of this build's snapshot and file formats (an older
        /// one is rewritten at the next snapshot, shutdown included).
        case snapshotFile(seq: UInt64, current: Bool)
        /// The LMDB row earlier versions kept (read once, then moved to the file).
        case legacyRow(seq: UInt64)
        case replay
    }

    /// The state at the log's end: the latest usable snapshot plus the events
    /// after it (all of them if there is none).
    /// `order` is given the members a snapshot restore left encoded, in the
    /// snapshot's order, for the warm-up.
    static func loadState(store: EventStore, dataDirectory: String, logger: Logger, order: DomainState.RestoreOrder,
                          progress: ((UInt64, UInt64) -> Void)?) throws -> (DomainState, StateSource) {
        try store.read { view in
            let total = try view.size()
            var (state, source) = startingPoint(
                view: view, total: total, dataDirectory: dataDirectory, logger: logger, order: order)
            try PipelinedReplay.replay(into: &state, view: view, from: state.appliedSeq + 1, through: total,
                                       progress: progress)
            return (state, source)
        }
    }

    /// The snapshot file if it is intact and belongs to this log, else the
    /// legacy LMDB row, else an empty state.
    private static func startingPoint(
        view: ReadView, total: UInt64, dataDirectory: String, logger: Logger, order: DomainState.RestoreOrder
    )
        -> (DomainState, StateSource)
    {
        do {
            if let file = try SnapshotFile.read(in: dataDirectory) {
                guard file.seq <= total else {
                    throw SnapshotFile.Damaged(description: "it is at seq \(file.seq) but the log has \(total) events")
                }
                guard try MerkleProofs.root(size: file.seq, nodes: view) == file.root else {
                    throw SnapshotFile.Damaged(
                        description: "its tree root at seq \(file.seq) is not this log's (another ledger, or a restore)")
                }
                // Its parts decode on every core. Members are folded later, on
                // first use or by the warm-up (`foldMembersInBackground`): the
                // file's checksum held, so their bytes are what a build of this
                // snapshot format wrote. If one does not decode all the same,
                // the file goes before the process stops, so that the next
                // start replays the log.
                let lazily = DomainState.LazyMembers(order: order) { [logger] message in
                    logger.critical("\(message); removing \(SnapshotFile.path(in: dataDirectory)): the next start replays the log")
                    SnapshotFile.discard(in: dataDirectory)
                }
                let state = try DomainState(
                    snapshot: file.payload,
                    decodingChunksWith: { count, body in DispatchQueue.concurrentPerform(iterations: count, execute: body) },
                    groups: ProcessInfo.processInfo.activeProcessorCount, lazily: lazily)
                guard state.appliedSeq == file.seq else {
                    throw SnapshotFile.Damaged(description: "its header says seq \(file.seq), its state \(state.appliedSeq)")
                }
                let current = DomainState.isCurrentSnapshot(file.payload) && file.fileFormat == SnapshotFile.format
                return (state, .snapshotFile(seq: file.seq, current: current))
            }
        } catch {
            _ = order.take()  // the restored members (and the mapped file) go now, not after the replay
            logger.warning("ignoring the state snapshot \(SnapshotFile.path(in: dataDirectory)): \(error); replaying the log")
            return (DomainState(), .replay)
        }
        do {
            if let bytes = try view.getIndex(ProjectionIndexes.snapshots, key: ProjectionIndexes.stateKey),
               bytes.count >= 8, let seq = ByteKeys.readU64(bytes), seq <= total
            {
                let state = try DomainState(snapshot: SnapshotBuffer(copying: bytes[8...]))
                if state.appliedSeq == seq { return (state, .legacyRow(seq: seq)) }
            }
        } catch {
            logger.warning("the legacy state snapshot row is unreadable (\(error)); replaying the log")
        }
        return (DomainState(), .replay)
    }

    /// Starts a snapshot of `committed` on the background queue if enough
    /// events came since the last one and none is being written (committer thread).
    func snapshotIfDue(committed: DomainState) {
        guard committed.appliedSeq >= snapshotSeq + configuration.snapshotEveryEvents else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        guard beginSnapshot(now: now, quietFactor: configuration.snapshotQuietFactor) else { return }
        let copy = committed  // shares structure; the writer's next changes copy what they touch
        snapshotSeq = copy.appliedSeq
        snapshotQueue.async {
            var timing: (start: UInt64, duration: UInt64)?
            do {
                try self.writeSnapshotFile(copy)
                timing = (now, DispatchTime.now().uptimeNanoseconds - now)
            } catch {
                self.logger.error("could not write the state snapshot at seq \(copy.appliedSeq): \(error)")
            }
            self.endSnapshot(timing: timing)
        }
    }

    /// Writes the published (committed) state as the snapshot now, after any
    /// background one (shutdown; the writer and committer have stopped).
    func writeSnapshot() throws {
        snapshotQueue.sync {}
        let committed = publishedState
        guard committed.appliedSeq > 0, committed.appliedSeq != snapshotWrittenSeq || snapshotOutdated else { return }
        try writeSnapshotFile(committed)
        snapshotSeq = committed.appliedSeq
    }

    /// Serializes `state`, records the log's root at its seq, writes the file.
    func writeSnapshotFile(_ state: DomainState) throws {
        let started = DispatchTime.now().uptimeNanoseconds
        let seq = state.appliedSeq
        let root = try store.read { try MerkleProofs.root(size: seq, nodes: $0) }
        let payload = state.snapshot()
        try payload.withUnsafeBytes {
            try SnapshotFile.write(seq: seq, root: root, payload: $0, in: configuration.dataDirectory)
        }
        snapshotWrittenSeq = seq
        snapshotOutdated = false
        let ms = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e6
        logger.info("state snapshot written at seq \(seq) (\(payload.count) bytes, \(Int(ms)) ms, in the background)")
    }

    /// Moves a legacy LMDB snapshot row to the file and deletes the row
    /// (startup, before the writer runs).
    func migrateLegacySnapshot() throws {
        try writeSnapshotFile(state)
        snapshotSeq = state.appliedSeq
        try store.write { batch in _ = try batch.deleteIndex(ProjectionIndexes.snapshots, key: ProjectionIndexes.stateKey) }
        logger.notice("moved the state snapshot out of LMDB into \(SnapshotFile.path(in: configuration.dataDirectory))")
    }
}

