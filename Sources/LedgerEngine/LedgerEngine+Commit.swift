import Crypto
import Foundation
import LedgerDomain
import LedgerJSON
import LedgerStore

extension LedgerEngine {
    /// Commits one group: every request's events in one durable transaction.
    /// A refusal undoes only its own unit (a request, or one event of a
    /// non-atomic request); a storage failure fails the whole group and
    /// leaves state as it was.
    ///
    /// Undoing state is keeping the value from before: the state's maps are
    /// persistent, so a copy is O(1), and this one shares exactly the nodes
    /// the published state (taken after the last commit) shares already; a
    /// recorded undo log was a tenth of the writer's time under bulk loads.
    func commit(_ group: [PendingAppend]) -> [[AppendOutcome]] {
        var results: [[AppendOutcome]] = group.map { $0.items.map { _ in .refused(EngineError(.internal, "not processed")) } }
        if let reason = haltReason {
            let error = EngineError(.readOnly, "writes are halted: \(reason)")
            return group.map { $0.items.map { _ in .refused(error) } }
        }
        let groupStart = state
        var bodyDone = false
        do {
            try store.write { batch in
                bodyDone = false
                state = groupStart  // a retry after the map grew starts over
                for (r, request) in group.enumerated() {
                    let units: [[Int]] = request.atomic
                        ? [Array(request.items.indices)] : request.items.indices.map { [$0] }
                    for unit in units {
                        results[r].replaceSubrange(
                            unit.first!...unit.last!,
                            with: try commitUnit(request, indices: unit, batch: batch))
                    }
                }
                bodyDone = true
            }
        } catch {
            state = groupStart
            logger.error("commit of \(group.count) requests failed: \(error)")
            if bodyDone {
                // The failure came while signing or committing: LMDB may or may
                // not have made the commit durable. Stop writing until a restart
                // reloads the truth from disk.
                halt("a commit failed after its events were written (\(error)); restart ledgerd")
                let unknown = EngineError(
                    .unavailable,
                    "storage failed during commit; the events may or may not be stored. Retry with the same "
                        + "idempotencyKey after ledgerd restarts: \(error)")
                return group.map { $0.items.map { _ in .refused(unknown) } }
            }
            let failure = EngineError(.unavailable, "storage failed; nothing of this request was written: \(error)")
            return group.map { $0.items.map { _ in .refused(failure) } }
        }
        return results
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
        do {
            // One event checks everything before it writes anything, so a
            // refusal leaves nothing to undo in LMDB; several need a nested
            // transaction so that a later refusal undoes the earlier writes.
            if indices.count == 1 { try body() } else { try batch.savepoint(body) }
            return outcomes
        } catch let refusal as EngineError {
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
        let version = try view.streamVersion(stream)
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
