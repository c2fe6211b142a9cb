import Foundation
import LedgerDomain
import LedgerJSON
import LedgerMerkle
import LedgerStore

/// `verify`: every record, the tree, the checkpoints and the indexes checked on
/// the reading thread, the log replayed on a second one (`VerifyReplay`), the
/// replayed state compared with the live one.
extension LedgerEngine {
    /// Re-reads every event: canonical bytes, leaf hashes, every tree node,
    /// every checkpoint's signature and root; replays the events into a fresh
    /// state and compares it with the live one. Names the first failure.
    public func verify(progress: ((UInt64, UInt64) -> Void)? = nil) throws -> JSONValue {
        let verifier = try NoteVerifier(verifierKey: verifierKey)
        return try withSnapshot(long: true) { live, view in
            let lookup = StoreEventLookup(view: view)
            var stateMismatch: String?
            // The first index problem by seq (meetings' rows are checked as
            // the replay thread gives them back, a little behind the rest).
            var indexProblem: (seq: UInt64, text: String)?
            func indexMismatch(_ seq: UInt64, _ problem: String) {
                if let known = indexProblem, known.seq <= seq { return }
                indexProblem = (seq, "event \(seq): \(problem)")
            }
            var undecodable: (seq: UInt64, reason: String)?
            // Meetings replayed (not retracted in the live state), and the
            // problems found with their index rows: settled at the end, once
            // retractions appended since the live state are known.
            var meetingsExpected = 0
            var meetingRowProblems: [(seq: UInt64, text: String)] = []
            var retractedSince: [UInt64] = []
            var streams: [String: (version: UInt64, seq: UInt64)] = [:]
            let target = live.appliedSeq
            // This thread checks each record; a second one decodes and replays
            // them into a fresh state, compared with the live one at the end.
            let replay = VerifyReplay(state: DomainState()) { seq, row, failure in
                if let failure, undecodable == nil { undecodable = (seq, failure) }
                guard let row, !live.isRetracted(seq) else { return }
                meetingsExpected += 1
                if let problem = Self.checkMeetingRow(row, view: view) { meetingRowProblems.append((seq, problem)) }
            }
            let links = try view.streamLinksInOrder()
            func text(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
                String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
            }
            let result = try view.verifyLog(verifier: verifier, recordCheck: { seq, bytes in
                // Most records are read as the ledger writes them, `data`
                // stepped over here and decoded by the replay thread
                // (`PlainEnvelope`: canonical by construction once `data` is read).
                // A record past the live state (appended since) is not replayed,
                // so it is decoded here, the general way.
                if seq <= target, let envelope = PlainEnvelope(bytes, data: { c, _ in c.skipPlainObject() }),
                   envelope.type != .eventRetracted
                {
                    guard envelope.seq == seq else { return "it says seq \(envelope.seq)" }
                    let indexed = IndexedFields(
                        seq: seq, stream: text(bytes, envelope.stream),
                        streamVersion: envelope.streamVersion, idempotencyKey: envelope.idempotencyKey.map { text(bytes, $0) })
                    if let problem = Self.checkIndexes(indexed, view: view, links: links, streams: &streams) { indexMismatch(seq, problem) }
                    replay.decodeAndApply(seq: seq, envelope: envelope, record: bytes)
                    return nil
                }
                // Any other canonical record (the scanner proves it) is also
                // decoded by the replay thread; only the members around
                // `data` are read here.
                if seq <= target, let scanned = Self.scannedFields(bytes), scanned.type != EventType.eventRetracted.rawValue {
                    guard scanned.fields.seq == seq else { return "it says seq \(scanned.fields.seq)" }
                    if let problem = Self.checkIndexes(scanned.fields, view: view, links: links, streams: &streams) {
                        indexMismatch(seq, problem)
                    }
                    replay.decodeAndApply(seq: seq, occurredOn: scanned.occurredOn, record: bytes)
                    return nil
                }
                let record: StoredRecord
                let event: DomainEvent
                switch Self.decodeCanonical(bytes) {
                case .success(let decoded): (record, event) = decoded
                case .failure(let failure): return failure.text
                }
                guard record.seq == seq else { return "it says seq \(record.seq)" }
                let indexed = IndexedFields(
                    seq: record.seq, stream: record.stream,
                    streamVersion: record.streamVersion, idempotencyKey: record.idempotencyKey)
                if let problem = Self.checkIndexes(indexed, view: view, links: links, streams: &streams) { indexMismatch(seq, problem) }
                if seq <= target {
                    replay.apply(seq: seq, event: event, occurredOn: record.occurredOn, lookup: lookup)
                } else if case .eventRetracted(let retraction) = event {
                    retractedSince.append(retraction.seq)
                }
                return nil
            }, progress: progress)
            // The live state's snapshot is made here while the replay thread
            // makes the fresh one.
            let liveSnapshot = live.snapshot()
            let fresh = replay.finish()
            let (failure, eventsChecked) = Self.firstFailure(result, undecodable: undecodable)
            if fresh.snapshot != liveSnapshot {
                stateMismatch = fresh.appliedSeq == target
                    ? "replaying events 1...\(target) gives a state that differs from the live one"
                    : "the replay reached event \(fresh.appliedSeq) of \(target); its state differs from the live one"
            }
            // A retraction appended since the live state (between a commit and
            // its publication) has already changed the index rows of the
            // meeting it retracts, which the live state and the replay still
            // count: such meetings are left out of the index checks.
            let changedSince = Self.meetingsRetracted(by: retractedSince, lookup: lookup)
            for problem in meetingRowProblems where !changedSince.contains(problem.seq) {
                indexMismatch(problem.seq, problem.text)
            }
            meetingsExpected -= changedSince.filter { $0 <= target && !live.isRetracted($0) }.count
            var indexMismatch = indexProblem?.text
            if failure == nil, indexMismatch == nil {
                var heads = 0
                try view.forEachStreamHead { name, version, seq in
                    heads += 1
                    if let expected = streams[name], expected.version == version, expected.seq == seq { return }
                    indexMismatch = indexMismatch ?? "the head of stream \(name) says version \(version) at seq \(seq); the log disagrees"
                }
                if heads != streams.count, indexMismatch == nil {
                    indexMismatch = "\(heads) stream heads are stored; the log has \(streams.count) streams"
                }
            }
            if failure == nil, indexMismatch == nil {
                // Rows of meetings past the live state (appended since) are
                // not counted: those meetings are not replayed either.
                var rows = 0
                try view.scanIndex(ProjectionIndexes.meetings, prefix: []) { key, _ in
                    if key.count >= 8, let seq = ByteKeys.readU64(key, at: key.count - 8),
                       seq > target || changedSince.contains(seq) { return true }
                    rows += 1
                    return true
                }
                if rows != meetingsExpected {
                    indexMismatch = "the meetings index holds \(rows) meetings; the log has \(meetingsExpected) not retracted"
                }
            }
            if stateMismatch == nil, let indexMismatch { stateMismatch = "indexes: \(indexMismatch)" }
            var object: [String: JSONValue] = [
                "ok": .bool(failure == nil && stateMismatch == nil),
                "size": .int(Int64(result.size)),
                "rootHash": .string(result.rootHash.hex),
                "eventsChecked": .int(Int64(eventsChecked)),
                "checkpointsChecked": .int(Int64(result.checkpointsChecked)),
                "projectionsChecked": .bool(stateMismatch == nil && failure == nil),
            ]
            if let failure {
                object["failure"] = .string(failure.description)
                if let seq = failure.seq { object["badSeq"] = .int(Int64(seq)) }
            } else if let stateMismatch {
                object["failure"] = .string("projections: \(stateMismatch)")
            }
            return .object(object)
        }
    }

