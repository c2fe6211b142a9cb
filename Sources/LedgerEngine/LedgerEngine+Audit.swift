import Foundation
import LedgerDomain
import LedgerJSON
import LedgerMerkle
import LedgerStore

extension LedgerEngine {
    /// `status`: size, root, latest checkpoint, map use, queue, uptime.
    public func status() throws -> JSONValue {
        try read { view in
            let frontier = try view.frontier()
            let latest = try view.latestCheckpoint()
            let statistics = commitStatistics
            var object: [String: JSONValue] = [
                "size": .int(Int64(frontier.size)),
                "rootHash": .string(frontier.root().hex),
                "origin": .string(origin),
                "checkpointSize": .int(Int64(latest?.size ?? 0)),
                "checkpoint": .string(latest?.note ?? ""),
                "mapUsedBytes": .int(Int64(store.env.usedBytes())),
                "mapSizeBytes": .int(Int64(store.env.mapSizeBytes)),
                "queueDepth": .int(Int64(queueDepth)),
                "groupsCommitted": .int(Int64(statistics.groups)),
                "eventsSubmitted": .int(Int64(statistics.events)),
                "uptimeSeconds": .int(Int64(Date().timeIntervalSince(startedAt))),
                // The state snapshot on disk: a restart replays the events after it.
                "snapshotSeq": .int(Int64(snapshotWrittenSeq)),
            ]
            if let reason = haltReason { object["halted"] = .string(reason) }
            if let failing = failingCommits {
                object["commitFailing"] = .object([
                    "since": .string(ISO8601DateFormatter().string(from: failing.since)),
                    "error": .string(failing.error),
                ])
            }
            return .object(object)
        }
    }

    /// One line on the ledger's health for `systemctl status` (systemd's
    /// STATUS=): the size when all is well, else what is wrong with writes.
    public var healthLine: String {
        if let reason = haltReason { return "WRITES HALTED (restart ledgerd): \(reason)" }
        if let failing = failingCommits {
            let since = ISO8601DateFormatter().string(from: failing.since)
            return "APPENDS FAILING since \(since), nothing written: \(failing.error)"
        }
        return "serving \(store.size) events"
    }

    /// The latest signed checkpoint (a C2SP signed note).
    public func latestCheckpoint() throws -> (size: UInt64, note: String) {
        try read { view in
            guard let latest = try view.latestCheckpoint() else {
                throw EngineError(.internal, "no checkpoint is stored")
            }
            return latest
        }
    }

    /// Calls `body` with each export line (CONTRACT.md: the stored record plus
    /// its `leafHash`), from `fromSeq` on, streaming from one read snapshot.
    public func export(fromSeq: UInt64 = 1, through: UInt64 = .max,
                       _ body: (UInt64, [UInt8]) throws -> Bool) throws {
        try read { view in
            try view.forEachRecord(from: max(1, fromSeq), through: through) { seq, bytes in
                guard let leaf = try view.leafHash(seq: seq) else {
                    throw EngineError(.internal, "the tree has no leaf for event \(seq)")
                }
                return try body(seq, try Self.exportLine(record: bytes, leafHash: leaf))
            }
        }
    }

    /// The export line: the stored canonical record with `"leafHash":"<hex>"`
    /// inserted where RFC 8785 orders it, so the line is canonical JSON too
    /// (verifiers drop `leafHash` and hash the rest as it stands).
    static func exportLine(record: UnsafeRawBufferPointer, leafHash: TreeHash) throws -> [UInt8] {
        guard let members = CanonicalScanner.topLevelMembers(record) else {
            // Not a form the scanner vouches for (it declines a few rare
            // canonical forms too): re-encode, which gives the same bytes.
            guard case .object(var object) = try JSONParser.parse(record, allowFloats: true) else {
                throw EngineError(.internal, "a stored record is not a JSON object; run ledgerctl verify")
            }
            object["leafHash"] = .string(leafHash.hex)
            return CanonicalJSON.encode(.object(object))
        }
        let name = Array("leafHash".utf8)
        let after = members.first { member in
            record[member.key].lexicographicallyPrecedes(name) == false
        }
        var line = [UInt8]()
        line.reserveCapacity(record.count + 80)
        let member = Array("\"leafHash\":\"".utf8) + Array(leafHash.hex.utf8) + [UInt8(ascii: "\"")]
        if let after {
            let at = after.key.lowerBound - 1  // its opening quote
            line.append(contentsOf: record[0..<at])
            line.append(contentsOf: member)
            line.append(UInt8(ascii: ","))
            line.append(contentsOf: record[at...])
        } else {
            line.append(contentsOf: record[0..<(record.count - 1)])
            if !members.isEmpty { line.append(UInt8(ascii: ",")) }
            line.append(contentsOf: member)
            line.append(UInt8(ascii: "}"))
        }
        return line
    }

