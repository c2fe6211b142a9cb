import Foundation
import LedgerEngine
import LedgerJSON
import Logging

final class TempDir {
    let path: String

    init() {
        var bytes = Array((NSTemporaryDirectory() + "ledger-engine-test-XXXXXX").utf8CString)
        guard let made = mkdtemp(&bytes) else { fatalError("mkdtemp failed: \(errno)") }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

let tester = Actor(uid: 1000, user: "an")

func openEngine(_ dir: TempDir, snapshotEvery: UInt64 = 100_000, log: LogRecorder? = nil) throws -> LedgerEngine {
    var configuration = EngineConfiguration(dataDirectory: dir.path, origin: "test.local/dang-bo")
    configuration.snapshotEveryEvents = snapshotEvery
    guard let log else { return try LedgerEngine(configuration: configuration) }
    return try LedgerEngine(configuration: configuration, logger: Logger(label: "test") { _ in RecordingLogHandler(recorder: log) })
}

/// What an engine logged, as "level message" lines.
final class LogRecorder: @unchecked Sendable {
    // @unchecked: `recorded` is guarded by `lock`.
    private let lock = NSLock()
    private var recorded: [String] = []

    func append(_ line: String) {
        lock.lock()
        recorded.append(line)
        lock.unlock()
    }

    var lines: [String] {
        lock.lock()
        defer { lock.unlock() }
        return recorded
    }
}

struct RecordingLogHandler: LogHandler {
    let recorder: LogRecorder
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        recorder.append("\(event.level) \(event.message)")
    }
}

func event(_ type: String, _ data: [String: JSONValue], on date: String = "2024-03-14",
           key: String? = nil, expectedVersion: Int64? = nil) -> JSONValue {
    var object: [String: JSONValue] = ["type": .string(type), "occurredOn": .string(date), "data": .object(data)]
    if let key { object["idempotencyKey"] = .string(key) }
    if let expectedVersion { object["expectedVersion"] = .int(expectedVersion) }
    return .object(object)
}

/// A bloc, a committee, two cells and three members (one probationary).
let setupEvents: [JSONValue] = [
    event("OrganizationRegistered", ["code": "BLOC", "name": "Đảng bộ Khối các cơ quan", "kind": "bloc"], on: "2012-01-02"),
    event("OrganizationRegistered", ["code": "DB01", "name": "Đảng bộ Sở Tư pháp", "kind": "committee", "parent": "BLOC"], on: "2012-01-02"),
    event("OrganizationRegistered", ["code": "CB01", "name": "Chi bộ Văn phòng", "kind": "cell", "parent": "DB01"], on: "2012-01-02"),
    event("OrganizationRegistered", ["code": "CB02", "name": "Chi bộ Thanh tra", "kind": "cell", "parent": "DB01"], on: "2012-01-02"),
    event("MemberRegistered", ["memberId": "M001", "name": "Nguyễn Văn An", "cell": "CB01", "status": "official"], on: "2012-01-03"),
    event("MemberRegistered", ["memberId": "M002", "name": "Trần Thị Bình", "cell": "CB01", "status": "official"], on: "2012-01-03"),
    event("MemberAdmitted", ["memberId": "M003", "name": "Lê Văn Cường", "cell": "CB01"], on: "2012-01-03"),
]

func meeting(_ cell: String, on date: String, attendees: [String], absentees: [String] = []) -> JSONValue {
    event("MeetingHeld", [
        "cell": .string(cell), "kind": "regular", "durationMinutes": 120,
        "attendees": .array(attendees.map { .string($0) }),
        "absentees": .array(absentees.map { .object(["memberId": .string($0), "reason": "công tác"]) }),
        "speakers": .array(attendees.prefix(1).map { .string($0) }), "minutesRecorded": true,
    ], on: date)
}

extension AppendOutcome {
    var errorCode: String? {
        if case .refused(let error) = self { return error.code.rawValue }
        return nil
    }
}
