import Foundation
import LedgerDomain
import LedgerJSON

/// An event as stored: the record of CONTRACT.md ("An event as stored and
/// exported") without `leafHash`, which is computed from these bytes.
///
/// The stored bytes are `CanonicalJSON.encode(record.json)`; the record adds
/// `schemaVersion` (for upcasting) and, when rules gave advice, `warnings`.
public struct StoredRecord: Sendable {
    public var seq: UInt64
    public var id: String
    public var type: String
    public var occurredOn: BusinessDate
    public var recordedAt: String
    public var actor: Actor
    public var stream: String
    public var streamVersion: UInt64
    public var data: JSONValue
    public var schemaVersion: Int
    public var idempotencyKey: String?
    public var warnings: [DomainWarning]

    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "seq": .int(Int64(seq)), "id": .string(id), "type": .string(type),
            "occurredOn": .string(occurredOn.description), "recordedAt": .string(recordedAt),
            "actor": actor.json, "stream": .string(stream), "streamVersion": .int(Int64(streamVersion)),
            "data": data, "schemaVersion": .int(Int64(schemaVersion)),
        ]
        if let idempotencyKey { object["idempotencyKey"] = .string(idempotencyKey) }
        if !warnings.isEmpty {
            object["warnings"] = .array(warnings.map { .object(["code": .string($0.code), "message": .string($0.message)]) })
        }
        return .object(object)
    }

    /// The stored bytes, `CanonicalJSON.encode(json)`, written directly.
    /// - Parameter data: `CanonicalJSON.encode(self.data)`, computed by the
    ///   caller (off the writer thread) and spliced in as is.
    public func canonicalBytes(data: [UInt8]) -> [UInt8] {
        Self.canonicalBytes(
            seq: seq, id: id, type: type, occurredOn: occurredOn, recordedAt: recordedAt, actor: actor, stream: stream,
            streamVersion: streamVersion, data: data, schemaVersion: schemaVersion, idempotencyKey: idempotencyKey,
            warnings: warnings)
    }

    /// The stored bytes of a record with these fields (the writer's path: it
    /// has `data` as canonical bytes and never needs the record as a value).
    static func canonicalBytes(
        seq: UInt64, id: String, type: String, occurredOn: BusinessDate, recordedAt: String, actor: Actor,
        stream: String, streamVersion: UInt64, data: [UInt8], schemaVersion: Int, idempotencyKey: String?,
        warnings: [DomainWarning]
    ) -> [UInt8] {
        var w = CanonicalObjectWriter(capacity: data.count + 320)
        w.canonical("actor", actor.canonicalBytes)
        w.canonical("data", data)
        w.string("id", id)
        if let idempotencyKey { w.string("idempotencyKey", idempotencyKey) }
        w.string("occurredOn", occurredOn.description)
        w.string("recordedAt", recordedAt)
        w.integer("schemaVersion", Int64(schemaVersion))
        w.integer("seq", Int64(seq))
        w.string("stream", stream)
        w.integer("streamVersion", Int64(streamVersion))
        w.string("type", type)
        if !warnings.isEmpty {
            w.value("warnings", .array(warnings.map { .object(["code": .string($0.code), "message": .string($0.message)]) }))
        }
        return w.finish()
    }

    /// Parses stored bytes back into a record, strictly.
    public init(bytes: UnsafeRawBufferPointer) throws(EngineError) {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes, limits: .storedRecord)
        } catch {
            throw EngineError(.internal, "stored record is not valid JSON: \(error)")
        }
        try self.init(json: value)
    }

    public init(json value: JSONValue) throws(EngineError) {
        func field<T>(_ name: String, _ get: (JSONValue) -> T?) throws(EngineError) -> T {
            guard let raw = value[name], let typed = get(raw) else {
                throw EngineError(.internal, "stored record lacks a valid '\(name)'")
            }
            return typed
        }
        seq = try field("seq", { $0.intValue.flatMap { UInt64(exactly: $0) } })
        id = try field("id", { $0.stringValue })
        type = try field("type", { $0.stringValue })
        occurredOn = try field("occurredOn", { $0.stringValue.flatMap(BusinessDate.init) })
        recordedAt = try field("recordedAt", { $0.stringValue })
        guard let actor = Self.actor(try field("actor", { $0.objectValue.map(JSONValue.object) })) else {
            throw EngineError(.internal, "stored record has a malformed actor")
        }
        self.actor = actor
        stream = try field("stream", { $0.stringValue })
        streamVersion = try field("streamVersion", { $0.intValue.flatMap { UInt64(exactly: $0) } })
        data = try field("data", { $0 })
        schemaVersion = try field("schemaVersion", { $0.intValue.flatMap { Int(exactly: $0) } })
        idempotencyKey = value["idempotencyKey"]?.stringValue
        warnings = Self.warnings(value["warnings"]?.arrayValue ?? [])
    }

    /// A stored `actor` member: {"uid": N, "user": "…"}; nil if malformed.
    static func actor(_ value: JSONValue) -> Actor? {
        guard let uid = value["uid"]?.intValue, let user = value["user"]?.stringValue else { return nil }
        return Actor(uid: UInt32(truncatingIfNeeded: uid), user: user)
    }

    /// A stored `warnings` member's entries ({"code", "message"}); malformed ones are skipped.
    static func warnings(_ list: [JSONValue]) -> [DomainWarning] {
        list.compactMap { w in
            guard let code = w["code"]?.stringValue, let message = w["message"]?.stringValue else { return nil }
            return DomainWarning(code: code, message: message)
        }
    }

    init(seq: UInt64, id: String, type: String, occurredOn: BusinessDate, recordedAt: String, actor: Actor,
         stream: String, streamVersion: UInt64, data: JSONValue, schemaVersion: Int, idempotencyKey: String?,
         warnings: [DomainWarning]) {
        self.seq = seq
        self.id = id
        self.type = type
        self.occurredOn = occurredOn
        self.recordedAt = recordedAt
        self.actor = actor
        self.stream = stream
        self.streamVersion = streamVersion
        self.data = data
        self.schemaVersion = schemaVersion
        self.idempotencyKey = idempotencyKey
        self.warnings = warnings
    }

    /// The typed event, through the upcasters.
    public func event() throws(EngineError) -> DomainEvent {
        do {
            return try StoredEventDecoder.decode(type: type, schemaVersion: schemaVersion, data: data)
        } catch {
            throw EngineError(.internal, "stored event \(seq) does not decode: \(error)")
        }
    }
}

extension JSONLimits {
    /// Stored records were checked on the way in; these limits only guard
    /// against a damaged file.
    static let storedRecord: JSONLimits = {
        var limits = JSONLimits.default
        limits.documentBytesMax = 1 << 20
        return limits
    }()
}

/// The current time as RFC 3339 UTC with milliseconds: "2026-11-29T03:00:00.123Z".
///
/// Owned by the writer thread; it formats the date and time of day once per
/// second and only the milliseconds on each call.
struct RecordClock {
    private var cachedSecond = -1
    private var cachedPrefix = ""

    mutating func now() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        if ts.tv_sec != cachedSecond {
            cachedSecond = ts.tv_sec
            cachedPrefix = Self.secondPrefix(ts.tv_sec)
        }
        let millis = ts.tv_nsec / 1_000_000
        return cachedPrefix + Self.pad(millis, 3) + "Z"
    }

    static func format(seconds: Int, millis: Int) -> String { secondPrefix(seconds) + pad(millis, 3) + "Z" }

    /// "YYYY-MM-DDTHH:MM:SS." for a Unix time.
    private static func secondPrefix(_ unixSeconds: Int) -> String {
        var seconds = unixSeconds
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))T"
            + "\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2))."
    }

    private static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}
