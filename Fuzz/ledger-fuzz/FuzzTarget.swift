import Foundation
import LedgerClient
import LedgerDemo
import LedgerDomain
import LedgerJSON
import LedgerMerkle
import LedgerWire

/// The inputs the ledger reads from people and files it does not control,
/// one target each. A target returns normally on every input; a trap is a
/// bug (the daemon never dies from a client, `verify-export` never dies
/// from a file), and so is a broken property (`FuzzFailure`).
///
/// Run under libFuzzer by `scripts/fuzz.sh`; the same code replays inputs
/// in a normal build (`ledger-fuzz replay`), which is how the tests run the
/// seeds and every input a fuzzer once found.
enum FuzzTarget: String, CaseIterable, Sendable {
    /// A request line as a client sends it to `ledgerd`: the wire, then for
    /// `append` each event's strict decoding, the domain rules against a
    /// generated committee's state, and the change they allow.
    case request
    /// Any bytes as JSON: what parses encodes canonically (RFC 8785) to bytes
    /// that parse to the same value and encode to themselves.
    case json
    /// A stored event's `data` (first byte: the event type): whatever the
    /// in-place decoder of `verify` and replays reads, the general decoder
    /// reads the same.
    case storedData = "stored-data"
    /// A signed checkpoint and a verifier key as an auditor receives them:
    /// only the text the key signed ever verifies.
    case note
    /// An export file for `verify-export` against a signed checkpoint of the
    /// sample export: only the exported records verify.
    case export
    /// A proof for `check-proof` with the verifier key: only leaves and
    /// prefixes of the signed tree are ever proved.
    case proof

    /// What the target reads, for `--help` and the seeds' README.
    var summary: String {
        switch self {
        case .request: "a request line to ledgerd (wire, event decoding, domain rules, apply)"
        case .json: "JSON parsing and RFC 8785 canonical encoding (round trip)"
        case .storedData: "a stored event's data, read in place vs the general decoder"
        case .note: "a signed checkpoint note and a verifier key"
        case .export: "an export file checked by verify-export"
        case .proof: "an inclusion or consistency proof checked by check-proof"
        }
    }

    /// What the deepest check of the target is: an input `run` returns
    /// true for got that far (replays count them, so that a test notices
    /// when its inputs stop reaching the code they are for).
    var deepest: String {
        switch self {
        case .request: "an event the rules accepted and applied"
        case .json: "a value encoded canonically"
        case .storedData: "data read in place"
        case .note: "a verified signature"
        case .export: "a verified export"
        case .proof: "a proof verified against the signed checkpoint"
        }
    }

    /// Runs one input; true if it reached the deepest check (`deepest`).
    func run(_ bytes: UnsafeRawBufferPointer) throws(FuzzFailure) -> Bool {
        switch self {
        case .request: try RequestTarget.run(bytes)
        case .json: try JSONTarget.run(bytes)
        case .storedData: try StoredDataTarget.run(bytes)
        case .note: try NoteTarget.run(bytes)
        case .export: try ExportTarget.run(bytes)
        case .proof: try ProofTarget.run(bytes)
        }
    }

    /// Inputs to start from: each one well-formed, so that the fuzzer's
    /// changes reach past the first parser.
    func seeds() -> [[UInt8]] {
        switch self {
        case .request: RequestTarget.seeds()
        case .json: JSONTarget.seeds()
        case .storedData: StoredDataTarget.seeds()
        case .note: NoteTarget.seeds()
        case .export: ExportTarget.seeds()
        case .proof: ProofTarget.seeds()
        }
    }
}

/// A property the input broke (never a trap: the driver reports it and
/// aborts, which libFuzzer records as a crash with the input).
struct FuzzFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The generated committee the request target's events meet: the first
/// `prefix` events of a small demo ledger, applied; the rest are seeds.
enum DemoLedger {
    static let prefix = 1_500
    static let all: [JSONValue] = DemoGenerator(.sized(events: 2_000, seed: 2026_11_30)).generateAll().events