    /// Re-reads every event: canonical bytes, leaf hashes, every tree node,
    /// every checkpoint's signature and root; replays the events into a fresh
    /// state and compares it with the live one. Names the first failure.
    public func verify(progress: ((UInt64, UInt64) -> Void)? = nil) throws -> JSONValue {
        let verifier = try NoteVerifier(verifierKey: verifierKey)
        return try withSnapshot { live, view in
            let lookup = StoreEventLookup(view: view)
            var stateMismatch: String?
            var indexMismatch: String?
            var meetingsExpected = 0
            var streams: [String: (version: UInt64, seq: UInt64)] = [:]
            let target = live.appliedSeq
            // This thread checks each record; a second one replays them into a
            // fresh state, which is compared with the live one at the end.
            let replay = ReplayPipeline(state: DomainState(), through: target, progress: nil)
            let result = try view.verifyLog(verifier: verifier, recordCheck: { seq, bytes in
                // Most records are read front to back as the ledger writes
                // them (`PlainRecord`, canonical by construction).
                if let plain = PlainRecord(bytes) {
                    guard plain.seq == seq else { return "it says seq \(plain.seq)" }
                    func text(_ range: Range<Int>) -> String {
                        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
                    }
                    let indexed = IndexedFields(
                        seq: seq, type: plain.type, occurredOn: plain.occurredOn, stream: text(plain.stream),
                        streamVersion: plain.streamVersion, idempotencyKey: plain.idempotencyKey.map(text))
                    if let problem = Self.checkIndexes(indexed, view: view, live: live, target: target, streams: &streams,
                                                       meetingRow: {
                                                           guard case .meetingHeld(let m) = plain.event else { return nil }
                                                           return MeetingRow(m, seq: seq, day: plain.occurredOn)
                                                       }) {
                        indexMismatch = indexMismatch ?? "event \(seq): \(problem)"
                    }
                    if plain.type == EventType.meetingHeld.rawValue, seq <= target, !live.isRetracted(seq) { meetingsExpected += 1 }
                    if seq <= target { replay.apply(seq: seq, event: plain.event, occurredOn: plain.occurredOn, lookup: lookup) }
                    return nil
                }
                let record: StoredRecord
                let event: DomainEvent
                do {
                    if let scanned = StoredRecord.scanned(bytes) {
                        // The scanner proved it canonical and read it in place.
                        record = scanned
                    } else {
                        // What the scanner declines is parsed whole, re-encoded
                        // and compared byte for byte.
                        let value = try JSONParser.parse(bytes, limits: .storedRecord)
                        if CanonicalScanner.topLevelMembers(bytes, limits: .storedRecord) == nil,
                           !CanonicalJSON.encode(value).elementsEqual(bytes)
                        {
                            return "its bytes are not in RFC 8785 canonical form"
                        }
                        record = try StoredRecord(json: value)
                    }
                    event = try record.event()
                } catch {
                    return "it does not decode: \(error)"
                }
                guard record.seq == seq else { return "it says seq \(record.seq)" }
                let indexed = IndexedFields(
                    seq: record.seq, type: record.type, occurredOn: record.occurredOn, stream: record.stream,
                    streamVersion: record.streamVersion, idempotencyKey: record.idempotencyKey)
                if let problem = Self.checkIndexes(indexed, view: view, live: live, target: target, streams: &streams,
                                                   meetingRow: {
                                                       MeetingRow(data: record.data, seq: record.seq, day: record.occurredOn)
                                                   }) {
                    indexMismatch = indexMismatch ?? "event \(seq): \(problem)"
                }
                if record.type == EventType.meetingHeld.rawValue, seq <= target, !live.isRetracted(seq) { meetingsExpected += 1 }
                if seq <= target { replay.apply(seq: seq, event: event, occurredOn: record.occurredOn, lookup: lookup) }
                return nil
            }, progress: progress)
            let fresh = try replay.finish()
            if fresh.snapshot() != live.snapshot() {
                stateMismatch = fresh.appliedSeq == target
                    ? "replaying events 1...\(target) gives a state that differs from the live one"
                    : "the replay reached event \(fresh.appliedSeq) of \(target); its state differs from the live one"
            }
            if result.ok, indexMismatch == nil {
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
            if result.ok, indexMismatch == nil {
                var rows = 0
                try view.scanIndex(ProjectionIndexes.meetings, prefix: []) { _, _ in
                    rows += 1
                    return true
                }
                if rows != meetingsExpected {
                    indexMismatch = "the meetings index holds \(rows) meetings; the log has \(meetingsExpected) not retracted"
                }
            }
            if stateMismatch == nil, let indexMismatch { stateMismatch = "indexes: \(indexMismatch)" }
            var object: [String: JSONValue] = [
                "ok": .bool(result.ok && stateMismatch == nil),
                "size": .int(Int64(result.size)),
                "rootHash": .string(result.rootHash.hex),
                "eventsChecked": .int(Int64(result.eventsChecked)),
                "checkpointsChecked": .int(Int64(result.checkpointsChecked)),
                "projectionsChecked": .bool(stateMismatch == nil && result.ok),
            ]
            if let failure = result.failure {
                object["failure"] = .string(failure.description)
                if let seq = failure.seq { object["badSeq"] = .int(Int64(seq)) }
            } else if let stateMismatch {
                object["failure"] = .string("projections: \(stateMismatch)")
            }
            return .object(object)
        }
    }

    /// RFC 9162 inclusion proof of event `seq` in the tree of `size` (default:
    /// the latest checkpoint's size), with that checkpoint when one is stored.
    public func proveInclusion(seq: UInt64, size requested: UInt64?) throws -> JSONValue {
        try read { view in
            let size = try requested ?? (view.latestCheckpoint()?.size ?? 0)
            let total = try view.size()
            guard size <= total else {
                throw EngineError(.notFound, "tree size \(size) is beyond the log's \(total) events")
            }
            guard seq >= 1, seq <= size else {
                throw EngineError(.notFound, "event \(seq) is not in the tree of size \(size) (want 1...\(size))")
            }
            guard let leaf = try view.leafHash(seq: seq) else {
                throw EngineError(.notFound, "event \(seq) has no leaf")
            }
            let proof = try MerkleProofs.inclusionProof(index: seq - 1, size: size, nodes: view)
            var object: [String: JSONValue] = [
                "seq": .int(Int64(seq)), "index": .int(Int64(seq - 1)), "size": .int(Int64(size)),
                "leafHash": .string(leaf.hex),
                "rootHash": .string(try MerkleProofs.root(size: size, nodes: view).hex),
                "proof": .array(proof.map { .string($0.hex) }),
            ]
            if let note = try view.checkpoint(size: size) { object["checkpoint"] = .string(note) }
            return .object(object)
        }
    }

    /// RFC 9162 consistency proof from tree size `old` to `new` (default: the
    /// latest checkpoint's size), with both checkpoints when stored.
    public func proveConsistency(from old: UInt64, to requested: UInt64?) throws -> JSONValue {
        try read { view in
            let new = try requested ?? (view.latestCheckpoint()?.size ?? 0)
            let total = try view.size()
            guard old <= new, new <= total else {
                throw EngineError(.notFound, "want sizes 0 ≤ from ≤ to ≤ \(total); got \(old) and \(new)")
            }
            let proof = try MerkleProofs.consistencyProof(from: old, to: new, nodes: view)
            var object: [String: JSONValue] = [
                "from": .int(Int64(old)), "to": .int(Int64(new)),
                "fromRootHash": .string(try MerkleProofs.root(size: old, nodes: view).hex),
                "toRootHash": .string(try MerkleProofs.root(size: new, nodes: view).hex),
                "proof": .array(proof.map { .string($0.hex) }),
            ]
            if let note = try view.checkpoint(size: old) { object["fromCheckpoint"] = .string(note) }
            if let note = try view.checkpoint(size: new) { object["toCheckpoint"] = .string(note) }
            return .object(object)
        }
    }
}

extension LedgerEngine {
    /// Stored checkpoints from `fromSize`, oldest first, at most `limit`.
    public func checkpoints(fromSize: UInt64, limit: Int) throws -> JSONValue {
        try read { view in
            var notes: [JSONValue] = []
            try view.forEachCheckpoint(from: fromSize) { size, note in
                notes.append(.object(["size": .int(Int64(size)), "checkpoint": .string(note)]))
                return notes.count < limit
            }
            return .object(["checkpoints": .array(notes)])
        }
    }

