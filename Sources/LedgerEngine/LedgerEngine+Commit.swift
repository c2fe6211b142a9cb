import Crypto
import Foundation
import LedgerDomain
import LedgerJSON
import LedgerStore

extension LedgerEngine {
    /// Stages one group (writer thread): every request's events checked
    /// against the state, encoded and written into one staged batch, whose
    /// checkpoint is signed. A refusal undoes only its own unit (a request, or
    /// one event of a non-atomic request). Nothing is durable yet: the
    /// committer writes the batch, then publishes `job.state` and answers.
    ///
    /// Undoing state is keeping the value from before: the state's maps are
    /// persistent, so a copy is O(1), and this one shares exactly the nodes
    /// the published state shares already; a recorded undo log was a tenth of
    /// the writer's time under bulk loads.
    func stage(_ group: [PendingAppend]) -> CommitJob {
        let events = group.reduce(0) { $0 + $1.items.count }
        let bytes = group.reduce(0) { $0 + $1.bytes }
        func refusedWhole(_ error: EngineError) -> CommitJob {
            CommitJob(group: group, outcomes: group.map { $0.items.map { _ in .refused(error) } }, batch: nil,
                      state: state, events: events, bytes: bytes)
        }
        if let reason = haltReason {
            return refusedWhole(EngineError(.readOnly, "writes are halted: \(reason)"))
        }
        let groupStart = state
        var results: [[AppendOutcome]] = group.map {
            $0.items.map { _ in .refused(EngineError(.internal, "not processed")) }
        }
        do {
            // Only this thread discards staged batches (after a failed
            // commit, before it stages again), so `.staleBatch` cannot come here.
            let (_, batch) = try store.stage { batch in
                for (r, request) in group.enumerated() {
                    let units: [[Int]] = request.atomic
                        ? [Array(request.items.indices)] : request.items.indices.map { [$0] }
                    for unit in units {
                        results[r].replaceSubrange(
                            unit.first!...unit.last!,
                            with: try commitUnit(request, indices: unit, batch: batch))
                    }
                }
            }
            return CommitJob(group: group, outcomes: results, batch: batch, state: state, events: events, bytes: bytes)
        } catch {
            state = groupStart
            logger.error("staging \(group.count) requests failed: \(error)")
            return refusedWhole(
                EngineError(.unavailable, "storage failed; nothing of this request was written: \(error)"))
        }
    }

    /// Writes staged groups durably, in one LMDB transaction (committer
    /// thread). Returns the outcomes to deliver, one list per job, and whether
    /// the groups are now durable (then the last job's state is the one to
    /// publish).
    func commitStaged(_ jobs: [CommitJob]) -> (outcomes: [[[AppendOutcome]]], durable: Bool) {
        func refused(_ error: EngineError) -> [[[AppendOutcome]]] {
            jobs.map { job in job.batch == nil ? job.outcomes : job.group.map { $0.items.map { _ in .refused(error) } } }
        }
        let batches = jobs.compactMap(\.batch)
        if batches.isEmpty { return (jobs.map(\.outcomes), false) }
        if let reason = haltReason {
            breakPipeline()  // the writer drops what was staged on these
            return (refused(EngineError(.readOnly, "writes are halted: \(reason)")), false)
        }
        if pipelineBroken {
            return (refused(EngineError(
                .unavailable, "storage failed for an earlier request; nothing of this request was written")), false)
        }
        do {
            try store.commit(batches)
            // Only a commit that wrote something shows the disk takes writes again.
            if batches.contains(where: { !$0.isEmpty }) { noteCommit(failure: nil) }
            return (jobs.map(\.outcomes), true)
        } catch let error as StoreError where error.code == .commitUncertain {
            // LMDB may or may not have made the commit durable. Stop writing
            // until a restart reloads the truth from disk.
            logger.error("commit of \(jobs.count) staged groups failed: \(error)")
            breakPipeline()
            halt("a commit failed after its events were written (\(error)); restart ledgerd")
            return (refused(EngineError(
                .unavailable,
                "storage failed during commit; the events may or may not be stored. Retry with the same "
                    + "idempotencyKey after ledgerd restarts: \(error)")), false)
        } catch {
            // Nothing of these batches reached the disk; the writer drops the
            // batches staged on top of them and goes on from the committed state.
            breakPipeline()
            noteCommit(failure: "\(error)")
            return (refused(EngineError(.unavailable, "storage failed; nothing of this request was written: \(error)")),
                    false)
        }
    }