    /// The failure `verify` names: the reading thread's (`result`), or the
    /// first record the replay thread could not decode if it comes first. The
    /// replay thread has only records the reading thread passed, so that
    /// record is at most the one the reading thread stopped at; there, bytes
    /// that no longer hash to their leaf are named as altered. With the
    /// number of events checked before the failure.
    static func firstFailure(_ result: LogVerification, undecodable: (seq: UInt64, reason: String)?)
        -> (failure: LogVerification.Failure?, eventsChecked: UInt64)
    {
        guard let undecodable else { return (result.failure, result.eventsChecked) }
        if let failure = result.failure {
            if case .leafMismatch(let seq, _, _) = failure, seq <= undecodable.seq { return (failure, result.eventsChecked) }
            if undecodable.seq > result.eventsChecked + 1 { return (failure, result.eventsChecked) }
        }
        return (.badRecord(seq: undecodable.seq, reason: undecodable.reason), undecodable.seq - 1)
    }

    /// The meetings whose index rows the retractions of `seqs` change: a
    /// retracted meeting, or the meeting of a retracted retraction (and so
    /// on, a few levels down).
    static func meetingsRetracted(by seqs: [UInt64], lookup: StoreEventLookup) -> Set<UInt64> {
        var meetings: Set<UInt64> = []
        for first in seqs {
            var seq = first
            for _ in 0..<8 {
                guard let stored = lookup.storedEvent(seq: seq) else { break }
                if case .meetingHeld = stored.event {
                    meetings.insert(seq)
                } else if case .eventRetracted(let retraction) = stored.event {
                    seq = retraction.seq
                    continue
                }
                break
            }
        }
        return meetings
    }

