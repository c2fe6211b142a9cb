import LedgerDomain
import LedgerJSON
import LedgerWire

enum RequestTarget {
    /// At most this many events of one request are checked (the daemon takes
    /// 10 000; more adds time per input, not paths).
    static let eventsMax = 64
    static let version = StoredEventDecoder.currentSchemaVersion

    static func run(_ bytes: UnsafeRawBufferPointer) throws(FuzzFailure) -> Bool {
        guard let request = try? WireRequest.decode(line: bytes) else { return false }
        guard request.verb == "append", case .array(let events)? = request.args["events"] else { return false }
        var (state, log) = DemoLedger.stateAfterPrefix
        var applied = false
        for value in events.prefix(eventsMax) {
            guard let submission = try? SubmissionDecoder.decode(value) else { continue }
            try checkStoredForm(of: submission)
            if DemoLedger.submit(submission, to: &state, log: &log) { applied = true }
        }
        return applied
    }

    /// An accepted event is stored canonically and read back by every
    /// replay: its text must be NFC, and both ways a replay decodes `data`
    /// (in place, else the general way) must give it back byte for byte.
    static func checkStoredForm(of submission: Submission) throws(FuzzFailure) {
        let stored = CanonicalJSON.encode(submission.json)
        guard CanonicalJSON.encode(submission.json.nfcNormalized()) == stored else {
            throw FuzzFailure("an accepted event holds text not in NFC", stored)
        }
        guard let reparsed = try? JSONParser.parse(stored), let again = try? SubmissionDecoder.decode(reparsed),
            CanonicalJSON.encode(again.json) == stored
        else { throw FuzzFailure("an accepted event does not decode to itself from its canonical bytes", stored) }
        let type = submission.event.type.rawValue
        let data = CanonicalJSON.encode(submission.event.data)
        guard let parsed = try? JSONParser.parse(data),
            let general = try? StoredEventDecoder.decode(type: type, schemaVersion: version, data: parsed),
            CanonicalJSON.encode(general.data) == data
        else { throw FuzzFailure("the general decoder does not read an accepted event's data back", data) }
        let inPlace = data.withUnsafeBytes { InPlaceEventDecoder.decode(type: type, schemaVersion: version, data: $0) }
        if let inPlace, CanonicalJSON.encode(inPlace.data) != data {
            throw FuzzFailure("the in-place decoder reads an accepted event's data differently", data)
        }
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
        // What the scanner vouches for as canonical must be exactly the
        // encoding of what the parser reads (export lines rely on it).
        let vouched = CanonicalScanner.topLevelMembers(bytes) != nil
        guard let value = try? JSONParser.parse(bytes) else {
            if vouched { throw FuzzFailure("the canonical scanner accepts what the parser refuses", bytes) }
            return false
        }
        guard CanonicalJSON.isEncodable(value) else {
            throw FuzzFailure("the parser returns a value the canonical encoder refuses", bytes)
        }
        let canonical = CanonicalJSON.encode(value)
        if vouched, !canonical.elementsEqual(bytes) {
            throw FuzzFailure("the canonical scanner accepts bytes that are not their canonical form", bytes)
        }
        guard let again = try? JSONParser.parse(canonical) else {
            throw FuzzFailure("canonical bytes do not parse", canonical)
        }
        guard CanonicalJSON.encode(again) == canonical else {
            throw FuzzFailure("canonical bytes parse to another value", canonical)
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
        guard let general, general.type == read.type, CanonicalJSON.encode(general.data) == CanonicalJSON.encode(read.data) else {
            throw FuzzFailure("read in place as \(read), the general way as \(general.map { "\($0)" } ?? "an error")", data)
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

enum SnapshotTarget {
    /// Few members a chunk, so that small inputs hold several chunks.
    static let membersPerChunk = 4

    static func run(_ bytes: UnsafeRawBufferPointer) throws(FuzzFailure) -> Bool {
        let state: DomainState
        do {
            state = try DomainState(snapshot: Array(bytes))
        } catch {
            guard error.code == .snapshotDamaged else {
                throw FuzzFailure("a snapshot is refused with \(error.code.rawValue), not snapshot-damaged", bytes)
            }
            return false
        }
        let written = state.snapshot(membersPerChunk: membersPerChunk)
        guard let again = try? DomainState(snapshot: written) else {
            throw FuzzFailure("a restored state's own snapshot does not restore", bytes)
        }
        guard again.snapshot(membersPerChunk: membersPerChunk) == written else {
            throw FuzzFailure("a restored state's snapshot restores to another state", bytes)
        }
        return true
    }

    /// Snapshots of a small generated committee (the first 300 demo events),
    /// in the current format and the one before.
    static func seeds() -> [[UInt8]] {
        let state = DemoLedger.applied(300).state
        return [state.snapshot(membersPerChunk: membersPerChunk),
                state.snapshot(membersPerChunk: membersPerChunk, format: .version2),
                DomainState().snapshot()]
    }
}
