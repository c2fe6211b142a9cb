import Foundation
import LedgerDomain
@testable import LedgerEngine
@testable import LedgerDemo
import LedgerJSON
import Testing

@Suite struct StoredRecordTests {
    /// The writer's direct encoding of a record is byte for byte the canonical
    /// encoding of its JSON (what the contract defines and auditors recompute),
    /// with and without the optional members and with text that needs escaping.
    @Test func directBytesAreTheCanonicalBytes() throws {
        let data: JSONValue = ["memberId": "M1", "task": "Phụ trách \"tổ\" 3\n\\ dân phố", "dueOn": "2026-12-31"]
        let variants: [(String?, [DomainWarning], String)] = [
            (nil, [], "root"),
            ("import-2026/07 \u{1}", [], "Nguyễn Thị \"B\""),
            (nil, [DomainWarning(code: "meeting-gap", message: "Chi bộ \"X\" chưa họp\ttháng 6")], "u"),
            ("k", [DomainWarning(code: "a", message: "1"), DomainWarning(code: "b", message: "2")], ""),
        ]
        for (key, warnings, user) in variants {
            let record = StoredRecord(
                seq: 9_007_199_254_740_991, id: "00000000-0000-4000-8000-000000000000", type: "MemberTaskAssigned",
                occurredOn: try #require(BusinessDate("2026-03-01")), recordedAt: "2026-11-29T03:00:00.123Z",
                actor: Actor(uid: 4_294_967_295, user: user), stream: "member/M1", streamVersion: 3, data: data,
                schemaVersion: StoredEventDecoder.currentSchemaVersion, idempotencyKey: key, warnings: warnings)
            #expect(record.canonicalBytes(data: CanonicalJSON.encode(data)) == CanonicalJSON.encode(record.json),
                    "key \(key ?? "none"), \(warnings.count) warnings")
        }
    }
}

@Suite struct RecordClockTests {
    @Test func formatsRFC3339UTCWithMilliseconds() {
        #expect(RecordClock.format(seconds: 0, millis: 0) == "1970-01-01T00:00:00.000Z")
        #expect(RecordClock.format(seconds: 1_796_007_599, millis: 7) == "2026-11-30T02:59:59.007Z")
        #expect(RecordClock.format(seconds: 951_782_400, millis: 999) == "2000-02-29T00:00:00.999Z")
    }

    @Test func nowIsTheCurrentTimeAndNeverGoesBackWithinASecond() throws {
        var clock = RecordClock()
        let before = Date()
        var previous = ""
        for _ in 0..<2000 {
            let stamp = clock.now()
            #expect(stamp.count == 24 && stamp.hasSuffix("Z"))
            #expect(stamp >= previous, "\(stamp) after \(previous)")
            previous = stamp
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        let parsed = try #require(formatter.date(from: previous))
        #expect(abs(parsed.timeIntervalSince(before)) < 5)
    }
}

/// The replay's in-place reading of a record agrees with the general decoder
/// on every record, whichever way it goes.
@Suite struct ReplayedRecordTests {
    static let data: JSONValue = [
        "cell": "CB01", "kind": "regular", "durationMinutes": 90, "attendees": ["M1", "M2"],
        "absentees": [["memberId": "M3", "reason": "ốm \"nặng\""]], "speakers": ["M1"], "minutesRecorded": true,
    ]

    static func record(type: String = "MeetingHeld", data: JSONValue = data, key: String? = nil) throws -> StoredRecord {
        StoredRecord(
            seq: 42, id: "00000000-0000-4000-8000-000000000000", type: type,
            occurredOn: try #require(BusinessDate("2025-03-10")), recordedAt: "2026-11-29T03:00:00.123Z",
            actor: Actor(uid: 0, user: "root"), stream: "organization/CB01", streamVersion: 7, data: data,
            schemaVersion: StoredEventDecoder.currentSchemaVersion, idempotencyKey: key, warnings: [])
    }

    func decodeBoth(_ bytes: [UInt8]) -> (fast: Result<ReplayedRecord, EngineError>, general: Result<StoredRecord, EngineError>) {
        let fast = bytes.withUnsafeBytes { buffer in Result { () throws(EngineError) in try ReplayedRecord(bytes: buffer) } }
        let general = bytes.withUnsafeBytes { buffer in Result { () throws(EngineError) in try StoredRecord(bytes: buffer) } }
        return (fast, general)
    }