    /// The derived tables an event must be found in (they are outside the
    /// Merkle tree, so verify checks them against the log): its stream
    /// version, its idempotency key and, for a live meeting, its index row.
    /// What `checkIndexes` reads of a record.
    struct IndexedFields {
        let seq: UInt64
        let stream: String
        let streamVersion: UInt64
        let idempotencyKey: String?
    }

    /// Checks a record against the indexes built from it: its stream's
    /// version and link, its idempotency key. (A meeting's row is checked
    /// apart, `checkMeetingRow`, once the replay thread has decoded it.)
    static func checkIndexes(_ record: IndexedFields, view: ReadView, links: StreamLinksInOrder,
                             streams: inout [String: (version: UInt64, seq: UInt64)]) -> String?
    {
        do {
            let previous = streams[record.stream] ?? (0, 0)
            guard record.streamVersion == previous.version + 1 else {
                return "it is version \(record.streamVersion) of stream \(record.stream), which was at \(previous.version)"
            }
            guard try links.previous(of: record.seq) == previous.seq else {
                return "its stream link does not point at event \(previous.seq)"
            }
            streams[record.stream] = (record.streamVersion, record.seq)
            if let key = record.idempotencyKey, try view.idempotencyEntry(key)?.seq != record.seq {
                return "its idempotency key '\(key)' points elsewhere"
            }
            return nil
        } catch {
            return "cannot read its index rows: \(error)"
        }
    }

    /// Checks the meetings-index row a live meeting should have.
    static func checkMeetingRow(_ row: MeetingRow, view: ReadView) -> String? {
        do {
            guard let stored = try view.getIndex(ProjectionIndexes.meetings, key: row.key), stored == row.value else {
                return "its meetings index row is missing or differs"
            }
            return nil
        } catch {
            return "cannot read its meetings index row: \(error)"
        }
    }

    /// The members `checkIndexes` reads, and `occurredOn`, of a record the
    /// scanner proves canonical (`CanonicalScanner`), where they are plain
    /// strings and digits; nil otherwise. `data` is not parsed.
    static func scannedFields(_ bytes: UnsafeRawBufferPointer) -> (fields: IndexedFields, type: String, occurredOn: BusinessDate)? {
        guard let members = CanonicalScanner.topLevelMembers(bytes, limits: .storedRecord) else { return nil }
        var seq: UInt64?, type: String?, occurredOn: BusinessDate?, stream: String?, streamVersion: UInt64?
        var idempotencyKey: String?
        for member in members {
            let key = UnsafeRawBufferPointer(rebasing: bytes[member.key])
            let value = UnsafeRawBufferPointer(rebasing: bytes[member.value])
            if key.elementsEqual("seq".utf8) {
                seq = ReplayedRecord.digits(value)
            } else if key.elementsEqual("type".utf8) {
                type = ReplayedRecord.plainString(value)
            } else if key.elementsEqual("occurredOn".utf8) {
                occurredOn = ReplayedRecord.plainString(value).flatMap(BusinessDate.init)
            } else if key.elementsEqual("stream".utf8) {
                stream = ReplayedRecord.plainString(value)
            } else if key.elementsEqual("streamVersion".utf8) {
                streamVersion = ReplayedRecord.digits(value)
            } else if key.elementsEqual("idempotencyKey".utf8) {
                guard let plain = ReplayedRecord.plainString(value) else { return nil }
                idempotencyKey = plain
            }
        }
        guard let seq, let type, let occurredOn, let stream, let streamVersion else { return nil }
        return (IndexedFields(seq: seq, stream: stream, streamVersion: streamVersion, idempotencyKey: idempotencyKey),
                type, occurredOn)
    }

    struct DecodeFailure: Error { let text: String }

    /// A record that `PlainEnvelope` does not read: read in place when the
    /// scanner proves it canonical, else parsed whole, re-encoded and
    /// compared byte for byte; then its event decoded.
    static func decodeCanonical(_ bytes: UnsafeRawBufferPointer)
        -> Result<(record: StoredRecord, event: DomainEvent), DecodeFailure>
    {
        do {
            let record: StoredRecord
            if let scanned = StoredRecord.scanned(bytes) {
                // The scanner proved it canonical and read it in place.
                record = scanned
            } else {
                // What the scanner declines is parsed whole, re-encoded and
                // compared byte for byte.
                let value = try JSONParser.parse(bytes, limits: .storedRecord)
                if CanonicalScanner.topLevelMembers(bytes, limits: .storedRecord) == nil,
                   !CanonicalJSON.encode(value).elementsEqual(bytes)
                {
                    return .failure(DecodeFailure(text: "its bytes are not in RFC 8785 canonical form"))
                }
                record = try StoredRecord(json: value)
            }
            return .success((record, try record.event()))
        } catch {
            return .failure(DecodeFailure(text: "it does not decode: \(error)"))
        }
    }
}