    /// One all-or-nothing unit of a request. Domain refusals become outcomes;
    /// storage errors propagate (they fail the group).
    private func commitUnit(_ request: PendingAppend, indices: [Int], batch: WriteBatch) throws -> [AppendOutcome] {
        var outcomes: [AppendOutcome] = []
        var failedIndex = indices[0]
        // A single event changes state only in its last, infallible step
        // (`appendOne`), so only a unit of several needs the state from before.
        let unitStart: DomainState? = indices.count == 1 ? nil : state
        let body = {
            for i in indices {
                failedIndex = i
                switch request.items[i] {
                case .failure(let error): throw error
                case .success(let submission):
                    outcomes.append(try self.appendOne(submission, actor: request.actor, batch: batch))
                }
            }
        }
        let seqBefore = batch.nextSeq
        do {
            // One event checks everything before it writes anything, so a
            // refusal leaves nothing to undo in LMDB; several need a nested
            // transaction so that a later refusal undoes the earlier writes.
            if indices.count == 1 { try body() } else { try batch.savepoint(body) }
            return outcomes
        } catch let refusal as EngineError {
            // A lone event refused after its record was staged (by a step after
            // `batch.append`) would be answered "refused" and still committed:
            // it fails the group instead, and nothing of the group is written.
            if indices.count == 1, batch.nextSeq != seqBefore {
                throw StoreError(.misuse, "event \(seqBefore) was refused after it was staged: \(refusal)")
            }
            if let unitStart { state = unitStart }
            return indices.map { i in
                if i == failedIndex { return .refused(refusal) }
                return .refused(EngineError(
                    .refused, "not appended: event \(failedIndex + 1) of this atomic request was refused",
                    details: ["index": String(failedIndex)]))
            }
        } catch {
            if let unitStart { state = unitStart }
            throw error
        }
    }

    /// Checks and stores one event; updates state and indexes. Everything
    /// that can throw comes before `state.apply`, the last step, which cannot:
    /// a refused or failed event leaves the state untouched.
    private func appendOne(_ prepared: PreparedSubmission, actor: Actor, batch: WriteBatch) throws -> AppendOutcome {
        let submission = prepared.submission
        let event = submission.event
        let view = batch.view
        let digest = prepared.digest
        if let key = submission.idempotencyKey, let existing = try view.idempotencyEntry(key) {
            if existing.digest == digest { return .duplicate(seq: existing.seq) }
            throw EngineError(
                .idempotencyMismatch,
                "idempotency key '\(key)' was already used for event \(existing.seq), which is a different event",
                details: ["seq": String(existing.seq)])
        }
        let stream = event.stream
        let version = try batch.streamHead(stream).version
        if let expected = submission.expectedVersion, expected != version {
            throw EngineError(
                .conflict, "stream \(stream) is at version \(version); the event expected version \(expected)",
                details: ["stream": stream, "version": String(version)])
        }
        let lookup = StoreEventLookup(view: view)
        let warnings: [DomainWarning]
        do {
            warnings = try state.check(event, occurredOn: submission.occurredOn, lookup: lookup)
        } catch {
            var details = ["rule": error.code.rawValue, "number": String(error.number)]
            if let field = error.field { details["field"] = field }
            throw EngineError(.refused, error.message, details: details)
        }
        let seq = batch.nextSeq
        let bytes = StoredRecord.canonicalBytes(
            seq: seq, id: EventID.random(using: &randomness), type: event.type.rawValue,
            occurredOn: submission.occurredOn, recordedAt: clock.now(), actor: actor, stream: stream,
            streamVersion: version + 1, data: prepared.data, schemaVersion: StoredEventDecoder.currentSchemaVersion,
            idempotencyKey: submission.idempotencyKey, warnings: warnings)
        guard bytes.count <= configuration.recordBytesMax else {
            throw EngineError(
                .invalid, "the stored event would be \(bytes.count) bytes; at most \(configuration.recordBytesMax)")
        }
        try batch.append(NewRecord(
            seq: seq, bytes: bytes, stream: stream, streamVersion: version + 1,
            idempotencyKey: submission.idempotencyKey, submissionDigest: digest))
        try ProjectionIndexes.apply(event, seq: seq, occurredOn: submission.occurredOn, warnings: warnings,
                                    state: state, batch: batch, lookup: lookup)
        state.apply(event, seq: seq, occurredOn: submission.occurredOn, lookup: lookup)
        return .appended(seq: seq, warnings: warnings)
    }
}
