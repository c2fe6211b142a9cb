import LedgerMerkle

/// What a full verification found. `failure` names the first bad seq or checkpoint.
public struct LogVerification: Sendable {
    public enum Failure: Sendable, Equatable, CustomStringConvertible {
        /// The stored bytes of this event do not hash to the stored leaf.
        case leafMismatch(seq: UInt64, stored: String, computed: String)
        /// The stored bytes of this event are not a valid record.
        case badRecord(seq: UInt64, reason: String)
        /// A stored interior tree node differs from the one recomputed.
        case treeNodeMismatch(level: Int, index: UInt64)
        /// A tree node or event the tree needs is missing.
        case missing(String)
        /// A checkpoint's signature does not verify with the ledger's key.
        case badCheckpointSignature(size: UInt64, reason: String)
        /// A checkpoint's root differs from the root of the log at its size.
        case checkpointRootMismatch(size: UInt64, checkpointRoot: String, logRoot: String)
        /// The frontier kept in meta disagrees with the recomputed tree.
        case frontierMismatch(String)

        public var description: String {
            switch self {
            case let .leafMismatch(seq, stored, computed):
                return "event seq \(seq) was altered: its bytes hash to \(computed), the tree holds \(stored)"
            case let .badRecord(seq, reason):
                return "event seq \(seq) is damaged: \(reason)"
            case let .treeNodeMismatch(level, index):
                let first = (index << UInt64(level)) + 1, last = (index + 1) << UInt64(level)
                return "tree node at level \(level), index \(index) (over events \(first)...\(last)) differs from the recomputed one"
            case let .missing(what):
                return "missing: \(what)"
            case let .badCheckpointSignature(size, reason):
                return "checkpoint for size \(size) does not verify: \(reason)"
            case let .checkpointRootMismatch(size, checkpointRoot, logRoot):
                return "checkpoint for size \(size) has root \(checkpointRoot) but the log's root at that size is \(logRoot)"
            case let .frontierMismatch(reason):
                return "stored tree state disagrees with the log: \(reason)"
            }
        }

        /// The seq to name to a person, if the failure is about one event.
        public var seq: UInt64? {
            switch self {
            case let .leafMismatch(seq, _, _), let .badRecord(seq, _): return seq
            default: return nil
            }
        }
    }

    public var size: UInt64 = 0
    public var rootHash: TreeHash = RFC9162.emptyRoot
    public var eventsChecked: UInt64 = 0
    public var checkpointsChecked: Int = 0
    public var failure: Failure?
    public var ok: Bool { failure == nil }
}

