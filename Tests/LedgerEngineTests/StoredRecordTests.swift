import Foundation
import LedgerDomain
@testable import LedgerEngine
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
