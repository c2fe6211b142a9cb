@testable import LedgerDomain
import Testing

/// A meeting refers to each participant once, whatever lists they are in,
/// on the small-meeting path (comparisons) and the large one (a set) alike.
@Suite struct MeetingReferencesTests {
    static func meeting(_ attendees: [String], _ absentees: [String], _ speakers: [String]) -> MeetingHeld {
        MeetingHeld(cell: "CB01", kind: .regular, durationMinutes: 60, attendees: attendees,
                    absentees: absentees.map { .init(memberId: $0, reason: "ốm") }, speakers: speakers,
                    minutesRecorded: true)
    }

    @Test(arguments: [3, 40, 200])
    func eachParticipantOnceInListOrder(size: Int) {
        let attendees = (0..<size).map { "A\($0)" }
        let absentees = ["B1", "A0", "B1", "B2"]
        let speakers = ["A1", "B2", "S1", "S1"]
        let event = DomainEvent.meetingHeld(Self.meeting(attendees, absentees, speakers))
        let expected = [EntityRef.organization("CB01")] + (attendees + ["B1", "B2", "S1"]).map(EntityRef.member)
        #expect(event.references == expected)
    }
}
