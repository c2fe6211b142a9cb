import LedgerJSON

/// The inputs the ledger reads from people and files it does not control,
/// one target each. A target returns normally on every input; a trap is a
/// bug (the daemon never dies from a client, `verify-export` never dies
/// from a file), and so is a broken property (`FuzzFailure`).
///
/// Properties compare bytes (canonical JSON, hashes as values), never
/// `String`s with `==`, which equates canonically equivalent text and so
/// would hide the very normalization bugs they look for.
///
/// Run under libFuzzer by `scripts/fuzz.sh`; the same code replays inputs
/// in a normal build (`ledger-fuzz replay`), which is how the tests run the
/// seeds and every input a fuzzer once found.
enum FuzzTarget: String, CaseIterable, Sendable {
    /// A request line as a client sends it to `ledgerd`: the wire, then for
    /// `append` each event's strict decoding, the domain rules against a
    /// generated committee's state, and the change they allow; an accepted
    /// event is NFC and reads back exactly from its stored bytes.
    case request
    /// Any bytes as JSON: what parses encodes canonically (RFC 8785) to bytes
    /// that parse to the same value and encode to themselves; what the
    /// canonical scanner vouches for is exactly its own encoding.
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
    /// A verified-prefix file for `verify-export --resume`, then the export
    /// after it: a prefix is accepted only for a tree the key signed, and
    /// only the signed records after it verify.
    case resume
    /// A proof for `check-proof` with the verifier key: only leaves and
    /// prefixes of the signed tree are ever proved.
    case proof
    /// A state snapshot as a restart reads it (its file's checksum aside):
    /// a state or `snapshot-damaged`, and a restored state snapshots to
    /// bytes that restore to the same state.
    case snapshot

    /// What the target reads, for `ledger-fuzz list`.
    var summary: String {
        switch self {
        case .request: "a request line to ledgerd (wire, event decoding, domain rules, apply)"
        case .json: "JSON parsing, RFC 8785 canonical encoding and the canonical scanner"
        case .storedData: "a stored event's data, read in place vs the general decoder"
        case .note: "a signed checkpoint note and a verifier key"
        case .export: "an export file checked by verify-export"
        case .resume: "a verified-prefix file, then the export after it (verify-export --resume)"
        case .proof: "an inclusion or consistency proof checked by check-proof"
        case .snapshot: "a state snapshot restored at start (without its file's checksum)"
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
        case .resume: "a verified export after an accepted prefix"
        case .proof: "a proof verified against the signed checkpoint"
        case .snapshot: "a restored state"
        }
    }

    /// Builds what the target's inputs are checked against (a generated
    /// committee, a signed checkpoint), so that none of it is counted as
    /// coverage of the first input.
    func prepare() {
        switch self {
        case .request: _ = DemoLedger.stateAfterPrefix
        case .json, .storedData: break
        case .note: _ = NoteTarget.verifier
        case .export: _ = ExportTarget.verifier
        case .resume: _ = ResumeTarget.prefixes
        case .proof: _ = ProofTarget.prefixRoots
        case .snapshot: break
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
        case .resume: try ResumeTarget.run(bytes)
        case .proof: try ProofTarget.run(bytes)
        case .snapshot: try SnapshotTarget.run(bytes)
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
        case .resume: ResumeTarget.seeds()
        case .proof: ProofTarget.seeds()
        case .snapshot: SnapshotTarget.seeds()
        }
    }
}

/// A property the input broke (never a trap: the driver reports it and
/// aborts, which libFuzzer records as a crash with the input).
struct FuzzFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
    init(_ what: String, _ bytes: some Collection<UInt8>) {
        description = what + ": " + String(decoding: bytes.prefix(2_000), as: UTF8.self)
    }
}