    @Test func canonicalRecordsDecodeToTheSameEvent() throws {
        for key in [nil, "k-1", "with \\ escape"] {
            let record = try Self.record(key: key)
            let bytes = CanonicalJSON.encode(record.json)
            #expect(bytes.withUnsafeBytes { ReplayedRecord.scanned($0) } != nil, "the in-place path takes it")
            let (fast, general) = decodeBoth(bytes)
            let replayed = try fast.get()
            let expected = try general.get()
            #expect(replayed.seq == 42 && replayed.occurredOn == expected.occurredOn)
            #expect(replayed.event == (try expected.event()))
        }
    }

    /// Non-canonical bytes (spaces, reordered keys) go the general way and
    /// still decode; damaged records fail with the general path's error.
    @Test func otherFormsFallBackToTheGeneralDecoder() throws {
        let canonical = String(decoding: CanonicalJSON.encode(try Self.record().json), as: UTF8.self)
        let spaced = canonical.replacingOccurrences(of: "\"seq\":42", with: "\"seq\": 42")
        #expect(Array(spaced.utf8).withUnsafeBytes { ReplayedRecord.scanned($0) } == nil)
        let (fast, _) = decodeBoth(Array(spaced.utf8))
        #expect(try fast.get().seq == 42)

        let unknownType = CanonicalJSON.encode(try Self.record(type: "NoSuchEvent").json)
        let badData = CanonicalJSON.encode(try Self.record(data: ["cell": "CB01"]).json)
        for bytes in [unknownType, badData, Array("{\"seq\":1}".utf8), Array("not json".utf8)] {
            let (fast, general) = decodeBoth(bytes)
            let generalError: EngineError? = switch general {
            case .failure(let error): error
            case .success(let record): { () -> EngineError? in
                do throws(EngineError) { _ = try record.event(); return nil } catch { return error }
            }()
            }
            guard case .failure(let fastError) = fast else {
                Issue.record("\(String(decoding: bytes, as: UTF8.self)) decoded on the fast path")
                continue
            }
            #expect(fastError.message == generalError?.message)
        }
    }
}

extension ReplayedRecordTests {
    /// Differential fuzz: bytes of `data` (the only part a replay decodes)
    /// changed to anything. The in-place path and the general decoder agree
    /// every time: the same event, or the same error.
    @Test func changedDataDecodesTheSameOnBothPaths() throws {
        let bytes = CanonicalJSON.encode(try Self.record(key: "k").json)
        let members = try #require(CanonicalScanner.topLevelMembers(bytes))
        let data = try #require(members.first { Array(bytes[$0.key]) == Array("data".utf8) }).value
        var random = DemoRandom(seed: 11)  // SplitMix64, so a failing round replays exactly
        var decoded = 0
        for round in 0..<3000 {
            var changed = bytes
            for change in 0...(round % 2) {
                let at = data.lowerBound + Int(random.next() % UInt64(data.count))
                changed[at] = (round + change) % 3 == 0
                    ? UInt8(truncatingIfNeeded: random.next()) : UInt8(0x20 + random.next() % 0x5F)
            }
            let (fast, general) = decodeBoth(changed)
            let generalEvent: Result<DomainEvent, EngineError> = general.flatMap { record in
                Result { () throws(EngineError) in try record.event() }
            }
            switch (fast, generalEvent) {
            case (.success(let replayed), .success(let event)):
                decoded += 1
                #expect(replayed.event == event && replayed.seq == 42, "\(String(decoding: changed, as: UTF8.self))")
            case (.failure(let a), .failure(let b)):
                #expect(a.message == b.message, "\(String(decoding: changed, as: UTF8.self))")
            default:
                Issue.record("the paths disagree on \(String(decoding: changed, as: UTF8.self))")
            }
        }
        #expect(decoded > 50)
    }
}

/// The meetings index row written at append (from the typed event) is the
/// one `verify` and the queries rebuild from the stored JSON.
@Suite struct MeetingRowTests {
    @Test func typedAndJSONRowsAgree() throws {
        let day = try #require(BusinessDate("2025-03-10"))
        for kind in [MeetingKind.regular, .thematic] {
            for minutes in [true, false] {
                let meeting = MeetingHeld(
                    cell: "CB01", kind: kind, durationMinutes: 95, attendees: ["M1", "M2", "M3"],
                    absentees: [.init(memberId: "M4", reason: "ốm")], speakers: ["M1"], minutesRecorded: minutes)
                let typed = MeetingRow(meeting, seq: 77, day: day)
                #expect(typed == MeetingRow(data: meeting.data, seq: 77, day: day))
                #expect(typed.key == MeetingRow(data: meeting.data, seq: 77, day: day)?.key)
                #expect(typed.value == MeetingRow(data: meeting.data, seq: 77, day: day)?.value)
            }
        }
    }
}

/// `verify` reads whole records in place (`StoredRecord.scanned`); the
/// general decoder is the reference. Whatever the in-place path accepts, the
/// general one accepts with the same fields; what it declines goes the
/// general way.
@Suite struct ScannedRecordTests {
    private func record(key: String?, warnings: [DomainWarning]) throws -> StoredRecord {
        var record = try ReplayedRecordTests.record(key: key)
        record.warnings = warnings
        return record
    }

