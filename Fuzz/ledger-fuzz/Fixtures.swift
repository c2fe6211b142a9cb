import Foundation
import LedgerDemo
import LedgerDomain
import LedgerJSON
import LedgerMerkle

/// The generated committee the request target's events meet: the first
/// `prefix` events of a small demo ledger, applied; the rest are seeds.
enum DemoLedger {
    static let prefix = 1_500
    static let all: [JSONValue] = DemoGenerator(.sized(events: 2_000, seed: 2026_11_30)).generateAll().events

    /// The state and log after the prefix (each input starts from a copy).
    static let stateAfterPrefix = applied(prefix)

    /// The state and log after the first `count` events, each applied if the rules accept it.
    static func applied(_ count: Int) -> (state: DomainState, log: InMemoryEventLog) {
        var state = DomainState()
        var log = InMemoryEventLog()
        for value in all.prefix(count) {
            guard let submission = try? SubmissionDecoder.decode(value) else { continue }
            submit(submission, to: &state, log: &log)
        }
        return (state, log)
    }

    /// Checks `submission` against the rules and, if they accept it, appends
    /// and applies it, in the engine's order. Returns whether it was applied.
    @discardableResult
    static func submit(_ submission: Submission, to state: inout DomainState, log: inout InMemoryEventLog) -> Bool {
        guard (try? state.check(submission.event, occurredOn: submission.occurredOn, lookup: log)) != nil else { return false }
        let seq = log.nextSeq
        log.append(submission.event, occurredOn: submission.occurredOn)
        state.apply(submission.event, seq: seq, occurredOn: submission.occurredOn, lookup: log)
        return true
    }
}

/// The checkout this binary was built from: the sample export is read there.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// The C2SP signed-note example key (public, from the spec's test vectors),
/// signing one checkpoint: of the sample export of the domain's fixtures.
enum SigningFixture {
    static let signer = try! NoteSigner(
        privateKeyString: "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")

    /// The sample export: its bytes, each line's record without `leafHash`
    /// in canonical bytes, the leaves, and the root over them.
    static let export: (bytes: [UInt8], records: [[UInt8]], leaves: [TreeHash], root: TreeHash) = {
        let path = packageRoot + "/Tests/LedgerDomainTests/Fixtures/export/sample.jsonl"
        guard let data = FileManager.default.contents(atPath: path) else {
            fatalError("ledger-fuzz reads the sample export from its checkout, and \(path) is not there")
        }
        let bytes = [UInt8](data)
        var records: [[UInt8]] = []
        var leaves: [TreeHash] = []
        var range = CompactRange()
        for line in bytes.split(separator: 0x0A) {
            guard let (record, leaf) = recordAndLeaf(line) else { fatalError("\(path): a line is not a record") }
            records.append(record)
            leaves.append(leaf)
            range.append(leaf, visit: { _, _, _ in })
        }
        return (bytes, records, leaves, range.root())
    }()

    static let checkpointText = Checkpoint(origin: "fuzz.example/ledger", size: UInt64(export.leaves.count),
                                           rootHash: export.root).body
    static let signedCheckpoint = try! signer.sign(checkpointText).formatted
    /// Every tree the key signed, with its note: the whole sample's, its
    /// first 2 and first 5 events' (prefixes `verify-export --resume` starts
    /// from, one a power of two and one not), and 2 events of another
    /// history (the first record's leaf changed): a ledger forked since.
    static let signedTrees: [(note: String, range: CompactRange)] = {
        func tree(_ leaves: some Sequence<TreeHash>) -> (note: String, range: CompactRange) {
            var range = CompactRange()
            for leaf in leaves { range.append(leaf, visit: { _, _, _ in }) }
            if range.size == UInt64(export.leaves.count) { return (signedCheckpoint, range) }
            let body = Checkpoint(origin: "fuzz.example/ledger", size: range.size, rootHash: range.root()).body
            return (try! signer.sign(body).formatted, range)
        }
        let other = RFC9162.leafHash(export.records[0] + Array(" ".utf8))
        return [tree(export.leaves), tree(export.leaves.prefix(2)), tree(export.leaves.prefix(5)),
                tree([other, export.leaves[1]])]
    }()
    /// The tree of the other history (`signedTrees`' last).
    static var forkedTree: CompactRange { signedTrees[3].range }

    /// An export line's record without `leafHash`, in canonical bytes, and its `leafHash`.
    static func recordAndLeaf(_ line: some Collection<UInt8>) -> (record: [UInt8], leaf: TreeHash)? {
        guard case .object(var members)? = try? JSONParser.parse(Array(line)),
            let hex = members.removeValue(forKey: "leafHash")?.stringValue, let leaf = TreeHash(hex: hex)
        else { return nil }
        return (CanonicalJSON.encode(.object(members)), leaf)
    }
}