    /// The state and log after the prefix (each input starts from a copy).
    static let seeded: (state: DomainState, log: InMemoryEventLog) = {
        var state = DomainState()
        var log = InMemoryEventLog()
        for value in all.prefix(prefix) {
            guard let submission = try? SubmissionDecoder.decode(value),
                (try? state.check(submission.event, occurredOn: submission.occurredOn, lookup: log)) != nil
            else { continue }
            state.apply(submission.event, seq: log.nextSeq, occurredOn: submission.occurredOn, lookup: log)
            log.append(submission.event, occurredOn: submission.occurredOn)
        }
        return (state, log)
    }()
}

enum RequestTarget {
    /// At most this many events of one request are checked (the daemon takes
    /// 10 000; more adds time per input, not paths).
    static let eventsMax = 64

    static func run(_ bytes: UnsafeRawBufferPointer) throws(FuzzFailure) -> Bool {
        guard let request = try? WireRequest.decode(line: bytes) else { return false }
        guard request.verb == "append", case .array(let events)? = request.args["events"] else { return false }
        var (state, log) = DemoLedger.seeded
        var applied = false
        for value in events.prefix(eventsMax) {
            guard let submission = try? SubmissionDecoder.decode(value) else { continue }
            // What is accepted is stored canonically and decoded again by
            // every replay: it must come back exactly.
            let stored = CanonicalJSON.encode(submission.json)
            guard let reparsed = try? JSONParser.parse(stored), let again = try? SubmissionDecoder.decode(reparsed),
                again == submission
            else {
                throw FuzzFailure("an accepted event does not decode to itself from its canonical bytes: "
                                  + String(decoding: stored, as: UTF8.self))
            }
            guard (try? state.check(submission.event, occurredOn: submission.occurredOn, lookup: log)) != nil else { continue }
            state.apply(submission.event, seq: log.nextSeq, occurredOn: submission.occurredOn, lookup: log)
            log.append(submission.event, occurredOn: submission.occurredOn)
            applied = true
        }
        return applied
    }