    @Test func canonicalRecordsAreReadInPlaceWithEveryField() throws {
        for (key, warnings) in [(nil, []), ("k-1", [DomainWarning(code: "W-1", message: "muộn")]),
                                ("k-2", [DomainWarning(code: "W-2", message: "a"), DomainWarning(code: "W-3", message: "b")])]
            as [(String?, [DomainWarning])]
        {
            let bytes = CanonicalJSON.encode(try record(key: key, warnings: warnings).json)
            let scanned = try #require(bytes.withUnsafeBytes { StoredRecord.scanned($0) })
            let general = try bytes.withUnsafeBytes { buffer throws(EngineError) in try StoredRecord(bytes: buffer) }
            #expect(scanned.json == general.json)
        }
        // An escape in a plain member: declined, the general path reads it.
        let escaped = CanonicalJSON.encode(try record(key: "with \\ escape", warnings: []).json)
        #expect(escaped.withUnsafeBytes { StoredRecord.scanned($0) } == nil)
    }

    /// Differential fuzz: one to three bytes anywhere in a record changed to
    /// anything. Never does the in-place path accept what the general one
    /// refuses, or read a field differently.
    @Test func changedRecordsAreNeverReadDifferently() throws {
        let bytes = CanonicalJSON.encode(
            try record(key: "k-9", warnings: [DomainWarning(code: "W-1", message: "cảnh báo")]).json)
        var random = DemoRandom(seed: 29)  // SplitMix64, so a failing round replays exactly
        var accepted = 0
        for round in 0..<4000 {
            var changed = bytes
            for change in 0...(round % 3) {
                let at = Int(random.next() % UInt64(changed.count))
                changed[at] = (round + change) % 3 == 0
                    ? UInt8(truncatingIfNeeded: random.next()) : UInt8(0x20 + random.next() % 0x5F)
            }
            guard let scanned = changed.withUnsafeBytes({ StoredRecord.scanned($0) }) else { continue }
            accepted += 1
            let general = changed.withUnsafeBytes { buffer in
                Result { () throws(EngineError) in try StoredRecord(bytes: buffer) }
            }
            switch general {
            case .success(let record):
                #expect(scanned.json == record.json, "\(String(decoding: changed, as: UTF8.self))")
            case .failure(let error):
                Issue.record("accepted in place, refused by the decoder (\(error)): \(String(decoding: changed, as: UTF8.self))")
            }
        }
        #expect(accepted > 100, "changes inside strings and digits keep records readable in place")
    }
}

/// The replay's quickest path (`ReplayedRecord.plain`): a record exactly as
/// the ledger writes it, read front to back. The general decoder is the
/// reference: whatever the quick path reads, it reads alike.
@Suite struct PlainRecordTests {
    static func record(_ event: DomainEvent, key: String? = nil, warnings: [DomainWarning] = [],
                       user: String = "bench") throws -> [UInt8] {
        let record = StoredRecord(
            seq: 1_234_567, id: "4562a636-b280-4e05-910b-12b97c20d3a5", type: event.type.rawValue,
            occurredOn: try #require(BusinessDate("2024-11-23")), recordedAt: "2026-11-29T14:33:19.984Z",
            actor: Actor(uid: 1001, user: user), stream: "org/DB970-CB02", streamVersion: 20, data: event.data,
            schemaVersion: StoredEventDecoder.currentSchemaVersion, idempotencyKey: key, warnings: warnings)
        return CanonicalJSON.encode(record.json)
    }

    static let events: [DomainEvent] = [
        .meetingHeld(MeetingHeld(
            cell: "DB970-CB02", kind: .thematic, topic: "Nâng cao chất lượng sinh hoạt chi bộ", durationMinutes: 140,
            attendees: ["DV106663", "DV106664", "DV107939"], absentees: [.init(memberId: "DV1", reason: "Ốm")],
            speakers: ["DV106663"], minutesRecorded: true, resolutions: ["Tăng cường kỷ luật, kỷ cương hành chính"])),
        .qualityEvaluated(QualityEvaluated(subject: .member("DV1"), year: 2025, rating: .good)),
        .memberRegistered(MemberRegistered(memberId: "DV2", name: "Trần Thị Ánh", cell: "CB", status: .official,
                                           birthYear: 1970)),
        .memberTaskAssigned(MemberTaskAssigned(memberId: "DV3", task: "Theo dõi tổ 3", assignedBy: "CB",
                                               dueOn: BusinessDate("2025-06-30"))),
        .memberConfirmed(MemberConfirmed(memberId: "DV4")),
    ]

