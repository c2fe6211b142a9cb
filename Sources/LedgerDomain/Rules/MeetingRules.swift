/// Meetings (judged on the meeting's date, as far as the ledger knows now):
/// - the cell exists, is a cell, is not dissolved and was registered on or before the date;
/// - no absentee is listed twice (`duplicate-participant`; attendees and speakers
///   are checked for duplicates at decoding), no one both attends and is absent
///   (`attendee-also-absent`), every speaker attends (`speaker-not-attending`);
/// - every attendee, absentee and speaker was, on the meeting's date, an active
///   member of that cell (`member-not-found`, `dated-before-creation` if registered later,
///   `participant-not-in-cell` if in another cell or gone by then). A member who has
///   left since may still appear in a meeting dated while they belonged;
/// - `durationMinutes` is 1...720 (decoding).
/// Advice (never refusals) comes from `AdvisoryRules`.
extension DomainState {
    func checkMeetingHeld(_ e: MeetingHeld, on date: BusinessDate) throws(DomainError) {
        _ = try requireCell(e.cell, field: "data.cell", on: date)
        let attendees = Set(e.attendees)
        var absent = Set<String>()
        for (i, a) in e.absentees.enumerated() {
            let field = "data.absentees[\(i)].memberId"
            guard absent.insert(a.memberId).inserted else {
                throw DomainError(.duplicateParticipant, "\(field) repeats '\(a.memberId)'; list each absentee once", field: field)
            }
            if attendees.contains(a.memberId) {
                throw DomainError(
                    .attendeeAlsoAbsent, "'\(a.memberId)' is listed as attending and as absent; choose one", field: field)
            }
        }
        for (i, s) in e.speakers.enumerated() where !attendees.contains(s) {
            throw DomainError(
                .speakerNotAttending, "speaker '\(s)' is not among the attendees; every speaker attends", field: "data.speakers[\(i)]")
        }
        for (i, m) in e.attendees.enumerated() {
            try requireParticipant(m, cell: e.cell, on: date, field: "data.attendees[\(i)]")
        }
        for (i, a) in e.absentees.enumerated() {
            try requireParticipant(a.memberId, cell: e.cell, on: date, field: "data.absentees[\(i)].memberId")
        }
    }

    /// `id` was an active member of `cell` at the end of `date`.
    func requireParticipant(_ id: String, cell: String, on date: BusinessDate, field: @autoclosure () -> String)
        throws(DomainError)
    {
        let member = try requireMember(id, field: field(), on: date)
        guard let then = member.standing(on: date), then.isActive, then.cell == cell else {
            let standing = member.standing(on: date)
            let why = standing.map { $0.isActive ? "in cell '\($0.cell)'" : "no longer active (\(Self.describe($0.departure)))" }
                ?? "not yet registered"
            throw DomainError(
                .participantNotInCell,
                "'\(id)' was \(why) on \(date), not an active member of cell '\(cell)'", field: field())
        }
    }
}
