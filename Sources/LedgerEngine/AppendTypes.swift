import LedgerDomain
import LedgerJSON

/// Who appended an event: the peer's uid and user name (from SO_PEERCRED).
public struct Actor: Sendable, Hashable {
    public let uid: UInt32
    public let user: String

    public init(uid: UInt32, user: String) {
        self.uid = uid
        self.user = user
    }

    var json: JSONValue { .object(["uid": .int(Int64(uid)), "user": .string(user)]) }

    /// `CanonicalJSON.encode(json)`.
    var canonicalBytes: [UInt8] {
        var w = CanonicalObjectWriter(capacity: user.utf8.count + 24)
        w.integer("uid", Int64(uid))
        w.string("user", user)
        return w.finish()
    }
}

/// What became of one submitted event.
public enum AppendOutcome: Sendable {
    /// Stored durably as event `seq`.
    case appended(seq: UInt64, warnings: [DomainWarning])
    /// Its idempotency key was already stored for the same event: nothing new.
    case duplicate(seq: UInt64)
    /// Not stored.
    case refused(EngineError)

    public var seq: UInt64? {
        switch self {
        case .appended(let seq, _), .duplicate(let seq): return seq
        case .refused: return nil
        }
    }

    /// The contract's per-event result line: `{"seq":N}` or `{"error":{...}}`.
    public var json: JSONValue {
        switch self {
        case .appended(let seq, let warnings):
            var object: [String: JSONValue] = ["seq": .int(Int64(seq))]
            if !warnings.isEmpty {
                object["warnings"] = .array(warnings.map { .object(["code": .string($0.code), "message": .string($0.message)]) })
            }
            return .object(object)
        case .duplicate(let seq):
            return .object(["seq": .int(Int64(seq)), "duplicate": .bool(true)])
        case .refused(let error):
            var body: [String: JSONValue] = ["code": .string(error.code.rawValue), "message": .string(error.message)]
            if !error.details.isEmpty {
                body["details"] = .object(error.details.mapValues { .string($0) })
            }
            return .object(["error": .object(body)])
        }
    }
}