    func general(_ bytes: [UInt8]) -> ReplayedRecord? {
        bytes.withUnsafeBytes { buffer -> ReplayedRecord? in
            guard let record = try? StoredRecord(bytes: buffer), let event = try? record.event() else { return nil }
            return ReplayedRecord(seq: record.seq, occurredOn: record.occurredOn, event: event)
        }
    }

    @Test func recordsAsTheLedgerWritesThemAreReadQuickly() throws {
        for event in Self.events {
            for key in [nil, "import-2026/07"] as [String?] {
                let bytes = try Self.record(event, key: key)
                let quick = try #require(bytes.withUnsafeBytes { ReplayedRecord.plain($0) },
                                         "\(String(decoding: bytes, as: UTF8.self))")
                let expected = try #require(general(bytes))
                #expect(quick.seq == 1_234_567 && quick.seq == expected.seq)
                #expect(quick.occurredOn == expected.occurredOn && quick.event == expected.event)
            }
        }
    }

    @Test func warningsAsTheLedgerWritesThemAreSteppedOver() throws {
        let warnings: [[DomainWarning]] = [
            [DomainWarning(code: "cell-too-few-official-members",
                           message: "cell 'DB167-CB04' had 2 official members on 2023-12-10; a cell needs at least 3")],
            [DomainWarning(code: "w", message: "Chi bộ Văn phòng: đảng viên vắng mặt"), DomainWarning(code: "x", message: " ")],
        ]
        for event in Self.events {
            for list in warnings {
                let bytes = try Self.record(event, warnings: list)
                let quick = try #require(bytes.withUnsafeBytes { ReplayedRecord.plain($0) },
                                         "\(String(decoding: bytes, as: UTF8.self))")
                let expected = try #require(general(bytes))
                #expect(quick.seq == expected.seq && quick.occurredOn == expected.occurredOn && quick.event == expected.event)
            }
        }
        // A warning longer than the general parser takes is not stepped over either.
        let long = try Self.record(Self.events[0], warnings: [DomainWarning(code: "w", message: String(repeating: "a", count: 70_000))])
        #expect(long.withUnsafeBytes { ReplayedRecord.plain($0) } == nil)
        #expect(long.withUnsafeBytes { try? StoredRecord(bytes: $0) } == nil)
        // Warnings in any other form go the scanner's way (which reads them alike, or refuses them).
        let text = String(decoding: try Self.record(Self.events[0], warnings: warnings[0]), as: UTF8.self)
        for changed in [text.replacingOccurrences(of: "\"message\":\"cell", with: "\"message\":\"\\u0063ell"),
                        text.replacingOccurrences(of: "{\"code\"", with: "{ \"code\""),
                        text.replacingOccurrences(of: ",\"message\":", with: ",\"note\":"),
                        text.replacingOccurrences(of: "]}", with: ",]}"),
                        text.replacingOccurrences(of: "\"warnings\":[", with: "\"warnings\":[[").replacingOccurrences(of: "]}", with: "]]}")] {
            let bytes = Array(changed.utf8)
            #expect(bytes.withUnsafeBytes { ReplayedRecord.plain($0) } == nil, "\(changed)")
            let read = bytes.withUnsafeBytes { try? ReplayedRecord(bytes: $0) }
            #expect(read?.event == general(bytes)?.event, "\(changed)")
        }
    }

    @Test func otherRecordsGoTheScannersWay() throws {
        let meeting = Self.events[0]
        let declined: [[UInt8]] = [
            try Self.record(meeting, warnings: [DomainWarning(code: "w", message: "a \"quoted\" word")]),
            try Self.record(meeting, key: "khóa"),
            try Self.record(meeting, user: "Nguyễn"),
            try Self.record(meeting, key: "a\"b"),
            try Self.record(.organizationDissolved(OrganizationDissolved(code: "CB1", reason: "Sáp nhập"))),
        ]
        for bytes in declined {
            #expect(bytes.withUnsafeBytes { ReplayedRecord.plain($0) } == nil, "\(String(decoding: bytes, as: UTF8.self))")
            let read = bytes.withUnsafeBytes { try? ReplayedRecord(bytes: $0) }
            #expect(read?.event == general(bytes)?.event && read != nil)
        }
        let text = String(decoding: try Self.record(meeting), as: UTF8.self)
        for changed in [text.replacingOccurrences(of: "\"schemaVersion\":1", with: "\"schemaVersion\":2"),
                        text.replacingOccurrences(of: "\"seq\":1234567", with: "\"seq\":1234567.0"),
                        text.replacingOccurrences(of: "\"type\":\"MeetingHeld\"", with: "\"type\":\"Meeting\""),
                        text.replacingOccurrences(of: ",\"id\":", with: ", \"id\":"),
                        text + " "] {
            #expect(Array(changed.utf8).withUnsafeBytes { ReplayedRecord.plain($0) } == nil, "\(changed)")
        }
    }

    /// Differential fuzz over whole records: one to three bytes anywhere
    /// changed, or the record cut short. Whenever the quick path reads a
    /// record, the general one reads the same seq, date and event.
    @Test func changedRecordsAreNeverReadDifferently() throws {
        var random = DemoRandom(seed: 31)  // SplitMix64, so a failing round replays exactly
        let punctuation = Array("{}[],:\"\\ 0123456789-.eE".utf8) + [0xC3, 0xE1, 0xBB, 0x80, 0xFF, 0x00]
        var accepted = 0
        for (n, event) in Self.events.enumerated() {
            let original = try Self.record(event, key: n % 2 == 0 ? "k-\(n)" : nil,
                                           warnings: n % 3 == 0 ? [DomainWarning(code: "w-\(n)", message: "m: 'x'; y")] : [])
            for round in 0..<1500 {
                var changed = original
                if round % 10 == 0 {
                    changed.removeLast(1 + Int(random.next() % UInt64(changed.count - 1)))
                } else {
                    for _ in 0...(round % 3) {
                        let at = Int(random.next() % UInt64(changed.count))
                        changed[at] = random.next() % 2 == 0
                            ? punctuation[Int(random.next() % UInt64(punctuation.count))]
                            : UInt8(truncatingIfNeeded: random.next())
                    }
                }
                // `verify` reads the same records in two steps (the envelope
                // stepping over `data`, then `data` on another thread): exactly
                // what the one step reads, alike.
                let whole = changed.withUnsafeBytes { PlainRecord($0) }
                let split = changed.withUnsafeBytes { bytes -> (envelope: PlainEnvelope, event: DomainEvent)? in
                    guard let envelope = PlainEnvelope(bytes, data: { c, _ in c.skipPlainObject() }),
                          let event = PlainEnvelope.decodeData(of: envelope.type, at: envelope.data, in: bytes)
                    else { return nil }
                    return (envelope, event)
                }
                #expect((split == nil) == (whole == nil), "event \(n), round \(round): \(String(decoding: changed, as: UTF8.self))")
                if let whole, let split {
                    #expect(split.event == whole.event && split.envelope.seq == whole.seq && split.envelope.type == whole.envelope.type
                                && split.envelope.occurredOn == whole.occurredOn && split.envelope.stream == whole.stream
                                && split.envelope.streamVersion == whole.streamVersion
                                && split.envelope.idempotencyKey == whole.idempotencyKey && split.envelope.data == whole.envelope.data)
                }
                guard let quick = changed.withUnsafeBytes({ ReplayedRecord.plain($0) }) else { continue }
                accepted += 1
                let expected = general(changed)
                let text = String(decoding: changed, as: UTF8.self)
                #expect(expected != nil && quick.seq == expected?.seq && quick.occurredOn == expected?.occurredOn
                            && quick.event == expected?.event,
                        "event \(n), round \(round): \(text)")
                // What `verify` reads of it, and that it is canonical (verify takes it as proof).
                let fields = changed.withUnsafeBytes { PlainRecord($0) }
                let record = changed.withUnsafeBytes { try? StoredRecord(bytes: $0) }
                func slice(_ range: Range<Int>?) -> String? { range.map { String(decoding: changed[$0], as: UTF8.self) } }
                #expect(fields?.type == record?.type && fields?.streamVersion == record?.streamVersion
                            && slice(fields?.stream) == record?.stream && slice(fields?.idempotencyKey) == record?.idempotencyKey,
                        "event \(n), round \(round): \(text)")
                #expect((try? JSONParser.parse(changed)).map(CanonicalJSON.encode) == changed, "not canonical: \(text)")
            }
        }
        #expect(accepted > 300, "changes inside ids, digits and text keep records readable quickly")
    }
}
