import Foundation
@testable import LedgerDomain
@testable import LedgerEngine
import LedgerJSON
import Testing

/// The replay's two threads: the reading thread decodes records, or, while
/// the applier keeps up, hands them over undecoded for the applier to decode
/// (`applyRaw`). Either way the state is the same, and a record that does
/// not decode fails the replay.
@Suite struct ReplayPipelineTests {
    /// The records of `VerifyReplayTests.history` repeated as more members
    /// and meetings, enough for several batches.
    static func events() -> [DomainEvent] {
        var events = Array(VerifyReplayTests.history.prefix(2))
        for n in 0..<400 {
            events.append(.memberRegistered(MemberRegistered(memberId: "M\(n)", name: "Đảng viên \(n)", cell: "CB01",
                                                             status: .official)))
        }
        for n in 0..<1200 {
            events.append(.meetingHeld(MeetingHeld(
                cell: "CB01", kind: n % 3 == 0 ? .thematic : .regular, topic: "Sinh hoạt \(n)", durationMinutes: 60 + n % 60,
                attendees: (0..<12).map { "M\((n * 7 + $0 * 31) % 400)" }, absentees: [], speakers: ["M\(n % 400)"],
                minutesRecorded: n % 5 != 0, resolutions: [])))
        }
        return events
    }

    func replay(_ records: [[UInt8]], raw: (Int) -> Bool) throws -> DomainState {
        let held = HeldRecords(records)
        let buffers = held.buffers
        defer { withExtendedLifetime(held) {} }  // the records stay put until the replay is done
        let pipeline = ReplayPipeline(state: DomainState(), through: UInt64(records.count), progress: nil)
        for (i, buffer) in buffers.enumerated() {
            let bytes = buffer
            if raw(i) {
                pipeline.applyRaw(seq: UInt64(i + 1), bytes: bytes)
            } else {
                let record = try ReplayedRecord(bytes: bytes)
                pipeline.apply(seq: UInt64(i + 1), event: record.event, occurredOn: record.occurredOn, lookup: NoEvents())
            }
        }
        return try pipeline.finish()
    }

    @Test func recordsDecodedByEitherThreadGiveTheSameState() throws {
        let events = Self.events()
        let records = events.enumerated().map { VerifyReplayTests.record(seq: UInt64($0.offset + 1), $0.element) }
        var expected = DomainState()
        for (i, event) in events.enumerated() {
            expected.apply(event, seq: UInt64(i + 1), occurredOn: VerifyReplayTests.day, lookup: NoEvents())
        }
        let reference = expected.snapshot()
        #expect(try replay(records, raw: { _ in false }).snapshot() == reference)
        #expect(try replay(records, raw: { _ in true }).snapshot() == reference)
        // Whole batches one way or the other, as the reading thread decides, and single records.
        #expect(try replay(records, raw: { ($0 / PipelinedReplay.batchEvents) % 2 == 0 }).snapshot() == reference)
        #expect(try replay(records, raw: { $0 % 3 == 1 }).snapshot() == reference)
    }

