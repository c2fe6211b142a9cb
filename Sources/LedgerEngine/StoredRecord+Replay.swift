import Foundation
import LedgerDomain
import LedgerJSON

/// What a replay needs of a stored record: which event it is, when it
/// happened, and its typed content. Id, actor, stream and the rest are not
/// decoded at all.
struct ReplayedRecord {
    let seq: UInt64
    let occurredOn: BusinessDate
    let event: DomainEvent

    /// Reads the record's members in place (`CanonicalScanner` proves the
    /// bytes canonical and says where each member is) and parses only `data`
    /// (meetings, most of a log, not even that: `InPlaceEventDecoder`):
    /// a replay decodes every event of the log, and the record around `data`
    /// is a third of its bytes and most of its JSON objects. A record the
    /// scanner declines, or whose members are not the plain forms the ledger
    /// writes, is decoded the general way (`StoredRecord(bytes:)`), which
    /// gives the same event or the same error.
    init(bytes: UnsafeRawBufferPointer) throws(EngineError) {
        if let quick = Self.plain(bytes) {
            self = quick
            return
        }
        if let fast = Self.scanned(bytes) {
            self = fast
            return
        }
        let record = try StoredRecord(bytes: bytes)
        self.init(seq: record.seq, occurredOn: record.occurredOn, event: try record.event())
    }

    init(seq: UInt64, occurredOn: BusinessDate, event: DomainEvent) {
        self.seq = seq
        self.occurredOn = occurredOn
        self.event = event
    }

    /// The quickest path alone (`PlainRecord`); nil: the scanner's path
    /// (`scanned`) decides.
    static func plain(_ bytes: UnsafeRawBufferPointer) -> ReplayedRecord? {
        guard let plain = PlainRecord(bytes) else { return nil }
        return ReplayedRecord(seq: plain.seq, occurredOn: plain.occurredOn, event: consume plain)
    }

    /// Takes the event out of a whole plain record (moved, not copied).
    private init(seq: UInt64, occurredOn: BusinessDate, event plain: consuming PlainRecord) {
        self.seq = seq
        self.occurredOn = occurredOn
        self.event = plain.event
    }

    /// `"type":"Name"` ending just before `end` (the record's closing brace,
    /// or the comma before `warnings`), with where it starts.
    static func typeMember(_ bytes: UnsafeRawBufferPointer, endingAt end: Int) -> (type: EventType, start: Int)? {
        let n = end + 1
        guard n > 10, n <= bytes.count, bytes[n - 2] == UInt8(ascii: "\"") else { return nil }
        var i = n - 3
        while i > 0, (bytes[i] | 0x20) >= UInt8(ascii: "a"), (bytes[i] | 0x20) <= UInt8(ascii: "z") { i -= 1 }
        let nameStart = i + 1
        let prefix: StaticString = "\"type\":\""
        let length = prefix.utf8CodeUnitCount
        guard nameStart < n - 2, i >= length - 1, let base = bytes.baseAddress else { return nil }
        let start = i - (length - 1)
        guard start >= 0, memcmp(base + start, prefix.utf8Start, length) == 0 else { return nil }
        let name = UnsafeRawBufferPointer(rebasing: bytes[nameStart..<(n - 2)])
        guard name.count < typeNamesByLength.count, let base = name.baseAddress else { return nil }
        for (type, utf8) in typeNamesByLength[name.count] where utf8.withUnsafeBytes({ memcmp($0.baseAddress!, base, name.count) == 0 }) {
            return (type, start)
        }
        return nil
    }

    /// The type member and, when the record has them, where its `warnings`
    /// (the last member in canonical order) lie: `"type":"Name"}` or
    /// `"type":"Name","warnings":[…]}` at the end. The warnings are not
    /// checked here (`PlainDataCursor.plainWarnings`).
    static func typeAndWarnings(_ bytes: UnsafeRawBufferPointer) -> (type: EventType, start: Int, warnings: Range<Int>?)? {
        let n = bytes.count
        guard n > 10, bytes[n - 1] == UInt8(ascii: "}") else { return nil }
        if bytes[n - 2] == UInt8(ascii: "\"") {
            return typeMember(bytes, endingAt: n - 1).map { ($0.type, $0.start, nil) }
        }
        guard bytes[n - 2] == UInt8(ascii: "]"), let base = bytes.baseAddress else { return nil }
        let marker: StaticString = ",\"warnings\":["
        let length = marker.utf8CodeUnitCount
        var at = n - 2 - length
        while at > 0 {
            if bytes[at] == UInt8(ascii: ","), memcmp(base + at, marker.utf8Start, length) == 0 {
                guard let type = typeMember(bytes, endingAt: at) else { return nil }
                return (type.type, type.start, (at + length - 1)..<(n - 1))
            }
            at -= 1
        }
        return nil
    }

    /// Every event type's name in UTF-8, by the name's length (an enum's raw
    /// value is built anew at each use).
    private static let typeNamesByLength: [[(EventType, [UInt8])]] = {
        var table = [[(EventType, [UInt8])]](repeating: [], count: 1 + EventType.allCases.map(\.rawValue.utf8.count).max()!)
        for type in EventType.allCases { table[type.rawValue.utf8.count].append((type, Array(type.rawValue.utf8))) }
        return table
    }()