    /// A hot, compacted copy of the data directory into `path` (must not
    /// exist), then opened and verified: every event, node and checkpoint.
    public func backup(to path: String) throws -> JSONValue {
        do {
            try store.backup(to: path)
        } catch {
            throw EngineError(.unavailable, "backup to \(path) failed: \(error)")
        }
        var options = StoreOptions(origin: origin)
        options.indexNames = Self.indexNames
        let copy = try EventStore(dataDirectory: path, options: options)
        defer { copy.close() }
        let result = try copy.read { try $0.verifyLog(verifier: try NoteVerifier(verifierKey: copy.verifierKey)) }
        var object: [String: JSONValue] = [
            "path": .string(path), "size": .int(Int64(result.size)), "rootHash": .string(result.rootHash.hex),
            "verified": .bool(result.ok), "checkpointsChecked": .int(Int64(result.checkpointsChecked)),
        ]
        if let failure = result.failure { object["failure"] = .string(failure.description) }
        return .object(object)
    }
}

extension LedgerEngine {
    /// The derived tables an event must be found in (they are outside the
    /// Merkle tree, so verify checks them against the log): its stream
    /// version, its idempotency key and, for a live meeting, its index row.
    /// What `checkIndexes` reads of a record.
    struct IndexedFields {
        let seq: UInt64
        let type: String
        let occurredOn: BusinessDate
        let stream: String
        let streamVersion: UInt64
        let idempotencyKey: String?
    }