extension ReadView {
    /// Re-reads every stored event, recomputes each leaf hash and the whole
    /// tree, compares every stored node, and checks every stored checkpoint's
    /// signature and root at its size. Stops at the first failure.
    /// - Parameter recordCheck: extra per-record check (e.g. canonical JSON);
    ///   return a reason to fail that seq.
    /// - Parameter progress: called with (done, total) now and then.
    public func verifyLog(verifier: NoteVerifier,
                          recordCheck: ((UInt64, UnsafeRawBufferPointer) -> String?)? = nil,
                          progress: ((UInt64, UInt64) -> Void)? = nil) throws -> LogVerification {
        var result = LogVerification()
        let total = try size()
        var range = CompactRange()
        let nodes = try txn.cursor(dbs.tree)
        defer { nodes.close() }
        var nextNode = try nodes.first()
        let checkpoints = try txn.cursor(dbs.checkpoints)
        defer { checkpoints.close() }
        var nextCheckpoint = try checkpoints.first()

        // Checks every checkpoint stored for the current size of `range`.
        func checkCheckpoints() throws -> LogVerification.Failure? {
            while let (key, value) = nextCheckpoint {
                guard key.count == 8, let size = ByteKeys.readU64(key) else {
                    return .badCheckpointSignature(size: 0, reason: "a checkpoint is stored under a malformed key of \(key.count) bytes")
                }
                guard size <= range.size else { break }
                let text = String(decoding: value, as: UTF8.self)
                if let failure = Self.checkCheckpoint(text, size: size, root: range.root(), verifier: verifier,
                                                      exact: size == range.size) {
                    return failure
                }
                result.checkpointsChecked += 1
                nextCheckpoint = try checkpoints.next()
            }
            return nil
        }
        if let failure = try checkCheckpoints() {
            result.failure = failure
            return result
        }
        var failure: LogVerification.Failure?
        // The nodes one leaf completes, reused from record to record.
        var computed: [(level: Int, index: UInt64, hash: TreeHash)] = []
        computed.reserveCapacity(65)
        try forEachRecord { seq, bytes in
            guard seq == range.size + 1 else {
                failure = .missing("event seq \(range.size + 1) (found \(seq) next)")
                return false
            }
            let leaf = RFC9162.leafHash(bytes)
            if let reason = recordCheck?(seq, bytes) {
                // A record whose bytes no longer hash to its leaf is reported as altered, not as damaged.
                if let stored = try leafHash(seq: seq), stored != leaf {
                    failure = .leafMismatch(seq: seq, stored: stored.hex, computed: leaf.hex)
                } else {
                    failure = .badRecord(seq: seq, reason: reason)
                }
                return false
            }
            computed.removeAll(keepingCapacity: true)
            range.append(leaf) { computed.append(($0, $1, $2)) }
            for (level, index, hash) in computed {
                guard let (key, value) = nextNode else {
                    failure = .missing("tree node at level \(level), index \(index)")
                    return false
                }
                guard StoreLayout.isTreeKey(key, level: level, index: index) else {
                    failure = .missing("tree node at level \(level), index \(index)")
                    return false
                }
                if !value.elementsEqual(hash.bytes) {
                    failure = level == 0
                        ? .leafMismatch(seq: seq, stored: Array(value).hex, computed: hash.hex)
                        : .treeNodeMismatch(level: level, index: index)
                    return false
                }
                nextNode = try nodes.next()
            }
            result.eventsChecked += 1
            if let bad = try checkCheckpoints() {
                failure = bad
                return false
            }
            if seq % 65_536 == 0 { progress?(seq, total) }
            return true
        }
        result.size = range.size
        result.rootHash = range.root()
        if let failure {
            result.failure = failure
            return result
        }
        if nextNode != nil {
            result.failure = .frontierMismatch("tree nodes stored beyond the last event")
        } else if try frontier() != range {
            result.failure = .frontierMismatch("the stored frontier is not the recomputed one")
        } else if let (key, _) = nextCheckpoint {
            result.failure = .missing("events for the checkpoint stored under \(Array(key).hex) (the log has \(range.size))")
        } else if try checkpoint(size: range.size) == nil {
            result.failure = .missing("the checkpoint of the latest size \(range.size) (every commit stores one)")
        }
        progress?(range.size, total)
        return result
    }

    static func checkCheckpoint(_ text: String, size: UInt64, root: TreeHash, verifier: NoteVerifier, exact: Bool)
        -> LogVerification.Failure?
    {
        do {
            let note = try SignedNote.parse(text)
            try verifier.verify(note)
            let checkpoint = try Checkpoint.parse(body: note.text)
            guard checkpoint.size == size else {
                return .badCheckpointSignature(size: size, reason: "it is stored for size \(size) but says \(checkpoint.size)")
            }
            guard exact else { return .missing("events up to checkpoint size \(size)") }
            guard checkpoint.rootHash == root else {
                return .checkpointRootMismatch(size: size, checkpointRoot: checkpoint.rootHash.hex, logRoot: root.hex)
            }
            return nil
        } catch {
            return .badCheckpointSignature(size: size, reason: "\(error)")
        }
    }
}

extension Array where Element == UInt8 {
    var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 15)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
