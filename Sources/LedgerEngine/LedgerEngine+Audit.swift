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
            if let recent = commitTimings.summary() {
                // The latest durable commits (write + fdatasync): how the disk does now.
                object["recentCommits"] = .object([
                    "commits": .int(Int64(recent.commits)),
                    "events": .int(Int64(recent.events)),
                    "p50Micros": .int(Int64(recent.p50Micros)),
                    "p99Micros": .int(Int64(recent.p99Micros)),
                    "maxMicros": .int(Int64(recent.maxMicros)),
                ])
            }
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