    /// Checks a record against the indexes built from it: its stream's
    /// version and link, its idempotency key, its meetings row (`meetingRow`
    /// builds the row the record should have, for a meeting).
    static func checkIndexes(_ record: IndexedFields, view: ReadView, live: DomainState, target: UInt64,
                             streams: inout [String: (version: UInt64, seq: UInt64)],
                             meetingRow: () -> MeetingRow?) -> String?
    {
        do {
            let previous = streams[record.stream] ?? (0, 0)
            guard record.streamVersion == previous.version + 1 else {
                return "it is version \(record.streamVersion) of stream \(record.stream), which was at \(previous.version)"
            }
            guard try view.previousInStream(record.seq) == previous.seq else {
                return "its stream link does not point at event \(previous.seq)"
            }
            streams[record.stream] = (record.streamVersion, record.seq)
            if let key = record.idempotencyKey, try view.idempotencyEntry(key)?.seq != record.seq {
                return "its idempotency key '\(key)' points elsewhere"
            }
            if record.type == EventType.meetingHeld.rawValue, record.seq <= target, !live.isRetracted(record.seq),
               let row = meetingRow()
            {
                guard let stored = try view.getIndex(ProjectionIndexes.meetings, key: row.key), stored == row.value else {
                    return "its meetings index row is missing or differs"
                }
            }
            return nil
        } catch {
            return "cannot read its index rows: \(error)"
        }
    }
}
