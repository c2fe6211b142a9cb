import Crypto
import Foundation
import LedgerDomain
import LedgerJSON

/// A decoded submission and what can be computed from it before the writer
/// takes it: this runs on the caller's thread, in parallel with commits, so
/// the writer (the one serial stage) does less per event.
struct PreparedSubmission: Sendable {
    let submission: Submission
    /// `CanonicalJSON.encode(submission.event.data)`: spliced into the stored record.
    let data: [UInt8]
    /// With an idempotency key only: SHA-256 of the canonical {data, occurredOn,
    /// type}, which tells a retry of the same event from a reuse of the key.
    let digest: [UInt8]

    init(_ submission: Submission) {
        self.submission = submission
        data = CanonicalJSON.encode(submission.event.data)
        if submission.idempotencyKey == nil {
            digest = []
        } else {
            var w = CanonicalObjectWriter(capacity: data.count + 64)
            w.canonical("data", data)
            w.string("occurredOn", submission.occurredOn.description)
            w.string("type", submission.event.type.rawValue)
            digest = Array(SHA256.hash(data: w.finish()))
        }
    }
}

/// One caller's append: decoded events (or their decoding errors), who sent
/// them, and where to deliver the outcomes once the group is durable.
struct PendingAppend: Sendable {
    let items: [Result<PreparedSubmission, EngineError>]
    /// About how many bytes the events take (bounds groups and the queue).
    let bytes: Int
    let actor: Actor
    /// All or nothing: one refused event refuses the whole request.
    let atomic: Bool
    let deliver: @Sendable ([AppendOutcome]) -> Void
}

/// The writer's inbox: callers enqueue from any thread; the single writer
/// thread takes everything waiting (up to a group limit) for one transaction.
/// Bounded: a full queue refuses new work instead of growing.
final class AppendQueue: @unchecked Sendable {
    // @unchecked: every field is guarded by `condition`.
    private let condition = NSCondition()
    private var pending: [PendingAppend] = []
    private var pendingEvents = 0
    private var pendingBytes = 0
    let bytesMax: Int
    let groupBytesMax: Int
    private var closed = false
    private var woken = false
    let eventsMax: Int

    init(eventsMax: Int, bytesMax: Int, groupBytesMax: Int) {
        self.eventsMax = eventsMax
        self.bytesMax = bytesMax
        self.groupBytesMax = groupBytesMax
    }

    enum EnqueueResult { case queued, full, closed }

    func enqueue(_ append: PendingAppend) -> EnqueueResult {
        condition.lock()
        defer { condition.unlock() }
        if closed { return .closed }
        if pendingEvents > 0
            && (pendingEvents + append.items.count > eventsMax || pendingBytes + append.bytes > bytesMax)
        {
            return .full
        }
        pending.append(append)
        pendingEvents += append.items.count
        pendingBytes += append.bytes
        condition.signal()
        return .queued
    }

    /// Blocks until work is waiting (or `wake()`), then takes requests
    /// totalling at most `eventsMax` events (at least one request, or none
    /// after a wake). Returns nil once closed and drained.
    func takeGroup(eventsMax: Int) -> [PendingAppend]? {
        condition.lock()
        defer { condition.unlock() }
        while pending.isEmpty && !closed && !woken { condition.wait() }
        if woken && pending.isEmpty && !closed {
            woken = false
            return []
        }
        woken = false
        if pending.isEmpty { return nil }
        let prefix = BoundedPrefix(of: pending, eventsMax: eventsMax, bytesMax: groupBytesMax,
                                   events: { $0.items.count }, bytes: { $0.bytes })
        let group = Array(pending.prefix(prefix.count))
        pending.removeFirst(prefix.count)
        pendingEvents -= prefix.events
        pendingBytes -= prefix.bytes
        return group
    }

    /// Wakes the writer with no work (it then runs its housekeeping).
    func wake() {
        condition.lock()
        woken = true
        condition.signal()
        condition.unlock()
    }

    /// Refuses new work; the writer drains what is queued, then stops.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    var depth: Int {
        condition.lock()
        defer { condition.unlock() }
        return pendingEvents
    }
}

extension JSONValue {
    /// About the size of this value as JSON text (no encoding done): enough
    /// to bound queues and groups by bytes.
    var approximateBytes: Int {
        switch self {
        case .null, .bool: return 5
        case .int, .double: return 12
        case .string(let s): return s.utf8.count + 2
        case .array(let items): return items.reduce(2) { $0 + $1.approximateBytes + 1 }
        case .object(let object): return object.reduce(2) { $0 + $1.key.utf8.count + 4 + $1.value.approximateBytes }
        }
    }
}
