import Foundation
import LedgerDomain
import LedgerStore
import Logging

extension LedgerEngine {
    /// The state at the log's end: the latest snapshot plus the events after it
    /// (all of them if there is no usable snapshot).
    static func loadState(store: EventStore, logger: Logger, progress: ((UInt64, UInt64) -> Void)?)
        throws -> (DomainState, UInt64)
    {
        try store.read { view in
            var state = DomainState()
            var from: UInt64 = 0
            if let bytes = try view.getIndex(ProjectionIndexes.snapshots, key: ProjectionIndexes.stateKey),
               bytes.count >= 8, let seq = ByteKeys.readU64(bytes)
            {
                do {
                    state = try DomainState(snapshot: Array(bytes[8...]))
                    from = seq
                } catch {
                    logger.warning("the state snapshot at seq \(seq) is unreadable (\(error)); replaying the whole log")
                    state = DomainState()
                }
            }
            let total = try view.size()
            if from > total {
                logger.warning("the state snapshot (seq \(from)) is ahead of the log (\(total)); replaying the whole log")
                state = DomainState()
                from = 0
            }
            try PipelinedReplay.replay(into: &state, view: view, from: from + 1, through: total,
                                       progress: progress)
            return (state, from)
        }
    }

    /// Writes a snapshot of the state if enough events came since the last.
    func snapshotIfDue() {
        guard state.appliedSeq >= snapshotSeq + configuration.snapshotEveryEvents else { return }
        do {
            try writeSnapshot()
        } catch {
            logger.error("could not write the state snapshot: \(error)")
        }
    }

    /// Stores the writer's state as the snapshot (its own write transaction,
    /// no events, so no checkpoint).
    func writeSnapshot() throws {
        guard state.appliedSeq != snapshotSeq else { return }
        var bytes = ByteKeys.u64(state.appliedSeq)
        bytes.append(contentsOf: state.snapshot())
        try store.write { batch in
            try batch.putIndex(ProjectionIndexes.snapshots, key: ProjectionIndexes.stateKey, value: bytes)
        }
        snapshotSeq = state.appliedSeq
        logger.info("state snapshot written at seq \(snapshotSeq) (\(bytes.count) bytes)")
    }
}