    static func seeds() -> [[UInt8]] {
        let rest = Array(DemoLedger.all.dropFirst(DemoLedger.prefix))
        var seeds = rest.enumerated().map { n, event in
            WireRequest(id: .int(Int64(n + 1)), verb: "append", args: ["events": .array([event])]).encodedLine()
        }
        seeds.append(WireRequest(id: "batch", verb: "append",
                                 args: ["events": .array(Array(rest.prefix(8))), "atomic": true]).encodedLine())
        seeds.append(Array(#"{"id":1,"verb":"status"}"#.utf8) + [0x0A])
        return seeds
    }
}

enum JSONTarget {
    static func run(_ bytes: UnsafeRawBufferPointer) throws(FuzzFailure) -> Bool {
        guard let value = try? JSONParser.parse(bytes) else { return false }
        guard CanonicalJSON.isEncodable(value) else { return false }
        let canonical = CanonicalJSON.encode(value)
        guard let again = try? JSONParser.parse(canonical) else {
            throw FuzzFailure("canonical bytes do not parse: " + String(decoding: canonical, as: UTF8.self))
        }
        guard again == value else {
            throw FuzzFailure("canonical bytes parse to another value: " + String(decoding: canonical, as: UTF8.self))
        }
        guard CanonicalJSON.encode(again) == canonical else {
            throw FuzzFailure("canonical encoding is not idempotent: " + String(decoding: canonical, as: UTF8.self))
        }
        return true
    }

    static func seeds() -> [[UInt8]] {
        DemoLedger.all.prefix(200).map { CanonicalJSON.encode($0) } + [
            Array(#"{"a":[1,-0,100,"\u00e9\ud83d\ude00",null,true,{"":{}}],"b":"Đảng bộ"}"#.utf8),
            Array(#"[9007199254740991,-9007199254740991,"\\\"\/\b\f\n\r\t"]"#.utf8),
        ]
    }
}

enum StoredDataTarget {
    static let version = StoredEventDecoder.currentSchemaVersion

    static func run(_ bytes: UnsafeRawBufferPointer) throws(FuzzFailure) -> Bool {
        guard let first = bytes.first else { return false }
        let type = EventType.allCases[Int(first) % EventType.allCases.count]
        let data = UnsafeRawBufferPointer(rebasing: bytes.dropFirst())
        guard let read = InPlaceEventDecoder.decode(type: type.rawValue, schemaVersion: version, data: data) else { return false }
        let general = (try? JSONParser.parse(data)).flatMap {
            try? StoredEventDecoder.decode(type: type.rawValue, schemaVersion: version, data: $0)
        }
        guard general == read else {
            throw FuzzFailure("read in place as \(read), the general way as \(general.map { "\($0)" } ?? "an error"): "
                              + String(decoding: data, as: UTF8.self))
        }
        return true
    }

    static func seeds() -> [[UInt8]] {
        DemoLedger.all.compactMap { value -> [UInt8]? in
            guard let submission = try? SubmissionDecoder.decode(value),
                let index = EventType.allCases.firstIndex(of: submission.event.type)
            else { return nil }
            return [UInt8(index)] + CanonicalJSON.encode(submission.event.data)
        }
    }
}

/// The checkout this binary was built from (it reads a fixture there).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// The C2SP signed-note test key (its public example), signing one checkpoint.
enum SigningFixture {
    static let signer = try! NoteSigner(
        privateKeyString: "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz")

    /// The sample export of the domain fixtures and the root of its leaves.
    static let export: (bytes: [UInt8], lines: [JSONValue], root: TreeHash) = {
        let path = packageRoot + "/Tests/LedgerDomainTests/Fixtures/export/sample.jsonl"
        guard let data = FileManager.default.contents(atPath: path) else {
            fatalError("ledger-fuzz reads the sample export from its checkout, and \(path) is not there")
        }
        let bytes = [UInt8](data)
        var lines: [JSONValue] = []
        var range = CompactRange()
        for line in bytes.split(separator: 0x0A) {
            let value = try! JSONParser.parse(line)
            lines.append(value)
            range.append(TreeHash(hex: value["leafHash"]!.stringValue!)!, visit: { _, _, _ in })
        }
        return (bytes, lines, range.root())
    }()

    static let checkpointText = Checkpoint(origin: "fuzz.example/ledger", size: UInt64(export.lines.count),
                                           rootHash: export.root).body
    static let signedCheckpoint = try! signer.sign(checkpointText).formatted
}

enum NoteTarget {
    static let verifier = try! NoteVerifier(verifierKey: SigningFixture.signer.verifierKey)

    static func run(_ bytes: UnsafeRawBufferPointer) throws(FuzzFailure) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self)
        _ = try? Checkpoint.parse(body: text)
        _ = try? NoteVerifier(verifierKey: text)
        guard let note = try? SignedNote.parse(utf8: Array(bytes)) else { return false }
        _ = note.formatted
        guard (try? verifier.verify(note)) != nil else { return false }
        guard note.text == SigningFixture.checkpointText else {
            throw FuzzFailure("a note the key never signed verifies: \(text)")
        }
        if let checkpoint = try? verifier.verifyCheckpoint(text), checkpoint.body != SigningFixture.checkpointText {
            throw FuzzFailure("a checkpoint the key never signed verifies: \(text)")
        }
        return true
    }

    static func seeds() -> [[UInt8]] {
        [Array(SigningFixture.signedCheckpoint.utf8), Array(SigningFixture.checkpointText.utf8),
         Array(SigningFixture.signer.verifierKey.utf8)]
    }
}

enum ExportTarget {
    // One verifier and one scratch file for every input of the process
    // (libFuzzer calls the target from one thread).
    nonisolated(unsafe) static let verifier = try! ExportVerifier(
        signedCheckpoint: SigningFixture.signedCheckpoint, verifierKey: SigningFixture.signer.verifierKey)
    static let scratch: Int32 = {
        let path = NSTemporaryDirectory() + "/ledger-fuzz-export-\(getpid())"
        let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
        guard fd >= 0 else { fatalError("cannot open \(path): \(String(cString: strerror(errno)))") }
        unlink(path)
        return fd
    }()

    static func run(_ bytes: UnsafeRawBufferPointer) throws(FuzzFailure) -> Bool {
        let fd = scratch
        guard ftruncate(fd, 0) == 0, bytes.isEmpty || pwrite(fd, bytes.baseAddress!, bytes.count, 0) == bytes.count,
            lseek(fd, 0, SEEK_SET) == 0
        else { fatalError("cannot write the scratch export: \(String(cString: strerror(errno)))") }
        let result = verifier.verify(fileDescriptor: fd)
        guard result.ok else { return false }
        // Verified: the lines must be the exported records (in any JSON form).
        let lines = UnsafeRawBufferPointer(bytes).split(separator: 0x0A)
        let values = lines.map { try? JSONParser.parse(UnsafeRawBufferPointer(rebasing: $0)) }
        guard values.count == SigningFixture.export.lines.count,
            zip(values, SigningFixture.export.lines).allSatisfy({ $0 == $1 })
        else {
            throw FuzzFailure("an export that is not the signed one verifies: "
                              + String(decoding: bytes, as: UTF8.self))
        }
        return true
    }

    static func seeds() -> [[UInt8]] {
        let bytes = SigningFixture.export.bytes
        let lines = bytes.split(separator: 0x0A)
        return [bytes, Array(lines.dropLast().joined(separator: [0x0A])) + [0x0A]]
    }
}

enum ProofTarget {
    static let leaves = SigningFixture.export.lines.map { TreeHash(hex: $0["leafHash"]!.stringValue!)! }
    static let nodes = InMemoryNodeStore(leafHashes: leaves)
    /// The root of the first k leaves, for k = 0...6.
    static let prefixRoots = (0...leaves.count).map { InMemoryNodeStore(leafHashes: leaves.prefix($0)).root() }

    static func run(_ bytes: UnsafeRawBufferPointer) throws(FuzzFailure) -> Bool {
        guard let proof = try? JSONParser.parse(bytes) else { return false }
        guard (try? ProofChecker.check(proof, verifierKey: SigningFixture.signer.verifierKey)) != nil else { return false }
        // It holds, and a signed checkpoint was checked against it: what it
        // proves about the signed tree must be true of the signed tree.
        if proof["seq"] != nil {
            let index = proof["index"]?.intValue ?? -1
            guard index >= 0, index < leaves.count, proof["leafHash"]?.stringValue == leaves[Int(index)].hex else {
                throw FuzzFailure("check-proof proves a leaf the signed tree does not hold: \(proof)")
            }
        } else if proof["toCheckpoint"].flatMap({ $0.stringValue }) == SigningFixture.signedCheckpoint {
            let from = proof["from"]?.intValue ?? -1
            guard from >= 0, from <= leaves.count, proof["fromRootHash"]?.stringValue == prefixRoots[Int(from)].hex else {
                throw FuzzFailure("check-proof proves a prefix the signed tree does not have: \(proof)")
            }
        }
        return true
    }

    static func seeds() -> [[UInt8]] {
        let size = UInt64(leaves.count)
        let inclusions = (0..<size).map { index -> JSONValue in
            .object([
                "seq": .int(Int64(index + 1)), "index": .int(Int64(index)), "size": .int(Int64(size)),
                "leafHash": .string(leaves[Int(index)].hex), "rootHash": .string(prefixRoots[Int(size)].hex),
                "proof": .array(try! MerkleProofs.inclusionProof(index: index, size: size, nodes: nodes).map { .string($0.hex) }),
                "checkpoint": .string(SigningFixture.signedCheckpoint),
            ])
        }
        let consistencies = (0...size).map { from -> JSONValue in
            var object: [String: JSONValue] = [
                "from": .int(Int64(from)), "to": .int(Int64(size)),
                "fromRootHash": .string(prefixRoots[Int(from)].hex), "toRootHash": .string(prefixRoots[Int(size)].hex),
                "proof": .array(try! MerkleProofs.consistencyProof(from: from, to: size, nodes: nodes).map { .string($0.hex) }),
                "toCheckpoint": .string(SigningFixture.signedCheckpoint),
            ]
            if from == size { object["fromCheckpoint"] = .string(SigningFixture.signedCheckpoint) }
            return .object(object)
        }
        return (inclusions + consistencies).map { CanonicalJSON.encode($0) }
    }
}