    @Test func aRecordTheApplierCannotDecodeFailsTheReplay() throws {
        let events = Self.events()
        var records = events.enumerated().map { VerifyReplayTests.record(seq: UInt64($0.offset + 1), $0.element) }
        let text = String(decoding: records[700], as: UTF8.self)
        records[700] = Array(text.replacingOccurrences(of: #""durationMinutes":"#, with: #""durationMinutes":-"#).utf8)
        // The applier decodes it (the reading thread hands everything over).
        let error = #expect(throws: EngineError.self) { try replay(records, raw: { _ in true }) }
        #expect("\(error.map { $0 as Any } ?? "")".contains("701"), "\(String(describing: error))")
    }
}

/// `PipelinedReplay.replay` itself, over records in memory, every record
/// that may go over undecoded handed over so.
@Suite struct ReplayDecidingTests {
    func replay(_ records: [[UInt8]]) throws -> DomainState {
        let held = HeldRecords(records)
        let buffers = held.buffers
        defer { withExtendedLifetime(held) {} }  // the records stay put until the replay is done
        var state = DomainState()
        try PipelinedReplay.replay(into: &state, through: UInt64(records.count), progress: nil, lookup: NoEvents(),
                                   everyRecordRaw: true) { body in
            for (i, buffer) in buffers.enumerated() where try !body(UInt64(i + 1), buffer) { return }
        }
        return state
    }

    func records() -> [[UInt8]] {
        ReplayPipelineTests.events().enumerated().map { VerifyReplayTests.record(seq: UInt64($0.offset + 1), $0.element) }
    }

    @Test func everyRecordHandedOverGivesTheSameState() throws {
        var expected = DomainState()
        for (i, event) in ReplayPipelineTests.events().enumerated() {
            expected.apply(event, seq: UInt64(i + 1), occurredOn: VerifyReplayTests.day, lookup: NoEvents())
        }
        #expect(try replay(records()).snapshot() == expected.snapshot())
    }

    /// Retractions (of meetings and of a task) are decoded by the reading
    /// thread, their targets fetched there, while everything else goes over
    /// undecoded: the state is the one applying the records in turn gives.
    @Test func retractionsAmongRecordsHandedOverGiveTheSameState() throws {
        var events = ReplayPipelineTests.events()
        let firstMeeting = UInt64(events.firstIndex { $0.type == .meetingHeld }! + 1)
        events.insert(.eventRetracted(.init(seq: firstMeeting, reason: "Ghi nhầm")), at: 1000)
        events.append(.memberTaskAssigned(.init(memberId: "M7", task: "Theo dõi")))
        events.append(.eventRetracted(.init(seq: UInt64(events.count), reason: "Trùng")))
        events.append(.eventRetracted(.init(seq: firstMeeting + 5, reason: "Sai ngày")))
        let records = events.enumerated().map { VerifyReplayTests.record(seq: UInt64($0.offset + 1), $0.element) }
        let lookup = RecordsLookup(records: records)
        var expected = DomainState()
        for (i, event) in events.enumerated() {
            expected.apply(event, seq: UInt64(i + 1), occurredOn: VerifyReplayTests.day, lookup: lookup)
        }
        #expect(expected.isRetracted(firstMeeting) && expected.isRetracted(firstMeeting + 5))
        let held = HeldRecords(records)
        let buffers = held.buffers
        defer { withExtendedLifetime(held) {} }  // the records stay put until the replay is done
        var state = DomainState()
        try PipelinedReplay.replay(into: &state, through: UInt64(records.count), progress: nil, lookup: lookup,
                                   everyRecordRaw: true) { body in
            for (i, buffer) in buffers.enumerated() where try !body(UInt64(i + 1), buffer) { return }
        }
        #expect(state.snapshot() == expected.snapshot())
    }

    /// The reading thread finds a record's type at its end; a record whose
    /// warnings hide another type (a damaged or forged log) reads as a
    /// retraction only on the applier's reading, which refuses it.
    @Test func aRecordThatReadsTwoWaysFailsTheReplay() throws {
        var records = records()
        let retraction = VerifyReplayTests.record(seq: UInt64(records.count + 1), .eventRetracted(.init(seq: 3, reason: "x")))
        let text = String(decoding: retraction, as: UTF8.self)
        let forged = String(text.dropLast()) + #","warnings":[{"code":"c","message":"m","type":"MemberConfirmed","warnings":[]}]}"#
        #expect(Array(forged.utf8).withUnsafeBytes { ReplayedRecord.typeAndWarnings($0)?.type } == .memberConfirmed)
        records.append(Array(forged.utf8))
        let error = #expect(throws: EngineError.self) { try replay(records) }
        #expect(error?.message.contains("second reading") == true, "\(String(describing: error))")
    }

    /// A record the applier cannot decode is named even when the reading
    /// thread fails on a later one first.
    @Test func theApplierFailureComesFirst() throws {
        var records = records()
        let meeting = String(decoding: records[700], as: UTF8.self)
        records[700] = Array(meeting.replacingOccurrences(of: #""durationMinutes":"#, with: #""durationMinutes":-"#).utf8)
        records[1500] += Array("x".utf8)  // its type not at its end: the reading thread decodes it, and fails
        let error = #expect(throws: EngineError.self) { try replay(records) }
        #expect(error?.message.contains("701") == true, "\(String(describing: error))")
    }
}

/// Stored events read back from records in memory (a retraction's target).
private struct RecordsLookup: EventLookup {
    let records: [[UInt8]]

    func storedEvent(seq: UInt64) -> (event: DomainEvent, occurredOn: BusinessDate)? {
        guard seq >= 1, seq <= UInt64(records.count),
              let record = records[Int(seq - 1)].withUnsafeBytes({ try? ReplayedRecord(bytes: $0) })
        else { return nil }
        return (record.event, record.occurredOn)
    }
}

private struct NoEvents: EventLookup {
    func storedEvent(seq: UInt64) -> (event: DomainEvent, occurredOn: BusinessDate)? { nil }
}

/// Records copied to memory that stays put until this is dropped (as LMDB's
/// map stays put during a read transaction), for replays fed by a test.
final class HeldRecords {
    let buffers: [UnsafeRawBufferPointer]

    init(_ records: [[UInt8]]) {
        buffers = records.map { bytes in
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
            bytes.withUnsafeBytes { buffer.copyMemory(from: $0) }
            return UnsafeRawBufferPointer(buffer)
        }
    }

    deinit { buffers.forEach { $0.deallocate() } }
}
