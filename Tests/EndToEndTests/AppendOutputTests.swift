import Foundation
import LedgerJSON
import Testing

/// `ledgerctl append` prints CONTRACT.md's result lines exactly; what people
/// need besides (advisory warnings, idempotent duplicates) goes to stderr.
@Suite struct AppendOutputTests {
    @Test func stdoutHoldsExactlyTheContractsResultLines() throws {
        let daemon = try DaemonProcess()
        defer { _ = daemon.stop() }
        let shortMeeting = event("MeetingHeld", [
            "cell": "CB01", "kind": "regular", "durationMinutes": 60, "attendees": ["M001", "M002"],
            "absentees": [], "speakers": ["M001"], "minutesRecorded": true, "topic": "Sinh hoạt định kỳ tháng 11/2025",
        ], on: "2025-11-05")
        let events = setupEvents + [task(1, key: "k-1"), task(1, key: "k-1"), shortMeeting,
                                    event("MemberConfirmed", ["memberId": "M404"])]
        let result = try daemon.append(events)
        #expect(result.status == 1)  // the last event names an unknown member
        #expect(result.lines.count == 9)
        #expect(Array(result.lines[0..<8]) == (1...6).map { "{\"seq\":\($0)}" } + ["{\"seq\":6}", "{\"seq\":7}"])
        let refusal = try JSONParser.parse(Array(result.lines[8].utf8))
        #expect(refusal["error"]?["code"] != nil)
        #expect(refusal.objectValue?.keys.sorted() == ["error"])
        #expect(result.stderr.contains("line 7: already stored as seq 6"), "\(result.stderr)")
        #expect(result.stderr.contains("line 8 (seq 7): warning"), "\(result.stderr)")
        #expect(result.stderr.contains("1 of 9 events refused"), "\(result.stderr)")
    }
}
