import Foundation
@testable import LedgerDomain
@testable import LedgerEngine
import LedgerJSON
import Testing

/// `verify`'s replay thread decodes the records the reading thread stepped
/// over, applies them, and gives back each meeting's index row and the first
/// record it could not decode.
@Suite struct VerifyReplayTests {
    static let day = BusinessDate("2024-03-12")!

    static func record(seq: UInt64, _ event: DomainEvent) -> [UInt8] {
        let record = StoredRecord(
            seq: seq, id: "id-\(seq)", type: event.type.rawValue, occurredOn: day, recordedAt: "2026-11-29T14:33:19.984Z",
            actor: Actor(uid: 0, user: "test"), stream: "s/\(seq)", streamVersion: 1, data: event.data,
            schemaVersion: StoredEventDecoder.currentSchemaVersion, idempotencyKey: nil, warnings: [])
        return CanonicalJSON.encode(record.json)
    }

    static let meeting = MeetingHeld(
        cell: "CB01", kind: .regular, topic: "Sinh hoạt tháng 3", durationMinutes: 90, attendees: ["M1", "M2"],
        absentees: [], speakers: ["M1"], minutesRecorded: true, resolutions: [])

    static let history: [DomainEvent] = [
        .organizationRegistered(OrganizationRegistered(code: "DB", name: "Đảng bộ Khối", kind: .bloc)),
        .organizationRegistered(OrganizationRegistered(code: "CB01", name: "Chi bộ 1", kind: .cell, parent: "DB")),
        .memberRegistered(MemberRegistered(memberId: "M1", name: "Nguyễn Văn A", cell: "CB01", status: .official)),
        .memberRegistered(MemberRegistered(memberId: "M2", name: "Trần Thị B", cell: "CB01", status: .official)),
        .meetingHeld(meeting),
    ]

    /// Replays `records` (plain ones handed over undecoded, as `verify` does).
    func replay(_ records: [[UInt8]]) throws -> (state: (appliedSeq: UInt64, snapshot: [UInt8]),
                                                 rows: [(UInt64, MeetingRow)], failures: [(UInt64, String)]) {
        var rows: [(UInt64, MeetingRow)] = []
        var failures: [(UInt64, String)] = []
        let replay = VerifyReplay(state: DomainState()) { seq, row, failure in
            if let row { rows.append((seq, row)) }
            if let failure { failures.append((seq, failure)) }
        }
        let held = HeldRecords(records)
        let buffers = held.buffers
        defer { withExtendedLifetime(held) {} }  // the records stay put until the replay is done
        for (i, buffer) in buffers.enumerated() {
            let bytes = buffer
            if let envelope = PlainEnvelope(bytes, data: { c, _ in c.skipPlainObject() }) {
                replay.decodeAndApply(seq: UInt64(i + 1), envelope: envelope, record: bytes)
            } else {
                replay.decodeAndApply(seq: UInt64(i + 1), occurredOn: Self.day, record: bytes)
            }
        }
        return (replay.finish(), rows, failures)
    }

    @Test func replaysWhatTheReadingThreadSteppedOver() throws {
        let records = Self.history.enumerated().map { Self.record(seq: UInt64($0.offset + 1), $0.element) }
        let result = try replay(records)
        var expected = DomainState()
        for (i, event) in Self.history.enumerated() {
            expected.apply(event, seq: UInt64(i + 1), occurredOn: Self.day, lookup: NoLookup())
        }
        #expect(result.state.appliedSeq == 5 && result.state.snapshot == expected.snapshot())
        #expect(result.failures.isEmpty)
        #expect(result.rows.count == 1 && result.rows.first?.0 == 5
                    && result.rows.first?.1 == MeetingRow(Self.meeting, seq: 5, day: Self.day))
    }

    @Test func theFirstRecordThatDoesNotDecodeIsGivenBackAndNothingAfterItIsApplied() throws {
        var records = Self.history.enumerated().map { Self.record(seq: UInt64($0.offset + 1), $0.element) }
        // Record 4 is canonical and plain around `data`, but its member id is a number.
        let text = String(decoding: records[3], as: UTF8.self)
        records[3] = Array(text.replacingOccurrences(of: #""memberId":"M2""#, with: #""memberId":2"#).utf8)
        #expect(records[3].withUnsafeBytes { PlainEnvelope($0, data: { c, _ in c.skipPlainObject() }) } != nil)
        let result = try replay(records)
        #expect(result.failures.count == 1 && result.failures.first?.0 == 4)
        #expect(result.failures.first?.1.contains("does not decode") == true, "\(result.failures)")
        #expect(result.state.appliedSeq == 3 && result.rows.isEmpty)
    }

    /// A verify that stops early (an error reading the log) drops its replay
    /// unfinished: the thread stops, and what it had not given back is not
    /// given back.
    @Test func anUnfinishedReplayStopsItsThread() throws {
        let events = ReplayPipelineTests.events()
        let records = events.enumerated().map { Self.record(seq: UInt64($0.offset + 1), $0.element) }
        let held = HeldRecords(records)
        let buffers = held.buffers
        defer { withExtendedLifetime(held) {} }  // the records stay put until the replay is done
        var rows = 0
        do {
            let replay = VerifyReplay(state: DomainState()) { _, row, _ in if row != nil { rows += 1 } }
            for (i, buffer) in buffers.enumerated() {
                let bytes = buffer
                replay.decodeAndApply(seq: UInt64(i + 1), envelope: try #require(PlainEnvelope(bytes, data: { c, _ in c.skipPlainObject() })),
                                      record: bytes)
            }
        }  // deinit: abandon, which waits for the thread before the buffers go
        let meetings = events.filter { $0.type == .meetingHeld }.count
        #expect(records.count > 2 * PipelinedReplay.batchEvents)
        #expect(rows < meetings, "rows of \(rows) meetings given back of \(meetings)")
    }

    @Test func aRecordNotPlainIsDecodedTheGeneralWay() throws {
        // An escape in a text: not plain, still canonical and valid.
        var events = Self.history
        events[2] = .memberRegistered(MemberRegistered(memberId: "M1", name: "Nguyễn \"Văn\" A", cell: "CB01",
                                                       status: .official))
        let records = events.enumerated().map { Self.record(seq: UInt64($0.offset + 1), $0.element) }
        #expect(records[2].withUnsafeBytes { PlainEnvelope($0, data: { c, _ in c.skipPlainObject() }) } == nil)
        let result = try replay(records)
        var expected = DomainState()
        for (i, event) in events.enumerated() {
            expected.apply(event, seq: UInt64(i + 1), occurredOn: Self.day, lookup: NoLookup())
        }
        #expect(result.failures.isEmpty && result.state.snapshot == expected.snapshot())
    }
}

private struct NoLookup: EventLookup {
    func storedEvent(seq: UInt64) -> (event: DomainEvent, occurredOn: BusinessDate)? { nil }
}