    /// The in-place path alone (nil: take the general one).
    static func scanned(_ bytes: UnsafeRawBufferPointer) -> ReplayedRecord? {
        guard let members = CanonicalScanner.topLevelMembers(bytes, limits: .storedRecord) else { return nil }
        var seq: UInt64?, schemaVersion: UInt64?, type: String?, occurredOn: BusinessDate?
        var dataRange: Range<Int>?
        for member in members {
            let key = UnsafeRawBufferPointer(rebasing: bytes[member.key])
            let value = UnsafeRawBufferPointer(rebasing: bytes[member.value])
            if key.elementsEqual("data".utf8) {
                dataRange = member.value
            } else if key.elementsEqual("occurredOn".utf8) {
                occurredOn = plainString(value).flatMap(BusinessDate.init)
            } else if key.elementsEqual("schemaVersion".utf8) {
                schemaVersion = digits(value)
            } else if key.elementsEqual("seq".utf8) {
                seq = digits(value)
            } else if key.elementsEqual("type".utf8) {
                type = plainString(value)
            }
        }
        guard let seq, let schemaVersion, let type, let occurredOn, let dataRange,
              let version = Int(exactly: schemaVersion)
        else { return nil }
        let dataBytes = UnsafeRawBufferPointer(rebasing: bytes[dataRange])
        if let event = InPlaceEventDecoder.decode(type: type, schemaVersion: version, data: dataBytes) {
            return ReplayedRecord(seq: seq, occurredOn: occurredOn, event: event)
        }
        guard let data = try? JSONParser.parse(dataBytes, limits: .storedRecord),
              let event = try? StoredEventDecoder.decode(type: type, schemaVersion: version, data: data)
        else { return nil }
        return ReplayedRecord(seq: seq, occurredOn: occurredOn, event: event)
    }

    /// A string value without escapes (the scanner has checked its UTF-8).
    static func plainString(_ value: UnsafeRawBufferPointer) -> String? {
        guard value.count >= 2, value.first == UInt8(ascii: "\""), value.last == UInt8(ascii: "\"") else { return nil }
        let inner = UnsafeRawBufferPointer(rebasing: value[1..<(value.count - 1)])
        guard !inner.contains(UInt8(ascii: "\\")) else { return nil }
        return String(decoding: inner, as: UTF8.self)
    }

    /// A non-negative integer written as plain digits (at most 15: the scanner's bound).
    static func digits(_ value: UnsafeRawBufferPointer) -> UInt64? {
        guard !value.isEmpty, value.count <= 15 else { return nil }
        var n: UInt64 = 0
        for byte in value {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            n = n * 10 + UInt64(byte - UInt8(ascii: "0"))
        }
        return n
    }
}

extension StoredRecord {
    /// The whole record read in place, for `verify`: `CanonicalScanner` proves
    /// the bytes canonical and says where each member is; plain strings and
    /// digits are read where they lie, and only `data`, `actor` and
    /// `warnings` are parsed. Nil for anything else (escapes in a string, an
    /// unknown member, a missing one): the general decoder then decides, so
    /// this path never accepts what that one refuses.
    static func scanned(_ bytes: UnsafeRawBufferPointer) -> StoredRecord? {
        guard let members = CanonicalScanner.topLevelMembers(bytes, limits: .storedRecord) else { return nil }
        var seq: UInt64?, id: String?, type: String?, occurredOn: BusinessDate?, recordedAt: String?
        var actor: Actor?, stream: String?, streamVersion: UInt64?, data: JSONValue?, schemaVersion: UInt64?
        var idempotencyKey: String?, warnings: [DomainWarning] = []
        func parse(_ value: UnsafeRawBufferPointer) -> JSONValue? { try? JSONParser.parse(value, limits: .storedRecord) }
        for member in members {
            let key = UnsafeRawBufferPointer(rebasing: bytes[member.key])
            let value = UnsafeRawBufferPointer(rebasing: bytes[member.value])
            switch String(decoding: key, as: UTF8.self) {
            case "seq": seq = ReplayedRecord.digits(value)
            case "id": id = ReplayedRecord.plainString(value)
            case "type": type = ReplayedRecord.plainString(value)
            case "occurredOn": occurredOn = ReplayedRecord.plainString(value).flatMap(BusinessDate.init)
            case "recordedAt": recordedAt = ReplayedRecord.plainString(value)
            case "stream": stream = ReplayedRecord.plainString(value)
            case "streamVersion": streamVersion = ReplayedRecord.digits(value)
            case "schemaVersion": schemaVersion = ReplayedRecord.digits(value)
            case "data": data = parse(value)
            case "idempotencyKey":
                guard let key = ReplayedRecord.plainString(value) else { return nil }
                idempotencyKey = key
            case "actor":
                guard let object = parse(value), object.objectValue != nil, let read = StoredRecord.actor(object) else {
                    return nil
                }
                actor = read
            case "warnings":
                guard let list = parse(value)?.arrayValue else { return nil }
                warnings = StoredRecord.warnings(list)
            default: return nil
            }
        }
        guard let seq, let id, let type, let occurredOn, let recordedAt, let actor, let stream, let streamVersion,
              let data, let schemaVersion, let version = Int(exactly: schemaVersion)
        else { return nil }
        return StoredRecord(
            seq: seq, id: id, type: type, occurredOn: occurredOn, recordedAt: recordedAt, actor: actor, stream: stream,
            streamVersion: streamVersion, data: data, schemaVersion: version, idempotencyKey: idempotencyKey,
            warnings: warnings)
    }
}
